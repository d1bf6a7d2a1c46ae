//! `tests/vectors/protocol.json`: current with the library, and right by
//! the reference implementations.

use bluezone_tests::reference;
use bluezone_tests::vectors::{self, Case, GENERATE_COMMAND, ProtocolVectors, key_from_seed};

fn bytes<const N: usize>(text: &str) -> [u8; N] {
    bluezone::hex::decode_array(text).expect("vector hex")
}

/// Each case's intervals, with its IDs.
fn intervals(case: &Case) -> impl Iterator<Item = (u32, &str)> {
    case.ids
        .iter()
        .enumerate()
        .map(|(j, id)| (case.first + j as u32, id.as_str()))
}

#[test]
fn the_checked_in_file_is_current() {
    let on_disk = std::fs::read_to_string(vectors::path("protocol.json")).unwrap();
    let generated = vectors::generate().to_json();
    assert!(
        on_disk == generated,
        "tests/vectors/protocol.json is stale: run `{GENERATE_COMMAND}` and review the diff"
    );
}

#[test]
fn keys_are_built_as_the_comment_says() {
    let v = ProtocolVectors::load();
    assert!(v.comment.contains("(31 * seed + i) mod 251"));
    for case in v.gaen.iter().chain(&v.b3) {
        assert_eq!(bytes::<16>(&case.key), key_from_seed::<16>(case.seed));
    }
    for case in &v.bluezone {
        assert_eq!(bytes::<32>(&case.key), key_from_seed::<32>(case.seed));
    }
}

#[test]
fn gaen_vectors_match_the_reference() {
    let v = ProtocolVectors::load();
    assert!(!v.gaen.is_empty());
    for case in &v.gaen {
        let key = bytes::<16>(&case.key);
        for (interval, id) in intervals(case) {
            assert_eq!(
                reference::gaen_rpi(&key, interval),
                bytes(id),
                "seed {}",
                case.seed
            );
        }
    }
}

#[test]
fn b3_vectors_match_the_reference() {
    let v = ProtocolVectors::load();
    assert!(!v.b3.is_empty());
    for case in &v.b3 {
        let key = bytes::<16>(&case.key);
        for (interval, id) in intervals(case) {
            assert_eq!(
                reference::b3_id(&key, case.rolling_start, interval),
                bytes(id),
                "seed {}",
                case.seed
            );
        }
    }
}

#[test]
fn bluezone_vectors_match_the_reference() {
    let v = ProtocolVectors::load();
    assert!(!v.bluezone.is_empty());
    for case in &v.bluezone {
        let key = bytes::<32>(&case.key);
        let per_day = case.per_day.expect("bluezone cases give per_day");
        for (interval, id) in intervals(case) {
            assert_eq!(
                reference::bluezone_id(&key, per_day, case.rolling_start, interval),
                bytes(id),
                "seed {}",
                case.seed
            );
        }
    }
}

#[test]
fn the_cases_cross_the_boundaries_they_claim() {
    let v = ProtocolVectors::load();
    // A bluezone case runs from the last slot of a day into the next day.
    assert!(v.bluezone.iter().any(|c| {
        let per_day = c.per_day.unwrap();
        (c.first - c.rolling_start) % per_day == per_day - 1 && c.ids.len() > 1
    }));
    // A b3 case crosses an output block (piece 3 to piece 4).
    assert!(
        v.b3.iter()
            .any(|c| (c.first - c.rolling_start) % 4 == 3 && c.ids.len() > 1)
    );
    // Every scheme reaches the last interval number.
    for cases in [&v.gaen, &v.b3] {
        assert!(
            cases
                .iter()
                .any(|c| c.first as usize + c.ids.len() - 1 == u32::MAX as usize)
        );
    }
}
