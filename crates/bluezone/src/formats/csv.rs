//! Comma-separated text: published keys and encounter logs.
//!
//! Both formats are CSV files with a header line that names the columns.
//! Columns are matched by name and may come in any order; the first three of
//! each format are required and the others optional.
//!
//! **Keys** ([`read_keys`], [`write_keys`]):
//!
//! | column | required | value |
//! |---|---|---|
//! | `key` | yes | the key in hex, [`SchemeKind::key_len`] bytes (16 for `gaen` and `b3`, 32 for `bluezone`) |
//! | `rolling_start` | yes | the first interval of the key's window, 0 to 4294967295, in the scheme's intervals |
//! | `rolling_period` | yes | the window's length in intervals, at least 1, and the window ends by interval 2<sup>32</sup> |
//! | `report_type` | no | the [`ReportType`] code, 0 to 5 |
//! | `days_since_onset` | no | days from the onset of symptoms, an `i32` |
//! | `transmission_risk` | no | the transmission risk level, 0 to 255 |
//!
//! ```text
//! key,rolling_start,rolling_period
//! 75c734c6dd1a782de7a965da5eb93125,2642976,144
//! ```
//!
//! **Encounters** ([`read_encounters`], [`write_encounters`]):
//!
//! | column | required | value |
//! |---|---|---|
//! | `id` | yes | the ID heard, in hex: 12 or 16 bytes, as the log's ID length |
//! | `time` | yes | when, in seconds since the Unix epoch (an `i64`) |
//! | `rssi` | yes | the received signal strength in dBm, -128 to 127 |
//! | `tx_power` | no | the sender's transmit power in dBm, -128 to 127 |
//! | `duration` | no | how long the ID was heard, in seconds, 0 to 4294967295 |
//!
//! An empty cell in an optional column means "not given". Spaces around a
//! cell are ignored, lines may end in `\n` or `\r\n`, the last line may end
//! without one, and blank lines are skipped. Hex may be in either case and
//! is written in lowercase.
//!
//! The readers stop at the first bad row with [`Error::Parse`], which names
//! the file, the 1-based line of the row and the column, and says what was
//! expected and what was found:
//!
//! ```text
//! keys.csv:7: column rolling_start: expected an interval number from 0 to 4294967295, found "abc"
//! ```

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::str::FromStr;

use ::csv::{ByteRecord, Reader, ReaderBuilder, WriterBuilder};

use crate::time::KeyWindow;
use crate::{
    EncounterLog, Error, KeyMetadata, Position, PublishedKeys, ReportType, Result, SchemeKind,
    Sighting,
};

/// The columns of a CSV format; the first [`REQUIRED`] are required.
struct Format {
    names: &'static [&'static str],
}

/// The number of required columns, the first of every format.
const REQUIRED: usize = 3;

/// The columns of a keys file.
const KEYS: Format = Format {
    names: &[
        "key",
        "rolling_start",
        "rolling_period",
        "report_type",
        "days_since_onset",
        "transmission_risk",
    ],
};
const KEY: usize = 0;
const ROLLING_START: usize = 1;
const ROLLING_PERIOD: usize = 2;
const REPORT_TYPE: usize = 3;
const DAYS_SINCE_ONSET: usize = 4;
const TRANSMISSION_RISK: usize = 5;

/// The columns of an encounters file.
const ENCOUNTERS: Format = Format {
    names: &["id", "time", "rssi", "tx_power", "duration"],
};
const ID: usize = 0;
const TIME: usize = 1;
const RSSI: usize = 2;
const TX_POWER: usize = 3;
const DURATION: usize = 4;

/// Reads published keys from CSV text: a header line naming the columns
/// `key,rolling_start,rolling_period` (in any order), optionally
/// `report_type`, `days_since_onset` and `transmission_risk`, then one key a
/// line. `file` names the input in errors.
///
/// ```
/// use bluezone::SchemeKind;
/// use bluezone::formats::csv::read_keys;
///
/// let text = "key,rolling_start,rolling_period\n\
///             75c734c6dd1a782de7a965da5eb93125,2642976,144\n";
/// let keys = read_keys(text.as_bytes(), "keys.csv", SchemeKind::Gaen)?;
/// assert_eq!(keys.len(), 1);
/// assert_eq!(keys.rolling_starts(), &[2_642_976]);
///
/// let bad = "key,rolling_start,rolling_period\n\
///            75c734c6dd1a782de7a965da5eb931,2642976,144\n";
/// let err = read_keys(bad.as_bytes(), "keys.csv", SchemeKind::Gaen).unwrap_err();
/// assert_eq!(err.to_string(), "keys.csv:2: column key: expected 32 hex digits, found 30");
/// # Ok::<(), bluezone::Error>(())
/// ```
///
/// # Errors
/// [`Error::Parse`] at the first problem: no header line, a missing,
/// unknown or repeated column, a row with another number of fields than the
/// header, a cell that is not a valid value for its column, text that is not
/// UTF-8, or a failure to read.
pub fn read_keys(reader: impl Read, file: &str, kind: SchemeKind) -> Result<PublishedKeys> {
    let mut keys = PublishedKeys::new(kind);
    let mut key = vec![0u8; kind.key_len()];
    read_table(reader, file, &KEYS, |cells| {
        crate::hex::decode_into(cells.required(KEY)?, &mut key)
            .map_err(|err| CellError::new(KEYS.names[KEY], err.to_string()))?;
        let rolling_start: u32 = cells.number(ROLLING_START, INTERVAL_EXPECTED)?;
        let rolling_period: u32 = cells.number(ROLLING_PERIOD, PERIOD_EXPECTED)?;
        KeyWindow::new(rolling_start, rolling_period).map_err(|err| {
            let reason = if rolling_period == 0 {
                "the period must be at least 1"
            } else {
                "the window runs past the last interval number 4294967295"
            };
            CellError::new(KEYS.names[ROLLING_PERIOD], format!("{err} ({reason})"))
        })?;
        let report_type = match cells.optional_number::<u8>(REPORT_TYPE, REPORT_TYPE_EXPECTED)? {
            None => ReportType::Unknown,
            Some(code) => ReportType::from_code(code)
                .ok_or_else(|| cells.not_expected(REPORT_TYPE, REPORT_TYPE_EXPECTED))?,
        };
        let metadata = KeyMetadata {
            report_type,
            days_since_onset: cells.optional_number(DAYS_SINCE_ONSET, DAYS_EXPECTED)?,
            transmission_risk: cells.optional_number(TRANSMISSION_RISK, RISK_EXPECTED)?,
        };
        keys.push_with_metadata(&key, rolling_start, rolling_period, metadata)
            .map_err(CellError::row)
    })?;
    Ok(keys)
}

