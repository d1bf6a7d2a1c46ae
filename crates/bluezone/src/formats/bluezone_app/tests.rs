//! The two formats together: end-to-end matching, the sample files in
//! `tests/fixtures/bluezone/`, and arbitrary input.

use std::fmt::Write as _;
use std::path::PathBuf;

use proptest::prelude::*;

use super::*;
use crate::time::SECONDS_PER_DAY;
use crate::{
    Bluezone, EncounterLog, IdScheme, LocalIndex, Match, MatchOptions, PublishedKeys, Scheme,
    SchemeKind,
};

/// A published key's three-day window from 2020-04-02 00:00 UTC, in slots
/// of `86400 / per_day` seconds, and the sightings planted in it.
struct Planted {
    per_day: u32,
    start: u32,
    payload: String,
    trace: String,
    /// The expected matches, in the matcher's order.
    matches: Vec<Match>,
    /// The time of each line, in whole seconds.
    times: Vec<i64>,
}

fn bluezone(per_day: u32) -> Bluezone {
    Bluezone::new(per_day).unwrap()
}

/// Plants sightings of a published key's IDs among noise: IDs of an
/// unpublished key, the key's IDs past its window, and its IDs replayed a
/// day later. Timestamps are in `unit`, with a sub-second part for
/// milliseconds.
fn plant(per_day: u32, unit: TimeUnit) -> Planted {
    let scheme = bluezone(per_day);
    let length = SECONDS_PER_DAY / per_day;
    let start = 1_585_785_600 / length;
    let key = [0x5a; 32];
    let other = [0x11; 32];
    let unpublished = [0x77; 32];
    let own_key = [0x33; 32];
    // The server gives a window's end as the last second of its last day.
    let first_second = u64::from(start) * u64::from(length);
    let payload = format!(
        r#"{{"data":[{{"daily_key":"{}","time_start":{first_second},"max":{per_day},"time_end":{}}},{{"daily_key":"{}","time_start":{first_second},"max":{per_day},"time_end":{}}}]}}"#,
        crate::hex::encode(&key),
        first_second + 3 * u64::from(SECONDS_PER_DAY) - 1,
        crate::hex::encode(&other),
        first_second + u64::from(SECONDS_PER_DAY) - 1,
    );

    let mut trace = String::new();
    let mut matches = Vec::new();
    let mut times = Vec::new();
    let mut add = |id: [u8; 12], slot: u32, within: u32, planted: bool| {
        let seconds = i64::from(slot) * i64::from(length) + i64::from(within % length);
        let timestamp = match unit {
            TimeUnit::Milliseconds => seconds * 1000 + i64::from(within * 37 % 1000),
            TimeUnit::Seconds => seconds,
        };
        let own_slot = u32::try_from(seconds / i64::from(length)).unwrap();
        let own = scheme.derive_one(&own_key, start, own_slot).unwrap();
        let rssi = -40 - i64::from(within % 60);
        writeln!(
            trace,
            "{}\t{}\t{rssi}\t{timestamp}",
            crate::hex::encode(&own),
            crate::hex::encode(&id)
        )
        .unwrap();
        if planted {
            matches.push(Match {
                key_index: 0,
                interval: slot,
                encounter_index: times.len() as u32,
            });
        }
        times.push(seconds);
    };
    let last = 3 * per_day - 1;
    for (n, offset) in [0, 5, per_day - 1, per_day, 2 * per_day + 3, last]
        .into_iter()
        .enumerate()
    {
        let slot = start + offset;
        let within = 7 + 131 * n as u32;
        add(
            scheme.derive_one(&key, start, slot).unwrap(),
            slot,
            within,
            true,
        );
        add(
            scheme.derive_one(&unpublished, start, slot).unwrap(),
            slot,
            within + 1,
            false,
        );
        let replayed_in = slot + per_day;
        add(
            scheme.derive_one(&key, start, slot).unwrap(),
            replayed_in,
            within,
            false,
        );
    }
    // Past the window, the chain goes on, but the IDs are not the key's.
    let past = start + last + 2;
    add(
        scheme.derive_one(&key, start, past).unwrap(),
        past,
        1,
        false,
    );
    Planted {
        per_day,
        start,
        payload,
        trace,
        matches,
        times,
    }
}

fn match_planted(per_day: u32, unit: TimeUnit) {
    let planted = plant(per_day, unit);
    let payload = read_payload(planted.payload.as_bytes(), "f0.json").unwrap();
    assert_eq!(payload.per_day, planted.per_day);
    assert_eq!(payload.keys.rolling_starts(), &[planted.start; 2]);
    assert_eq!(payload.keys.rolling_periods(), &[3 * per_day, per_day]);
    let trace = read_trace(planted.trace.as_bytes(), "data_trace.txt").unwrap();
    assert_eq!(trace.unit, unit);
    assert_eq!(trace.log.times(), planted.times);

    let scheme = Scheme::Bluezone(Bluezone::new(payload.per_day).unwrap());
    let index = LocalIndex::build(&trace.log, scheme, 7200).unwrap();
    let matches = index
        .match_keys(&payload.keys, &MatchOptions::default())
        .unwrap();
    assert_eq!(matches.as_slice(), planted.matches);
    assert_eq!(matches.len(), 6);
}

