//! The trace export, `data_trace.txt`: the sightings that a phone logged.

use std::fmt;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

use super::{open, shown};
use crate::scheme::bluezone::ID_LEN;
use crate::{EncounterLog, Error, Position, Result, Sighting};

#[cfg(test)]
mod tests;

/// Timestamps from this value on are milliseconds, below it seconds: as
/// seconds it is the year 5138, as milliseconds 1973-03-03, so no timestamp
/// of the app's lifetime (2020 and after) is ambiguous.
pub const MILLISECONDS_FROM: i64 = 100_000_000_000;

/// The longest line that a trace may hold, in bytes with its line ending;
/// a sighting's line is about 70.
pub const MAX_LINE_BYTES: usize = 4096;

/// The number of fields of a line.
const FIELDS: usize = 4;
/// The names of the fields, as errors call them.
const OWN_ID: &str = "own_id";
const CONTACT_ID: &str = "contact_id";
const RSSI: &str = "rssi";
const TIMESTAMP: &str = "timestamp";

const RSSI_EXPECTED: &str = "an RSSI in dBm from -128 to 127";
const TIMESTAMP_EXPECTED: &str = "an integer number of milliseconds or seconds since the Unix epoch, from 0 to 9223372036854775807";

/// The unit of a trace's timestamps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    /// Milliseconds since the Unix epoch, as the Android app wrote them; the
    /// unit of an empty trace.
    #[default]
    Milliseconds,
    /// Seconds since the Unix epoch, as the iOS app wrote them.
    Seconds,
}

impl TimeUnit {
    /// The unit that a timestamp's magnitude tells: milliseconds from
    /// [`MILLISECONDS_FROM`] on, seconds below.
    ///
    /// ```
    /// use bluezone::formats::bluezone_app::TimeUnit;
    ///
    /// assert_eq!(TimeUnit::of(1_585_786_323_456), TimeUnit::Milliseconds);
    /// assert_eq!(TimeUnit::of(1_585_786_323), TimeUnit::Seconds);
    /// ```
    #[must_use]
    pub const fn of(timestamp: i64) -> Self {
        if timestamp >= MILLISECONDS_FROM {
            TimeUnit::Milliseconds
        } else {
            TimeUnit::Seconds
        }
    }

    /// The unit's name: `milliseconds` or `seconds`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            TimeUnit::Milliseconds => "milliseconds",
            TimeUnit::Seconds => "seconds",
        }
    }

    /// Timestamps per second.
    const fn per_second(self) -> i64 {
        match self {
            TimeUnit::Milliseconds => 1_000,
            TimeUnit::Seconds => 1,
        }
    }
}

impl fmt::Display for TimeUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A phone's trace: its sightings, the IDs it broadcast when it made them,
/// and the unit its timestamps were in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// The sightings, one per line: the contact's ID, the time in whole
    /// seconds and the RSSI; IDs of 12 bytes.
    pub log: EncounterLog,
    /// The phone's own ID on each line, one per sighting.
    pub own_ids: Vec<[u8; ID_LEN]>,
    /// The unit of the file's timestamps.
    pub unit: TimeUnit,
}