/// Reads an encounter log from CSV text: a header line naming the columns
/// `id,time,rssi` (in any order), optionally `tx_power` and `duration`, then
/// one sighting a line. The IDs are `id_len` bytes (12 or 16); `file` names
/// the input in errors.
///
/// An optional column that the header names is kept in the log even when
/// all its cells are empty, so that writing the log gives the same columns
/// back.
///
/// ```
/// use bluezone::formats::csv::read_encounters;
///
/// let text = "id,time,rssi,tx_power\n\
///             8be6cd371c5c891604bfbe49df845096,1763769600,-61,\n\
///             3c9a1de5dd6b02afa7fded7b570b3e56,1763770200,-75,-8\n";
/// let log = read_encounters(text.as_bytes(), "log.csv", 16)?;
/// assert_eq!(log.len(), 2);
/// assert_eq!(log.rssi(), &[-61, -75]);
/// assert_eq!(log.tx_power(), Some(&[None, Some(-8)][..]));
///
/// let bad = "id,time,rssi\n8be6cd371c5c891604bfbe49df845096,1763769600,-200\n";
/// let err = read_encounters(bad.as_bytes(), "log.csv", 16).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "log.csv:2: column rssi: expected an RSSI in dBm from -128 to 127, found \"-200\""
/// );
/// # Ok::<(), bluezone::Error>(())
/// ```
///
/// # Errors
/// [`Error::IdLength`] when `id_len` is not 12 or 16; otherwise
/// [`Error::Parse`] as for [`read_keys`].
pub fn read_encounters(reader: impl Read, file: &str, id_len: usize) -> Result<EncounterLog> {
    let mut log = EncounterLog::new(id_len)?;
    let mut id = vec![0u8; id_len];
    let header = read_table(reader, file, &ENCOUNTERS, |cells| {
        crate::hex::decode_into(cells.required(ID)?, &mut id)
            .map_err(|err| CellError::new(ENCOUNTERS.names[ID], err.to_string()))?;
        let sighting = Sighting {
            id: &id,
            time: cells.number(TIME, TIME_EXPECTED)?,
            rssi: cells.number(RSSI, RSSI_EXPECTED)?,
            tx_power: cells.optional_number(TX_POWER, TX_POWER_EXPECTED)?,
            duration: cells.optional_number(DURATION, DURATION_EXPECTED)?,
        };
        log.push(&sighting).map_err(CellError::row)
    })?;
    let rows = log.len();
    if header.has(TX_POWER) && log.tx_power().is_none() {
        log = log.with_tx_power(vec![None; rows])?;
    }
    if header.has(DURATION) && log.duration().is_none() {
        log = log.with_duration(vec![None; rows])?;
    }
    Ok(log)
}

/// Opens the file at `path` and reads published keys from it, as
/// [`read_keys`] does; errors name the file by its path.
///
/// # Errors
/// [`Error::Parse`] when the file cannot be opened (with the operating
/// system's reason), or as [`read_keys`].
pub fn read_keys_file(path: &Path, kind: SchemeKind) -> Result<PublishedKeys> {
    let file = path.display().to_string();
    read_keys(open(path, &file)?, &file, kind)
}

/// Opens the file at `path` and reads an encounter log from it, as
/// [`read_encounters`] does; errors name the file by its path.
///
/// # Errors
/// [`Error::Parse`] when the file cannot be opened (with the operating
/// system's reason), or as [`read_encounters`].
pub fn read_encounters_file(path: &Path, id_len: usize) -> Result<EncounterLog> {
    let file = path.display().to_string();
    read_encounters(open(path, &file)?, &file, id_len)
}

/// Writes published keys as CSV text that [`read_keys`] reads back: the
/// columns `key,rolling_start,rolling_period`, followed by
/// `report_type,days_since_onset,transmission_risk` when any key has
/// metadata ([`PublishedKeys::has_metadata`]). A field that was not given
/// (report type [`ReportType::Unknown`], no days since onset, no
/// transmission risk) is an empty cell. Hex is lowercase and lines end in
/// `\n`.
///
/// ```
/// use bluezone::{PublishedKeys, SchemeKind};
/// use bluezone::formats::csv::write_keys;
///
/// let mut keys = PublishedKeys::new(SchemeKind::Gaen);
/// keys.push(&[0xab; 16], 2_642_976, 144)?;
/// let mut text = Vec::new();
/// write_keys(&keys, &mut text)?;
/// assert_eq!(
///     String::from_utf8(text).unwrap(),
///     "key,rolling_start,rolling_period\nabababababababababababababababab,2642976,144\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// The writer's I/O errors.
pub fn write_keys(keys: &PublishedKeys, writer: impl Write) -> io::Result<()> {
    let metadata = keys.has_metadata();
    let columns = if metadata {
        KEYS.names
    } else {
        &KEYS.names[..REQUIRED]
    };
    let mut out = WriterBuilder::new().from_writer(writer);
    out.write_record(columns)?;
    let mut record = ByteRecord::new();
    let mut scratch = Vec::new();
    for key in keys.iter() {
        record.clear();
        push_hex(&mut record, &mut scratch, key.key);
        push_number(&mut record, &mut scratch, key.window.rolling_start())?;
        push_number(&mut record, &mut scratch, key.window.rolling_period())?;
        if metadata {
            let given = key.metadata;
            let report_type =
                (given.report_type != ReportType::Unknown).then_some(given.report_type.code());
            push_optional(&mut record, &mut scratch, report_type)?;
            push_optional(&mut record, &mut scratch, given.days_since_onset)?;
            push_optional(&mut record, &mut scratch, given.transmission_risk)?;
        }
        out.write_byte_record(&record)?;
    }
    out.flush()
}

