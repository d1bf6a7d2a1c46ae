//! The real sample files read with their exact contents.

use sha2::{Digest, Sha256};

use super::*;
use crate::formats::gaen_export::proto::SignatureInfo;
use crate::formats::gaen_export::{
    SignatureStatus, read_export_bin_file, read_export_zip, read_export_zip_file,
};
use crate::time::KeyWindow;
use crate::{Error, KeyMetadata, Position, PublishedKeys};

/// `(key hex, rolling start, rolling period)` of a key.
fn row(keys: &PublishedKeys, index: usize) -> (String, u32, u32) {
    let key = keys.get(index).unwrap();
    (
        crate::hex::encode(key.key),
        key.window.rolling_start(),
        key.window.rolling_period(),
    )
}

fn risk(level: u8) -> KeyMetadata {
    KeyMetadata {
        transmission_risk: Some(level),
        ..KeyMetadata::default()
    }
}

/// How many keys have each transmission risk level; no other metadata.
fn risks(keys: &PublishedKeys) -> Vec<(u8, usize)> {
    let mut counts = std::collections::BTreeMap::new();
    for key in keys.iter() {
        let level = key.metadata.transmission_risk.unwrap();
        assert_eq!(key.metadata, risk(level));
        *counts.entry(level).or_default() += 1;
    }
    counts.into_iter().collect()
}

#[test]
fn signed_sample_reads_exactly() {
    let export = read_export_zip(
        Cursor::new(fixture(SIGNED)),
        "testExport.zip",
        SchemeKind::Gaen,
    )
    .unwrap();
    let bin = &export.bin;
    assert_eq!(bin.start_timestamp, Some(1_590_159_600));
    assert_eq!(bin.end_timestamp, Some(1_590_246_000));
    assert_eq!(bin.region.as_deref(), Some("US"));
    assert_eq!((bin.batch_num, bin.batch_size), (Some(1), Some(1)));
    let info = SignatureInfo {
        verification_key_version: Some("1".to_owned()),
        verification_key_id: Some("some_id".to_owned()),
        signature_algorithm: Some("1.2.840.10045.4.3.2".to_owned()),
    };
    assert_eq!(bin.signature_infos, std::slice::from_ref(&info));

    assert_eq!(bin.keys.len(), 2);
    let first = bin.keys.get(0).unwrap();
    assert_eq!(
        crate::hex::encode(first.key),
        "172fc480e598490c34177604339b1543"
    );
    assert_eq!(first.window, KeyWindow::new(2_649_980, 1).unwrap());
    assert_eq!(first.metadata, risk(8));
    let second = bin.keys.get(1).unwrap();
    assert_eq!(
        crate::hex::encode(second.key),
        "2b63053ac483238de176169e861f3dcd"
    );
    assert_eq!(second.window, KeyWindow::new(2_649_866, 114).unwrap());
    assert_eq!(second.metadata, risk(1));
    assert!(bin.revised_keys.is_empty());

    let export_bin = signed_bin();
    assert_eq!(bin.len, 135);
    assert_eq!(bin.len, export_bin.len() as u64);
    assert_eq!(bin.sha256, <[u8; 32]>::from(Sha256::digest(&export_bin)));

    assert_eq!(export.signatures.len(), 1);
    let signature = &export.signatures[0];
    assert_eq!(signature.signature_info, Some(info));
    assert_eq!(
        (signature.batch_num, signature.batch_size),
        (Some(1), Some(1))
    );
    assert_eq!(
        crate::hex::encode(signature.signature.as_deref().unwrap()),
        "30460221009eb6e9d5ad6a688fa970b0e67c0886345eefdd1819592edd84604a1ccf4d0247\
         022100906d7fcdf211c710f84a2a7917000573bef0ef27a4974129de2876ac6819f66a"
    );
    assert_eq!(
        export.verify(&fixture_text("public.pem")).unwrap(),
        SignatureStatus::Valid { index: 0 }
    );

    // The bare export.bin reads the same.
    assert_eq!(read_bin(&export_bin).unwrap(), export.bin);
}

#[test]
fn internals_sample_reads_200_keys() {
    let bytes = fixture(INTERNALS);
    let bin = read_bin(&bytes).unwrap();
    assert_eq!(bin.start_timestamp, Some(1_588_425_586));
    assert_eq!(bin.end_timestamp, Some(1_588_857_586));
    assert_eq!(bin.region.as_deref(), Some("US"));
    assert_eq!((bin.batch_num, bin.batch_size), (Some(1), Some(1)));
    // Its only SignatureInfo sets the retired field 2, which is skipped.
    assert_eq!(bin.signature_infos, [SignatureInfo::default()]);
    assert_eq!(bin.keys.len(), 200);
    assert_eq!(
        row(&bin.keys, 0),
        (
            "00068b4d1fb011b9c9ae2744419d4ab3".to_owned(),
            2_625_468,
            141
        )
    );
    assert_eq!(
        row(&bin.keys, 1),
        ("00553f126462165ede787d96cf0a0dc4".to_owned(), 2_638_193, 9)
    );
    assert_eq!(
        row(&bin.keys, 199),
        ("fd7914be25d41f2022c8b6c37f6d88eb".to_owned(), 2_625_010, 73)
    );
    // Two keys leave the period out: one day.
    let periods = bin.keys.iter().map(|key| key.window.rolling_period());
    assert_eq!(periods.filter(|&period| period == 144).count(), 2);
    assert_eq!(bin.keys.get(0).unwrap().metadata, risk(2));
    assert_eq!(risks(&bin.keys), [(0, 1), (1, 29), (2, 170)]);
    assert!(bin.revised_keys.is_empty());
    assert_eq!(bin.len, 5_913);
    assert_eq!(bin.sha256, <[u8; 32]>::from(Sha256::digest(&bytes)));
    assert_valid(&bin);
}

