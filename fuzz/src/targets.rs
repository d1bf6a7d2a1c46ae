//! One function per fuzz target: each reads the input with one reader (or
//! entry point) and asserts the invariants that a successful read must
//! satisfy. They panic on a violation, which libFuzzer reports as a crash.

use std::io::{Cursor, Read};

use bluezone::formats::bluezone_app::{self, MILLISECONDS_FROM, Payload, TimeUnit, Trace};
use bluezone::formats::bzk;
use bluezone::formats::csv;
use bluezone::formats::gaen_export::{
    self, EXPORT_BIN, EXPORT_SIG, Export, ExportBin, ExportOptions, SignatureStatus,
};
use bluezone::formats::load::{self, EncounterFormat, KeyFormat, LoadedKeys};
use bluezone::scheme::bluezone::{DEFAULT_PER_DAY, MAX_CHAIN_DAYS};
use bluezone::{Bluezone, EncounterLog, Error, Result, Scheme, SchemeKind};

use crate::{
    KINDS, canonical, check_all_writers, check_keys, check_log, check_parse_error,
    encounters_csv_round_trip, keys_csv_round_trip, read_in_chunks, sha256,
};

/// The fixture public key that verifies the signature of
/// `testExport-2-records-1-of-1.zip`.
const FIXTURE_PUBLIC_KEY: &str =
    include_str!("../../crates/bluezone/tests/fixtures/gaen/public.pem");
/// The test signing key pair of the fixtures (it signs nothing real).
const TEST_PRIVATE_KEY: &str =
    include_str!("../../crates/bluezone/tests/fixtures/gaen/test-private-pkcs8.pem");
const TEST_PUBLIC_KEY: &str =
    include_str!("../../crates/bluezone/tests/fixtures/gaen/test-public.pem");

/// Asserts that `gaen` and `b3` reads of the same input agree: both schemes
/// have 16-byte keys, so only the keys' kind may differ.
fn same_for_16_byte_kinds<T: std::fmt::Debug>(
    what: &str,
    gaen: &Result<T>,
    b3: &Result<T>,
    record_bytes: impl Fn(&T) -> Vec<u8>,
) {
    match (gaen, b3) {
        (Ok(gaen), Ok(b3)) => assert_eq!(
            record_bytes(gaen),
            record_bytes(b3),
            "{what}: gaen and b3 read the same input as different keys"
        ),
        (Err(gaen), Err(b3)) => assert_eq!(
            gaen, b3,
            "{what}: gaen and b3 refuse the same input differently"
        ),
        _ => panic!("{what}: gaen and b3 disagree on whether the input reads: {gaen:?} / {b3:?}"),
    }
}

// ---------------------------------------------------------------- keys_csv

/// `csv::read_keys`, for every scheme.
pub fn keys_csv(data: &[u8]) {
    let mut results = Vec::new();
    for kind in KINDS {
        let result = read_in_chunks(data, "csv::read_keys", |reader| {
            csv::read_keys(reader, "keys.csv", kind)
        });
        match &result {
            Ok(keys) => {
                assert_eq!(keys.kind(), kind);
                check_keys(keys);
                assert_eq!(*keys, canonical(keys));
                keys_csv_round_trip(keys);
            }
            Err(err) => check_parse_error(err, "keys.csv", Some(data)),
        }
        results.push(result);
    }
    same_for_16_byte_kinds("csv::read_keys", &results[0], &results[2], |keys| {
        keys.record_bytes().to_vec()
    });
}

// ---------------------------------------------------------- encounters_csv

/// `csv::read_encounters`, for both ID lengths.
pub fn encounters_csv(data: &[u8]) {
    for id_len in [12, 16] {
        let result = read_in_chunks(data, "csv::read_encounters", |reader| {
            csv::read_encounters(reader, "log.csv", id_len)
        });
        match &result {
            Ok(log) => {
                check_log(log, id_len);
                encounters_csv_round_trip(log);
            }
            Err(err) => check_parse_error(err, "log.csv", Some(data)),
        }
    }
    assert!(matches!(
        csv::read_encounters(data, "log.csv", 15),
        Err(Error::IdLength { .. })
    ));
}