#[test]
fn android_trace_matches_exactly_the_planted_sightings() {
    match_planted(144, TimeUnit::Milliseconds);
    match_planted(96, TimeUnit::Milliseconds);
}

#[test]
fn ios_trace_matches_exactly_the_planted_sightings() {
    match_planted(144, TimeUnit::Seconds);
    match_planted(96, TimeUnit::Seconds);
}

/// The sample files: see `tests/fixtures/bluezone/README.md`.
mod fixtures {
    use super::*;

    /// The keys of the sample files: A is the protocol's test-vector key,
    /// the bytes 0 to 31; B the bytes 32 to 63, the phone's own key 64 to
    /// 95, and an unpublished key 96 to 127.
    fn sample_key(first: u8) -> [u8; 32] {
        std::array::from_fn(|i| first + i as u8)
    }

    const A: u8 = 0;
    const B: u8 = 32;
    const OWN: u8 = 64;
    const UNPUBLISHED: u8 = 96;
    /// 2020-04-02 00:00 UTC, in slots of 600 s.
    const APRIL_2: u32 = 2_642_976;
    const APRIL_4: u32 = APRIL_2 + 288;

    /// The lines of the trace: (key, its rolling start, slot of the ID,
    /// slot heard, milliseconds into the slot heard, RSSI).
    const LINES: [(u8, u32, u32, u32, i64, i8); 8] = [
        (UNPUBLISHED, APRIL_2, APRIL_2, APRIL_2, 45_123, -58),
        (A, APRIL_2, APRIL_2 + 1, APRIL_2 + 1, 123_456, -67),
        (A, APRIL_2, APRIL_2 + 144, APRIL_2 + 144, 59_999, -80),
        (A, APRIL_2, APRIL_2 + 1, APRIL_2 + 1 + 144, 300_000, -91),
        (B, APRIL_4, APRIL_4 + 60, APRIL_4 + 60, 300_000, -62),
        (A, APRIL_2, APRIL_4 + 60, APRIL_4 + 60, 301_000, -70),
        (A, APRIL_2, APRIL_4 + 154, APRIL_4 + 154, 10, -75),
        (
            UNPUBLISHED,
            APRIL_2,
            APRIL_4 + 136,
            APRIL_4 + 136,
            599_999,
            -88,
        ),
    ];

    /// The matches of the sample files.
    const MATCHES: [(u32, u32, u32); 4] = [
        (0, APRIL_2 + 1, 1),
        (0, APRIL_2 + 144, 2),
        (0, APRIL_4 + 60, 5),
        (1, APRIL_4 + 60, 4),
    ];

    fn directory() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bluezone")
    }

    fn payload_json() -> Vec<u8> {
        let mut keys = PublishedKeys::new(SchemeKind::Bluezone);
        keys.push(&sample_key(A), APRIL_2, 3 * 144).unwrap();
        keys.push(&sample_key(B), APRIL_4, 144).unwrap();
        let mut json = Vec::new();
        write_payload(&keys, 144, &mut json).unwrap();
        json
    }

    fn trace_text() -> Vec<u8> {
        let scheme = bluezone(144);
        let mut text = String::new();
        for (key, start, id_slot, heard, millis, rssi) in LINES {
            let id = scheme.derive_one(&sample_key(key), start, id_slot).unwrap();
            let own = scheme.derive_one(&sample_key(OWN), APRIL_2, heard).unwrap();
            let timestamp = i64::from(heard) * 600_000 + millis;
            writeln!(
                text,
                "{}\t{}\t{rssi}\t{timestamp}",
                crate::hex::encode(&own),
                crate::hex::encode(&id)
            )
            .unwrap();
        }
        text.into_bytes()
    }

    #[test]
    fn the_files_are_as_generated() {
        let stale = "is stale: run `cargo test -p bluezone --lib formats::bluezone_app::tests::fixtures::generate -- --ignored`";
        let dir = directory();
        assert!(
            std::fs::read(dir.join("f0_payload.json")).unwrap() == payload_json(),
            "f0_payload.json {stale}"
        );
        assert!(
            std::fs::read(dir.join("data_trace.txt")).unwrap() == trace_text(),
            "data_trace.txt {stale}"
        );
    }

    #[test]
    fn the_files_give_the_expected_matches() {
        let dir = directory();
        let payload = read_payload_file(&dir.join("f0_payload.json")).unwrap();
        let trace = read_trace_file(&dir.join("data_trace.txt")).unwrap();
        assert_eq!(payload.per_day, 144);
        assert_eq!(payload.keys.rolling_starts(), &[APRIL_2, APRIL_4]);
        assert_eq!(payload.keys.rolling_periods(), &[432, 144]);
        assert_eq!(trace.unit, TimeUnit::Milliseconds);
        assert_eq!(trace.log.len(), LINES.len());
        assert_eq!(
            crate::hex::encode(trace.log.id(1).unwrap()),
            "893dae342437130ce5e23837"
        );
        assert_eq!(
            crate::hex::encode(trace.log.id(2).unwrap()),
            "970e23c0e19de93f8cc4057b"
        );
        let index = LocalIndex::build(
            &trace.log,
            Scheme::Bluezone(bluezone(payload.per_day)),
            7200,
        )
        .unwrap();
        let matches = index
            .match_keys(&payload.keys, &MatchOptions::default())
            .unwrap();
        let expected: Vec<Match> = MATCHES
            .iter()
            .map(|&(key_index, interval, encounter_index)| Match {
                key_index,
                interval,
                encounter_index,
            })
            .collect();
        assert_eq!(matches.as_slice(), expected);
    }

    /// Writes the sample files.
    #[test]
    #[ignore = "writes the sample files in tests/fixtures/bluezone"]
    fn generate() {
        let dir = directory();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("f0_payload.json"), payload_json()).unwrap();
        std::fs::write(dir.join("data_trace.txt"), trace_text()).unwrap();
    }
}