/// Writes an encounter log as CSV text that [`read_encounters`] reads back:
/// the columns `id,time,rssi`, followed by `tx_power` and `duration` when
/// the log has them, with an empty cell where a value was not given. Hex is
/// lowercase and lines end in `\n`.
///
/// ```
/// use bluezone::EncounterLog;
/// use bluezone::formats::csv::write_encounters;
///
/// let log = EncounterLog::from_columns(12, &[0x0f; 12], &[1_763_769_600], &[-61])?
///     .with_duration(vec![Some(300)])?;
/// let mut text = Vec::new();
/// write_encounters(&log, &mut text)?;
/// assert_eq!(
///     String::from_utf8(text).unwrap(),
///     "id,time,rssi,duration\n0f0f0f0f0f0f0f0f0f0f0f0f,1763769600,-61,300\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// The writer's I/O errors.
pub fn write_encounters(log: &EncounterLog, writer: impl Write) -> io::Result<()> {
    let tx_power = log.tx_power();
    let duration = log.duration();
    let mut columns = ENCOUNTERS.names[..REQUIRED].to_vec();
    if tx_power.is_some() {
        columns.push(ENCOUNTERS.names[TX_POWER]);
    }
    if duration.is_some() {
        columns.push(ENCOUNTERS.names[DURATION]);
    }
    let mut out = WriterBuilder::new().from_writer(writer);
    out.write_record(&columns)?;
    let mut record = ByteRecord::new();
    let mut scratch = Vec::new();
    for sighting in log.iter() {
        record.clear();
        push_hex(&mut record, &mut scratch, sighting.id);
        push_number(&mut record, &mut scratch, sighting.time)?;
        push_number(&mut record, &mut scratch, sighting.rssi)?;
        if tx_power.is_some() {
            push_optional(&mut record, &mut scratch, sighting.tx_power)?;
        }
        if duration.is_some() {
            push_optional(&mut record, &mut scratch, sighting.duration)?;
        }
        out.write_byte_record(&record)?;
    }
    out.flush()
}

const INTERVAL_EXPECTED: &str = "an interval number from 0 to 4294967295";
const PERIOD_EXPECTED: &str = "a number of intervals from 1 to 4294967295";
const REPORT_TYPE_EXPECTED: &str = "a report type code from 0 to 5";
const DAYS_EXPECTED: &str = "a number of days from -2147483648 to 2147483647";
const RISK_EXPECTED: &str = "a transmission risk level from 0 to 255";
const TIME_EXPECTED: &str =
    "a time in Unix seconds from -9223372036854775808 to 9223372036854775807";
const RSSI_EXPECTED: &str = "an RSSI in dBm from -128 to 127";
const TX_POWER_EXPECTED: &str = "a transmit power in dBm from -128 to 127";
const DURATION_EXPECTED: &str = "a duration in seconds from 0 to 4294967295";

/// At most this many characters of a bad value are quoted in a message.
const SHOWN_CHARS: usize = 40;

/// What is wrong with a row, before the file and line are known.
struct CellError {
    column: Option<&'static str>,
    message: String,
}

impl CellError {
    fn new(column: &'static str, message: String) -> Self {
        Self {
            column: Some(column),
            message,
        }
    }

    /// An error about the row as a whole.
    #[allow(clippy::needless_pass_by_value)] // used as `map_err(CellError::row)`
    fn row(err: Error) -> Self {
        Self {
            column: None,
            message: err.to_string(),
        }
    }

    fn at(self, file: &str, line: u64) -> Error {
        Error::Parse {
            file: file.to_owned(),
            position: Position::Line(line),
            column: self.column.map(str::to_owned),
            message: self.message,
        }
    }
}

/// Where a file's header put each column of its format.
struct Header {
    /// The field of each of the format's columns, `None` when absent.
    index: Vec<Option<usize>>,
    /// The number of fields of every row.
    fields: usize,
}

impl Header {
    fn has(&self, column: usize) -> bool {
        self.index.get(column).copied().flatten().is_some()
    }
}

/// The cells of one data row.
struct Cells<'a> {
    record: &'a ByteRecord,
    header: &'a Header,
    names: &'static [&'static str],
}

impl<'a> Cells<'a> {
    /// The trimmed text of `column`, or `None` when the header lacks it.
    fn text(&self, column: usize) -> Result<Option<&'a str>, CellError> {
        let Some(field) = self.header.index.get(column).copied().flatten() else {
            return Ok(None);
        };
        let bytes = self.record.get(field).unwrap_or_default().trim_ascii();
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Some(text)),
            Err(err) => Err(CellError::new(
                self.names[column],
                format!(
                    "expected UTF-8 text, found a byte that is not UTF-8 at byte {} of the cell",
                    err.valid_up_to() + 1
                ),
            )),
        }
    }

    /// The text of a required column.
    fn required(&self, column: usize) -> Result<&'a str, CellError> {
        Ok(self.text(column)?.unwrap_or_default())
    }

    /// The text of an optional column, `None` when absent or empty.
    fn optional(&self, column: usize) -> Result<Option<&'a str>, CellError> {
        Ok(self.text(column)?.filter(|text| !text.is_empty()))
    }

    /// The value of a required column.
    fn number<T: FromStr>(&self, column: usize, expected: &str) -> Result<T, CellError> {
        let text = self.required(column)?;
        text.parse()
            .map_err(|_| self.not_expected(column, expected))
    }

    /// The value of an optional column, `None` when absent or empty.
    fn optional_number<T: FromStr>(
        &self,
        column: usize,
        expected: &str,
    ) -> Result<Option<T>, CellError> {
        match self.optional(column)? {
            None => Ok(None),
            Some(text) => text
                .parse()
                .map(Some)
                .map_err(|_| self.not_expected(column, expected)),
        }
    }

    /// "expected …, found …" for the cell of `column`.
    fn not_expected(&self, column: usize, expected: &str) -> CellError {
        let found = self.text(column).ok().flatten().unwrap_or_default();
        CellError::new(
            self.names[column],
            format!("expected {expected}, found {}", shown(found)),
        )
    }
}

