//! Reading bare `export.bin` files, streaming.
//!
//! The reader walks the fields of `TemporaryExposureKeyExport` itself, with
//! prost's varint helpers, and decodes only the small messages (a key, a
//! signature info) with prost, one at a time: the file passes through a
//! fixed buffer and is hashed as it is read ([`Source`]), and only the keys
//! stay.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use prost::Message;
use prost::encoding::WireType;

use super::archive::TooLarge;
use super::proto::{SignatureInfo, TemporaryExposureKey};
use super::source::Source;
use super::{
    DEFAULT_ROLLING_PERIOD, ExportBin, HEADER, MAX_FIELD_BYTES, MAX_ROLLING_PERIOD, check_kind,
};
use crate::{Error, KeyMetadata, Position, PublishedKeys, ReportType, Result, SchemeKind};

/// Reads a bare `export.bin` (its header, then the protobuf export) from
/// `reader`, streaming; `file` names the input in errors. The keys are read
/// as keys of `kind`, which must be a scheme of 16-byte keys (`gaen` or
/// `b3`).
///
/// ```
/// use bluezone::SchemeKind;
/// use bluezone::formats::gaen_export::read_export_bin;
///
/// let mut bin = b"EK Export v1    ".to_vec();
/// bin.extend_from_slice(&[0x1a, 2, b'V', b'N']); // region "VN"
/// bin.extend_from_slice(&[0x3a, 23, 0x0a, 16]); // a key of 16 bytes…
/// bin.extend_from_slice(&[7; 16]);
/// bin.extend_from_slice(&[0x18, 0xa0, 0xa8, 0xa1, 0x01]); // …from interval 2642976
/// let export = read_export_bin(&bin[..], "export.bin", SchemeKind::Gaen)?;
/// assert_eq!(export.region.as_deref(), Some("VN"));
/// assert_eq!(export.keys.get(0).unwrap().window.rolling_period(), 144);
///
/// bin[44] = 0x80; // the key's rolling start becomes a truncated varint
/// let err = read_export_bin(&bin[..], "export.bin", SchemeKind::Gaen).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "export.bin: byte 20: column keys: failed to decode Protobuf message: \
///      TemporaryExposureKey.rolling_start_interval_number: invalid varint"
/// );
/// # Ok::<(), bluezone::Error>(())
/// ```
///
/// # Errors
/// [`Error::SchemeMismatch`] for a `kind` whose keys are not 16 bytes;
/// otherwise [`Error::Parse`] at the first problem, with the byte offset of
/// the field at fault and its name: a missing or wrong header, a truncated
/// or invalid varint, a field of an unexpected wire type, a length that
/// runs past the end of the file or is more than [`MAX_FIELD_BYTES`], a
/// message that does not decode, a region that is not UTF-8, an invalid
/// key, or a failure to read.
pub fn read_export_bin(reader: impl Read, file: &str, kind: SchemeKind) -> Result<ExportBin> {
    check_kind(kind)?;
    Parser::new(reader, file).read(kind)
}

/// Opens the bare `export.bin` at `path` and reads it as
/// [`read_export_bin`] does; errors name the file by its path.
///
/// # Errors
/// [`Error::Parse`] when the file cannot be opened (with the operating
/// system's reason), or as [`read_export_bin`].
pub fn read_export_bin_file(path: &Path, kind: SchemeKind) -> Result<ExportBin> {
    let file = path.display().to_string();
    read_export_bin(open(path, &file)?, &file, kind)
}

pub(super) fn open(path: &Path, file: &str) -> Result<File> {
    File::open(path).map_err(|err| whole(file, format!("cannot open the file: {err}")))
}

/// An error about `file` as a whole.
pub(super) fn whole(file: &str, message: String) -> Error {
    Error::Parse {
        file: file.to_owned(),
        position: Position::Whole,
        column: None,
        message,
    }
}

/// The error of a failed read at `position`: an entry over its limit, or
/// the reader's own error.
pub(super) fn read_error(file: &str, position: Position, err: &io::Error) -> Error {
    match err
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<TooLarge>())
    {
        Some(too_large) => whole(file, too_large.to_string()),
        None => Error::Parse {
            file: file.to_owned(),
            position,
            column: None,
            message: format!("cannot read the file: {err}"),
        },
    }
}

/// The longest varint, in bytes.
const MAX_VARINT_BYTES: usize = 10;

/// The fields of `TemporaryExposureKeyExport` that the reader knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    StartTimestamp,
    EndTimestamp,
    Region,
    BatchNum,
    BatchSize,
    SignatureInfos,
    Keys,
    RevisedKeys,
}