// --------------------------------------------------------------------- bzk

/// `bzk::read_bytes`, on the input and on the input with its BLAKE3 hash
/// set right (so that the fuzzer reaches the records behind the hash), and
/// `bzk::read_file` (the memory map) on both.
pub fn bzk(data: &[u8]) {
    check_bzk(data);
    if data.len() >= bzk::HEADER_LEN {
        let mut fixed = data.to_vec();
        let hash = blake3::hash(&fixed[bzk::HEADER_LEN..]);
        fixed[24..56].copy_from_slice(hash.as_bytes());
        if fixed != data {
            check_bzk(&fixed);
        }
    }
}

fn check_bzk(data: &[u8]) {
    let result = bzk::read_bytes(data.to_vec(), "keys.bzk");
    if data.len() >= bzk::HEADER_LEN {
        // Unique per call: tests replay inputs on several threads at once.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("bluezone-fuzz-{}-{n}.bzk", std::process::id()));
        std::fs::write(&path, data).expect("the temporary file can be written");
        let name = path.display().to_string();
        let mapped = bzk::read_file(&path);
        let in_memory = bzk::read_bytes(data.to_vec(), &name);
        assert_eq!(
            mapped, in_memory,
            "bzk::read_file and bzk::read_bytes disagree"
        );
        drop(mapped);
        let _ = std::fs::remove_file(&path);
    }
    match result {
        Ok(batch) => {
            let kind = batch.keys.kind();
            check_keys(&batch.keys);
            let code = match kind {
                SchemeKind::Gaen => 1,
                SchemeKind::Bluezone => 2,
                SchemeKind::B3 => 3,
            };
            assert_eq!(data[10], code, "the batch's kind is not its header's");
            Scheme::new(kind, Some(batch.per_day)).unwrap_or_else(|err| {
                panic!("a batch read with {} slots per day: {err}", batch.per_day)
            });
            assert_eq!(
                batch.keys.len(),
                (data.len() - bzk::HEADER_LEN) / batch.keys.record_len()
            );
            let mut again = Vec::new();
            bzk::write(&batch.keys, batch.per_day, &mut again, "again.bzk")
                .unwrap_or_else(|err| panic!("a batch that reads does not write: {err}"));
            assert!(
                again == data,
                "a batch that reads re-encodes to other bytes"
            );
            let loaded = load::load_keys_bytes(data, "keys.bzk", None)
                .unwrap_or_else(|err| panic!("a batch that reads does not load: {err}"));
            assert_eq!(loaded.format, KeyFormat::Bzk);
            assert_eq!(
                (&loaded.keys, loaded.per_day),
                (&batch.keys, Some(batch.per_day))
            );
            check_all_writers(&batch.keys, Some(batch.per_day));
        }
        Err(err) => check_parse_error(&err, "keys.bzk", Some(data)),
    }
}

// --------------------------------------------------------- gaen_export_bin

/// `gaen_export::read_export_bin`, for both 16-byte schemes.
pub fn gaen_export_bin(data: &[u8]) {
    let mut results = Vec::new();
    for kind in [SchemeKind::Gaen, SchemeKind::B3] {
        let result = read_in_chunks(data, "read_export_bin", |reader| {
            gaen_export::read_export_bin(reader, "export.bin", kind)
        });
        match &result {
            Ok(bin) => check_export_bin(bin, data, kind),
            Err(err) => check_parse_error(err, "export.bin", Some(data)),
        }
        if data.starts_with(gaen_export::HEADER) {
            let loaded = load::load_keys_bytes(data, "export.bin", Some(kind));
            let loaded_bin = loaded.map(|loaded| {
                assert_eq!(loaded.format, KeyFormat::GaenBin);
                let export = loaded.export.expect("an export.bin loads with its export");
                assert!(export.signatures.is_empty());
                assert_eq!(loaded.keys, export.bin.keys);
                export.bin
            });
            assert_eq!(
                loaded_bin, result,
                "load_keys_bytes and read_export_bin disagree"
            );
        }
        results.push(result);
    }
    same_for_16_byte_kinds(
        "read_export_bin",
        &results[0],
        &results[1],
        export_bin_bytes,
    );
    assert!(matches!(
        gaen_export::read_export_bin(data, "export.bin", SchemeKind::Bluezone),
        Err(Error::SchemeMismatch(_))
    ));
}