#[test]
fn internals_app_sample_reads_110_keys() {
    let bytes = fixture(INTERNALS_APP);
    let bin = read_bin(&bytes).unwrap();
    assert_eq!(bin.start_timestamp, Some(1_588_885_200));
    assert_eq!(bin.end_timestamp, Some(1_588_890_000));
    assert_eq!(bin.region.as_deref(), Some("US"));
    assert_eq!((bin.batch_num, bin.batch_size), (Some(1), Some(1)));
    assert_eq!(bin.signature_infos, [SignatureInfo::default()]);
    assert_eq!(bin.keys.len(), 110);
    assert_eq!(
        row(&bin.keys, 0),
        (
            "00e484ab69328ecfca4ce547deea3e0d".to_owned(),
            2_645_035,
            117
        )
    );
    assert_eq!(
        row(&bin.keys, 109),
        ("ff696927de321416d584acc08839aa6b".to_owned(), 2_644_922, 55)
    );
    let periods = bin.keys.iter().map(|key| key.window.rolling_period());
    assert_eq!(periods.filter(|&period| period == 144).count(), 1);
    assert_eq!(risks(&bin.keys), [(1, 10), (2, 100)]);
    assert_eq!(bin.len, 3_284);
    assert_eq!(bin.sha256, <[u8; 32]>::from(Sha256::digest(&bytes)));
    assert_valid(&bin);
}

#[test]
fn b3_keys_read_alike_and_bluezone_keys_are_refused() {
    let bytes = fixture(INTERNALS);
    let gaen = read_bin(&bytes).unwrap();
    let b3 = read_export_bin(&bytes[..], "export.bin", SchemeKind::B3).unwrap();
    assert_eq!(b3.keys.kind(), SchemeKind::B3);
    assert!(b3.keys.iter().eq(gaen.keys.iter()));
    let refused = Error::SchemeMismatch(
        "the export format holds the 16-byte keys of the gaen or b3 scheme, not bluezone keys"
            .to_owned(),
    );
    assert_eq!(
        read_export_bin(&bytes[..], "export.bin", SchemeKind::Bluezone).unwrap_err(),
        refused
    );
    assert_eq!(
        read_export_zip_bytes(&fixture(SIGNED), "keys.zip", SchemeKind::Bluezone).unwrap_err(),
        refused
    );
}

#[test]
fn any_read_size_gives_the_same_result() {
    for name in [INTERNALS, INTERNALS_APP] {
        let bytes = fixture(name);
        let whole = read_bin(&bytes).unwrap();
        for step in [1, 2, 3, 7, 16, 17, 1000] {
            let trickled = read_export_bin(
                Trickle {
                    bytes: &bytes,
                    step,
                },
                "export.bin",
                SchemeKind::Gaen,
            )
            .unwrap();
            assert_eq!(trickled, whole, "{name}, {step} bytes a read");
        }
    }
}

#[test]
fn files_are_read_by_path() {
    let zip = read_export_zip_file(&fixture_path(SIGNED), SchemeKind::Gaen).unwrap();
    assert_eq!(zip.bin.keys.len(), 2);
    let bin = read_export_bin_file(&fixture_path(INTERNALS_APP), SchemeKind::Gaen).unwrap();
    assert_eq!(bin.keys.len(), 110);

    let missing = fixture_path("missing.zip");
    let err = read_export_zip_file(&missing, SchemeKind::Gaen).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}: cannot open the file: ", missing.display())),
        "{err}"
    );
    assert!(matches!(
        err,
        Error::Parse {
            position: Position::Whole,
            column: None,
            ..
        }
    ));
    // A zip is not a bare export.bin, and errors name the file by its path.
    assert_eq!(
        read_export_bin_file(&fixture_path(SIGNED), SchemeKind::Gaen)
            .unwrap_err()
            .to_string(),
        format!(
            "{}: byte 0: expected the header \"EK Export v1    \", found \
             \"PK\\x03\\x04\\x14\\x00\\x08\\x00\\x08\\x00\\x00\\x00\\x00\\x00\\x00\\x00\" \
             (a zip file: read it as an export zip)",
            fixture_path(SIGNED).display()
        )
    );
}
