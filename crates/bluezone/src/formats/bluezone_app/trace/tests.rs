use proptest::prelude::*;

use super::*;

const OWN: &str = "4d4a0f3e0e9e7a9d4b1c2a35";
const CONTACT: &str = "893dae342437130ce5e23837";

/// A reader that always fails.
struct Failing;

impl Read for Failing {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::other("disk on fire"))
    }
}

fn read(text: &str) -> Result<Trace> {
    read_trace(text.as_bytes(), "data_trace.txt")
}

fn error(text: &str) -> String {
    read(text).unwrap_err().to_string()
}

fn line(own: &str, contact: &str, rssi: &str, timestamp: &str) -> String {
    format!("{own}\t{contact}\t{rssi}\t{timestamp}\n")
}

fn id(text: &str) -> [u8; 12] {
    crate::hex::decode_array(text).unwrap()
}

#[test]
fn android_milliseconds_round_down_to_seconds() {
    let text = [
        line(OWN, CONTACT, "-67", "1585786323456"),
        line(OWN, &CONTACT.to_uppercase(), "-128", "1585786323999"),
        line(CONTACT, OWN, "127", "100000000000"),
    ]
    .concat();
    let trace = read(&text).unwrap();
    assert_eq!(trace.unit, TimeUnit::Milliseconds);
    assert_eq!(trace.log.id_len(), 12);
    assert_eq!(
        trace.log.times(),
        &[1_585_786_323, 1_585_786_323, 100_000_000]
    );
    assert_eq!(trace.log.rssi(), &[-67, -128, 127]);
    assert_eq!(trace.log.id(1).unwrap(), id(CONTACT));
    assert_eq!(trace.log.id(2).unwrap(), id(OWN));
    assert_eq!(trace.own_ids, vec![id(OWN), id(OWN), id(CONTACT)]);
    assert!(trace.log.tx_power().is_none() && trace.log.duration().is_none());
}

#[test]
fn ios_seconds_with_blank_lines_crlf_and_spaces() {
    let text = format!(
        "\r\n  \n{OWN}\t{CONTACT} \t -70\t1585786323\r\n\n\t\n{CONTACT}\t{OWN}\t-1\t99999999999"
    );
    let trace = read(&text).unwrap();
    assert_eq!(trace.unit, TimeUnit::Seconds);
    assert_eq!(trace.log.times(), &[1_585_786_323, 99_999_999_999]);
    assert_eq!(trace.log.rssi(), &[-70, -1]);
    assert_eq!(trace.own_ids, vec![id(OWN), id(CONTACT)]);

    let empty = read("\n\r\n").unwrap();
    assert!(empty.log.is_empty() && empty.own_ids.is_empty());
    assert_eq!(empty.unit, TimeUnit::Milliseconds);
    assert_eq!(read("").unwrap(), empty);
}

#[test]
fn the_unit_is_the_files() {
    let text = [
        line(OWN, CONTACT, "-67", "1585786323"),
        "\n".to_owned(),
        line(OWN, CONTACT, "-67", "1585786324"),
        line(OWN, CONTACT, "-67", "1585786325000"),
        line(OWN, CONTACT, "-67", "1585786326"),
    ]
    .concat();
    assert_eq!(
        error(&text),
        "data_trace.txt:4: column timestamp: found 1585786325000 in milliseconds, but line 1 has \
         1585786323 in seconds; the timestamps of a file are all in milliseconds \
         (100000000000 and above) or all in seconds"
    );
    assert_eq!(TimeUnit::of(MILLISECONDS_FROM - 1), TimeUnit::Seconds);
    assert_eq!(TimeUnit::of(MILLISECONDS_FROM), TimeUnit::Milliseconds);
    assert_eq!(TimeUnit::Seconds.to_string(), "seconds");
}