impl Field {
    fn of(number: u64) -> Option<Self> {
        Some(match number {
            1 => Self::StartTimestamp,
            2 => Self::EndTimestamp,
            3 => Self::Region,
            4 => Self::BatchNum,
            5 => Self::BatchSize,
            6 => Self::SignatureInfos,
            7 => Self::Keys,
            8 => Self::RevisedKeys,
            _ => return None,
        })
    }

    /// The field's name in the schema.
    fn name(self) -> &'static str {
        match self {
            Self::StartTimestamp => "start_timestamp",
            Self::EndTimestamp => "end_timestamp",
            Self::Region => "region",
            Self::BatchNum => "batch_num",
            Self::BatchSize => "batch_size",
            Self::SignatureInfos => "signature_infos",
            Self::Keys => "keys",
            Self::RevisedKeys => "revised_keys",
        }
    }

    fn wire_type(self) -> WireType {
        match self {
            Self::StartTimestamp | Self::EndTimestamp => WireType::SixtyFourBit,
            Self::BatchNum | Self::BatchSize => WireType::Varint,
            Self::Region | Self::SignatureInfos | Self::Keys | Self::RevisedKeys => {
                WireType::LengthDelimited
            }
        }
    }
}

/// A wire type as error messages name it.
fn wire_type_name(wire_type: WireType) -> String {
    let name = match wire_type {
        WireType::Varint => "varint",
        WireType::SixtyFourBit => "64-bit",
        WireType::LengthDelimited => "length-delimited",
        WireType::StartGroup => "start group",
        WireType::EndGroup => "end group",
        WireType::ThirtyTwoBit => "32-bit",
    };
    format!("{} ({name})", wire_type as u8)
}

/// The largest field number that protobuf allows.
const MAX_FIELD_NUMBER: u64 = (1 << 29) - 1;

/// The field at hand: where it starts and its name, for errors.
#[derive(Clone, Copy)]
struct At {
    offset: u64,
    column: Option<&'static str>,
}

/// Reads one `export.bin`.
pub(super) struct Parser<'a, R> {
    source: Source<R>,
    file: &'a str,
    /// The bytes of the length-delimited field at hand.
    field: Vec<u8>,
}

impl<'a, R: Read> Parser<'a, R> {
    pub(super) fn new(reader: R, file: &'a str) -> Self {
        Self {
            source: Source::new(reader),
            file,
            field: Vec::new(),
        }
    }

    fn error(&self, at: At, message: String) -> Error {
        Error::Parse {
            file: self.file.to_owned(),
            position: Position::Offset(at.offset),
            column: at.column.map(str::to_owned),
            message,
        }
    }

    /// The error of a failed read.
    fn read_error(&self, err: &io::Error) -> Error {
        read_error(self.file, Position::Offset(self.source.read_offset()), err)
    }

    /// [`Source::fill`], with its errors.
    fn fill(&mut self, want: usize) -> Result<usize> {
        self.source.fill(want).map_err(|err| self.read_error(&err))
    }

    pub(super) fn read(mut self, kind: SchemeKind) -> Result<ExportBin> {
        self.header()?;
        let mut bin = ExportBin {
            keys: PublishedKeys::new(kind),
            revised_keys: PublishedKeys::new(kind),
            start_timestamp: None,
            end_timestamp: None,
            region: None,
            batch_num: None,
            batch_size: None,
            signature_infos: Vec::new(),
            sha256: [0; 32],
            len: 0,
        };
        loop {
            let mut at = At {
                offset: self.source.offset(),
                column: None,
            };
            if self.fill(1)? == 0 {
                break;
            }
            let tag = self.varint(at, "a field's tag")?;
            let wire_type = WireType::try_from(tag & 7).map_err(|_| {
                self.error(
                    at,
                    format!(
                        "invalid wire type {} in the tag of field {}",
                        tag & 7,
                        tag >> 3
                    ),
                )
            })?;
            let number = tag >> 3;
            if !(1..=MAX_FIELD_NUMBER).contains(&number) {
                return Err(self.error(
                    at,
                    format!("invalid field number {number}: expected 1 to {MAX_FIELD_NUMBER}"),
                ));
            }
            let Some(field) = Field::of(number) else {
                self.skip_field(at, number, wire_type)?;
                continue;
            };
            at.column = Some(field.name());
            if wire_type != field.wire_type() {
                return Err(self.error(
                    at,
                    format!(
                        "expected wire type {}, found {}",
                        wire_type_name(field.wire_type()),
                        wire_type_name(wire_type)
                    ),
                ));
            }
            self.field_value(&mut bin, field, at)?;
        }
        bin.len = self.source.offset();
        bin.sha256 = self.source.digest();
        Ok(bin)
    }

