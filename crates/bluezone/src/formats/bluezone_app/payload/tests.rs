use proptest::prelude::*;
use sha2::{Digest, Sha256};

use super::*;
use crate::IdScheme;

/// The daily key of the protocol's test vectors: the bytes 0 to 31.
const KEY_A: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/// The bytes 32 to 63.
const KEY_B: &str = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";

/// 2020-04-02 00:00 UTC: slot 2642976 of 600 s, slot 1762650 of 900 s.
const APRIL_2: u64 = 1_585_785_600;
const DAY: u64 = 86_400;

fn entry(key: &str, time_start: u64, max: u32, time_end: u64) -> String {
    format!(
        r#"{{"daily_key":"{key}","time_start":{time_start},"max":{max},"time_end":{time_end}}}"#
    )
}

fn payload(entries: &[String]) -> String {
    format!(r#"{{"data":[{}]}}"#, entries.join(","))
}

fn read(json: &str) -> Result<Payload> {
    read_payload(json.as_bytes(), "f0.json")
}

fn error(json: &str) -> String {
    read(json).unwrap_err().to_string()
}

/// A payload of one entry with `field` replaced by the raw JSON `value`.
fn with_field(field: &str, value: &str) -> String {
    let mut fields = vec![
        ("daily_key", format!("\"{KEY_A}\"")),
        ("time_start", APRIL_2.to_string()),
        ("max", "144".to_owned()),
        ("time_end", (APRIL_2 + 143 * 600).to_string()),
    ];
    for (name, raw) in &mut fields {
        if *name == field {
            value.clone_into(raw);
        }
    }
    let body: Vec<String> = fields
        .iter()
        .map(|(name, raw)| format!("\"{name}\":{raw}"))
        .collect();
    format!(r#"{{"data":[{{{}}}]}}"#, body.join(","))
}

fn key(text: &str) -> [u8; 32] {
    crate::hex::decode_array(text).unwrap()
}

fn round_trip(keys: &PublishedKeys, per_day: u32) -> Payload {
    let mut json = Vec::new();
    write_payload(keys, per_day, &mut json).unwrap();
    read_payload(&json[..], "round trip").unwrap()
}

#[test]
fn two_entries_of_144_slots_chain_their_keys() {
    // Key A spans three days from 2020-04-02; key B is the key of 2020-04-04
    // alone, with its fields in another order, and times inside their slots.
    let json = payload(&[
        entry(KEY_A, APRIL_2, 144, APRIL_2 + 3 * DAY - 600),
        format!(
            r#"{{"time_end":{},"max":144,"daily_key":"{KEY_B}","time_start":{}}}"#,
            APRIL_2 + 3 * DAY - 1,
            APRIL_2 + 2 * DAY + 599,
        ),
    ]);
    let payload = read(&json).unwrap();
    assert_eq!(payload.per_day, 144);
    assert_eq!(payload.keys.kind(), SchemeKind::Bluezone);
    assert_eq!(payload.keys.len(), 2);
    assert_eq!(payload.keys.rolling_starts(), &[2_642_976, 2_643_264]);
    assert_eq!(payload.keys.rolling_periods(), &[432, 144]);
    assert_eq!(payload.keys.get(0).unwrap().key, key(KEY_A));
    assert_eq!(payload.keys.get(1).unwrap().key, key(KEY_B));

    // Deriving over the window from the first key is deriving each day from
    // its SHA-256-chained daily key.
    let scheme = Bluezone::new(payload.per_day).unwrap();
    let first = payload.keys.get(0).unwrap();
    let start = first.window.rolling_start();
    let mut window = vec![[0u8; 12]; first.window.rolling_period() as usize];
    scheme
        .derive_range(&key(KEY_A), start, start, &mut window)
        .unwrap();
    let mut day_key = key(KEY_A);
    for (day, ids) in window.chunks(144).enumerate() {
        let day_start = start + 144 * day as u32;
        let mut expected = [[0u8; 12]; 144];
        scheme
            .derive_range(&day_key, day_start, day_start, &mut expected)
            .unwrap();
        assert_eq!(ids, expected, "day {day}");
        day_key = Sha256::digest(day_key).into();
    }
    // The protocol's vectors: slot N + 1, and slot N + 144 from D_1.
    assert_eq!(crate::hex::encode(&window[1]), "893dae342437130ce5e23837");
    assert_eq!(crate::hex::encode(&window[144]), "970e23c0e19de93f8cc4057b");
    // Key B's day is key A's third day, but B is another key.
    let mut b_day = [[0u8; 12]; 144];
    scheme
        .derive_range(&key(KEY_B), 2_643_264, 2_643_264, &mut b_day)
        .unwrap();
    assert_ne!(b_day[..], window[288..]);

    assert_eq!(round_trip(&payload.keys, 144), payload);
}

#[test]
fn ninety_six_slots_a_day() {
    // 2020-03-27 00:00 UTC is slot 1761408 of 900 s; one day is 96 slots.
    let json = payload(&[entry(KEY_A, 1_585_267_200, 96, 1_585_352_700)]);
    let payload = read(&json).unwrap();
    assert_eq!(payload.per_day, 96);
    assert_eq!(payload.keys.rolling_starts(), &[1_761_408]);
    assert_eq!(payload.keys.rolling_periods(), &[96]);
    let scheme = Bluezone::new(96).unwrap();
    let mut ids = [[0u8; 12]; 3];
    scheme
        .derive_range(&key(KEY_A), 1_761_408, 1_761_408, &mut ids)
        .unwrap();
    assert_eq!(
        ids.map(|id| crate::hex::encode(&id)),
        [
            "130cea6472130c185d8643df",
            "893dae342437130ce5e23837",
            "648c30b3a8352feac3721277"
        ]
    );
    let mut json = Vec::new();
    write_payload(&payload.keys, 96, &mut json).unwrap();
    assert_eq!(
        String::from_utf8(json).unwrap(),
        format!("{}\n", payload_text(&payload))
    );
}

/// What the writer writes for a payload read from one-line JSON.
fn payload_text(payload: &Payload) -> String {
    let length = u64::from(86_400 / payload.per_day);
    let entries: Vec<String> = payload
        .keys
        .iter()
        .map(|key| {
            entry(
                &crate::hex::encode(key.key),
                u64::from(key.window.rolling_start()) * length,
                payload.per_day,
                (key.window.end() - 1) * length,
            )
        })
        .collect();
    self::payload(&entries)
}

#[test]
fn whitespace_a_byte_order_mark_and_no_entries() {
    let spaced = format!(
        "\u{feff} {{ \"data\" :\r\n [ {} ]\n}}\n\n",
        entry(&KEY_A.to_uppercase(), APRIL_2, 144, APRIL_2)
    );
    let payload = read(&spaced).unwrap();
    assert_eq!(payload.keys.rolling_periods(), &[1]);
    assert_eq!(payload.keys.get(0).unwrap().key, key(KEY_A));

    let empty = read(r#"{"data":[]}"#).unwrap();
    assert_eq!(empty.per_day, 144);
    assert!(empty.keys.is_empty());
    let mut json = Vec::new();
    write_payload(&empty.keys, 96, &mut json).unwrap();
    assert_eq!(json, b"{\"data\":[]}\n");
}

#[test]
fn max_must_divide_a_day_and_agree() {
    let json = payload(&[
        entry(KEY_A, APRIL_2, 144, APRIL_2),
        entry(KEY_B, APRIL_2, 144, APRIL_2),
        entry(KEY_B, APRIL_2, 96, APRIL_2),
    ]);
    assert_eq!(
        error(&json),
        "f0.json: column data[2].max: expected 144 as in data[0].max, found 96"
    );
    for (max, found) in [
        ("7", "7"),
        ("0", "0"),
        ("86401", "86401"),
        ("4294967440", "4294967440"),
    ] {
        assert_eq!(
            error(&with_field("max", max)),
            format!(
                "f0.json: column data[0].max: expected a number of slots per day that divides 86400, such as 144 or 96, found {found}"
            )
        );
    }
    assert_eq!(
        error(&with_field("max", "144.0")),
        "f0.json: column data[0].max: expected a number of slots per day that divides 86400, such as 144 or 96, found 144.0"
    );
    assert_eq!(read(&with_field("max", "86400")).unwrap().per_day, 86_400);
}

#[test]
fn times_must_be_whole_non_negative_seconds() {
    let expected = "expected a time in whole Unix seconds from 0 to 18446744073709551615";
    for (raw, found) in [
        ("-1", "-1"),
        ("-0", "-0.0"),
        ("1585785600.5", "1585785600.5"),
        ("1585785600.0", "1585785600.0"),
        ("1.5857856e9", "1585785600.0"),
        ("18446744073709551616", "1.8446744073709552e19"),
        ("-9223372036854775809", "-9.223372036854776e18"),
        ("\"1585785600\"", "the string \"1585785600\""),
        ("null", "null"),
        ("true", "true"),
        ("[1585785600]", "an array"),
        ("{}", "an object"),
    ] {
        assert_eq!(
            error(&with_field("time_start", raw)),
            format!("f0.json: column data[0].time_start: {expected}, found {found}"),
            "{raw}"
        );
    }
    assert_eq!(
        error(&with_field("time_end", "1e400")),
        "f0.json:1: invalid JSON: number out of range at column 140"
    );
    assert_eq!(
        error(&with_field("time_end", &(APRIL_2 - 1).to_string())),
        "f0.json: column data[0].time_end: expected a time at or after time_start 1585785600, found 1585785599"
    );
}

#[test]
fn keys_must_be_64_hex_digits() {
    assert_eq!(
        error(&with_field("daily_key", &format!("\"{}\"", &KEY_A[2..]))),
        "f0.json: column data[0].daily_key: expected 64 hex digits, found 62"
    );
    assert_eq!(
        error(&with_field(
            "daily_key",
            &format!("\"0001g{}\"", &KEY_A[5..])
        )),
        "f0.json: column data[0].daily_key: invalid hex digit 'g' at position 5 (counting from 1)"
    );
    assert_eq!(
        error(&with_field("daily_key", "5")),
        "f0.json: column data[0].daily_key: expected a string of 64 hex digits, found 5"
    );
    // An escaped character is checked as the character it stands for.
    assert_eq!(
        error(&with_field(
            "daily_key",
            &format!("\"\\u00e9{}\"", &KEY_A[1..])
        )),
        "f0.json: column data[0].daily_key: invalid hex digit 'é' at position 1 (counting from 1)"
    );
}

#[test]
fn windows_stay_within_slot_numbers_and_the_chain() {
    // Slot 2^32 of 600 s begins at 2576980377600.
    let limit = (1u64 << 32) * 600;
    let past = "the end of the last slot number 4294967295 in slots of 600 s";
    assert_eq!(
        error(&payload(&[entry(KEY_A, limit, 144, limit)])),
        format!(
            "f0.json: column data[0].time_start: expected a time before {limit}, {past}, found {limit}"
        )
    );
    assert_eq!(
        error(&payload(&[entry(KEY_A, limit - 600, 144, limit)])),
        format!(
            "f0.json: column data[0].time_end: expected a time before {limit}, {past}, found {limit}"
        )
    );
    // The last slot is fine.
    let last = read(&payload(&[entry(KEY_A, limit - 600, 144, limit - 1)])).unwrap();
    assert_eq!(last.keys.rolling_starts(), &[u32::MAX]);
    assert_eq!(last.keys.rolling_periods(), &[1]);

    // The chain reaches 3653 days past the key's day, to its last slot.
    let longest = APRIL_2 + (MAX_CHAIN_DAYS + 1) * DAY - 600;
    let payload_of_longest = read(&payload(&[entry(KEY_A, APRIL_2, 144, longest)])).unwrap();
    assert_eq!(payload_of_longest.keys.rolling_periods(), &[3_654 * 144]);
    assert_eq!(
        round_trip(&payload_of_longest.keys, 144),
        payload_of_longest
    );
    let slot = 2_642_976 + 3_654 * 144;
    assert_eq!(
        error(&payload(&[entry(KEY_A, APRIL_2, 144, longest + 600)])),
        format!(
            "f0.json: column data[0].time_end: the window is too long: interval {slot} is 3654 days after the key's day; the bluezone scheme chains at most 3653 days"
        )
    );
}

#[test]
fn fields_are_known_present_and_single() {
    assert_eq!(
        error(&with_field("max", "144,\"color\":[[[[1]]]]")),
        "f0.json: column data[0].color: unknown field: expected one of daily_key, time_start, max, time_end"
    );
    assert_eq!(
        error(&with_field("max", "144,\"no such\":1")),
        "f0.json: column data[0].\"no such\": unknown field: expected one of daily_key, time_start, max, time_end"
    );
    assert_eq!(
        error(&with_field("max", "144,\"max\":144")),
        "f0.json: column data[0].max: appears twice in the entry"
    );
    let missing = "missing from the entry, which must have daily_key, time_start, max and time_end";
    assert_eq!(
        error(&format!(
            r#"{{"data":[{{"daily_key":"{KEY_A}","max":144,"time_start":1}}]}}"#
        )),
        format!("f0.json: column data[0].time_end: {missing}")
    );
    assert_eq!(
        error(r#"{"data":[{}]}"#),
        format!("f0.json: column data[0].daily_key: {missing}")
    );
    assert_eq!(
        error(r#"{"version":2,"data":[]}"#),
        "f0.json: column version: unknown field: expected only data"
    );
    assert_eq!(
        error(r#"{"data":[],"data":[]}"#),
        "f0.json: column data: appears twice in the payload"
    );
    assert_eq!(
        error("{}"),
        "f0.json: column data: missing from the payload, which must be a JSON object {\"data\": [...]}"
    );
}

#[test]
fn every_level_has_its_shape() {
    assert_eq!(
        error("[]"),
        "f0.json: expected a JSON object {\"data\": [...]}, found an array"
    );
    assert_eq!(
        error("\"data\""),
        "f0.json: expected a JSON object {\"data\": [...]}, found the string \"data\""
    );
    assert_eq!(
        error(r#"{"data":{}}"#),
        "f0.json: column data: expected an array of entries, found an object"
    );
    assert_eq!(
        error(r#"{"data":[{"daily_key":"00"},7]}"#),
        "f0.json: column data[0].daily_key: expected 64 hex digits, found 2"
    );
    assert_eq!(
        error(&format!(r#"{{"data":[{},7]}}"#, entry(KEY_A, 0, 144, 0))),
        "f0.json: column data[1]: expected an object with daily_key, time_start, max and time_end, found 7"
    );
}

#[test]
fn deep_nesting_is_refused_at_its_first_bracket() {
    let deep = "[".repeat(1_000_000);
    assert_eq!(
        error(&format!(r#"{{"data":[{{"daily_key":{deep}"#)),
        "f0.json: column data[0].daily_key: expected a string of 64 hex digits, found an array"
    );
    assert_eq!(
        error(&format!(r#"{{"data":[{deep}"#)),
        "f0.json: column data[0]: expected an object with daily_key, time_start, max and time_end, found an array"
    );
    assert_eq!(
        error(&format!(r#"{{"other":{deep}"#)),
        "f0.json: column other: unknown field: expected only data"
    );
}

#[test]
fn json_syntax_errors_name_their_line() {
    assert_eq!(
        error("{\"data\":[]} x"),
        "f0.json:1: invalid JSON: trailing characters at column 13"
    );
    assert_eq!(
        error("{\"data\":[]}\n{\"data\":[]}"),
        "f0.json:2: invalid JSON: trailing characters at column 1"
    );
    assert_eq!(
        error("{\n  \"data\": [\n    {\"max\": 144\n  ]\n}"),
        "f0.json:4: invalid JSON: expected `,` or `}` at column 3"
    );
    assert_eq!(
        error("{\"data\":["),
        "f0.json:1: invalid JSON: EOF while parsing a list at column 9"
    );
    assert_eq!(
        error("  "),
        "f0.json:1: invalid JSON: EOF while parsing a value at column 2"
    );
    assert_eq!(
        error(""),
        "f0.json: expected a JSON object {\"data\": [...]}, found an empty file"
    );
    let mut not_utf8 = with_field("daily_key", "\"00\"").into_bytes();
    // The key's first digit, at column 24, becomes a byte that is not UTF-8.
    let digit = not_utf8.iter().position(|&b| b == b'0').unwrap();
    not_utf8[digit] = 0xff;
    assert_eq!(
        read_payload(&not_utf8[..], "f0.json")
            .unwrap_err()
            .to_string(),
        "f0.json:1: invalid JSON: invalid unicode code point at column 24"
    );
}

#[test]
fn read_errors_and_files() {
    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
    }
    assert_eq!(
        read_payload(Failing, "f0.json").unwrap_err().to_string(),
        "f0.json: cannot read the file: disk on fire"
    );
    let failing_later = b"{\"data\":[".chain(Failing);
    assert_eq!(
        read_payload(failing_later, "f0.json")
            .unwrap_err()
            .to_string(),
        "f0.json: cannot read the file: disk on fire"
    );
    let missing = std::env::temp_dir().join("bluezone-no-such-payload.json");
    let err = read_payload_file(&missing).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{}: cannot open the file: ", missing.display())),
        "{err}"
    );
}

#[test]
fn the_number_of_entries_is_capped() {
    let entries: Vec<String> = (0..3).map(|_| entry(KEY_A, 0, 144, 0)).collect();
    let three = payload(&entries);
    let read = |limit| json::read(three.as_bytes(), "f0.json", limit);
    assert_eq!(read(3).unwrap().0.len(), 3);
    assert_eq!(
        read(2).unwrap_err().to_string(),
        "f0.json: column data: expected at most 2 entries, found more"
    );
    // The element past the cap is refused before it is parsed.
    let deep = format!(
        r#"{{"data":[{},{}"#,
        entry(KEY_A, 0, 144, 0),
        "[".repeat(100_000)
    );
    assert_eq!(
        json::read(deep.as_bytes(), "f0.json", 1)
            .unwrap_err()
            .to_string(),
        "f0.json: column data: expected at most 1 entries, found more"
    );
    assert_eq!(MAX_ENTRIES, 10_000_000);
}

fn invalid_input(result: io::Result<()>) -> Error {
    let err = result.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    err.into_inner()
        .unwrap()
        .downcast::<Error>()
        .map(|err| *err)
        .unwrap()
}

#[test]
fn the_writer_refuses_what_would_not_read_back() {
    let mut out = Vec::new();
    let gaen = PublishedKeys::new(SchemeKind::Gaen);
    assert_eq!(
        invalid_input(write_payload(&gaen, 144, &mut out)).to_string(),
        "scheme mismatch: an F0 payload holds bluezone keys, found gaen keys"
    );
    let mut keys = PublishedKeys::new(SchemeKind::Bluezone);
    keys.push(&[1; 32], 10, 144).unwrap();
    assert_eq!(
        invalid_input(write_payload(&keys, 7, &mut out)),
        Error::InvalidPerDay { per_day: 7 }
    );
    keys.push(&[2; 32], 0, 3_654 * 96 + 1).unwrap();
    assert_eq!(
        invalid_input(write_payload(&keys, 96, &mut out)).to_string(),
        "key 1: interval 350784 is 3654 days after the key's day; the bluezone scheme chains at most 3653 days"
    );
    assert!(out.is_empty());
}

/// Keys of valid windows for `per_day` slots a day, their chains included.
fn arbitrary_payload() -> impl Strategy<Value = Payload> {
    let per_day = proptest::sample::select(vec![1u32, 96, 144, 1_440, 86_400]);
    per_day.prop_flat_map(|per_day| {
        let longest = (MAX_CHAIN_DAYS + 1) * u64::from(per_day);
        let row = (
            any::<[u8; 32]>(),
            any::<u32>(),
            prop_oneof![1u64..=3 * u64::from(per_day), 1..=longest],
        );
        proptest::collection::vec(row, 0..8).prop_map(move |rows| {
            let mut keys = PublishedKeys::new(SchemeKind::Bluezone);
            for (key, start, period) in rows {
                let room = (1u64 << 32) - u64::from(start);
                keys.push(&key, start, period.min(room) as u32).unwrap();
            }
            Payload { keys, per_day }
        })
    })
}

/// Text made of JSON punctuation, the format's names and numbers.
fn jsonish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(":".to_owned()),
        Just(",".to_owned()),
        Just("\"".to_owned()),
        Just(" \n".to_owned()),
        proptest::sample::select(FIELDS.to_vec()).prop_map(|name| format!("\"{name}\":")),
        Just("\"data\":[".to_owned()),
        Just(format!("\"{KEY_A}\"")),
        "-?[0-9]{1,21}(\\.[0-9]{1,3})?(e[0-9]{1,3})?",
        Just("144".to_owned()),
        Just("null".to_owned()),
        ".",
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn write_then_read_round_trips(payload in arbitrary_payload()) {
        let back = round_trip(&payload.keys, payload.per_day);
        prop_assert_eq!(&back.keys, &payload.keys);
        if !payload.keys.is_empty() {
            prop_assert_eq!(back.per_day, payload.per_day);
        }
    }

    #[test]
    fn any_times_read_as_their_slots(
        time_start in 0u64..1 << 40,
        length in 0u64..10 * DAY,
        per_day in proptest::sample::select(vec![96u32, 144]),
    ) {
        let json = payload(&[entry(KEY_A, time_start, per_day, time_start + length)]);
        let slot = u64::from(86_400 / per_day);
        match read(&json) {
            Ok(payload) => {
                let window = payload.keys.get(0).unwrap().window;
                prop_assert_eq!(u64::from(window.rolling_start()), time_start / slot);
                prop_assert_eq!(window.end() - 1, (time_start + length) / slot);
            }
            Err(err) => prop_assert!((time_start + length) / slot > u64::from(u32::MAX), "{}", err),
        }
    }

    #[test]
    fn jsonish_text_reads_or_errs(text in jsonish()) {
        if let Ok(payload) = read(&text) {
            prop_assert_eq!(round_trip(&payload.keys, payload.per_day), payload);
        }
    }
}