/// Reads a trace: one sighting a line, the four tab-separated fields
/// `own_id`, `contact_id` (24 hex digits each), `rssi` (dBm) and
/// `timestamp`. `file` names the input in errors.
///
/// The timestamps of a file are all milliseconds (Android) or all seconds
/// (iOS), which their magnitude tells ([`TimeUnit::of`]). Each sighting is
/// the contact's ID at the timestamp in whole seconds: milliseconds are
/// divided by 1000, rounding down. The sub-second part that this drops is
/// not data that the matcher uses: it compares times with slots of minutes
/// and a tolerance of hours, in whole seconds, and a time rounded down stays
/// in the slot that holds the exact time.
///
/// Lines may end in `\n` or `\r\n`, the last one may end without either,
/// blank lines are skipped, and spaces around a field are ignored. Hex may
/// be in either case.
///
/// ```
/// use bluezone::formats::bluezone_app::{TimeUnit, read_trace};
///
/// let text = "4d4a0f3e0e9e7a9d4b1c2a35\t893dae342437130ce5e23837\t-67\t1585786323456\r\n\
///             4d4a0f3e0e9e7a9d4b1c2a35\t970e23c0e19de93f8cc4057b\t-80\t1585872059999\r\n";
/// let trace = read_trace(text.as_bytes(), "data_trace.txt")?;
/// assert_eq!(trace.unit, TimeUnit::Milliseconds);
/// assert_eq!(trace.log.times(), &[1_585_786_323, 1_585_872_059]);
/// assert_eq!(trace.log.rssi(), &[-67, -80]);
///
/// let bad = text.replace("1585872059999", "1585872059");
/// assert_eq!(
///     read_trace(bad.as_bytes(), "data_trace.txt").unwrap_err().to_string(),
///     "data_trace.txt:2: column timestamp: found 1585872059 in seconds, but line 1 has \
///      1585786323456 in milliseconds; the timestamps of a file are all in milliseconds \
///      (100000000000 and above) or all in seconds"
/// );
/// # Ok::<(), bluezone::Error>(())
/// ```
///
/// # Errors
/// [`Error::Parse`] at the first bad line, with its 1-based line number and
/// the field at fault: a line that does not have four fields or is longer
/// than [`MAX_LINE_BYTES`], an ID that is not 24 hex digits (the error
/// names the field, and the bad character and its position), an RSSI that
/// is not an integer from −128 to 127, a timestamp that is not an integer
/// from 0 to 2<sup>63</sup> − 1 or whose unit is not the unit of the file's
/// first line, text that is not UTF-8, or a failure to read.
pub fn read_trace(reader: impl Read, file: &str) -> Result<Trace> {
    let mut reader = BufReader::new(reader);
    let mut trace = Trace {
        log: EncounterLog::new(ID_LEN)?,
        own_ids: Vec::new(),
        unit: TimeUnit::default(),
    };
    // The unit of the first sighting, its line and its timestamp.
    let mut first: Option<(TimeUnit, u64, i64)> = None;
    let mut buffer = Vec::new();
    let mut line = 0u64;
    loop {
        buffer.clear();
        line += 1;
        let at = |column: Option<&str>, message: String| Error::Parse {
            file: file.to_owned(),
            position: Position::Line(line),
            column: column.map(str::to_owned),
            message,
        };
        let read = (&mut reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buffer)
            .map_err(|err| at(None, format!("cannot read the file: {err}")))?;
        if read == 0 {
            break;
        }
        if read > MAX_LINE_BYTES {
            return Err(at(
                None,
                format!("expected a line of at most {MAX_LINE_BYTES} bytes, found a longer one"),
            ));
        }
        let text = buffer.strip_suffix(b"\n").unwrap_or(&buffer);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.trim_ascii().is_empty() {
            continue;
        }
        let row = parse_line(text).map_err(|(column, message)| at(column, message))?;
        let unit = TimeUnit::of(row.timestamp);
        match first {
            None => first = Some((unit, line, row.timestamp)),
            Some((first_unit, first_line, first_timestamp)) if first_unit != unit => {
                return Err(at(
                    Some(TIMESTAMP),
                    format!(
                        "found {} in {unit}, but line {first_line} has {first_timestamp} in \
                         {first_unit}; the timestamps of a file are all in milliseconds \
                         ({MILLISECONDS_FROM} and above) or all in seconds",
                        row.timestamp
                    ),
                ));
            }
            Some(_) => {}
        }
        trace
            .log
            .push(&Sighting {
                id: &row.contact_id,
                time: row.timestamp / unit.per_second(),
                rssi: row.rssi,
                tx_power: None,
                duration: None,
            })
            .map_err(|err| at(None, err.to_string()))?;
        trace.own_ids.push(row.own_id);
    }
    if let Some((unit, _, _)) = first {
        trace.unit = unit;
    }
    Ok(trace)
}

/// Opens the file at `path` and reads a trace from it, as [`read_trace`]
/// does; errors name the file by its path.
///
/// # Errors
/// [`Error::Parse`] when the file cannot be opened (with the operating
/// system's reason), or as [`read_trace`].
pub fn read_trace_file(path: &Path) -> Result<Trace> {
    let file = path.display().to_string();
    read_trace(open(path, &file)?, &file)
}

