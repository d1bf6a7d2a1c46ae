//! The checks behind bluezone's fuzz targets.
//!
//! Each target in `fuzz_targets/` is one line that calls a function of
//! [`targets`]; the invariants live here, so that `cargo test` (on stable,
//! without a sanitizer) can replay the seed corpus and the regressions
//! through exactly the code that the fuzzer runs.
//!
//! A reader may refuse any input, but only with a well-formed error; what
//! it accepts must satisfy every invariant below, or the target panics and
//! libFuzzer reports the input.

use std::fmt::Debug;
use std::io::{self, Read};

use bluezone::formats::bluezone_app;
use bluezone::formats::bzk;
use bluezone::formats::csv;
use bluezone::formats::gaen_export::{self, ExportOptions};
use bluezone::formats::load::{self, KeyFormat};
use bluezone::scheme::bluezone::{DEFAULT_PER_DAY, MAX_CHAIN_DAYS};
use bluezone::time::KeyWindow;
use bluezone::{
    Bluezone, EncounterLog, Error, KeyMetadata, Position, PublishedKeys, Result, SchemeKind,
};
use sha2::{Digest, Sha256};

pub mod targets;

/// The key schemes, in the order the targets try them.
pub const KINDS: [SchemeKind; 3] = [SchemeKind::Gaen, SchemeKind::Bluezone, SchemeKind::B3];

/// The longest rolling period and the largest rolling start that an
/// Exposure Notification export holds.
const EXPORT_MAX_PERIOD: u32 = gaen_export::MAX_ROLLING_PERIOD;
const EXPORT_MAX_START: u32 = i32::MAX as u32;

/// A reader that hands out at most `chunk` bytes per `read`, as a pipe or
/// a decompressor may: a streaming reader must not depend on it.
pub struct Chunked<'a> {
    rest: &'a [u8],
    chunk: usize,
}

impl<'a> Chunked<'a> {
    /// A reader of `data`, `chunk` bytes at a time.
    #[must_use]
    pub fn new(data: &'a [u8], chunk: usize) -> Self {
        Self { rest: data, chunk }
    }
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let count = self.rest.len().min(self.chunk).min(buf.len());
        buf[..count].copy_from_slice(&self.rest[..count]);
        self.rest = &self.rest[count..];
        Ok(count)
    }
}

/// Reads `data` with `read` from a whole slice, then one, three and seven
/// bytes at a time, and asserts the same result (value or error, to the
/// line and byte of the error). Three bytes is the length of a UTF-8
/// byte-order mark, which some readers skip.
pub fn read_in_chunks<T: PartialEq + Debug>(
    data: &[u8],
    what: &str,
    read: impl Fn(&mut dyn Read) -> Result<T>,
) -> Result<T> {
    let whole = read(&mut &data[..]);
    for chunk in [1, 3, 7] {
        let chunked = read(&mut Chunked::new(data, chunk));
        assert_eq!(
            whole, chunked,
            "{what}: the result depends on how the reader splits the input ({chunk}-byte reads)"
        );
    }
    whole
}

/// The number of lines of `data`, for the bounds of an error's line.
fn line_count(data: &[u8]) -> u64 {
    data.iter().filter(|&&byte| byte == b'\n').count() as u64 + 1
}

/// Checks an error that a reader promises to be [`Error::Parse`]: it names
/// `file` (or an entry of it, `file/…`), says something, and points inside
/// `data` when `data` is the input it reports on.
pub fn check_parse_error(err: &Error, file: &str, data: Option<&[u8]>) {
    let Error::Parse {
        file: named,
        position,
        message,
        ..
    } = err
    else {
        panic!("{file}: expected Error::Parse, found {err:?}");
    };
    assert!(
        named == file || named.starts_with(&format!("{file}/")),
        "the error names {named:?}, not {file:?}: {err}"
    );
    assert!(!message.is_empty(), "an error without a message: {err:?}");
    if let Some(data) = data {
        match *position {
            Position::Line(line) => assert!(
                (1..=line_count(data)).contains(&line),
                "the error's line {line} is not a line of the {}-line input: {err}",
                line_count(data)
            ),
            Position::Offset(offset) => assert!(
                offset <= data.len() as u64,
                "the error's byte {offset} is past the end of the {}-byte input: {err}",
                data.len()
            ),
            Position::Whole => {}
        }
    }
    assert!(err.to_string().starts_with(named.as_str()), "{err}");
}