/// Everything of an `ExportBin` but its keys' kind.
fn export_bin_bytes(bin: &ExportBin) -> Vec<u8> {
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}",
        bin.keys.record_bytes(),
        bin.revised_keys.record_bytes(),
        bin.start_timestamp,
        bin.end_timestamp,
        bin.region,
        bin.batch_num,
        bin.batch_size,
        bin.signature_infos,
        bin.sha256,
        bin.len
    )
    .into_bytes()
}

/// The invariants of an `export.bin` that reads from `data`.
fn check_export_bin(bin: &ExportBin, data: &[u8], kind: SchemeKind) {
    for keys in [&bin.keys, &bin.revised_keys] {
        assert_eq!(keys.kind(), kind);
        check_keys(keys);
        assert_eq!(*keys, canonical(keys));
        for key in keys.iter() {
            let (start, period) = (key.window.rolling_start(), key.window.rolling_period());
            assert!(
                start <= i32::MAX as u32 && (1..=gaen_export::MAX_ROLLING_PERIOD).contains(&period),
                "an export key with rolling start {start} and period {period}"
            );
        }
    }
    assert_eq!(
        bin.len,
        data.len() as u64,
        "the export.bin's length is not the input's"
    );
    assert_eq!(
        bin.sha256,
        sha256(data),
        "the export.bin's digest is not the input's SHA-256"
    );

    // Everything that reads writes back, with its header fields.
    let options = ExportOptions {
        region: bin.region.clone().unwrap_or_default(),
        start_timestamp: bin.start_timestamp,
        end_timestamp: bin.end_timestamp,
        ..ExportOptions::default()
    };
    let mut written = Vec::new();
    let digest = gaen_export::write_export_bin(&bin.keys, &options, &mut written)
        .unwrap_or_else(|err| panic!("an export.bin that reads does not write: {err}"));
    let back = gaen_export::read_export_bin(&written[..], "written.bin", kind)
        .unwrap_or_else(|err| panic!("a written export.bin does not read: {err}"));
    assert_eq!(
        back.keys, bin.keys,
        "export keys written and read back differ"
    );
    assert_eq!(
        back.region,
        bin.region.clone().filter(|region| !region.is_empty())
    );
    if bin.start_timestamp.is_some() {
        assert_eq!(back.start_timestamp, bin.start_timestamp);
    }
    if bin.end_timestamp.is_some() {
        assert_eq!(back.end_timestamp, bin.end_timestamp);
    }
    assert_eq!((back.batch_num, back.batch_size), (Some(1), Some(1)));
    assert_eq!(back.sha256, digest);
    check_all_writers(&bin.keys, None);
}

// --------------------------------------------------------- gaen_export_zip

/// `gaen_export::read_export_zip_bytes`. An input that begins with `PK` is
/// read as a zip; any other is split into an `export.sig` and an
/// `export.bin` (a little-endian `u16` first: its low 15 bits are the
/// length of the signature list, its top bit chooses deflate over store),
/// zipped, and read: the zip must read exactly as the bare `export.bin`
/// does.
pub fn gaen_export_zip(data: &[u8]) {
    if data.starts_with(b"PK") {
        raw_zip(data);
    } else {
        built_zip(data);
    }
}

