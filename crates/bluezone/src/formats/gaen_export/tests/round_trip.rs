//! Writing exports and reading them back.

use std::num::NonZeroUsize;

use super::*;
use crate::formats::gaen_export::proto::SignatureInfo;
use crate::formats::gaen_export::{
    ExportOptions, SignatureStatus, read_export_zip_file, write_export_zip, write_exports,
};
use crate::{Error, KeyMetadata, PublishedKey, PublishedKeys, ReportType};

fn private_key() -> String {
    fixture_text("test-private-pkcs8.pem")
}

fn public_key() -> String {
    fixture_text("test-public.pem")
}

/// Keys with every kind of metadata.
fn sample_keys(kind: SchemeKind, count: usize) -> PublishedKeys {
    let mut keys = PublishedKeys::new(kind);
    for n in 0..count {
        let key: Vec<u8> = (0..16).map(|i| (n * 31 + i * 7) as u8).collect();
        let metadata = match n % 4 {
            0 => KeyMetadata::default(),
            1 => KeyMetadata {
                report_type: ReportType::ConfirmedTest,
                days_since_onset: Some(-3),
                transmission_risk: None,
            },
            2 => KeyMetadata {
                report_type: ReportType::Revoked,
                days_since_onset: Some(14),
                transmission_risk: Some(255),
            },
            _ => KeyMetadata {
                report_type: ReportType::Unknown,
                days_since_onset: None,
                transmission_risk: Some(0),
            },
        };
        let start = 2_642_976 + (n as u32 % 14) * 144;
        let period = 1 + (n as u32 * 37) % 144;
        keys.push_with_metadata(&key, start, period, metadata)
            .unwrap();
    }
    keys
}

fn rows(keys: &PublishedKeys) -> Vec<PublishedKey<'_>> {
    keys.iter().collect()
}

fn zip_bytes(keys: &PublishedKeys, options: &ExportOptions, pem: &str) -> Vec<u8> {
    write_export_zip(keys, options, 1, 1, pem, Cursor::new(Vec::new()))
        .unwrap()
        .into_inner()
}

#[test]
fn written_export_reads_back_and_verifies() {
    let keys = sample_keys(SchemeKind::Gaen, 9);
    let options = ExportOptions {
        region: "VN".to_owned(),
        verification_key_id: "452".to_owned(),
        ..ExportOptions::default()
    };
    let zip = write_export_zip(
        &keys,
        &options,
        2,
        3,
        &private_key(),
        Cursor::new(Vec::new()),
    )
    .unwrap()
    .into_inner();
    assert_eq!(
        unzip(&zip)
            .iter()
            .map(|(name, _)| name.as_str())
            .collect::<Vec<_>>(),
        ["export.bin", "export.sig"]
    );
    let export = read_export_zip_bytes(&zip, "keys.zip", SchemeKind::Gaen).unwrap();
    assert_eq!(rows(&export.bin.keys), rows(&keys));
    assert!(export.bin.keys.has_metadata());
    assert!(export.bin.revised_keys.is_empty());
    assert_eq!(export.bin.region.as_deref(), Some("VN"));
    assert_eq!(
        (export.bin.batch_num, export.bin.batch_size),
        (Some(2), Some(3))
    );
    // The time window of the keys: the earliest start, the latest end.
    assert_eq!(export.bin.start_timestamp, Some(2_642_976 * 600));
    let end = keys.iter().map(|key| key.window.end()).max().unwrap();
    assert_eq!(export.bin.end_timestamp, Some(end * 600));
    let info = SignatureInfo {
        verification_key_version: Some("v1".to_owned()),
        verification_key_id: Some("452".to_owned()),
        signature_algorithm: Some("1.2.840.10045.4.3.2".to_owned()),
    };
    assert_eq!(export.bin.signature_infos, std::slice::from_ref(&info));
    assert_eq!(export.signatures.len(), 1);
    assert_eq!(export.signatures[0].signature_info, Some(info));
    assert_eq!(
        (
            export.signatures[0].batch_num,
            export.signatures[0].batch_size
        ),
        (Some(2), Some(3))
    );
    assert_eq!(
        export.verify(&public_key()).unwrap(),
        SignatureStatus::Valid { index: 0 }
    );
    assert!(
        !export
            .verify(&fixture_text("public.pem"))
            .unwrap()
            .is_valid()
    );
}

