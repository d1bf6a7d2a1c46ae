//! The data formats of Vietnam's 2020 Bluezone app: the F0 payload that its
//! server pushed, and the trace that a phone exported.
//!
//! Both carry the [`bluezone`](crate::scheme::bluezone) scheme's data: 32-byte
//! daily keys chained by SHA-256, and 12-byte IDs broadcast in slots of
//! `86400 / per_day` seconds.
//!
//! **The F0 payload** ([`read_payload`], [`write_payload`]) is JSON: the
//! daily keys of confirmed cases ("F0"), each with the span of time that it
//! covers.
//!
//! ```json
//! {"data":[{"daily_key":"000102…1f","time_start":1585785600,"max":144,"time_end":1586044200}]}
//! ```
//!
//! | field | value |
//! |---|---|
//! | `daily_key` | the daily key, 64 hex digits: the key of the day that begins at `time_start` |
//! | `time_start` | Unix seconds, an integer: the key's rolling start is the slot that holds it, `N = floor(time_start / L)` with `L = 86400 / max` |
//! | `max` | slots per day, a divisor of 86400 (144 or 96 in practice); the same in every entry |
//! | `time_end` | Unix seconds, an integer, at least `time_start`: the window runs to the slot that holds it, so its period is `floor(time_end / L) − N + 1` |
//!
//! A window of several days chains the daily key, as the scheme does: the
//! first key and its window cover every slot of the span.
//!
//! **The trace** ([`read_trace`], [`write_trace`]) is the app's
//! `data_trace.txt`: one sighting a line, four tab-separated fields.
//!
//! | field | value |
//! |---|---|
//! | `own_id` | the ID that the phone broadcast, 24 hex digits |
//! | `contact_id` | the ID that it heard, 24 hex digits |
//! | `rssi` | the received signal strength, in dBm, −128 to 127 |
//! | `timestamp` | when: milliseconds since the Unix epoch on Android, seconds on iOS |
//!
//! ```text
//! 4d4a0f3e0e9e7a9d4b1c2a35<TAB>893dae342437130ce5e23837<TAB>-67<TAB>1585786323456
//! ```
//!
//! The readers check every value and stop at the first problem with
//! [`Error::Parse`], which names the file, the place (the line of a trace;
//! the line of a JSON syntax error; the field of a payload entry, as
//! `data[3].time_end`) and what was expected and found:
//!
//! ```text
//! f0.json: column data[3].daily_key: expected 64 hex digits, found 62
//! data_trace.txt:7: column rssi: expected an RSSI in dBm from -128 to 127, found "-200"
//! ```
//!
//! The two meet in the matcher:
//!
//! ```
//! use bluezone::formats::bluezone_app::{read_payload, read_trace};
//! use bluezone::{Bluezone, LocalIndex, MatchOptions, Scheme};
//!
//! let payload = read_payload(
//!     r#"{"data":[{"daily_key":"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
//!                 "time_start":1585785600,"max":144,"time_end":1585871400}]}"#.as_bytes(),
//!     "f0.json",
//! )?;
//! // The key's ID of slot 2642977 (2020-04-02 00:10 UTC), heard at 00:12:03.456.
//! let trace = read_trace(
//!     "4d4a0f3e0e9e7a9d4b1c2a35\t893dae342437130ce5e23837\t-67\t1585786323456\n".as_bytes(),
//!     "data_trace.txt",
//! )?;
//! let scheme = Scheme::Bluezone(Bluezone::new(payload.per_day)?);
//! let index = LocalIndex::build(&trace.log, scheme, 7_200)?;
//! let matches = index.match_keys(&payload.keys, &MatchOptions::default())?;
//! assert_eq!(matches.intervals(), [2_642_977]);
//! # Ok::<(), bluezone::Error>(())
//! ```

mod payload;
mod trace;

#[cfg(test)]
mod tests;

use std::fs::File;
use std::path::Path;

use crate::{Error, Position, Result};

pub use payload::{MAX_ENTRIES, Payload, read_payload, read_payload_file, write_payload};
pub use trace::{
    MAX_LINE_BYTES, MILLISECONDS_FROM, TimeUnit, Trace, read_trace, read_trace_file, write_trace,
};

/// At most this many characters of a bad value are quoted in a message.
const SHOWN_CHARS: usize = 40;

/// `text` quoted for a message, shortened when long.
fn shown(text: &str) -> String {
    if text.chars().count() <= SHOWN_CHARS {
        format!("{text:?}")
    } else {
        let start: String = text.chars().take(SHOWN_CHARS).collect();
        format!("{:?}", start + "…")
    }
}

/// Opens a file to read, with an error that names it.
fn open(path: &Path, file: &str) -> Result<File> {
    File::open(path).map_err(|err| Error::Parse {
        file: file.to_owned(),
        position: Position::Whole,
        column: None,
        message: format!("cannot open the file: {err}"),
    })
}