fn raw_zip(data: &[u8]) {
    let mut results = Vec::new();
    for kind in [SchemeKind::Gaen, SchemeKind::B3] {
        let result = gaen_export::read_export_zip_bytes(data, "export.zip", kind);
        match &result {
            Ok(export) => check_export(export, data, kind),
            Err(err) => check_parse_error(err, "export.zip", None),
        }
        if load::KeyFormat::detect(data) == KeyFormat::GaenZip {
            let loaded = load::load_keys_bytes(data, "export.zip", Some(kind));
            let loaded_export = loaded.map(|loaded| {
                assert_eq!(loaded.format, KeyFormat::GaenZip);
                let export = loaded.export.expect("a zip loads with its export");
                assert_eq!(loaded.keys, export.bin.keys);
                export
            });
            assert_eq!(
                loaded_export, result,
                "load_keys_bytes and read_export_zip_bytes disagree"
            );
        }
        results.push(result);
    }
    same_for_16_byte_kinds(
        "read_export_zip_bytes",
        &results[0],
        &results[1],
        |export| {
            let mut bytes = export_bin_bytes(&export.bin);
            bytes.extend_from_slice(format!("{:?}", export.signatures).as_bytes());
            bytes
        },
    );
}

fn built_zip(data: &[u8]) {
    let word = u16::from_le_bytes([
        data.first().copied().unwrap_or(0),
        data.get(1).copied().unwrap_or(0),
    ]);
    let rest = data.get(2..).unwrap_or_default();
    let sig_len = usize::from(word & 0x7fff).min(rest.len());
    let (sig, bin) = rest.split_at(sig_len);
    let deflate = word & 0x8000 != 0;
    let zip = make_zip(&[(EXPORT_BIN, bin), (EXPORT_SIG, sig)], deflate);
    for kind in [SchemeKind::Gaen, SchemeKind::B3] {
        let from_zip = gaen_export::read_export_zip_bytes(&zip, "export.zip", kind);
        let bare = gaen_export::read_export_bin(bin, "export.zip/export.bin", kind);
        match (&from_zip, &bare) {
            (Ok(export), Ok(bare)) => {
                assert_eq!(export.bin, *bare, "export.bin reads differently in a zip");
                if sig.is_empty() {
                    assert!(export.signatures.is_empty());
                }
                check_export(export, &zip, kind);
            }
            (Err(zipped), Err(bare)) => {
                assert_eq!(zipped, bare, "export.bin fails differently in a zip")
            }
            (Err(err), Ok(_)) => {
                // Only the signature list may fail when export.bin reads.
                check_parse_error(err, "export.zip/export.sig", None);
                assert!(!sig.is_empty(), "an empty signature list fails: {err}");
            }
            (Ok(_), Err(err)) => panic!("export.bin reads in a zip but not bare: {err}"),
        }
    }
}

/// A zip of `entries`, stored or deflated.
pub fn make_zip(entries: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
    use std::io::Write;
    let method = if deflate {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        writer
            .start_file(*name, options)
            .expect("a zip entry starts");
        writer.write_all(bytes).expect("a zip entry writes");
    }
    writer.finish().expect("a zip finishes").into_inner()
}