#[test]
fn lines_have_four_fields() {
    let expected = "expected 4 tab-separated fields (own_id, contact_id, rssi, timestamp)";
    assert_eq!(
        error(&format!(
            "{}{OWN}\t{CONTACT}\t-67\n",
            line(OWN, CONTACT, "-67", "1")
        )),
        format!("data_trace.txt:2: {expected}, found 3")
    );
    assert_eq!(
        error(&format!("{OWN}\t{CONTACT}\t-67\t1\t\n")),
        format!("data_trace.txt:1: {expected}, found 5")
    );
    assert_eq!(
        error(&format!("{OWN} {CONTACT} -67 1585786323\n")),
        format!("data_trace.txt:1: {expected}, found 1")
    );
}

#[test]
fn ids_say_which_field_which_character_and_where() {
    assert_eq!(
        error(&line(OWN, "893dae3z2437130ce5e23837", "-67", "1")),
        "data_trace.txt:1: column contact_id: invalid hex digit 'z' at position 8 (counting from 1)"
    );
    assert_eq!(
        error(&format!(
            "\n{}",
            line(&format!("{OWN}00000000"), CONTACT, "-67", "1")
        )),
        "data_trace.txt:2: column own_id: expected 24 hex digits, found 32"
    );
    assert_eq!(
        error(&line(OWN, "", "-67", "1")),
        "data_trace.txt:1: column contact_id: expected 24 hex digits, found 0"
    );
}

#[test]
fn rssi_fits_in_a_byte() {
    for rssi in ["-129", "128", "-67.5", "", "strong"] {
        assert_eq!(
            error(&line(OWN, CONTACT, rssi, "1")),
            format!(
                "data_trace.txt:1: column rssi: expected an RSSI in dBm from -128 to 127, found {rssi:?}"
            )
        );
    }
}

#[test]
fn timestamps_are_non_negative_integers() {
    for timestamp in [
        "1585786323.5",
        "1.585786323e9",
        "-1",
        "",
        "9223372036854775808",
        "0x5e85",
    ] {
        assert_eq!(
            error(&line(OWN, CONTACT, "-67", timestamp)),
            format!(
                "data_trace.txt:1: column timestamp: expected an integer number of milliseconds or \
                 seconds since the Unix epoch, from 0 to 9223372036854775807, found {timestamp:?}"
            )
        );
    }
    let largest = read(&line(OWN, CONTACT, "-67", "9223372036854775807")).unwrap();
    assert_eq!(largest.log.times(), &[9_223_372_036_854_775]);
}

#[test]
fn bad_bytes_long_lines_and_read_errors() {
    let mut bytes = line(OWN, CONTACT, "-67", "1").into_bytes();
    bytes.extend_from_slice(b"\xff\t");
    assert_eq!(
        read_trace(&bytes[..], "data_trace.txt")
            .unwrap_err()
            .to_string(),
        "data_trace.txt:2: expected UTF-8 text, found a byte that is not UTF-8 at byte 1 of the line"
    );

    let padded = |spaces: usize| format!("{OWN}\t{CONTACT}\t-67\t1{}\n", " ".repeat(spaces));
    let fits = padded(MAX_LINE_BYTES - padded(0).len());
    assert_eq!(fits.len(), MAX_LINE_BYTES);
    assert_eq!(read(&fits.repeat(2)).unwrap().log.len(), 2);
    assert_eq!(
        error(&format!("{fits}{}", padded(MAX_LINE_BYTES))),
        "data_trace.txt:2: expected a line of at most 4096 bytes, found a longer one"
    );
    assert_eq!(
        error(&"x".repeat(10 * MAX_LINE_BYTES)),
        "data_trace.txt:1: expected a line of at most 4096 bytes, found a longer one"
    );

    let text = line(OWN, CONTACT, "-67", "1");
    assert_eq!(
        read_trace(text.as_bytes().chain(Failing), "data_trace.txt")
            .unwrap_err()
            .to_string(),
        "data_trace.txt:2: cannot read the file: disk on fire"
    );
    let missing = std::env::temp_dir().join("bluezone-no-such-trace.txt");
    let err = read_trace_file(&missing).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{}: cannot open the file: ", missing.display())),
        "{err}"
    );
}