/// Reads `input` as both formats; what reads must write and read back the
/// same.
fn read_anything(input: &[u8]) -> std::result::Result<(), TestCaseError> {
    if let Ok(payload) = read_payload(input, "in") {
        let mut json = Vec::new();
        write_payload(&payload.keys, payload.per_day, &mut json).unwrap();
        prop_assert_eq!(read_payload(&json[..], "out").unwrap(), payload);
    }
    if let Ok(trace) = read_trace(input, "in") {
        let mut text = Vec::new();
        write_trace(&trace, trace.unit, &mut text).unwrap();
        let back = read_trace(&text[..], "out").unwrap();
        prop_assert_eq!(&back.log, &trace.log);
        prop_assert_eq!(&back.own_ids, &trace.own_ids);
        if !trace.log.is_empty() {
            prop_assert_eq!(back.unit, trace.unit);
        }
    }
    Ok(())
}

/// Text made of both formats' pieces: JSON punctuation and names, hex keys
/// and IDs, tabs, line endings and numbers of every kind.
fn formatish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        proptest::sample::select(vec![
            "{",
            "}",
            "[",
            "]",
            ":",
            ",",
            "\"",
            " ",
            "\t",
            "\n",
            "\r\n",
            "null",
            "\"data\":[",
            "\"daily_key\":",
            "\"time_start\":",
            "\"max\":",
            "\"time_end\":",
            "144",
            "96",
            "-",
        ])
        .prop_map(str::to_owned),
        Just(format!("\"{}\"", "0f".repeat(32))),
        Just("893dae342437130ce5e23837".to_owned()),
        "[0-9a-fA-F]{24}",
        "-?[0-9]{1,20}(\\.[0-9]{1,3})?(e-?[0-9]{1,3})?",
        ".",
    ];
    proptest::collection::vec(piece, 0..48).prop_map(|pieces| pieces.concat())
}

/// A valid payload or trace line, to start from and then damage.
fn near_valid() -> impl Strategy<Value = String> {
    let payload = (
        0u64..1 << 42,
        0u64..1 << 22,
        proptest::sample::select(vec![96u32, 144, 7]),
    )
        .prop_map(|(start, length, max)| {
            format!(
                r#"{{"data":[{{"daily_key":"{}","time_start":{start},"max":{max},"time_end":{}}}]}}"#,
                "ab".repeat(32),
                start + length
            )
        });
    let trace = (any::<i8>(), any::<i64>(), any::<bool>()).prop_map(|(rssi, time, crlf)| {
        format!(
            "{}\t893dae342437130ce5e23837\t{rssi}\t{time}{}",
            "0a".repeat(12),
            if crlf { "\r\n" } else { "\n" }
        )
        .repeat(2)
    });
    (
        prop_oneof![payload, trace],
        any::<prop::sample::Index>(),
        0usize..3,
    )
        .prop_map(|(text, at, cut)| {
            // Drop a few characters somewhere.
            let chars: Vec<char> = text.chars().collect();
            let from = at.index(chars.len() + 1);
            let to = (from + cut).min(chars.len());
            chars[..from].iter().chain(&chars[to..]).collect()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..300)) {
        read_anything(&input)?;
    }

    #[test]
    fn formatish_text_never_panics(input in formatish()) {
        read_anything(input.as_bytes())?;
    }

    #[test]
    fn damaged_files_never_panic(input in near_valid()) {
        read_anything(input.as_bytes())?;
    }
}

#[test]
fn an_empty_log_is_a_bluezone_log() {
    let trace = read_trace(&b""[..], "data_trace.txt").unwrap();
    assert_eq!(trace.log, EncounterLog::new(12).unwrap());
}