/// The invariants of an export that reads from the zip `zip`.
fn check_export(export: &Export, zip: &[u8], kind: SchemeKind) {
    // export.bin, taken out of the zip, reads the same bare.
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).expect("a zip that reads opens");
    let mut bin = Vec::new();
    archive
        .by_name(EXPORT_BIN)
        .expect("a zip that reads has export.bin")
        .read_to_end(&mut bin)
        .expect("export.bin decompresses");
    let bare = gaen_export::read_export_bin(&bin[..], "export.zip/export.bin", kind);
    assert_eq!(
        bare.as_ref(),
        Ok(&export.bin),
        "export.bin reads differently bare"
    );
    check_export_bin(&export.bin, &bin, kind);

    // Verifying never fails for a well-formed public key, whatever the
    // signatures hold.
    let status = export
        .verify(FIXTURE_PUBLIC_KEY)
        .unwrap_or_else(|err| panic!("verify fails with a good key: {err}"));
    if let SignatureStatus::Invalid {
        signatures,
        malformed,
    } = status
    {
        assert_eq!(signatures, export.signatures.len());
        assert!(malformed <= signatures);
    }

    // The keys sign and read back.
    let options = ExportOptions {
        region: export.bin.region.clone().unwrap_or_default(),
        start_timestamp: export.bin.start_timestamp,
        end_timestamp: export.bin.end_timestamp,
        ..ExportOptions::default()
    };
    let (num, size) = (
        export.bin.batch_num.unwrap_or(1),
        export.bin.batch_size.unwrap_or(1),
    );
    let written = gaen_export::write_export_zip(
        &export.bin.keys,
        &options,
        num,
        size,
        TEST_PRIVATE_KEY,
        Cursor::new(Vec::new()),
    )
    .unwrap_or_else(|err| panic!("an export that reads does not sign: {err}"))
    .into_inner();
    let back = gaen_export::read_export_zip_bytes(&written, "written.zip", kind)
        .unwrap_or_else(|err| panic!("a written export zip does not read: {err}"));
    assert_eq!(back.bin.keys, export.bin.keys);
    assert_eq!(
        (back.bin.batch_num, back.bin.batch_size),
        (Some(num), Some(size))
    );
    assert_eq!(back.signatures.len(), 1);
    assert_eq!(
        back.verify(TEST_PUBLIC_KEY).expect("the test key parses"),
        SignatureStatus::Valid { index: 0 },
        "a written export does not verify"
    );
}

// -------------------------------------------------------- bluezone_payload

/// `bluezone_app::read_payload`.
pub fn bluezone_payload(data: &[u8]) {
    let result = read_in_chunks(data, "read_payload", |reader| {
        bluezone_app::read_payload(reader, "f0.json")
    });
    match &result {
        Ok(payload) => check_payload(payload),
        Err(err) => check_parse_error(err, "f0.json", Some(data)),
    }
    let detected = KeyFormat::detect(data);
    if result.is_ok() {
        assert_eq!(
            detected,
            KeyFormat::BluezonePayload,
            "a payload that reads is not recognised as one"
        );
    }
    if detected == KeyFormat::BluezonePayload {
        for kind in [None, Some(SchemeKind::Bluezone)] {
            let loaded = load::load_keys_bytes(data, "f0.json", kind);
            if let Ok(loaded) = &loaded {
                assert_eq!(loaded.format, KeyFormat::BluezonePayload);
            }
            assert_eq!(
                loaded.as_ref().map(|loaded| (&loaded.keys, loaded.per_day)),
                result
                    .as_ref()
                    .map(|payload| (&payload.keys, Some(payload.per_day))),
                "load_keys_bytes and read_payload disagree"
            );
        }
    }
}

fn check_payload(payload: &Payload) {
    let keys = &payload.keys;
    assert_eq!(keys.kind(), SchemeKind::Bluezone);
    check_keys(keys);
    assert!(!keys.has_metadata(), "a payload has no metadata");
    assert_eq!(*keys, canonical(keys));
    Bluezone::new(payload.per_day)
        .unwrap_or_else(|err| panic!("a payload read with per_day {}: {err}", payload.per_day));
    if keys.is_empty() {
        assert_eq!(payload.per_day, DEFAULT_PER_DAY);
    }
    for key in keys.iter() {
        let days = u64::from(key.window.rolling_period() - 1) / u64::from(payload.per_day);
        assert!(
            days <= MAX_CHAIN_DAYS,
            "a payload key whose window spans {days} days"
        );
    }
    let mut json = Vec::new();
    bluezone_app::write_payload(keys, payload.per_day, &mut json)
        .unwrap_or_else(|err| panic!("a payload that reads does not write: {err}"));
    let back = bluezone_app::read_payload(&json[..], "written.json").unwrap_or_else(|err| {
        panic!(
            "a written payload does not read: {err}\n{}",
            String::from_utf8_lossy(&json)
        )
    });
    assert_eq!(back, *payload, "a payload written and read back differs");
    check_all_writers(keys, Some(payload.per_day));
}