/// Checks what every set of keys that a reader returns must satisfy: whole
/// records of the scheme's key length, every window valid (period at least
/// 1, ending by interval 2^32), the accessors agreeing with each other, and
/// `has_metadata` true exactly when some key has metadata.
pub fn check_keys(keys: &PublishedKeys) {
    let kind = keys.kind();
    let key_len = kind.key_len();
    assert_eq!(keys.record_len(), key_len + 16);
    assert_eq!(keys.record_bytes().len(), keys.len() * keys.record_len());
    #[allow(clippy::len_zero)] // is_empty() checked against len()
    let empty = keys.len() == 0;
    assert_eq!(keys.is_empty(), empty);
    assert_eq!(keys.iter().len(), keys.len());
    let mut any_metadata = false;
    for (index, key) in keys.iter().enumerate() {
        assert_eq!(
            key.key.len(),
            key_len,
            "key {index}: a key of the wrong length"
        );
        let window = key.window;
        assert!(
            window.rolling_period() >= 1,
            "key {index}: an empty window {window:?}"
        );
        assert!(
            window.end() <= 1 << 32,
            "key {index}: a window past interval 2^32 {window:?}"
        );
        assert_eq!(
            KeyWindow::new(window.rolling_start(), window.rolling_period()),
            Ok(window),
            "key {index}: a window that KeyWindow::new refuses"
        );
        assert_eq!(keys.get(index), Some(key));
        assert_eq!(keys.key(index), Some(key.key));
        assert_eq!(keys.window(index), window);
        assert_eq!(keys.metadata(index), key.metadata);
        any_metadata |= key.metadata != KeyMetadata::default();
    }
    assert!(keys.get(keys.len()).is_none());
    assert_eq!(keys.rolling_starts().len(), keys.len());
    assert_eq!(keys.rolling_periods().len(), keys.len());
    assert_eq!(
        keys.has_metadata(),
        any_metadata,
        "has_metadata() must say whether any key has published metadata; the keys: {:?}",
        keys.iter().collect::<Vec<_>>()
    );
}

/// The same keys, built one by one with `push_with_metadata`: the form in
/// which every reader but the native batch builds them.
#[must_use]
pub fn canonical(keys: &PublishedKeys) -> PublishedKeys {
    let mut out = PublishedKeys::with_capacity(keys.kind(), keys.len());
    for key in keys.iter() {
        out.push_with_metadata(
            key.key,
            key.window.rolling_start(),
            key.window.rolling_period(),
            key.metadata,
        )
        .expect("a key that was read is valid");
    }
    out
}

/// The same keys without their metadata.
#[must_use]
pub fn without_metadata(keys: &PublishedKeys) -> PublishedKeys {
    let mut out = PublishedKeys::with_capacity(keys.kind(), keys.len());
    for key in keys.iter() {
        out.push(
            key.key,
            key.window.rolling_start(),
            key.window.rolling_period(),
        )
        .expect("a key that was read is valid");
    }
    out
}

/// Writes `keys` as CSV, reads them back and asserts the same keys, and
/// that writing them again gives the same text; returns the text.
pub fn keys_csv_round_trip(keys: &PublishedKeys) -> Vec<u8> {
    let mut text = Vec::new();
    csv::write_keys(keys, &mut text).expect("writing to a Vec does not fail");
    let back = csv::read_keys(&text[..], "written.csv", keys.kind()).unwrap_or_else(|err| {
        panic!(
            "write_keys wrote a CSV that read_keys refuses: {err}\n{}",
            String::from_utf8_lossy(&text)
        )
    });
    assert_eq!(
        back,
        canonical(keys),
        "keys written as CSV read back different"
    );
    let mut again = Vec::new();
    csv::write_keys(&back, &mut again).expect("writing to a Vec does not fail");
    assert_eq!(
        String::from_utf8_lossy(&again),
        String::from_utf8_lossy(&text),
        "writing the keys read back from CSV gives other text"
    );
    text
}