    /// Reads the value of a known field into `bin`.
    fn field_value(&mut self, bin: &mut ExportBin, field: Field, at: At) -> Result<()> {
        match field {
            Field::StartTimestamp => bin.start_timestamp = Some(self.fixed64(at)?),
            Field::EndTimestamp => bin.end_timestamp = Some(self.fixed64(at)?),
            Field::BatchNum => bin.batch_num = Some(self.int32(at)?),
            Field::BatchSize => bin.batch_size = Some(self.int32(at)?),
            Field::Region => {
                self.length_delimited(at)?;
                let region = std::str::from_utf8(&self.field).map_err(|err| {
                    self.error(
                        at,
                        format!(
                            "expected UTF-8 text, found a byte that is not UTF-8 at byte {} of the text",
                            err.valid_up_to() + 1
                        ),
                    )
                })?;
                bin.region = Some(region.to_owned());
            }
            Field::SignatureInfos => {
                self.length_delimited(at)?;
                let info = SignatureInfo::decode(&self.field[..])
                    .map_err(|err| self.error(at, err.to_string()))?;
                bin.signature_infos.push(info);
            }
            Field::Keys | Field::RevisedKeys => {
                self.length_delimited(at)?;
                let key = TemporaryExposureKey::decode(&self.field[..])
                    .map_err(|err| self.error(at, err.to_string()))?;
                let keys = if field == Field::Keys {
                    &mut bin.keys
                } else {
                    &mut bin.revised_keys
                };
                push_key(keys, &key).map_err(|(column, message)| {
                    let column = column.map_or_else(
                        || field.name().to_owned(),
                        |column| format!("{}.{column}", field.name()),
                    );
                    Error::Parse {
                        file: self.file.to_owned(),
                        position: Position::Offset(at.offset),
                        column: Some(column),
                        message,
                    }
                })?;
            }
        }
        Ok(())
    }

    /// Checks the 16-byte header.
    fn header(&mut self) -> Result<()> {
        let available = self.fill(HEADER.len())?;
        let found = &self.source.available()[..available.min(HEADER.len())];
        if let Some(offset) = found.iter().zip(HEADER).position(|(a, b)| a != b) {
            let hint = if found.starts_with(b"PK\x03\x04") {
                " (a zip file: read it as an export zip)"
            } else {
                ""
            };
            return Err(self.error(
                At {
                    offset: offset as u64,
                    column: None,
                },
                format!(
                    "expected the header \"{}\", found \"{}\"{hint}",
                    HEADER.escape_ascii(),
                    found.escape_ascii()
                ),
            ));
        }
        if available < HEADER.len() {
            let found = if available == 0 {
                "an empty file".to_owned()
            } else {
                format!("only {available} bytes")
            };
            return Err(whole(
                self.file,
                format!(
                    "expected the 16-byte header \"{}\", found {found}",
                    HEADER.escape_ascii()
                ),
            ));
        }
        self.source.consume(HEADER.len());
        Ok(())
    }

    /// Reads a varint; `what` names it in errors.
    fn varint(&mut self, at: At, what: &str) -> Result<u64> {
        let available = self.fill(MAX_VARINT_BYTES)?;
        let bytes = self.source.available();
        let mut rest = bytes;
        match prost::encoding::decode_varint(&mut rest) {
            Ok(value) => {
                let used = bytes.len() - rest.len();
                self.source.consume(used);
                Ok(value)
            }
            Err(_) if available < MAX_VARINT_BYTES && bytes.iter().all(|b| b & 0x80 != 0) => {
                Err(self.error(at, format!("the file ends inside {what}")))
            }
            Err(_) => Err(self.error(
                at,
                format!("invalid varint in {what}: more than 10 bytes or 64 bits"),
            )),
        }
    }

    /// Reads the value of an `int32` field: the low 32 bits of its varint.
    fn int32(&mut self, at: At) -> Result<i32> {
        Ok((self.varint(at, "the field's value")? as u32).cast_signed())
    }

    /// Reads the value of a `fixed64` field.
    fn fixed64(&mut self, at: At) -> Result<u64> {
        if self.fill(8)? < 8 {
            return Err(self.error(
                at,
                "the file ends inside the field's 8-byte value".to_owned(),
            ));
        }
        let mut value = [0; 8];
        value.copy_from_slice(&self.source.available()[..8]);
        self.source.consume(8);
        Ok(u64::from_le_bytes(value))
    }