// ---------------------------------------------------------- bluezone_trace

/// `bluezone_app::read_trace`.
pub fn bluezone_trace(data: &[u8]) {
    let result = read_in_chunks(data, "read_trace", |reader| {
        bluezone_app::read_trace(reader, "data_trace.txt")
    });
    match &result {
        Ok(trace) => check_trace(trace),
        Err(err) => check_parse_error(err, "data_trace.txt", Some(data)),
    }
    let detected = EncounterFormat::detect(data);
    if result.as_ref().is_ok_and(|trace| !trace.log.is_empty()) {
        assert_eq!(
            detected,
            EncounterFormat::BluezoneTrace,
            "a trace that reads is not recognised as one"
        );
    }
    if detected == EncounterFormat::BluezoneTrace {
        let loaded = load::load_encounters_bytes(data, "data_trace.txt", 12).map(|loaded| {
            assert_eq!(loaded.format, EncounterFormat::BluezoneTrace);
            loaded.log
        });
        assert_eq!(
            loaded,
            result.map(|trace| trace.log),
            "load_encounters_bytes and read_trace disagree"
        );
        assert!(
            load::load_encounters_bytes(data, "data_trace.txt", 16).is_err(),
            "a trace loads as a log of 16-byte IDs"
        );
    }
}

fn check_trace(trace: &Trace) {
    let log = &trace.log;
    check_log(log, 12);
    assert_eq!(trace.own_ids.len(), log.len(), "one own ID per sighting");
    assert!(log.tx_power().is_none() && log.duration().is_none());
    for &time in log.times() {
        assert!(time >= 0, "a trace time before 1970: {time}");
        match trace.unit {
            TimeUnit::Seconds => assert!(time < MILLISECONDS_FROM, "a time in seconds of {time}"),
            TimeUnit::Milliseconds => assert!(
                time >= MILLISECONDS_FROM / 1000,
                "a time from milliseconds of {time} s"
            ),
        }
    }
    if log.is_empty() {
        assert_eq!(trace.unit, TimeUnit::Milliseconds);
    }
    let mut text = Vec::new();
    bluezone_app::write_trace(trace, trace.unit, &mut text)
        .unwrap_or_else(|err| panic!("a trace that reads does not write in its unit: {err}"));
    let back = bluezone_app::read_trace(&text[..], "written.txt").unwrap_or_else(|err| {
        panic!(
            "a written trace does not read: {err}\n{}",
            String::from_utf8_lossy(&text)
        )
    });
    assert_eq!(back, *trace, "a trace written and read back differs");
    encounters_csv_round_trip(log);
}

// --------------------------------------------------------------- load_keys