fn one_sighting(time: i64) -> Trace {
    Trace {
        log: EncounterLog::from_columns(12, &id(CONTACT), &[time], &[-60]).unwrap(),
        own_ids: vec![id(OWN)],
        unit: TimeUnit::Seconds,
    }
}

fn write_error(trace: &Trace, unit: TimeUnit) -> String {
    let mut out = Vec::new();
    let err = write_trace(trace, unit, &mut out).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(out.is_empty());
    err.to_string()
}

#[test]
fn the_writer_refuses_what_would_not_read_back() {
    let ms = TimeUnit::Milliseconds;
    let s = TimeUnit::Seconds;
    assert_eq!(
        write_error(&one_sighting(99_999_999), ms),
        "sighting 0: time 99999999 s cannot be written in milliseconds: a reader takes timestamps below 100000000000 for seconds"
    );
    assert_eq!(
        write_error(&one_sighting(MILLISECONDS_FROM), s),
        "sighting 0: time 100000000000 s cannot be written in seconds: a reader takes timestamps from 100000000000 on for milliseconds"
    );
    assert_eq!(
        write_error(&one_sighting(-1), s),
        "sighting 0: time -1 s cannot be written in seconds: a trace holds no time before 1970"
    );
    assert_eq!(
        write_error(&one_sighting(i64::MAX / 1000 + 1), ms),
        "sighting 0: time 9223372036854776 s cannot be written in milliseconds: it is past the largest timestamp 9223372036854775807"
    );
    let mut missing_own = one_sighting(1);
    missing_own.own_ids.clear();
    assert_eq!(
        write_error(&missing_own, s),
        "a trace has one own ID per sighting, found 1 sightings and 0 own IDs"
    );
    let wide = Trace {
        log: EncounterLog::new(16).unwrap(),
        own_ids: Vec::new(),
        unit: s,
    };
    assert_eq!(
        write_error(&wide, s),
        "a trace holds IDs of 12 bytes, found a log of 16-byte IDs"
    );
    let mut out = Vec::new();
    write_trace(&one_sighting(100_000_000), ms, &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        line(OWN, CONTACT, "-60", "100000000000")
    );
}

/// A trace whose times can be written in its unit.
fn arbitrary_trace() -> impl Strategy<Value = Trace> {
    let unit = prop_oneof![Just(TimeUnit::Milliseconds), Just(TimeUnit::Seconds)];
    unit.prop_flat_map(|unit| {
        let times = match unit {
            TimeUnit::Milliseconds => MILLISECONDS_FROM / 1000..=i64::MAX / 1000,
            TimeUnit::Seconds => 0..=MILLISECONDS_FROM - 1,
        };
        let row = (any::<[u8; 12]>(), any::<[u8; 12]>(), any::<i8>(), times);
        proptest::collection::vec(row, 1..20).prop_map(move |rows| {
            let mut trace = Trace {
                log: EncounterLog::new(12).unwrap(),
                own_ids: Vec::new(),
                unit,
            };
            for (own, contact, rssi, time) in rows {
                trace
                    .log
                    .push(&Sighting {
                        id: &contact,
                        time,
                        rssi,
                        tx_power: None,
                        duration: None,
                    })
                    .unwrap();
                trace.own_ids.push(own);
            }
            trace
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn write_then_read_round_trips(trace in arbitrary_trace()) {
        let mut text = Vec::new();
        write_trace(&trace, trace.unit, &mut text).unwrap();
        prop_assert_eq!(read_trace(&text[..], "data_trace.txt").unwrap(), trace);
    }

    #[test]
    fn milliseconds_read_as_their_second(millis in MILLISECONDS_FROM..i64::MAX) {
        let trace = read(&line(OWN, CONTACT, "0", &millis.to_string())).unwrap();
        prop_assert_eq!(trace.log.times(), &[millis.div_euclid(1000)]);
    }
}