#[test]
fn output_is_deterministic() {
    let keys = sample_keys(SchemeKind::B3, 50);
    let options = ExportOptions::default();
    let first = zip_bytes(&keys, &options, &private_key());
    assert_eq!(zip_bytes(&keys, &options, &private_key()), first);
    // The SEC1 file holds the same key: the same bytes.
    assert_eq!(
        zip_bytes(&keys, &options, &fixture_text("test-private-sec1.pem")),
        first
    );
    // The zip entries carry the fixed time 1980-01-01 00:00.
    let mut archive = ZipArchive::new(Cursor::new(&first)).unwrap();
    for index in 0..archive.len() {
        let modified = archive.by_index_raw(index).unwrap().last_modified();
        assert_eq!(modified, Some(zip::DateTime::default()));
    }
}

#[test]
fn options_give_the_header_fields() {
    let keys = sample_keys(SchemeKind::Gaen, 3);
    let options = ExportOptions {
        region: String::new(),
        start_timestamp: Some(1_700_000_000),
        end_timestamp: Some(1_700_086_400),
        max_keys_per_file: NonZeroUsize::new(1).unwrap(),
        verification_key_id: String::new(),
        verification_key_version: String::new(),
    };
    let zip = zip_bytes(&keys, &options, &private_key());
    let export = read_export_zip_bytes(&zip, "keys.zip", SchemeKind::Gaen).unwrap();
    // A single file holds all its keys, whatever the limit per file.
    assert_eq!(export.bin.keys.len(), 3);
    assert_eq!(export.bin.start_timestamp, Some(1_700_000_000));
    assert_eq!(export.bin.end_timestamp, Some(1_700_086_400));
    assert_eq!(export.bin.region, None);
    assert_eq!(
        export.bin.signature_infos,
        [SignatureInfo {
            signature_algorithm: Some("1.2.840.10045.4.3.2".to_owned()),
            ..SignatureInfo::default()
        }]
    );
    // No keys: a window of zero.
    let empty = zip_bytes(
        &PublishedKeys::new(SchemeKind::Gaen),
        &ExportOptions::default(),
        &private_key(),
    );
    let export = read_export_zip_bytes(&empty, "keys.zip", SchemeKind::Gaen).unwrap();
    assert!(export.bin.keys.is_empty());
    assert_eq!(
        (export.bin.start_timestamp, export.bin.end_timestamp),
        (Some(0), Some(0))
    );
    assert!(export.verify(&public_key()).unwrap().is_valid());
}

#[test]
fn keys_are_split_into_files() {
    let dir = std::env::temp_dir().join(format!("bluezone-gaen-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let keys = sample_keys(SchemeKind::Gaen, 7);
    let options = ExportOptions {
        region: "US".to_owned(),
        max_keys_per_file: NonZeroUsize::new(3).unwrap(),
        ..ExportOptions::default()
    };
    let paths = write_exports(&keys, &options, &private_key(), &dir).unwrap();
    let names: Vec<String> = paths
        .iter()
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "export-1-of-3.zip",
            "export-2-of-3.zip",
            "export-3-of-3.zip"
        ]
    );
    let mut read = Vec::new();
    let mut windows = Vec::new();
    for ((index, path), count) in (1..).zip(&paths).zip([3, 3, 1]) {
        let export = read_export_zip_file(path, SchemeKind::Gaen).unwrap();
        assert_eq!(export.bin.batch_num, Some(index));
        assert_eq!(export.bin.batch_size, Some(3));
        assert_eq!(export.bin.keys.len(), count);
        assert!(export.verify(&public_key()).unwrap().is_valid());
        windows.push((export.bin.start_timestamp, export.bin.end_timestamp));
        read.extend(
            export
                .bin
                .keys
                .iter()
                .map(|key| (key.key.to_vec(), key.window, key.metadata)),
        );
    }
    let expected: Vec<_> = keys
        .iter()
        .map(|key| (key.key.to_vec(), key.window, key.metadata))
        .collect();
    assert_eq!(read, expected);
    // Every file of the batch has the batch's time window.
    assert!(windows.iter().all(|window| *window == windows[0]));

    // No keys: one file.
    let none = write_exports(
        &PublishedKeys::new(SchemeKind::Gaen),
        &options,
        &private_key(),
        &dir,
    )
    .unwrap();
    assert_eq!(none, [dir.join("export-1-of-1.zip")]);

    let missing = dir.join("missing");
    let err = write_exports(&keys, &options, &private_key(), &missing).unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "{}: cannot create: ",
            missing.join("export-1-of-3.zip").display()
        )),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn keys_that_the_format_cannot_hold_are_refused() {
    let pem = private_key();
    let write = |keys: &PublishedKeys| {
        write_export_zip(
            keys,
            &ExportOptions::default(),
            1,
            1,
            &pem,
            Cursor::new(Vec::new()),
        )
        .map(|_| ())
    };
    let mut keys = PublishedKeys::new(SchemeKind::Gaen);
    keys.push(&[1; 16], 10, 144).unwrap();
    keys.push(&[2; 16], 1 << 31, 1).unwrap();
    assert_eq!(
        write(&keys),
        Err(Error::InvalidKey {
            index: 1,
            reason: "the rolling start 2147483648 is past 2147483647, the last that the export format holds"
                .to_owned()
        })
    );
    let mut keys = PublishedKeys::new(SchemeKind::B3);
    keys.push(&[1; 16], 10, 145).unwrap();
    assert_eq!(
        write(&keys).unwrap_err().to_string(),
        "key 0: the rolling period 145 is more than the 144 that the export format holds"
    );
    let mut keys = PublishedKeys::new(SchemeKind::Bluezone);
    keys.push(&[1; 32], 10, 144).unwrap();
    assert_eq!(
        write(&keys).unwrap_err().to_string(),
        "scheme mismatch: the export format holds the 16-byte keys of the gaen or b3 scheme, not bluezone keys"
    );
    assert!(
        write_export_zip(
            &PublishedKeys::new(SchemeKind::Gaen),
            &ExportOptions::default(),
            1,
            1,
            &public_key(),
            Cursor::new(Vec::new())
        )
        .unwrap_err()
        .to_string()
        .starts_with("signing key: expected a PEM block")
    );
}

