//! The readers never panic, whatever the input, and what they accept is
//! valid; what is written reads back the same.

use proptest::prelude::*;

use super::*;
use crate::formats::gaen_export::{ExportOptions, write_export_zip};
use crate::{KeyMetadata, PublishedKeys, ReportType};

/// Reads `bytes` as a bare `export.bin` and checks any result.
fn read_any_bin(bytes: &[u8]) {
    if let Ok(bin) = read_bin(bytes) {
        assert_valid(&bin);
        assert_eq!(bin.len, bytes.len() as u64);
    }
}

/// Reads `bytes` as an export zip and checks any result.
fn read_any_zip(bytes: &[u8]) {
    for kind in [SchemeKind::Gaen, SchemeKind::B3] {
        if let Ok(export) = read_export_zip_bytes(bytes, "keys.zip", kind) {
            assert_valid(&export.bin);
            let _ = export.verify(&fixture_text("public.pem")).unwrap();
        }
    }
}

#[test]
fn every_truncation_is_read_or_refused() {
    for name in [INTERNALS, INTERNALS_APP] {
        let bytes = fixture(name);
        for len in 0..bytes.len() {
            read_any_bin(&bytes[..len]);
        }
    }
    let bin = signed_bin();
    for len in 0..bin.len() {
        read_any_bin(&bin[..len]);
    }
    let zip = fixture(SIGNED);
    for len in 0..zip.len() {
        read_any_zip(&zip[..len]);
    }
}

#[test]
fn every_single_bit_flip_is_read_or_refused() {
    let bin = signed_bin();
    let zip = fixture(SIGNED);
    for bit in 0..8 {
        for position in 0..bin.len() {
            let mut flipped = bin.clone();
            flipped[position] ^= 1 << bit;
            read_any_bin(&flipped);
        }
        for position in 0..zip.len() {
            let mut flipped = zip.clone();
            flipped[position] ^= 1 << bit;
            read_any_zip(&flipped);
        }
    }
}

/// A bare sample, as a strategy.
fn sample_bin() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(fixture(INTERNALS)),
        Just(fixture(INTERNALS_APP)),
        Just(signed_bin()),
    ]
}

/// Keys that the format holds, with any metadata.
fn exportable_keys() -> impl Strategy<Value = PublishedKeys> {
    let row = (
        any::<[u8; 16]>(),
        0..=i32::MAX.cast_unsigned(),
        1..=144u32,
        (0..=5u8, any::<Option<i32>>(), any::<Option<u8>>()),
    );
    (
        prop_oneof![Just(SchemeKind::Gaen), Just(SchemeKind::B3)],
        proptest::collection::vec(row, 0..40),
    )
        .prop_map(|(kind, rows)| {
            let mut keys = PublishedKeys::new(kind);
            for (key, start, period, (code, days, risk)) in rows {
                let metadata = KeyMetadata {
                    report_type: ReportType::from_code(code).unwrap(),
                    days_since_onset: days,
                    transmission_risk: risk,
                };
                keys.push_with_metadata(&key, start, period, metadata)
                    .unwrap();
            }
            keys
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        read_any_bin(&bytes);
        read_any_zip(&bytes);
        read_any_bin(&bin_of(&bytes));
    }

    #[test]
    fn mutated_samples_never_panic(
        bin in sample_bin(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 1..=255u8), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = bin;
        for (position, mask) in flips {
            let position = position.index(bytes.len());
            bytes[position] ^= mask;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        read_any_bin(&bytes);
        let zip = zip_of(&[("export.bin", &bytes), ("export.sig", &signed_sig())]);
        read_any_zip(&zip);
    }

    #[test]
    fn mutated_zips_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 1..=255u8), 1..4),
    ) {
        let mut zip = fixture(SIGNED);
        for (position, mask) in flips {
            let position = position.index(zip.len());
            zip[position] ^= mask;
        }
        read_any_zip(&zip);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn written_keys_read_back(keys in exportable_keys(), batch in 1..=5i32) {
        let zip = write_export_zip(
            &keys,
            &ExportOptions::default(),
            batch,
            5,
            &fixture_text("test-private-pkcs8.pem"),
            Cursor::new(Vec::new()),
        )
        .unwrap()
        .into_inner();
        let export = read_export_zip_bytes(&zip, "keys.zip", keys.kind()).unwrap();
        prop_assert!(export.bin.keys.iter().eq(keys.iter()));
        prop_assert_eq!(export.bin.keys.has_metadata(), keys.has_metadata());
        prop_assert_eq!(export.bin.batch_num, Some(batch));
        prop_assert!(export.verify(&fixture_text("test-public.pem")).unwrap().is_valid());
    }
}