/// Writes `keys` in every format that can hold them and loads each back
/// through `load_keys_bytes`: the same keys must come back (without their
/// metadata from an F0 payload, which has none). `per_day` is the slots per
/// day that the source gave, for the native batch and the payload.
pub fn check_all_writers(keys: &PublishedKeys, per_day: Option<u32>) {
    let kind = keys.kind();
    let canon = canonical(keys);

    let text = keys_csv_round_trip(keys);
    let loaded = load::load_keys_bytes(&text, "written.csv", Some(kind))
        .unwrap_or_else(|err| panic!("a written CSV does not load: {err}"));
    assert_eq!(loaded.format, KeyFormat::Csv);
    assert_eq!(
        loaded.keys, canon,
        "keys written as CSV load back different"
    );

    let batch_per_day = match kind {
        SchemeKind::Bluezone => per_day.unwrap_or(DEFAULT_PER_DAY),
        SchemeKind::Gaen | SchemeKind::B3 => bluezone::time::INTERVALS_PER_DAY,
    };
    let mut batch = Vec::new();
    match bzk::write(keys, batch_per_day, &mut batch, "written.bzk") {
        Ok(()) => {
            let loaded = load::load_keys_bytes(&batch, "written.bzk", Some(kind))
                .unwrap_or_else(|err| panic!("a written batch does not load: {err}"));
            assert_eq!(loaded.format, KeyFormat::Bzk);
            assert_eq!(loaded.per_day, Some(batch_per_day));
            assert_eq!(
                loaded.keys, *keys,
                "keys written as a batch load back different"
            );
        }
        // The header holds slots per day in 16 bits; 86400 does not fit.
        Err(err) => assert!(
            batch_per_day > u32::from(u16::MAX),
            "bzk::write refuses keys that were read, with {batch_per_day} slots per day: {err}"
        ),
    }

    let fits_export = matches!(kind, SchemeKind::Gaen | SchemeKind::B3)
        && keys.iter().all(|key| {
            key.window.rolling_start() <= EXPORT_MAX_START
                && key.window.rolling_period() <= EXPORT_MAX_PERIOD
        });
    let mut bin = Vec::new();
    let written = gaen_export::write_export_bin(keys, &ExportOptions::default(), &mut bin);
    if fits_export {
        let digest = written
            .unwrap_or_else(|err| panic!("write_export_bin refuses keys it can hold: {err}"));
        assert_eq!(
            digest,
            <[u8; 32]>::from(Sha256::digest(&bin)),
            "write_export_bin returns another digest"
        );
        let loaded = load::load_keys_bytes(&bin, "written.bin", Some(kind))
            .unwrap_or_else(|err| panic!("a written export.bin does not load: {err}"));
        assert_eq!(loaded.format, KeyFormat::GaenBin);
        assert_eq!(
            loaded.keys, canon,
            "keys written as export.bin load back different"
        );
        let export = loaded.export.expect("an export.bin loads with its export");
        assert_eq!(export.bin.sha256, digest);
        assert_eq!(export.bin.len, bin.len() as u64);
    } else {
        assert!(
            written.is_err(),
            "write_export_bin writes keys that the format cannot hold"
        );
    }

    if kind == SchemeKind::Bluezone {
        let per_day = per_day.unwrap_or(DEFAULT_PER_DAY);
        let writable = Bluezone::new(per_day).is_ok()
            && keys.len() <= bluezone_app::MAX_ENTRIES
            && keys.iter().all(|key| {
                u64::from(key.window.rolling_period() - 1) / u64::from(per_day) <= MAX_CHAIN_DAYS
            });
        let mut json = Vec::new();
        match bluezone_app::write_payload(keys, per_day, &mut json) {
            Ok(()) => {
                assert!(writable, "write_payload writes keys that it should refuse");
                let loaded = load::load_keys_bytes(&json, "written.json", Some(kind))
                    .unwrap_or_else(|err| {
                        panic!(
                            "a written payload does not load: {err}\n{}",
                            String::from_utf8_lossy(&json)
                        )
                    });
                assert_eq!(loaded.format, KeyFormat::BluezonePayload);
                assert_eq!(
                    loaded.keys,
                    without_metadata(keys),
                    "keys written as a payload load back different"
                );
                let expected = if keys.is_empty() {
                    DEFAULT_PER_DAY
                } else {
                    per_day
                };
                assert_eq!(loaded.per_day, Some(expected));
            }
            Err(err) => assert!(
                !writable,
                "write_payload refuses keys that were read: {err}"
            ),
        }
    }
}

/// Checks what every encounter log that a reader returns must satisfy:
/// columns of one length, IDs of `id_len` bytes, accessors that agree.
pub fn check_log(log: &EncounterLog, id_len: usize) {
    assert_eq!(log.id_len(), id_len);
    let rows = log.len();
    assert_eq!(log.is_empty(), rows == 0);
    assert_eq!(log.id_bytes().len(), rows * id_len);
    assert_eq!(log.times().len(), rows);
    assert_eq!(log.rssi().len(), rows);
    if let Some(column) = log.tx_power() {
        assert_eq!(column.len(), rows);
    }
    if let Some(column) = log.duration() {
        assert_eq!(column.len(), rows);
    }
    assert_eq!(log.iter().len(), rows);
    for (index, sighting) in log.iter().enumerate() {
        assert_eq!(sighting.id.len(), id_len);
        assert_eq!(log.id(index), Some(sighting.id));
        assert_eq!(sighting.time, log.times()[index]);
        assert_eq!(sighting.rssi, log.rssi()[index]);
    }
    assert!(log.get(rows).is_none());
}

/// Writes `log` as CSV, reads it back and asserts the same log (optional
/// columns included), and that writing it again gives the same text;
/// returns the text.
pub fn encounters_csv_round_trip(log: &EncounterLog) -> Vec<u8> {
    let mut text = Vec::new();
    csv::write_encounters(log, &mut text).expect("writing to a Vec does not fail");
    let back = csv::read_encounters(&text[..], "written.csv", log.id_len()).unwrap_or_else(|err| {
        panic!(
            "write_encounters wrote a CSV that read_encounters refuses: {err}\n{}",
            String::from_utf8_lossy(&text)
        )
    });
    assert_eq!(back, *log, "a log written as CSV reads back different");
    let mut again = Vec::new();
    csv::write_encounters(&back, &mut again).expect("writing to a Vec does not fail");
    assert_eq!(
        String::from_utf8_lossy(&again),
        String::from_utf8_lossy(&text),
        "writing the log read back from CSV gives other text"
    );
    text
}

/// The SHA-256 digest of `data`.
#[must_use]
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_reads_hand_out_everything() {
        let data: Vec<u8> = (0..=255).collect();
        for chunk in [1, 7, 1000] {
            let mut out = Vec::new();
            Chunked::new(&data, chunk).read_to_end(&mut out).unwrap();
            assert_eq!(out, data);
        }
    }
}
