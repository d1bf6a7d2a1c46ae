//! Every value in the vector tables of `docs/PROTOCOL.md`, recomputed by
//! the reference implementations. (The `$ bluezone …` transcripts are
//! checked by the CLI's own tests.)

use bluezone_tests::{reference, workspace_root};

fn protocol_doc() -> String {
    std::fs::read_to_string(workspace_root().join("docs/PROTOCOL.md")).unwrap()
}

/// Asserts that the document has the table row `| label | `hex` |`.
fn assert_row(doc: &str, label: &str, value: &[u8]) {
    let row = format!("| {label} | `{}` |", hex::encode(value));
    assert!(doc.contains(&row), "docs/PROTOCOL.md lacks the row\n{row}");
}

#[test]
fn gaen_table() {
    let doc = protocol_doc();
    let tek: [u8; 16] = bluezone::hex::decode_array("75c734c6dd1a782de7a965da5eb93125").unwrap();
    let interval = bluezone::time::interval_number(1_585_785_600).unwrap();
    let rpi = reference::gaen_rpi(&tek, interval);
    let metadata = bluezone::BleMetadata::new(8).to_bytes();
    let mut padded = b"EN-RPI".to_vec();
    padded.extend_from_slice(&[0; 6]);
    padded.extend_from_slice(&interval.to_le_bytes());
    assert_row(
        &doc,
        "TEK (generated at 1585785600, interval 2642976)",
        &tek,
    );
    assert_row(&doc, "RPIK", &reference::gaen_rpik(&tek));
    assert_row(&doc, "AEMK", &reference::gaen_aemk(&tek));
    assert_row(&doc, "padded data of interval 2642976", &padded);
    assert_row(&doc, "RPI of interval 2642976", &rpi);
    assert_row(&doc, "metadata (version 1.0, 8 dBm)", &metadata);
    assert_row(
        &doc,
        "AEM of interval 2642976",
        &reference::gaen_aem(&tek, &rpi, metadata),
    );
}

#[test]
fn bluezone_table() {
    let doc = protocol_doc();
    let d0: [u8; 32] = std::array::from_fn(|i| i as u8);
    let d1 = reference::bluezone_day_key(&d0, 1);
    assert_row(&doc, "`D_0`", &d0);
    assert_row(&doc, "`D_1 = SHA-256(D_0)`", &d1);
    assert_row(
        &doc,
        "`S_{0,0} = SHA-256(D_0 ‖ \"bluzonesubkey\")`",
        &reference::bluezone_subkey(&d0, 0),
    );
    assert_row(
        &doc,
        "`S_{0,1} = SHA-256(S_{0,0})`",
        &reference::bluezone_subkey(&d0, 1),
    );
    for per_day in [144, 96] {
        let n = 1_000;
        assert_row(
            &doc,
            "ID of slot `N` (from `S_{0,0}`)",
            &reference::bluezone_id(&d0, per_day, n, n),
        );
        assert_row(
            &doc,
            "ID of slot `N + 1` (from `S_{0,1}`)",
            &reference::bluezone_id(&d0, per_day, n, n + 1),
        );
        assert_row(
            &doc,
            "ID of slot `N + per_day` (from `S_{1,0}`)",
            &reference::bluezone_id(&d0, per_day, n, n + per_day),
        );
    }
}

#[test]
fn b3_table() {
    let doc = protocol_doc();
    let key: [u8; 16] = std::array::from_fn(|i| i as u8);
    let start = 2_642_976u32;
    let mut material = key.to_vec();
    material.extend_from_slice(&start.to_le_bytes());
    let stream: Vec<u8> = (0..5)
        .flat_map(|i| reference::b3_id(&key, start, start + i))
        .collect();
    assert_row(&doc, "`K` (the bytes 0 to 15)", &key);
    assert_row(&doc, "`K ‖ LE32(2642976)`", &material);
    assert_row(&doc, "`X[0..80]`", &stream);
    assert!(doc.contains("`bluezone 2026-11-22 ephemeral id v1`"));
    assert_eq!(
        bluezone::scheme::b3::CONTEXT,
        "bluezone 2026-11-22 ephemeral id v1"
    );
}