/// `load::load_keys_bytes`, with no scheme and with each scheme: the
/// format is recognised from the bytes, every scheme that fits gives the
/// same keys, the result is the format reader's own, and the keys survive
/// being written in every other format and loaded back.
pub fn load_keys(data: &[u8]) {
    let detected = KeyFormat::detect(data);
    let none = load::load_keys_bytes(data, "keys", None);
    let each: Vec<Result<LoadedKeys>> = KINDS
        .iter()
        .map(|&kind| load::load_keys_bytes(data, "keys", Some(kind)))
        .collect();
    let requested = std::iter::once(None).chain(KINDS.map(Some));
    for (kind, result) in requested.zip(std::iter::once(&none).chain(&each)) {
        match result {
            Ok(loaded) => check_loaded(loaded, detected, kind),
            Err(Error::SchemeMismatch(message)) => {
                assert!(kind.is_some(), "no scheme was asked for, yet: {message}");
            }
            Err(err) => check_parse_error(err, "keys", None),
        }
    }
    let [gaen, bluezone, b3] = &each[..] else {
        unreachable!("three schemes")
    };
    let mismatch = |result: &Result<LoadedKeys>| matches!(result, Err(Error::SchemeMismatch(_)));
    match detected {
        KeyFormat::GaenZip | KeyFormat::GaenBin => {
            assert_eq!(&none, gaen, "an export loads differently without a scheme");
            assert!(mismatch(bluezone), "an export loads as bluezone keys");
        }
        KeyFormat::BluezonePayload => {
            assert_eq!(
                &none, bluezone,
                "a payload loads differently without a scheme"
            );
            assert!(
                mismatch(gaen) && mismatch(b3),
                "a payload loads as 16-byte keys"
            );
        }
        KeyFormat::Bzk => {
            for (kind, result) in KINDS.iter().zip(&each) {
                match &none {
                    Ok(loaded) if loaded.keys.kind() == *kind => {
                        assert_eq!(result, &none, "a batch loads differently as its own scheme");
                    }
                    Ok(_) => assert!(mismatch(result), "a batch loads as another scheme"),
                    Err(err) => assert_eq!(result.as_ref().err(), Some(err)),
                }
            }
        }
        KeyFormat::Csv => {
            assert!(
                none == *gaen || none == *bluezone,
                "a CSV loads without a scheme neither as gaen nor as bluezone keys"
            );
        }
    }
    // gaen and b3 keys are both 16 bytes: a CSV or an export reads the same
    // as either (a batch names its scheme; a payload is bluezone's only).
    if matches!(
        detected,
        KeyFormat::Csv | KeyFormat::GaenZip | KeyFormat::GaenBin
    ) {
        same_for_16_byte_kinds("load_keys_bytes", gaen, b3, |loaded| {
            loaded.keys.record_bytes().to_vec()
        });
    }

    // The entry point gives what the format's own reader gives.
    match detected {
        KeyFormat::Csv => {
            // The entry point may refuse more (text that is not a CSV at
            // all), never less.
            for (kind, result) in KINDS.iter().zip(&each) {
                let read = csv::read_keys(data, "keys", *kind);
                if let Ok(loaded) = result {
                    assert_eq!(
                        Ok(&loaded.keys),
                        read.as_ref(),
                        "load_keys_bytes and read_keys disagree"
                    );
                }
            }
        }
        KeyFormat::Bzk => {
            let read = bzk::read_bytes(data.to_vec(), "keys");
            let loaded = none.as_ref().map(|loaded| (&loaded.keys, loaded.per_day));
            assert_eq!(
                loaded,
                read.as_ref()
                    .map(|batch| (&batch.keys, Some(batch.per_day)))
            );
        }
        KeyFormat::GaenZip => {
            let read = gaen_export::read_export_zip_bytes(data, "keys", SchemeKind::Gaen);
            assert_eq!(
                none.as_ref().map(|loaded| loaded.export.as_ref()),
                read.as_ref().map(Some)
            );
        }
        KeyFormat::GaenBin => {
            let read = gaen_export::read_export_bin(data, "keys", SchemeKind::Gaen);
            assert_eq!(
                none.as_ref()
                    .map(|loaded| loaded.export.as_ref().map(|export| &export.bin)),
                read.as_ref().map(Some)
            );
        }
        KeyFormat::BluezonePayload => {
            let read = bluezone_app::read_payload(data, "keys");
            let loaded = none.as_ref().map(|loaded| (&loaded.keys, loaded.per_day));
            assert_eq!(
                loaded,
                read.as_ref()
                    .map(|payload| (&payload.keys, Some(payload.per_day)))
            );
        }
    }
}