/// Reads a CSV table of `format`: checks the header, then hands every data
/// row to `row`, and returns the header.
fn read_table<R: Read>(
    reader: R,
    file: &str,
    format: &Format,
    mut row: impl FnMut(&Cells<'_>) -> Result<(), CellError>,
) -> Result<Header> {
    let mut csv = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(Tail::new(reader));
    let mut record = ByteRecord::new();
    let header = loop {
        if !next_record(&mut csv, &mut record, file)? {
            let found = if csv.position().byte() == 0 {
                "an empty file"
            } else {
                "only blank lines"
            };
            return Err(Error::Parse {
                file: file.to_owned(),
                position: Position::Whole,
                column: None,
                message: format!(
                    "expected the header line \"{}\", found {found}",
                    format.names[..REQUIRED].join(",")
                ),
            });
        }
        if !is_blank(&record) {
            break parse_header(&record, format, file, record_line(&csv, &record))?;
        }
    };
    while next_record(&mut csv, &mut record, file)? {
        if is_blank(&record) {
            continue;
        }
        if record.len() != header.fields {
            return Err(CellError {
                column: None,
                message: format!(
                    "expected {} fields as in the header, found {}",
                    header.fields,
                    record.len()
                ),
            }
            .at(file, record_line(&csv, &record)));
        }
        let cells = Cells {
            record: &record,
            header: &header,
            names: format.names,
        };
        row(&cells).map_err(|err| err.at(file, record_line(&csv, &record)))?;
    }
    Ok(header)
}

/// Reads the next record; `false` at the end of the input.
fn next_record<R: Read>(
    csv: &mut Reader<Tail<R>>,
    record: &mut ByteRecord,
    file: &str,
) -> Result<bool> {
    csv.read_byte_record(record).map_err(|err| {
        let at = csv.position();
        let message = match err.kind() {
            ::csv::ErrorKind::Io(io) => format!("cannot read the file: {io}"),
            _ => err.to_string(),
        };
        Error::Parse {
            file: file.to_owned(),
            position: if at.byte() == 0 {
                Position::Whole
            } else {
                Position::Line(at.line())
            },
            column: None,
            message,
        }
    })
}

/// Checks a header line against `format` and finds its columns.
fn parse_header(record: &ByteRecord, format: &Format, file: &str, line: u64) -> Result<Header> {
    let error = |column: Option<String>, message: String| Error::Parse {
        file: file.to_owned(),
        position: Position::Line(line),
        column,
        message,
    };
    let mut names = Vec::with_capacity(record.len());
    for (field, bytes) in record.iter().enumerate() {
        let mut bytes = bytes.trim_ascii();
        if field == 0 {
            // A byte-order mark, as some spreadsheets write.
            bytes = bytes
                .strip_prefix(b"\xef\xbb\xbf")
                .unwrap_or(bytes)
                .trim_ascii();
        }
        let name = std::str::from_utf8(bytes).map_err(|_| {
            error(
                None,
                format!("field {} of the header is not UTF-8 text", field + 1),
            )
        })?;
        names.push(name);
    }
    if !names.iter().any(|name| format.names.contains(name)) {
        return Err(error(
            None,
            format!(
                "expected the header line \"{}\", found {}",
                format.names[..REQUIRED].join(","),
                shown(&names.join(","))
            ),
        ));
    }
    let mut index = vec![None; format.names.len()];
    for (field, name) in names.iter().enumerate() {
        if name.is_empty() {
            return Err(error(
                None,
                format!(
                    "field {} of the header is empty: expected a column name",
                    field + 1
                ),
            ));
        }
        let Some(column) = format.names.iter().position(|known| known == name) else {
            return Err(error(
                Some(column_label(name)),
                format!(
                    "unknown column: expected one of {}",
                    format.names.join(", ")
                ),
            ));
        };
        if let Some(first) = index[column] {
            return Err(error(
                Some((*name).to_owned()),
                format!(
                    "appears twice in the header, as fields {} and {}",
                    first + 1,
                    field + 1
                ),
            ));
        }
        index[column] = Some(field);
    }
    if let Some(missing) = (0..REQUIRED).find(|&column| index[column].is_none()) {
        return Err(error(
            Some(format.names[missing].to_owned()),
            format!(
                "missing from the header, which must name {}, {} and {}",
                format.names[0], format.names[1], format.names[2]
            ),
        ));
    }
    Ok(Header {
        index,
        fields: record.len(),
    })
}

/// Whether a record is a line of nothing but spaces.
fn is_blank(record: &ByteRecord) -> bool {
    record.len() == 1 && record.get(0).unwrap_or_default().trim_ascii().is_empty()
}

/// The 1-based line on which `record`, just read, starts.
///
/// The `csv` crate gives a record the line where its reader stopped after
/// the previous record, which is too early after blank lines and `\r\n`
/// endings. Counting back from where the reader stands now is exact: the
/// record spans its own newlines (inside quotes) and the `\n` that ended it.
fn record_line<R: Read>(csv: &Reader<Tail<R>>, record: &ByteRecord) -> u64 {
    let after = csv.position();
    let inside: u64 = record
        .as_slice()
        .iter()
        .map(|&byte| u64::from(byte == b'\n'))
        .sum();
    let ended_by_newline = after
        .byte()
        .checked_sub(1)
        .and_then(|offset| csv.get_ref().byte_at(offset))
        == Some(b'\n');
    let earliest = record.position().map_or(1, ::csv::Position::line);
    after
        .line()
        .saturating_sub(inside + u64::from(ended_by_newline))
        .max(earliest)
}

/// A reader that keeps the last chunk it read, so that the byte that ended
/// a record can be looked up.
struct Tail<R> {
    inner: R,
    chunk: Vec<u8>,
    chunk_start: u64,
    read: u64,
    /// An error met after some bytes were read, for the next call.
    pending: Option<io::Error>,
}

impl<R> Tail<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            chunk: Vec::new(),
            chunk_start: 0,
            read: 0,
            pending: None,
        }
    }

    /// The byte at `offset` from the start of the input, if it is in the
    /// last chunk read.
    fn byte_at(&self, offset: u64) -> Option<u8> {
        let index = usize::try_from(offset.checked_sub(self.chunk_start)?).ok()?;
        self.chunk.get(index).copied()
    }
}

impl<R: Read> Read for Tail<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Fill the whole buffer unless the input ends: what the CSV parser
        // sees at once (where it looks for a byte-order mark, notably) must
        // not depend on how the input arrives, in one piece or byte by byte.
        if let Some(err) = self.pending.take() {
            return Err(err);
        }
        let mut count = 0;
        while count < buf.len() {
            match self.inner.read(&mut buf[count..]) {
                Ok(0) => break,
                Ok(read) => count += read,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                // The bytes read so far are handed over first.
                Err(err) if count > 0 => {
                    self.pending = Some(err);
                    break;
                }
                Err(err) => return Err(err),
            }
        }
        if let Some(bytes) = buf.get(..count).filter(|bytes| !bytes.is_empty()) {
            self.chunk.clear();
            self.chunk.extend_from_slice(bytes);
            self.chunk_start = self.read;
            self.read += count as u64;
        }
        Ok(count)
    }
}

/// Opens a file, with an error that names it.
fn open(path: &Path, file: &str) -> Result<File> {
    File::open(path).map_err(|err| Error::Parse {
        file: file.to_owned(),
        position: Position::Whole,
        column: None,
        message: format!("cannot open the file: {err}"),
    })
}

/// `text` quoted for a message, shortened when long.
fn shown(text: &str) -> String {
    if text.chars().count() <= SHOWN_CHARS {
        format!("{text:?}")
    } else {
        let start: String = text.chars().take(SHOWN_CHARS).collect();
        format!("{:?}", start + "…")
    }
}