#[test]
fn write_failures_are_reported() {
    #[derive(Debug)]
    struct Full;
    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    impl std::io::Seek for Full {
        fn seek(&mut self, _: std::io::SeekFrom) -> std::io::Result<u64> {
            Ok(0)
        }
    }
    let err = write_export_zip(
        &sample_keys(SchemeKind::Gaen, 1),
        &ExportOptions::default(),
        1,
        2,
        &private_key(),
        Full,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("the export zip (batch 1 of 2): cannot write: "),
        "{err}"
    );
}

#[test]
fn large_exports_stream_through_the_buffer() {
    // 20,000 keys: about 560 kB, many times the read buffer.
    let keys = sample_keys(SchemeKind::Gaen, 20_000);
    let zip = zip_bytes(&keys, &ExportOptions::default(), &private_key());
    let export = read_export_zip_bytes(&zip, "keys.zip", SchemeKind::Gaen).unwrap();
    assert_eq!(export.bin.keys.len(), 20_000);
    assert!(export.bin.keys.iter().eq(keys.iter()));
    assert!(export.bin.len > 500_000);
    assert!(export.verify(&public_key()).unwrap().is_valid());
    let bin = entry(&zip, "export.bin");
    let trickled = read_export_bin(
        Trickle {
            bytes: &bin,
            step: 4_093,
        },
        "export.bin",
        SchemeKind::Gaen,
    )
    .unwrap();
    assert_eq!(trickled, export.bin);
}

#[test]
fn unknown_report_types_and_risks_are_not_given() {
    #[allow(deprecated)]
    let key = TemporaryExposureKey {
        report_type: Some(9),
        transmission_risk_level: Some(300),
        days_since_onset_of_symptoms: Some(-14),
        ..key_message(&[5; 16], 100, Some(2))
    };
    let bin = read_bin(&bin_of(&key_field(&key))).unwrap();
    assert_eq!(
        bin.keys.get(0).unwrap().metadata,
        KeyMetadata {
            report_type: ReportType::Unknown,
            days_since_onset: Some(-14),
            transmission_risk: None,
        }
    );
    #[allow(deprecated)]
    let key = TemporaryExposureKey {
        report_type: Some(3),
        transmission_risk_level: Some(-1),
        ..key_message(&[5; 16], 100, Some(2))
    };
    let mut fields = key_field(&key);
    // The same key as a revised key.
    let mut revised = key_field(&key);
    revised[0] = 0x42;
    fields.extend_from_slice(&revised);
    let bin = read_bin(&bin_of(&fields)).unwrap();
    let expected = KeyMetadata {
        report_type: ReportType::SelfReport,
        ..KeyMetadata::default()
    };
    assert_eq!(bin.keys.get(0).unwrap().metadata, expected);
    assert_eq!(bin.revised_keys.len(), 1);
    assert_eq!(bin.revised_keys.get(0).unwrap().metadata, expected);
}