/// Writes a trace that [`read_trace`] reads back: one line per sighting,
/// `own_id`, `contact_id`, `rssi` and `timestamp` separated by tabs, the IDs
/// in lowercase hex, the timestamp in `unit` (the sighting's whole seconds,
/// times 1000 for milliseconds), each line ending in `\n`. The trace's own
/// `unit` field is not used, so a trace can be written in either unit.
///
/// ```
/// use bluezone::EncounterLog;
/// use bluezone::formats::bluezone_app::{TimeUnit, Trace, read_trace, write_trace};
///
/// let trace = Trace {
///     log: EncounterLog::from_columns(12, &[0x0f; 12], &[1_585_786_323], &[-67])?,
///     own_ids: vec![[0xa0; 12]],
///     unit: TimeUnit::Seconds,
/// };
/// let mut text = Vec::new();
/// write_trace(&trace, TimeUnit::Milliseconds, &mut text)?;
/// assert_eq!(
///     String::from_utf8(text.clone())?,
///     "a0a0a0a0a0a0a0a0a0a0a0a0\t0f0f0f0f0f0f0f0f0f0f0f0f\t-67\t1585786323000\n"
/// );
/// let back = read_trace(&text[..], "data_trace.txt")?;
/// assert_eq!((back.log, back.unit), (trace.log, TimeUnit::Milliseconds));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// An error of kind [`io::ErrorKind::InvalidInput`], before anything is
/// written, when the log's IDs are not 12 bytes, when there is not one own
/// ID per sighting, or when a time cannot be written in `unit` so that it
/// reads back: a negative time, a time in seconds from
/// [`MILLISECONDS_FROM`] on, or a time in milliseconds below it (before
/// 1973-03-03) or past `i64::MAX`; otherwise the writer's I/O errors.
pub fn write_trace(trace: &Trace, unit: TimeUnit, writer: impl Write) -> io::Result<()> {
    check_writable(trace, unit)
        .map_err(|message| io::Error::new(io::ErrorKind::InvalidInput, message))?;
    let mut out = BufWriter::new(writer);
    let mut own = [0u8; 2 * ID_LEN];
    let mut contact = [0u8; 2 * ID_LEN];
    for (sighting, own_id) in trace.log.iter().zip(&trace.own_ids) {
        hex::encode_to_slice(own_id, &mut own).map_err(io::Error::other)?;
        hex::encode_to_slice(sighting.id, &mut contact).map_err(io::Error::other)?;
        out.write_all(&own)?;
        out.write_all(b"\t")?;
        out.write_all(&contact)?;
        writeln!(
            out,
            "\t{}\t{}",
            sighting.rssi,
            sighting.time * unit.per_second()
        )?;
    }
    out.flush()
}

/// Checks that `trace` can be written in `unit` so that it reads back.
fn check_writable(trace: &Trace, unit: TimeUnit) -> Result<(), String> {
    if trace.log.id_len() != ID_LEN {
        return Err(format!(
            "a trace holds IDs of {ID_LEN} bytes, found a log of {}-byte IDs",
            trace.log.id_len()
        ));
    }
    if trace.own_ids.len() != trace.log.len() {
        return Err(format!(
            "a trace has one own ID per sighting, found {} sightings and {} own IDs",
            trace.log.len(),
            trace.own_ids.len()
        ));
    }
    for (index, &time) in trace.log.times().iter().enumerate() {
        let problem = if time < 0 {
            Some("a trace holds no time before 1970")
        } else if unit == TimeUnit::Seconds && time >= MILLISECONDS_FROM {
            Some("a reader takes timestamps from 100000000000 on for milliseconds")
        } else if unit == TimeUnit::Milliseconds && time < MILLISECONDS_FROM / 1_000 {
            Some("a reader takes timestamps below 100000000000 for seconds")
        } else if unit == TimeUnit::Milliseconds && time > i64::MAX / 1_000 {
            Some("it is past the largest timestamp 9223372036854775807")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(format!(
                "sighting {index}: time {time} s cannot be written in {unit}: {problem}"
            ));
        }
    }
    Ok(())
}

/// The fields of a line.
struct Row {
    own_id: [u8; ID_LEN],
    contact_id: [u8; ID_LEN],
    rssi: i8,
    timestamp: i64,
}

/// Parses a line without its line ending, or says which field is wrong
/// (`None` for the line as a whole) and how.
fn parse_line(line: &[u8]) -> Result<Row, (Option<&'static str>, String)> {
    let text = std::str::from_utf8(line).map_err(|err| {
        (
            None,
            format!(
                "expected UTF-8 text, found a byte that is not UTF-8 at byte {} of the line",
                err.valid_up_to() + 1
            ),
        )
    })?;
    let mut fields = [""; FIELDS];
    let mut count = 0;
    for field in text.split('\t') {
        if let Some(slot) = fields.get_mut(count) {
            *slot = field.trim_ascii();
        }
        count += 1;
    }
    if count != FIELDS {
        return Err((
            None,
            format!(
                "expected {FIELDS} tab-separated fields ({OWN_ID}, {CONTACT_ID}, {RSSI}, {TIMESTAMP}), found {count}"
            ),
        ));
    }
    let [own_id, contact_id, rssi, timestamp] = fields;
    let id = |column: &'static str, text: &str| {
        crate::hex::decode_array(text).map_err(|err| (Some(column), err.to_string()))
    };
    let expected = |column: &'static str, expected: &str, text: &str| {
        (
            Some(column),
            format!("expected {expected}, found {}", shown(text)),
        )
    };
    Ok(Row {
        own_id: id(OWN_ID, own_id)?,
        contact_id: id(CONTACT_ID, contact_id)?,
        rssi: rssi
            .parse()
            .map_err(|_| expected(RSSI, RSSI_EXPECTED, rssi))?,
        timestamp: timestamp
            .parse()
            .ok()
            .filter(|&timestamp: &i64| timestamp >= 0)
            .ok_or_else(|| expected(TIMESTAMP, TIMESTAMP_EXPECTED, timestamp))?,
    })
}