fn check_loaded(loaded: &LoadedKeys, detected: KeyFormat, kind: Option<SchemeKind>) {
    assert_eq!(
        loaded.format, detected,
        "loaded as another format than detected"
    );
    if let Some(kind) = kind {
        assert_eq!(
            loaded.keys.kind(),
            kind,
            "loaded as another scheme than asked for"
        );
    }
    check_keys(&loaded.keys);
    match loaded.format {
        KeyFormat::Bzk | KeyFormat::BluezonePayload => {
            let per_day = loaded
                .per_day
                .expect("a batch or payload gives its slots per day");
            Scheme::new(loaded.keys.kind(), Some(per_day))
                .unwrap_or_else(|err| panic!("loaded with {per_day} slots per day: {err}"));
            assert!(loaded.export.is_none());
        }
        KeyFormat::GaenZip | KeyFormat::GaenBin => {
            assert_eq!(loaded.per_day, None);
            let export = loaded
                .export
                .as_ref()
                .expect("an export loads with its export");
            assert_eq!(export.bin.keys, loaded.keys);
            if loaded.format == KeyFormat::GaenBin {
                assert!(export.signatures.is_empty());
            }
        }
        KeyFormat::Csv => assert!(loaded.per_day.is_none() && loaded.export.is_none()),
    }
    check_all_writers(&loaded.keys, loaded.per_day);
}

// --------------------------------------------------------- load_encounters

/// `load::load_encounters_bytes`, for both ID lengths: the format is
/// recognised from the bytes, the log is the format reader's own, and it
/// survives being written as CSV (and as a trace, when it can be) and
/// loaded back.
pub fn load_encounters(data: &[u8]) {
    let detected = EncounterFormat::detect(data);
    for id_len in [12, 16] {
        let result = load::load_encounters_bytes(data, "log", id_len);
        let read = match detected {
            EncounterFormat::BluezoneTrace if id_len == 12 => {
                bluezone_app::read_trace(data, "log").map(|trace| trace.log)
            }
            EncounterFormat::BluezoneTrace => {
                // A trace holds 12-byte IDs: it must not load as 16-byte ones.
                assert!(result.is_err(), "a trace loads as a log of 16-byte IDs");
                continue;
            }
            EncounterFormat::Csv => csv::read_encounters(data, "log", id_len),
        };
        assert_eq!(
            result.as_ref().map(|loaded| &loaded.log),
            read.as_ref(),
            "load_encounters_bytes and the format's reader disagree"
        );
        match &result {
            Ok(loaded) => {
                assert_eq!(loaded.format, detected);
                check_log(&loaded.log, id_len);
                check_log_writers(&loaded.log);
            }
            Err(err) => check_parse_error(err, "log", Some(data)),
        }
    }
}

/// Writes `log` as CSV, and as a trace when it can be, and loads each back.
fn check_log_writers(log: &EncounterLog) {
    let text = encounters_csv_round_trip(log);
    let loaded = load::load_encounters_bytes(&text, "written.csv", log.id_len())
        .unwrap_or_else(|err| panic!("a written CSV log does not load: {err}"));
    assert_eq!(loaded.format, EncounterFormat::Csv);
    assert_eq!(
        loaded.log, *log,
        "a log written as CSV loads back different"
    );

    // A trace holds 12-byte IDs, times and RSSIs only; an empty trace is an
    // empty file, which loads as a CSV without a header.
    if log.id_len() != 12 || log.is_empty() || log.tx_power().is_some() || log.duration().is_some()
    {
        return;
    }
    let seconds = log
        .times()
        .iter()
        .all(|&time| (0..MILLISECONDS_FROM).contains(&time));
    let millis = log
        .times()
        .iter()
        .all(|&time| (MILLISECONDS_FROM / 1000..=i64::MAX / 1000).contains(&time));
    let unit = match (seconds, millis) {
        (true, _) => TimeUnit::Seconds,
        (false, true) => TimeUnit::Milliseconds,
        (false, false) => return,
    };
    let trace = Trace {
        log: log.clone(),
        own_ids: vec![[0; 12]; log.len()],
        unit,
    };
    let mut text = Vec::new();
    bluezone_app::write_trace(&trace, unit, &mut text)
        .unwrap_or_else(|err| panic!("write_trace refuses a log it can hold: {err}"));
    let loaded = load::load_encounters_bytes(&text, "written.txt", 12)
        .unwrap_or_else(|err| panic!("a written trace does not load: {err}"));
    assert_eq!(loaded.format, EncounterFormat::BluezoneTrace);
    assert_eq!(
        loaded.log, *log,
        "a log written as a trace loads back different"
    );
}
