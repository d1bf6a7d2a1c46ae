//! The official Exposure Notification v1.2 test vectors, through the
//! library's fast paths and through the reference implementation.

use bluezone::{BleMetadata, Gaen, IdScheme, time};
use bluezone_tests::reference;
use bluezone_tests::vectors::GaenOfficial;

fn hex<const N: usize>(text: &str) -> [u8; N] {
    bluezone::hex::decode_array(text).expect("vector hex")
}

#[test]
fn the_vectors_are_complete() {
    let v = GaenOfficial::load();
    assert_eq!(v.advertised.len(), 144);
    assert_eq!(v.rolling_period, 144);
    assert_eq!(
        time::interval_number(v.key_generation_seconds).unwrap(),
        v.interval_number
    );
}

#[test]
fn key_derivation_matches() {
    let v = GaenOfficial::load();
    let tek = hex::<16>(&v.tek);
    assert_eq!(Gaen::rpik(&tek), hex(&v.rpik));
    assert_eq!(Gaen::aemk(&tek), hex(&v.aemk));
    assert_eq!(reference::gaen_rpik(&tek), hex(&v.rpik));
    assert_eq!(reference::gaen_aemk(&tek), hex(&v.aemk));
}

#[test]
fn every_rpi_matches_by_range() {
    let v = GaenOfficial::load();
    let tek = hex::<16>(&v.tek);
    let mut rpis = [[0u8; 16]; 144];
    Gaen.derive_range(&tek, v.interval_number, v.interval_number, &mut rpis)
        .unwrap();
    for (i, (rpi, expected)) in rpis.iter().zip(&v.advertised).enumerate() {
        assert_eq!(rpi, &hex::<16>(&expected.rpi), "RPI {i}");
        let interval = v.interval_number + i as u32;
        assert_eq!(
            reference::gaen_rpi(&tek, interval),
            *rpi,
            "reference RPI {i}"
        );
    }
}

#[test]
fn every_rpi_matches_sparsely_in_any_order() {
    let v = GaenOfficial::load();
    let tek = hex::<16>(&v.tek);
    let offsets: Vec<u32> = (0..144).rev().step_by(7).chain([0, 1, 2]).collect();
    let intervals: Vec<u32> = offsets.iter().map(|o| v.interval_number + o).collect();
    let mut rpis = vec![[0u8; 16]; intervals.len()];
    Gaen.derive_sparse(&tek, v.interval_number, &intervals, &mut rpis)
        .unwrap();
    for (rpi, &offset) in rpis.iter().zip(&offsets) {
        assert_eq!(rpi, &hex::<16>(&v.advertised[offset as usize].rpi));
    }
}

#[test]
fn every_aem_matches_and_decrypts() {
    let v = GaenOfficial::load();
    let tek = hex::<16>(&v.tek);
    let metadata = hex::<4>(&v.metadata);
    for (i, expected) in v.advertised.iter().enumerate() {
        let rpi = hex::<16>(&expected.rpi);
        let aem = Gaen::encrypt_metadata(&tek, &rpi, metadata);
        assert_eq!(aem, hex::<4>(&expected.aem), "AEM {i}");
        assert_eq!(
            reference::gaen_aem(&tek, &rpi, metadata),
            aem,
            "reference AEM {i}"
        );
        assert_eq!(Gaen::decrypt_metadata(&tek, &rpi, aem), metadata);
    }
}

#[test]
fn the_metadata_is_version_1_0_at_8_dbm() {
    let v = GaenOfficial::load();
    let metadata = BleMetadata::from_bytes(hex(&v.metadata));
    assert_eq!(metadata, BleMetadata::new(8));
    assert_eq!(metadata.to_bytes(), hex::<4>(&v.metadata));
}
