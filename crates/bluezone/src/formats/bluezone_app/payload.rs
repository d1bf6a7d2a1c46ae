//! The F0 payload: the daily keys of confirmed cases, in JSON.

use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

use serde::ser::{self, Serialize, SerializeStruct, Serializer};

use super::open;
use crate::scheme::bluezone::{DEFAULT_PER_DAY, KEY_LEN, MAX_CHAIN_DAYS};
use crate::time::SECONDS_PER_DAY;
use crate::{Bluezone, Error, PublishedKeys, Result, SchemeKind};

mod json;

#[cfg(test)]
mod tests;

/// The most entries that a payload may hold: ten million, far more than the
/// app ever received, and few enough that a payload's keys fit in memory.
pub const MAX_ENTRIES: usize = 10_000_000;

/// An F0 payload: the published daily keys, with the number of slots per
/// day of their scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payload {
    /// The keys, of kind [`SchemeKind::Bluezone`], one per entry, in order;
    /// a key's window is the span of slots of its entry.
    pub keys: PublishedKeys,
    /// The entries' `max`, the slots per day; 144 for a payload without
    /// entries.
    pub per_day: u32,
}

/// The fields of an entry, in the order that the writer writes them.
const FIELDS: [&str; 4] = ["daily_key", "time_start", "max", "time_end"];
const DAILY_KEY: usize = 0;
const TIME_START: usize = 1;
const MAX: usize = 2;
const TIME_END: usize = 3;

/// The one field of the payload object.
const DATA: &str = "data";

/// Reads an F0 payload: `{"data":[{"daily_key":…,"time_start":…,"max":…,
/// "time_end":…}, …]}`. `file` names the input in errors.
///
/// Each entry becomes a key whose rolling start is the slot that holds
/// `time_start` and whose window runs to the slot that holds `time_end`,
/// in slots of `86400 / max` seconds. The fields may come in any order;
/// every entry must have the same `max`.
///
/// ```
/// use bluezone::formats::bluezone_app::read_payload;
///
/// let key = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/// let json = format!(
///     r#"{{"data":[{{"daily_key":"{key}","time_start":1585785600,"max":144,"time_end":1586044200}}]}}"#
/// );
/// let payload = read_payload(json.as_bytes(), "f0.json")?;
/// assert_eq!(payload.per_day, 144);
/// assert_eq!(payload.keys.rolling_starts(), &[2_642_976]);
/// assert_eq!(payload.keys.rolling_periods(), &[432]); // three days
///
/// let bad = json.replace("1586044200", "1585785599");
/// assert_eq!(
///     read_payload(bad.as_bytes(), "f0.json").unwrap_err().to_string(),
///     "f0.json: column data[0].time_end: expected a time at or after time_start 1585785600, found 1585785599"
/// );
/// # Ok::<(), bluezone::Error>(())
/// ```
///
/// # Errors
/// [`Error::Parse`] at the first problem. JSON that does not parse, and
/// anything after the payload object, is reported at its line
/// ([`Position::Line`](crate::Position::Line)). Everything else is reported for the whole file
/// ([`Position::Whole`](crate::Position::Whole)) with the path of the value as the column, such as
/// `data[3].daily_key`: a value of the wrong kind (a string for a number,
/// an array for an object, a number with a fraction or an exponent), a
/// negative or too large time, a `max` that does not divide 86400 or differs
/// from the first entry's, a key that is not 64 hex digits, a missing,
/// repeated or unknown field, a `time_end` before `time_start`, a window
/// past the last slot number, a window longer than the scheme's chain of
/// daily keys ([`MAX_CHAIN_DAYS`] days after the key's day), more than
/// [`MAX_ENTRIES`] entries, an empty file, or a failure to read.
pub fn read_payload(reader: impl Read, file: &str) -> Result<Payload> {
    let (keys, per_day) = json::read(reader, file, MAX_ENTRIES)?;
    Ok(Payload {
        keys,
        per_day: per_day.unwrap_or(DEFAULT_PER_DAY),
    })
}

/// Opens the file at `path` and reads an F0 payload from it, as
/// [`read_payload`] does; errors name the file by its path.
///
/// # Errors
/// [`Error::Parse`] when the file cannot be opened (with the operating
/// system's reason), or as [`read_payload`].
pub fn read_payload_file(path: &Path) -> Result<Payload> {
    let file = path.display().to_string();
    read_payload(open(path, &file)?, &file)
}