/// A header name as the `column` of an error: as it is when it is short and
/// printable, quoted otherwise.
fn column_label(name: &str) -> String {
    if name.chars().count() <= SHOWN_CHARS && !name.chars().any(char::is_control) {
        name.to_owned()
    } else {
        shown(name)
    }
}

/// Appends `bytes` as a lowercase hex field.
fn push_hex(record: &mut ByteRecord, scratch: &mut Vec<u8>, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    scratch.clear();
    for &byte in bytes {
        scratch.push(DIGITS[usize::from(byte >> 4)]);
        scratch.push(DIGITS[usize::from(byte & 0x0f)]);
    }
    record.push_field(scratch);
}

/// Appends a number field.
fn push_number(
    record: &mut ByteRecord,
    scratch: &mut Vec<u8>,
    value: impl std::fmt::Display,
) -> io::Result<()> {
    scratch.clear();
    write!(scratch, "{value}")?;
    record.push_field(scratch);
    Ok(())
}

/// Appends a number field, or an empty one for `None`.
fn push_optional(
    record: &mut ByteRecord,
    scratch: &mut Vec<u8>,
    value: Option<impl std::fmt::Display>,
) -> io::Result<()> {
    if let Some(value) = value {
        push_number(record, scratch, value)
    } else {
        record.push_field(b"");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use proptest::prelude::*;

    const GAEN_KEY: &str = "75c734c6dd1a782de7a965da5eb93125";
    const HEADER: &str = "key,rolling_start,rolling_period";

    fn keys_text(text: &str) -> Result<PublishedKeys> {
        read_keys(text.as_bytes(), "keys.csv", SchemeKind::Gaen)
    }

    fn keys_error(text: &str) -> String {
        keys_text(text).unwrap_err().to_string()
    }

    fn encounters_text(text: &str) -> Result<EncounterLog> {
        read_encounters(text.as_bytes(), "log.csv", 16)
    }

    fn encounters_error(text: &str) -> String {
        encounters_text(text).unwrap_err().to_string()
    }

    fn written_keys(keys: &PublishedKeys) -> String {
        let mut out = Vec::new();
        write_keys(keys, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn written_encounters(log: &EncounterLog) -> String {
        let mut out = Vec::new();
        write_encounters(log, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn keys_round_trip(keys: &PublishedKeys) -> PublishedKeys {
        read_keys(written_keys(keys).as_bytes(), "mem", keys.kind()).unwrap()
    }

    fn encounters_round_trip(log: &EncounterLog) -> EncounterLog {
        read_encounters(written_encounters(log).as_bytes(), "mem", log.id_len()).unwrap()
    }

    #[test]
    fn keys_round_trip_for_every_scheme() {
        for kind in SchemeKind::ALL {
            let mut keys = PublishedKeys::new(kind);
            for row in 0..5u8 {
                let key: Vec<u8> = (0..kind.key_len() as u8).map(|b| b ^ (row * 37)).collect();
                keys.push(&key, 2_642_976 + u32::from(row) * 144, 144)
                    .unwrap();
            }
            keys.push(&vec![0xff; kind.key_len()], u32::MAX, 1).unwrap();
            keys.push(&vec![0; kind.key_len()], 0, u32::MAX).unwrap();
            let text = written_keys(&keys);
            assert!(
                text.starts_with("key,rolling_start,rolling_period\n"),
                "{text}"
            );
            assert_eq!(keys_round_trip(&keys), keys, "{kind}");
        }
        let empty = PublishedKeys::new(SchemeKind::Bluezone);
        assert_eq!(written_keys(&empty), "key,rolling_start,rolling_period\n");
        assert_eq!(keys_round_trip(&empty), empty);
    }

    #[test]
    fn keys_round_trip_with_metadata() {
        let mut keys = PublishedKeys::new(SchemeKind::Bluezone);
        keys.push(&[1; 32], 100, 144).unwrap();
        let metadata = KeyMetadata {
            report_type: ReportType::Revoked,
            days_since_onset: Some(-14),
            transmission_risk: Some(255),
        };
        keys.push_with_metadata(&[0xab; 32], 244, 96, metadata)
            .unwrap();
        keys.push_with_metadata(
            &[2; 32],
            400,
            1,
            KeyMetadata {
                days_since_onset: Some(i32::MIN),
                ..KeyMetadata::default()
            },
        )
        .unwrap();
        assert_eq!(
            written_keys(&keys),
            format!(
                "key,rolling_start,rolling_period,report_type,days_since_onset,transmission_risk\n\
                 {},100,144,,,\n{},244,96,5,-14,255\n{},400,1,,-2147483648,\n",
                "01".repeat(32),
                "ab".repeat(32),
                "02".repeat(32)
            )
        );
        assert_eq!(keys_round_trip(&keys), keys);
    }

    #[test]
    fn encounters_round_trip_for_both_id_lengths() {
        for id_len in [12, 16] {
            let ids: Vec<u8> = (0..3 * id_len).map(|b| (b * 11) as u8).collect();
            let log =
                EncounterLog::from_columns(id_len, &ids, &[i64::MIN, 0, i64::MAX], &[-128, 0, 127])
                    .unwrap();
            let text = written_encounters(&log);
            assert!(text.starts_with("id,time,rssi\n"), "{text}");
            assert_eq!(encounters_round_trip(&log), log, "{id_len}");
        }
    }

    #[test]
    fn encounters_round_trip_with_optional_columns() {
        let plain = EncounterLog::from_columns(12, &[0xc4; 24], &[10, 20], &[-60, -70]).unwrap();
        let both = plain
            .clone()
            .with_tx_power(vec![Some(-8), None])
            .unwrap()
            .with_duration(vec![None, Some(u32::MAX)])
            .unwrap();
        assert_eq!(
            written_encounters(&both),
            format!(
                "id,time,rssi,tx_power,duration\n{0},10,-60,-8,\n{0},20,-70,,4294967295\n",
                "c4".repeat(12)
            )
        );
        assert_eq!(encounters_round_trip(&both), both);
        // A column of nothing but empty cells is kept.
        let empty_column = plain.with_duration(vec![None, None]).unwrap();
        assert_eq!(encounters_round_trip(&empty_column), empty_column);
        assert_eq!(
            encounters_round_trip(&empty_column).duration(),
            Some(&[None, None][..])
        );
        let mut pushed = EncounterLog::new(16).unwrap();
        pushed
            .push(&Sighting {
                id: &[0x5a; 16],
                time: 1_763_769_600,
                rssi: -90,
                tx_power: Some(127),
                duration: Some(0),
            })
            .unwrap();
        assert_eq!(encounters_round_trip(&pushed), pushed);
    }

    #[test]
    fn columns_in_any_order_with_spaces_and_empty_optional_cells() {
        let text = format!(
            " transmission_risk , rolling_period,key,rolling_start\n\
             ,144, {} ,2642976\n\
             3 , 1 ,{},  7\n",
            GAEN_KEY.to_uppercase(),
            GAEN_KEY
        );
        let keys = keys_text(&text).unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys.key(0), keys.key(1));
        assert_eq!(keys.rolling_starts(), &[2_642_976, 7]);
        assert_eq!(keys.rolling_periods(), &[144, 1]);
        assert_eq!(keys.metadata(0), KeyMetadata::default());
        assert_eq!(keys.metadata(1).transmission_risk, Some(3));
        assert_eq!(
            written_keys(&keys),
            format!(
                "key,rolling_start,rolling_period,report_type,days_since_onset,transmission_risk\n\
                 {GAEN_KEY},2642976,144,,,\n{GAEN_KEY},7,1,,,3\n"
            )
        );

        let log = encounters_text(&format!(
            "rssi,duration,id,time\n-70,,{GAEN_KEY},5\n\"-71\",\"60\",\"{GAEN_KEY}\",6"
        ))
        .unwrap();
        assert_eq!(log.rssi(), &[-70, -71]);
        assert_eq!(log.duration(), Some(&[None, Some(60)][..]));
        assert_eq!(log.tx_power(), None);
    }

    #[test]
    fn bad_hex_digit() {
        assert_eq!(
            keys_error(&format!(
                "{HEADER}\n75c7g4c6dd1a782de7a965da5eb93125,2642976,144\n"
            )),
            "keys.csv:2: column key: invalid hex digit 'g' at position 5 (counting from 1)"
        );
        assert_eq!(
            encounters_error("id,time,rssi\nxyz,1,2\n"),
            "log.csv:2: column id: invalid hex digit 'x' at position 1 (counting from 1)"
        );
    }

    #[test]
    fn wrong_key_length() {
        assert_eq!(
            keys_error(&format!(
                "{HEADER}\n{GAEN_KEY},1,1\n{},2642976,144\n",
                &GAEN_KEY[..30]
            )),
            "keys.csv:3: column key: expected 32 hex digits, found 30"
        );
        // A gaen key is too short for the bluezone scheme.
        let text = format!("{HEADER}\n{GAEN_KEY},2642976,144\n");
        assert_eq!(
            read_keys(text.as_bytes(), "bz.csv", SchemeKind::Bluezone)
                .unwrap_err()
                .to_string(),
            "bz.csv:2: column key: expected 64 hex digits, found 32"
        );
        assert_eq!(
            encounters_error(&format!("id,time,rssi\n{},1,2\n", &GAEN_KEY[..24])),
            "log.csv:2: column id: expected 32 hex digits, found 24"
        );
    }

    #[test]
    fn rolling_start_not_a_number() {
        assert_eq!(
            keys_error(&format!("{HEADER}\n{GAEN_KEY},abc,144\n")),
            "keys.csv:2: column rolling_start: expected an interval number from 0 to 4294967295, found \"abc\""
        );
        assert_eq!(
            keys_error(&format!("{HEADER}\n{GAEN_KEY},4294967296,144\n")),
            "keys.csv:2: column rolling_start: expected an interval number from 0 to 4294967295, found \"4294967296\""
        );
        assert_eq!(
            keys_error(&format!("{HEADER}\n{GAEN_KEY},,144\n")),
            "keys.csv:2: column rolling_start: expected an interval number from 0 to 4294967295, found \"\""
        );
    }

    #[test]
    fn rolling_period_zero() {
        assert_eq!(
            keys_error(&format!("{HEADER}\n{GAEN_KEY},2642976,0\n")),
            "keys.csv:2: column rolling_period: invalid key window: rolling start 2642976, rolling period 0 (the period must be at least 1)"
        );
        assert_eq!(
            keys_error(&format!("{HEADER}\n{GAEN_KEY},2642976,-1\n")),
            "keys.csv:2: column rolling_period: expected a number of intervals from 1 to 4294967295, found \"-1\""
        );
    }

    #[test]
    fn window_past_2_pow_32() {
        assert_eq!(
            keys_error(&format!("{HEADER}\n{GAEN_KEY},4294967200,144\n")),
            "keys.csv:2: column rolling_period: invalid key window: rolling start 4294967200, rolling period 144 (the window runs past the last interval number 4294967295)"
        );
        // The window may end exactly at 2^32.
        assert!(keys_text(&format!("{HEADER}\n{GAEN_KEY},4294967200,96\n")).is_ok());
    }

    #[test]
    fn report_type_9() {
        let header = "key,rolling_start,rolling_period,report_type";
        assert_eq!(
            keys_error(&format!("{header}\n{GAEN_KEY},2642976,144,9\n")),
            "keys.csv:2: column report_type: expected a report type code from 0 to 5, found \"9\""
        );
        assert_eq!(
            keys_error(&format!("{header}\n{GAEN_KEY},2642976,144,256\n")),
            "keys.csv:2: column report_type: expected a report type code from 0 to 5, found \"256\""
        );
        let keys = keys_text(&format!("{header}\n{GAEN_KEY},2642976,144,1\n")).unwrap();
        assert_eq!(keys.metadata(0).report_type, ReportType::ConfirmedTest);
        assert_eq!(
            keys_error(&format!(
                "key,rolling_start,rolling_period,days_since_onset,transmission_risk\n\
                 {GAEN_KEY},2642976,144,1.5,\n"
            )),
            "keys.csv:2: column days_since_onset: expected a number of days from -2147483648 to 2147483647, found \"1.5\""
        );
        assert_eq!(
            keys_error(&format!(
                "key,rolling_start,rolling_period,transmission_risk\n{GAEN_KEY},2642976,144,-1\n"
            )),
            "keys.csv:2: column transmission_risk: expected a transmission risk level from 0 to 255, found \"-1\""
        );
    }

    #[test]
    fn rssi_out_of_range() {
        assert_eq!(
            encounters_error(&format!("id,time,rssi\n{GAEN_KEY},1763769600,-200\n")),
            "log.csv:2: column rssi: expected an RSSI in dBm from -128 to 127, found \"-200\""
        );
        assert_eq!(
            encounters_error(&format!("id,time,rssi,tx_power\n{GAEN_KEY},1,-60,128\n")),
            "log.csv:2: column tx_power: expected a transmit power in dBm from -128 to 127, found \"128\""
        );
        assert_eq!(
            encounters_error(&format!("id,time,rssi,duration\n{GAEN_KEY},1,-60,-5\n")),
            "log.csv:2: column duration: expected a duration in seconds from 0 to 4294967295, found \"-5\""
        );
        assert_eq!(
            encounters_error(&format!("id,time,rssi\n{GAEN_KEY},noon,-60\n")),
            "log.csv:2: column time: expected a time in Unix seconds from -9223372036854775808 to 9223372036854775807, found \"noon\""
        );
    }

    #[test]
    fn missing_required_column() {
        assert_eq!(
            keys_error(&format!("key,rolling_start\n{GAEN_KEY},2642976\n")),
            "keys.csv:1: column rolling_period: missing from the header, which must name key, rolling_start and rolling_period"
        );
        assert_eq!(
            encounters_error("time,rssi\n"),
            "log.csv:1: column id: missing from the header, which must name id, time and rssi"
        );
    }

    #[test]
    fn missing_header_line() {
        assert_eq!(
            keys_error(&format!("{GAEN_KEY},2642976,144\n")),
            format!(
                "keys.csv:1: expected the header line \"key,rolling_start,rolling_period\", found \"{}…\"",
                &format!("{GAEN_KEY},2642976,144")[..40]
            )
        );
    }

    #[test]
    fn unknown_column() {
        assert_eq!(
            keys_error(&format!(
                "key,rolling_start,rolling_period,colour\n{GAEN_KEY},1,1,red\n"
            )),
            "keys.csv:1: column colour: unknown column: expected one of key, rolling_start, rolling_period, report_type, days_since_onset, transmission_risk"
        );
        assert_eq!(
            encounters_error("id,time,rssi,Duration\n"),
            "log.csv:1: column Duration: unknown column: expected one of id, time, rssi, tx_power, duration"
        );
        assert_eq!(
            keys_error("key,rolling_start,,rolling_period\n"),
            "keys.csv:1: field 3 of the header is empty: expected a column name"
        );
        assert_eq!(
            keys_error("key,rolling_start,rolling_period,key\n"),
            "keys.csv:1: column key: appears twice in the header, as fields 1 and 4"
        );
    }

    #[test]
    fn wrong_field_count() {
        assert_eq!(
            keys_error(&format!(
                "{HEADER}\n{GAEN_KEY},2642976,144\n{GAEN_KEY},2642976,144,1\n"
            )),
            "keys.csv:3: expected 3 fields as in the header, found 4"
        );
        assert_eq!(
            encounters_error(&format!("id,time,rssi\n{GAEN_KEY},5\n")),
            "log.csv:2: expected 3 fields as in the header, found 2"
        );
    }

    #[test]
    fn empty_file() {
        assert_eq!(
            keys_error(""),
            "keys.csv: expected the header line \"key,rolling_start,rolling_period\", found an empty file"
        );
        assert_eq!(
            encounters_error("\n \r\n\n"),
            "log.csv: expected the header line \"id,time,rssi\", found only blank lines"
        );
    }

    #[test]
    fn header_only_gives_zero_rows() {
        for text in [
            HEADER,
            "key,rolling_start,rolling_period\n",
            "\u{feff}key,rolling_start,rolling_period\r\n\r\n",
        ] {
            let keys = keys_text(text).unwrap();
            assert!(keys.is_empty(), "{text:?}");
            assert!(!keys.has_metadata());
        }
        let log = encounters_text("id,time,rssi,tx_power").unwrap();
        assert!(log.is_empty());
        assert_eq!(log.tx_power(), Some(&[][..]));
    }

    #[test]
    fn crlf_file() {
        let text = format!("{HEADER}\r\n{GAEN_KEY},2642976,144\r\n{GAEN_KEY},2643120,144\r\n");
        let keys = keys_text(&text).unwrap();
        assert_eq!(keys.rolling_starts(), &[2_642_976, 2_643_120]);
        assert_eq!(keys_text(text.trim_end()).unwrap(), keys);
        assert_eq!(
            keys_error(&format!(
                "{HEADER}\r\n{GAEN_KEY},2642976,144\r\n{GAEN_KEY},x,144\r\n"
            )),
            "keys.csv:3: column rolling_start: expected an interval number from 0 to 4294967295, found \"x\""
        );
        assert_eq!(
            keys_error(&format!(
                "{HEADER}\r\n{GAEN_KEY},2642976,144\r\n{GAEN_KEY},x,144"
            )),
            "keys.csv:3: column rolling_start: expected an interval number from 0 to 4294967295, found \"x\""
        );
    }

    #[test]
    fn line_numbers_count_blank_lines_and_quoted_newlines() {
        let text =
            format!("\n{HEADER}\n\n  \n{GAEN_KEY},1,\"1\n\"\n\r\n{GAEN_KEY},2,2\n\n{GAEN_KEY},3,0");
        assert_eq!(
            keys_error(&text),
            "keys.csv:10: column rolling_period: invalid key window: rolling start 3, rolling period 0 (the period must be at least 1)"
        );
        let keys = keys_text(&text.replace(",3,0", ",3,3")).unwrap();
        assert_eq!(keys.rolling_periods(), &[1, 2, 3]);
        assert_eq!(
            keys_error(&format!(
                "\r\n\r\n{HEADER}\r\n\"{}\r\n{}\",1,1\r\n",
                &GAEN_KEY[..4],
                &GAEN_KEY[4..]
            )),
            "keys.csv:4: column key: invalid hex digit '\\r' at position 5 (counting from 1)"
        );
        assert_eq!(
            keys_error(&format!(
                "{HEADER}\n\"{GAEN_KEY}\",\"\n1\n\",1\n{GAEN_KEY},\"\n\n\",1\n"
            )),
            "keys.csv:5: column rolling_start: expected an interval number from 0 to 4294967295, found \"\""
        );
        // Past the reader's 64 KiB buffer, lines still count.
        let mut long = format!("{HEADER}\n");
        for start in 0..5_000 {
            write!(long, "{GAEN_KEY},{start},144\r\n").unwrap();
        }
        long.push_str(GAEN_KEY);
        long.push_str(",5000,0\r\n");
        assert_eq!(
            keys_error(&long),
            "keys.csv:5002: column rolling_period: invalid key window: rolling start 5000, rolling period 0 (the period must be at least 1)"
        );
    }

    #[test]
    fn invalid_utf8() {
        let mut text = format!("{HEADER}\n{GAEN_KEY},26429").into_bytes();
        text.extend_from_slice(b"\xff6,144\n");
        assert_eq!(
            read_keys(&text[..], "keys.csv", SchemeKind::Gaen)
                .unwrap_err()
                .to_string(),
            "keys.csv:2: column rolling_start: expected UTF-8 text, found a byte that is not UTF-8 at byte 6 of the cell"
        );
        assert_eq!(
            read_encounters(&b"id,ti\xc3me,rssi\n"[..], "log.csv", 12)
                .unwrap_err()
                .to_string(),
            "log.csv:1: field 2 of the header is not UTF-8 text"
        );
    }

    #[test]
    fn read_errors_are_parse_errors() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::other("disk on fire"));
                }
                let text = b"id,time,rssi\n";
                let count = self.0.min(buf.len()).min(text.len());
                buf[..count].copy_from_slice(&text[..count]);
                self.0 = 0;
                Ok(count)
            }
        }
        assert_eq!(
            read_encounters(Failing(0), "log.csv", 12)
                .unwrap_err()
                .to_string(),
            "log.csv: cannot read the file: disk on fire"
        );
        assert_eq!(
            read_encounters(Failing(13), "log.csv", 12)
                .unwrap_err()
                .to_string(),
            "log.csv:2: cannot read the file: disk on fire"
        );
    }

    #[test]
    fn wrong_id_len() {
        assert_eq!(
            read_encounters(&b"id,time,rssi\n"[..], "log.csv", 32),
            Err(Error::IdLength {
                expected: 16,
                found: 32
            })
        );
    }

    #[test]
    fn files_are_read_by_path() {
        let dir = std::env::temp_dir().join(format!("bluezone-formats-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let keys_path = dir.join("keys.csv");
        let mut keys = PublishedKeys::new(SchemeKind::B3);
        keys.push(&[3; 16], 9, 144).unwrap();
        write_keys(&keys, File::create(&keys_path).unwrap()).unwrap();
        assert_eq!(read_keys_file(&keys_path, SchemeKind::B3).unwrap(), keys);
        let log_path = dir.join("log.csv");
        std::fs::write(
            &log_path,
            "id,time,rssi\n0102030405060708090a0b0c,1,-1\nzz,2,-2\n",
        )
        .unwrap();
        assert_eq!(
            read_encounters_file(&log_path, 12).unwrap_err().to_string(),
            format!(
                "{}:3: column id: invalid hex digit 'z' at position 1 (counting from 1)",
                log_path.display()
            )
        );
        let missing = dir.join("missing.csv");
        let err = read_keys_file(&missing, SchemeKind::B3).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("{}: cannot open the file: ", missing.display())),
            "{err}"
        );
        assert!(matches!(
            err,
            Error::Parse {
                position: Position::Whole,
                column: None,
                ..
            }
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn arbitrary_keys() -> impl Strategy<Value = PublishedKeys> {
        let row = (
            proptest::collection::vec(any::<u8>(), 32),
            any::<u32>(),
            any::<u32>(),
            proptest::option::of((0..=5u8, any::<Option<i32>>(), any::<Option<u8>>())),
        );
        (
            proptest::sample::select(SchemeKind::ALL.to_vec()),
            proptest::collection::vec(row, 0..20),
        )
            .prop_map(|(kind, rows)| {
                let mut keys = PublishedKeys::new(kind);
                for (key, start, period, metadata) in rows {
                    let room = (1u64 << 32) - u64::from(start);
                    let period = (1 + u64::from(period) % room) as u32;
                    let metadata =
                        metadata.map_or_else(KeyMetadata::default, |(code, days, risk)| {
                            KeyMetadata {
                                report_type: ReportType::from_code(code).unwrap(),
                                days_since_onset: days,
                                transmission_risk: risk,
                            }
                        });
                    keys.push_with_metadata(&key[..kind.key_len()], start, period, metadata)
                        .unwrap();
                }
                keys
            })
    }

    fn arbitrary_log() -> impl Strategy<Value = EncounterLog> {
        let row = (
            proptest::collection::vec(any::<u8>(), 16),
            any::<i64>(),
            any::<i8>(),
            any::<Option<i8>>(),
            any::<Option<u32>>(),
        );
        (
            proptest::sample::select(vec![12usize, 16]),
            proptest::collection::vec(row, 0..20),
        )
            .prop_map(|(id_len, rows)| {
                let mut log = EncounterLog::new(id_len).unwrap();
                for (id, time, rssi, tx_power, duration) in rows {
                    log.push(&Sighting {
                        id: &id[..id_len],
                        time,
                        rssi,
                        tx_power,
                        duration,
                    })
                    .unwrap();
                }
                log
            })
    }

    /// Text made of CSV punctuation, hex digits, signs and header names.
    fn csvish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just(",".to_owned()),
            Just("\n".to_owned()),
            Just("\r\n".to_owned()),
            Just("\"".to_owned()),
            Just(" ".to_owned()),
            Just("-".to_owned()),
            Just(GAEN_KEY.to_owned()),
            Just("0102030405060708090a0b0c".to_owned()),
            "[0-9a-fA-F]{1,8}",
            "[a-z_]{1,8}",
            proptest::sample::select(KEYS.names.to_vec()).prop_map(str::to_owned),
            proptest::sample::select(ENCOUNTERS.names.to_vec()).prop_map(str::to_owned),
            ".",
        ];
        let body = proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat());
        (
            proptest::sample::select(vec![
                "",
                "key,rolling_start,rolling_period\n",
                "key,rolling_start,rolling_period,report_type,days_since_onset,transmission_risk\n",
                "id,time,rssi\n",
                "id,time,rssi,tx_power,duration\r\n",
            ]),
            body,
        )
            .prop_map(|(header, body)| format!("{header}{body}"))
    }

    /// Reads `input` with both readers, for every key and ID length; what
    /// reads must write and read back the same.
    fn read_anything(input: &[u8]) -> std::result::Result<(), TestCaseError> {
        for kind in SchemeKind::ALL {
            if let Ok(keys) = read_keys(input, "in", kind) {
                prop_assert_eq!(keys_round_trip(&keys), keys);
            }
        }
        for id_len in [12, 16] {
            if let Ok(log) = read_encounters(input, "in", id_len) {
                prop_assert_eq!(encounters_round_trip(&log), log);
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn keys_write_then_read_round_trips(keys in arbitrary_keys()) {
            prop_assert_eq!(keys_round_trip(&keys), keys);
        }

        #[test]
        fn encounters_write_then_read_round_trips(log in arbitrary_log()) {
            prop_assert_eq!(encounters_round_trip(&log), log);
        }

        #[test]
        fn arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..300)) {
            read_anything(&input)?;
        }

        #[test]
        fn csvish_text_never_panics(input in csvish()) {
            read_anything(input.as_bytes())?;
        }
    }
}