    /// Reads the length of a length-delimited field.
    fn length(&mut self, at: At) -> Result<u64> {
        self.varint(at, "the field's length")
    }

    /// Reads a length-delimited field into `self.field`.
    fn length_delimited(&mut self, at: At) -> Result<()> {
        let len = self.length(at)?;
        if len > MAX_FIELD_BYTES {
            return Err(self.error(
                at,
                format!(
                    "the field's length {len} is more than the {MAX_FIELD_BYTES} bytes allowed"
                ),
            ));
        }
        let mut field = std::mem::take(&mut self.field);
        let whole = self.source.read_into(&mut field, len as usize);
        self.field = field;
        if whole.map_err(|err| self.read_error(&err))? {
            Ok(())
        } else {
            Err(self.past_the_end(at, len))
        }
    }

    /// The error of a field of `len` bytes that the file ends inside.
    fn past_the_end(&self, at: At, len: u64) -> Error {
        self.error(
            at,
            format!(
                "the field's {len} bytes run past the end of the file at byte {}",
                self.source.offset()
            ),
        )
    }

    /// Skips a field that the reader does not know.
    fn skip_field(&mut self, at: At, number: u64, wire_type: WireType) -> Result<()> {
        let len = match wire_type {
            WireType::Varint => {
                self.varint(at, "the field's value")?;
                return Ok(());
            }
            WireType::SixtyFourBit => 8,
            WireType::ThirtyTwoBit => 4,
            WireType::LengthDelimited => self.length(at)?,
            WireType::StartGroup | WireType::EndGroup => {
                return Err(self.error(
                    at,
                    format!(
                        "field {number} has wire type {}, which the export format does not use",
                        wire_type_name(wire_type)
                    ),
                ));
            }
        };
        let skipped = self.source.skip(len).map_err(|err| self.read_error(&err))?;
        if skipped {
            Ok(())
        } else {
            Err(self.past_the_end(at, len))
        }
    }
}

/// Checks a key message and adds it to `keys`; the error names the key's
/// field at fault, if any, and says what is wrong.
fn push_key(
    keys: &mut PublishedKeys,
    key: &TemporaryExposureKey,
) -> Result<(), (Option<&'static str>, String)> {
    let key_len = keys.kind().key_len();
    let key_data = match &key.key_data {
        Some(data) if data.len() == key_len => data,
        Some(data) => {
            return Err((
                Some("key_data"),
                format!("expected {key_len} bytes, found {}", data.len()),
            ));
        }
        None => {
            return Err((
                Some("key_data"),
                format!("expected {key_len} bytes, found none"),
            ));
        }
    };
    let rolling_start = key.rolling_start_interval_number;
    let Some(rolling_start) = rolling_start.and_then(|start| u32::try_from(start).ok()) else {
        let found = rolling_start.map_or_else(|| "none".to_owned(), |start| start.to_string());
        return Err((
            Some("rolling_start_interval_number"),
            format!(
                "expected an interval number from 0 to {}, found {found}",
                i32::MAX
            ),
        ));
    };
    let rolling_period = key
        .rolling_period
        .map_or(Ok(DEFAULT_ROLLING_PERIOD), u32::try_from)
        .ok()
        .filter(|period| (1..=MAX_ROLLING_PERIOD).contains(period))
        .ok_or_else(|| {
            (
                Some("rolling_period"),
                format!(
                    "expected a number of intervals from 1 to {MAX_ROLLING_PERIOD}, found {}",
                    key.rolling_period.unwrap_or_default()
                ),
            )
        })?;
    keys.push_with_metadata(key_data, rolling_start, rolling_period, metadata_of(key))
        .map_err(|err| (None, err.to_string()))
}

/// The [`KeyMetadata`] of a key message. A report type that the schema
/// does not know is "not given", as proto2 treats unknown enum values; a
/// transmission risk level outside 0 to 255 is dropped.
#[allow(deprecated)] // transmission_risk_level: deprecated by the format, still published
pub(super) fn metadata_of(key: &TemporaryExposureKey) -> KeyMetadata {
    KeyMetadata {
        report_type: key
            .report_type
            .and_then(|code| u8::try_from(code).ok())
            .and_then(ReportType::from_code)
            .unwrap_or_default(),
        days_since_onset: key.days_since_onset_of_symptoms,
        transmission_risk: key
            .transmission_risk_level
            .and_then(|level| u8::try_from(level).ok()),
    }
}