/// Writes `keys` as an F0 payload that [`read_payload`] reads back as the
/// same keys: one entry per key, in order, with `max` = `per_day`,
/// `time_start` = `rolling_start · L` and `time_end` = `(rolling_start +
/// rolling_period − 1) · L`, the starts of the window's first and last
/// slots, where `L = 86400 / per_day`. The JSON is on one line, followed by
/// `\n`; the key is in lowercase hex.
///
/// ```
/// use bluezone::formats::bluezone_app::{read_payload, write_payload};
/// use bluezone::{PublishedKeys, SchemeKind};
///
/// let mut keys = PublishedKeys::new(SchemeKind::Bluezone);
/// keys.push(&[0xab; 32], 1_761_408, 96)?;
/// let mut json = Vec::new();
/// write_payload(&keys, 96, &mut json)?;
/// assert_eq!(
///     String::from_utf8(json.clone())?,
///     format!(
///         "{{\"data\":[{{\"daily_key\":\"{}\",\"time_start\":1585267200,\"max\":96,\"time_end\":1585352700}}]}}\n",
///         "ab".repeat(32)
///     )
/// );
/// let payload = read_payload(&json[..], "f0.json")?;
/// assert_eq!((payload.keys, payload.per_day), (keys, 96));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// An error of kind [`io::ErrorKind::InvalidInput`], before anything is
/// written, whose inner error is a [`bluezone::Error`](Error): when the keys
/// are not of kind [`SchemeKind::Bluezone`] ([`Error::SchemeMismatch`]),
/// when `per_day` does not divide 86400 ([`Error::InvalidPerDay`]), when a
/// key's window is longer than the scheme's chain of daily keys or there are
/// more than [`MAX_ENTRIES`] keys ([`Error::InvalidKey`]); otherwise the
/// writer's I/O errors.
pub fn write_payload(keys: &PublishedKeys, per_day: u32, writer: impl Write) -> io::Result<()> {
    check_writable(keys, per_day)
        .map_err(|err| io::Error::new(io::ErrorKind::InvalidInput, err))?;
    let mut out = BufWriter::new(writer);
    serde_json::to_writer(&mut out, &PayloadOut { keys, per_day })?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Checks that `keys` can be written as a payload that reads back.
fn check_writable(keys: &PublishedKeys, per_day: u32) -> Result<()> {
    if keys.kind() != SchemeKind::Bluezone {
        return Err(Error::SchemeMismatch(format!(
            "an F0 payload holds bluezone keys, found {} keys",
            keys.kind()
        )));
    }
    Bluezone::new(per_day)?;
    if keys.len() > MAX_ENTRIES {
        return Err(Error::InvalidKey {
            index: MAX_ENTRIES,
            reason: format!("an F0 payload holds at most {MAX_ENTRIES} entries"),
        });
    }
    for (index, key) in keys.iter().enumerate() {
        let window = key.window;
        let days = u64::from(window.rolling_period() - 1) / u64::from(per_day);
        if days > MAX_CHAIN_DAYS {
            return Err(Error::InvalidKey {
                index,
                reason: Error::ChainTooLong {
                    interval: (window.end() - 1) as u32,
                    days,
                    max: MAX_CHAIN_DAYS,
                }
                .to_string(),
            });
        }
    }
    Ok(())
}

/// The window of an entry, `(rolling_start, rolling_period)` in slots of
/// `86400 / per_day` seconds, or the field at fault and what is wrong.
fn window(per_day: u32, time_start: u64, time_end: u64) -> Result<(u32, u32), (usize, String)> {
    if time_end < time_start {
        return Err((
            TIME_END,
            format!("expected a time at or after time_start {time_start}, found {time_end}"),
        ));
    }
    let length = u64::from(SECONDS_PER_DAY / per_day);
    let limit = (u64::from(u32::MAX) + 1) * length;
    for (field, time) in [(TIME_START, time_start), (TIME_END, time_end)] {
        if time >= limit {
            return Err((
                field,
                format!(
                    "expected a time before {limit}, the end of the last slot number {} in slots of {length} s, found {time}",
                    u32::MAX
                ),
            ));
        }
    }
    let first = (time_start / length) as u32;
    let last = (time_end / length) as u32;
    let days = u64::from(last - first) / u64::from(per_day);
    if days > MAX_CHAIN_DAYS {
        let chain = Error::ChainTooLong {
            interval: last,
            days,
            max: MAX_CHAIN_DAYS,
        };
        return Err((TIME_END, format!("the window is too long: {chain}")));
    }
    Ok((first, last - first + 1))
}

/// The payload as the writer writes it.
struct PayloadOut<'a> {
    keys: &'a PublishedKeys,
    per_day: u32,
}

impl Serialize for PayloadOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Payload", 1)?;
        out.serialize_field(DATA, &EntriesOut(self))?;
        out.end()
    }
}

/// The `data` array as the writer writes it.
struct EntriesOut<'a>(&'a PayloadOut<'a>);

impl Serialize for EntriesOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let per_day = self.0.per_day;
        let length = u64::from(SECONDS_PER_DAY / per_day);
        serializer.collect_seq(self.0.keys.iter().map(|key| EntryOut {
            key: key.key,
            time_start: u64::from(key.window.rolling_start()) * length,
            max: per_day,
            time_end: (key.window.end() - 1) * length,
        }))
    }
}

/// One entry as the writer writes it.
struct EntryOut<'a> {
    key: &'a [u8],
    time_start: u64,
    max: u32,
    time_end: u64,
}

impl Serialize for EntryOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut digits = [0u8; 2 * KEY_LEN];
        hex::encode_to_slice(self.key, &mut digits).map_err(ser::Error::custom)?;
        let daily_key = std::str::from_utf8(&digits).map_err(ser::Error::custom)?;
        let mut out = serializer.serialize_struct("Entry", FIELDS.len())?;
        out.serialize_field(FIELDS[DAILY_KEY], daily_key)?;
        out.serialize_field(FIELDS[TIME_START], &self.time_start)?;
        out.serialize_field(FIELDS[MAX], &self.max)?;
        out.serialize_field(FIELDS[TIME_END], &self.time_end)?;
        out.end()
    }
}
