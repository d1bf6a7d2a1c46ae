//! Published keys: the daily keys of diagnosed users, as key servers
//! publish them.
//!
//! [`PublishedKeys`] stores them as fixed-size records back to back, so
//! that millions of keys are one allocation (or one memory map) and cost a
//! few bytes of
//! overhead each and the matcher reads them without pointer chasing.

use std::sync::Arc;

use memmap2::Mmap;

use crate::time::KeyWindow;
use crate::{Error, Result, SchemeKind};

/// How a key's diagnosis was established, as exposure notification key
/// servers report it (the `ReportType` of the export format).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum ReportType {
    /// Not given.
    #[default]
    Unknown = 0,
    /// A positive test, confirmed by a laboratory.
    ConfirmedTest = 1,
    /// A clinical diagnosis without a test.
    ConfirmedClinicalDiagnosis = 2,
    /// Reported by the user without confirmation.
    SelfReport = 3,
    /// Reserved by the export format; not used.
    Recursive = 4,
    /// A key whose earlier report was withdrawn.
    Revoked = 5,
}

impl ReportType {
    /// The report type of a numeric code, or `None` for an unknown code.
    #[must_use]
    pub const fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => ReportType::Unknown,
            1 => ReportType::ConfirmedTest,
            2 => ReportType::ConfirmedClinicalDiagnosis,
            3 => ReportType::SelfReport,
            4 => ReportType::Recursive,
            5 => ReportType::Revoked,
            _ => return None,
        })
    }

    /// The numeric code.
    #[must_use]
    pub const fn code(self) -> u8 {
        self as u8
    }
}

/// The optional fields that key servers publish with a key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct KeyMetadata {
    /// How the diagnosis was established.
    pub report_type: ReportType,
    /// Days from the onset of symptoms to the key's day, when known
    /// (negative before the onset).
    pub days_since_onset: Option<i32>,
    /// The transmission risk level that the server assigned, when known.
    pub transmission_risk: Option<u8>,
}

/// One published key, as [`PublishedKeys::get`] returns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublishedKey<'a> {
    /// The key's bytes.
    pub key: &'a [u8],
    /// The key's validity window.
    pub window: KeyWindow,
    /// The optional published fields.
    pub metadata: KeyMetadata,
}

/// Bytes of a record after its key.
pub(crate) const RECORD_TAIL_LEN: usize = 16;

/// Where the bytes of the records live.
#[derive(Clone, Debug)]
enum Records {
    /// In memory that the set owns.
    Owned(Vec<u8>),
    /// In a memory-mapped file (a native batch file), shared.
    Mapped {
        map: Arc<Mmap>,
        offset: usize,
        len: usize,
    },
}

impl Records {
    fn bytes(&self) -> &[u8] {
        match self {
            Records::Owned(bytes) => bytes,
            Records::Mapped { map, offset, len } => &map[*offset..*offset + *len],
        }
    }
}

/// A set of published keys of one key length, as fixed-size records.
///
/// Each record is the key's bytes followed by [`RECORD_TAIL_LEN`] bytes,
/// all little-endian: the rolling start (`u32`), the rolling period
/// (`u32`), the report type (`u8`), flags (`u8`: bit 0, days since onset
/// given; bit 1, transmission risk given), the transmission risk (`u8`), a
/// zero byte, and the days since onset (`i32`). Millions of keys are one
/// allocation, or a memory map of a native batch file read without a copy
/// (see [`crate::formats::bzk`]).
///
/// ```
/// use bluezone::{PublishedKeys, SchemeKind};
///
/// let mut keys = PublishedKeys::new(SchemeKind::Gaen);
/// keys.push(&[7u8; 16], 2_642_976, 144)?;
/// assert_eq!(keys.len(), 1);
/// assert_eq!(keys.get(0).unwrap().window.rolling_period(), 144);
/// assert!(keys.push(&[7u8; 15], 2_642_976, 144).is_err());
/// # Ok::<(), bluezone::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct PublishedKeys {
    kind: SchemeKind,
    records: Records,
    has_metadata: bool,
}

impl PartialEq for PublishedKeys {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.has_metadata == other.has_metadata
            && self.records.bytes() == other.records.bytes()
    }
}

impl Eq for PublishedKeys {}

/// Flag bit: the days since onset are given.
const DAYS_SINCE_ONSET_GIVEN: u8 = 1;
/// Flag bit: the transmission risk is given.
const TRANSMISSION_RISK_GIVEN: u8 = 2;

impl PublishedKeys {
    /// An empty set of keys for `kind`'s key length.
    #[must_use]
    pub fn new(kind: SchemeKind) -> Self {
        Self::with_capacity(kind, 0)
    }

    /// An empty set with room for `capacity` keys.
    #[must_use]
    pub fn with_capacity(kind: SchemeKind, capacity: usize) -> Self {
        Self {
            kind,
            records: Records::Owned(Vec::with_capacity(capacity * record_len(kind))),
            has_metadata: false,
        }
    }

    /// Builds the set from whole columns: `keys` holds the key bytes back to
    /// back.
    ///
    /// # Errors
    /// [`Error::KeyLength`] when `keys` is not a whole number of keys,
    /// [`Error::ColumnLength`] when the columns differ in length,
    /// [`Error::InvalidKey`] at the first key with an invalid window.
    pub fn from_columns(
        kind: SchemeKind,
        keys: &[u8],
        rolling_start: &[u32],
        rolling_period: &[u32],
    ) -> Result<Self> {
        let key_len = kind.key_len();
        if !keys.len().is_multiple_of(key_len) {
            return Err(Error::KeyLength {
                scheme: kind.name(),
                expected: key_len,
                found: keys.len() % key_len,
            });
        }
        let rows = keys.len() / key_len;
        for (column, len) in [
            ("rolling_start", rolling_start.len()),
            ("rolling_period", rolling_period.len()),
        ] {
            if len != rows {
                return Err(Error::ColumnLength {
                    column,
                    expected: rows,
                    found: len,
                });
            }
        }
        check_row_count(rows)?;
        let mut set = Self::with_capacity(kind, rows);
        for (index, ((key, &start), &period)) in keys
            .chunks_exact(key_len)
            .zip(rolling_start)
            .zip(rolling_period)
            .enumerate()
        {
            set.push(key, start, period)
                .map_err(|err| Error::InvalidKey {
                    index,
                    reason: err.to_string(),
                })?;
        }
        Ok(set)
    }

    /// Wraps records that live in a memory map (a native batch file),
    /// after checking every record.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] at the first record that is not valid.
    pub(crate) fn from_mapped(
        kind: SchemeKind,
        map: Arc<Mmap>,
        offset: usize,
        len: usize,
    ) -> Result<Self> {
        let keys = Self {
            kind,
            records: Records::Mapped { map, offset, len },
            has_metadata: false,
        };
        keys.check_records()
    }

    /// Wraps records in owned bytes, after checking every record.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] at the first record that is not valid.
    pub(crate) fn from_record_bytes(kind: SchemeKind, bytes: Vec<u8>) -> Result<Self> {
        let keys = Self {
            kind,
            records: Records::Owned(bytes),
            has_metadata: false,
        };
        keys.check_records()
    }

    /// Checks that the bytes are whole records with valid fields, and notes
    /// whether any has metadata.
    fn check_records(mut self) -> Result<Self> {
        let record_len = self.record_len();
        let bytes = self.records.bytes();
        if !bytes.len().is_multiple_of(record_len) {
            return Err(Error::InvalidKey {
                index: bytes.len() / record_len,
                reason: format!("a partial record of {} bytes", bytes.len() % record_len),
            });
        }
        check_row_count(bytes.len() / record_len)?;
        let key_len = self.kind.key_len();
        let mut has_metadata = false;
        for (index, record) in bytes.chunks_exact(record_len).enumerate() {
            let tail = &record[key_len..];
            let invalid = |reason: String| Error::InvalidKey { index, reason };
            KeyWindow::new(le_u32(&tail[0..4]), le_u32(&tail[4..8]))
                .map_err(|err| invalid(err.to_string()))?;
            if ReportType::from_code(tail[8]).is_none() {
                return Err(invalid(format!("unknown report type {}", tail[8])));
            }
            if tail[9] & !(DAYS_SINCE_ONSET_GIVEN | TRANSMISSION_RISK_GIVEN) != 0 || tail[11] != 0 {
                return Err(invalid("reserved bits are set".to_owned()));
            }
            // A field that is not given is zero, so that equal keys are
            // equal bytes.
            if tail[9] & TRANSMISSION_RISK_GIVEN == 0 && tail[10] != 0 {
                return Err(invalid(
                    "a transmission risk is set but not flagged as given".to_owned(),
                ));
            }
            if tail[9] & DAYS_SINCE_ONSET_GIVEN == 0 && tail[12..16] != [0; 4] {
                return Err(invalid(
                    "days since onset are set but not flagged as given".to_owned(),
                ));
            }
            has_metadata |= tail[8..] != [0; 8];
        }
        self.has_metadata = has_metadata;
        Ok(self)
    }

    /// Adds one key.
    ///
    /// # Errors
    /// [`Error::KeyLength`] for a key of the wrong length,
    /// [`Error::InvalidWindow`] for an invalid window,
    /// [`Error::TooManyRows`] past `u32::MAX` keys.
    pub fn push(&mut self, key: &[u8], rolling_start: u32, rolling_period: u32) -> Result<()> {
        self.push_with_metadata(key, rolling_start, rolling_period, KeyMetadata::default())
    }

    /// Adds one key with its published metadata.
    ///
    /// # Errors
    /// As [`PublishedKeys::push`].
    pub fn push_with_metadata(
        &mut self,
        key: &[u8],
        rolling_start: u32,
        rolling_period: u32,
        metadata: KeyMetadata,
    ) -> Result<()> {
        if key.len() != self.kind.key_len() {
            return Err(Error::KeyLength {
                scheme: self.kind.name(),
                expected: self.kind.key_len(),
                found: key.len(),
            });
        }
        KeyWindow::new(rolling_start, rolling_period)?;
        check_row_count(self.len() + 1)?;
        let mut tail = [0u8; RECORD_TAIL_LEN];
        tail[0..4].copy_from_slice(&rolling_start.to_le_bytes());
        tail[4..8].copy_from_slice(&rolling_period.to_le_bytes());
        tail[8] = metadata.report_type.code();
        if let Some(days) = metadata.days_since_onset {
            tail[9] |= DAYS_SINCE_ONSET_GIVEN;
            tail[12..16].copy_from_slice(&days.to_le_bytes());
        }
        if let Some(risk) = metadata.transmission_risk {
            tail[9] |= TRANSMISSION_RISK_GIVEN;
            tail[10] = risk;
        }
        self.has_metadata |= metadata != KeyMetadata::default();
        let bytes = self.owned_bytes();
        bytes.extend_from_slice(key);
        bytes.extend_from_slice(&tail);
        Ok(())
    }

    /// The records as owned bytes, copying them out of a memory map first.
    fn owned_bytes(&mut self) -> &mut Vec<u8> {
        if let Records::Mapped { .. } = self.records {
            self.records = Records::Owned(self.records.bytes().to_vec());
        }
        match &mut self.records {
            Records::Owned(bytes) => bytes,
            Records::Mapped { .. } => unreachable!("converted just above"),
        }
    }

    /// The scheme whose key length these keys have.
    #[must_use]
    pub fn kind(&self) -> SchemeKind {
        self.kind
    }

    /// The length of one record, in bytes: the key's, plus
    /// [`RECORD_TAIL_LEN`].
    #[must_use]
    pub fn record_len(&self) -> usize {
        record_len(self.kind)
    }

    /// The records, back to back.
    #[must_use]
    pub fn record_bytes(&self) -> &[u8] {
        self.records.bytes()
    }

    /// Whether the records are read from a memory-mapped file.
    #[must_use]
    pub fn is_mapped(&self) -> bool {
        matches!(self.records, Records::Mapped { .. })
    }

    /// The number of keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.records.bytes().len() / self.record_len()
    }

    /// Whether there are no keys.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.records.bytes().is_empty()
    }

    /// The record at `index`, or `None` past the end.
    fn record(&self, index: usize) -> Option<&[u8]> {
        let record_len = self.record_len();
        self.records
            .bytes()
            .get(index * record_len..(index + 1) * record_len)
    }

    /// The key at `index`, or `None` past the end.
    #[must_use]
    pub fn get(&self, index: usize) -> Option<PublishedKey<'_>> {
        let record = self.record(index)?;
        let (key, tail) = record.split_at(self.kind.key_len());
        Some(PublishedKey {
            key,
            window: window_of(tail),
            metadata: metadata_of(tail),
        })
    }

    /// The keys one after the other.
    #[must_use]
    pub fn iter(&self) -> impl ExactSizeIterator<Item = PublishedKey<'_>> + '_ {
        let key_len = self.kind.key_len();
        self.records
            .bytes()
            .chunks_exact(self.record_len())
            .map(move |record| {
                let (key, tail) = record.split_at(key_len);
                PublishedKey {
                    key,
                    window: window_of(tail),
                    metadata: metadata_of(tail),
                }
            })
    }

    /// The bytes of the key at `index`, or `None` past the end.
    #[must_use]
    pub fn key(&self, index: usize) -> Option<&[u8]> {
        Some(&self.record(index)?[..self.kind.key_len()])
    }

    /// The rolling starts, one per key (a copy).
    #[must_use]
    pub fn rolling_starts(&self) -> Vec<u32> {
        self.iter().map(|key| key.window.rolling_start()).collect()
    }

    /// The rolling periods, one per key (a copy).
    #[must_use]
    pub fn rolling_periods(&self) -> Vec<u32> {
        self.iter().map(|key| key.window.rolling_period()).collect()
    }

    /// The validity window of the key at `index`.
    ///
    /// # Panics
    /// When `index` is out of bounds.
    #[must_use]
    pub fn window(&self, index: usize) -> KeyWindow {
        let record = self.record(index).expect("index below len");
        window_of(&record[self.kind.key_len()..])
    }

    /// The published metadata of the key at `index` (defaults when none was
    /// published, or past the end).
    #[must_use]
    pub fn metadata(&self, index: usize) -> KeyMetadata {
        self.record(index)
            .map(|record| metadata_of(&record[self.kind.key_len()..]))
            .unwrap_or_default()
    }

    /// Whether any key has published metadata.
    #[must_use]
    pub fn has_metadata(&self) -> bool {
        self.has_metadata
    }

    /// Bytes of heap memory that the records hold (a memory map holds
    /// none).
    #[must_use]
    pub fn heap_size(&self) -> usize {
        match &self.records {
            Records::Owned(bytes) => bytes.capacity(),
            Records::Mapped { .. } => 0,
        }
    }
}

/// The record length of `kind`'s keys.
#[must_use]
pub(crate) const fn record_len(kind: SchemeKind) -> usize {
    kind.key_len() + RECORD_TAIL_LEN
}

fn le_u32(bytes: &[u8]) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(bytes);
    u32::from_le_bytes(word)
}

/// The window of a record's tail, which was checked when the record was
/// made.
pub(crate) fn window_of(tail: &[u8]) -> KeyWindow {
    KeyWindow::new(le_u32(&tail[0..4]), le_u32(&tail[4..8]))
        .expect("records are checked when they are made")
}

fn metadata_of(tail: &[u8]) -> KeyMetadata {
    KeyMetadata {
        report_type: ReportType::from_code(tail[8]).unwrap_or_default(),
        days_since_onset: (tail[9] & DAYS_SINCE_ONSET_GIVEN != 0)
            .then(|| le_u32(&tail[12..16]).cast_signed()),
        transmission_risk: (tail[9] & TRANSMISSION_RISK_GIVEN != 0).then_some(tail[10]),
    }
}

/// Row numbers are reported as `u32`: refuse more rows than that.
pub(crate) fn check_row_count(rows: usize) -> Result<()> {
    if u32::try_from(rows).is_ok() {
        Ok(())
    } else {
        Err(Error::TooManyRows { rows })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_must_agree() {
        let ok = PublishedKeys::from_columns(SchemeKind::B3, &[0; 32], &[1, 2], &[144, 144]);
        assert_eq!(ok.unwrap().len(), 2);
        assert_eq!(
            PublishedKeys::from_columns(SchemeKind::B3, &[0; 31], &[1, 2], &[144, 144]),
            Err(Error::KeyLength {
                scheme: "b3",
                expected: 16,
                found: 15
            })
        );
        assert_eq!(
            PublishedKeys::from_columns(SchemeKind::B3, &[0; 32], &[1], &[144, 144]),
            Err(Error::ColumnLength {
                column: "rolling_start",
                expected: 2,
                found: 1
            })
        );
        assert!(matches!(
            PublishedKeys::from_columns(SchemeKind::B3, &[0; 32], &[1, 2], &[144, 0]),
            Err(Error::InvalidKey { index: 1, .. })
        ));
    }

    #[test]
    fn metadata_appears_when_first_given() {
        let mut keys = PublishedKeys::new(SchemeKind::Gaen);
        keys.push(&[1; 16], 10, 144).unwrap();
        assert!(!keys.has_metadata());
        let meta = KeyMetadata {
            report_type: ReportType::ConfirmedTest,
            days_since_onset: Some(-2),
            transmission_risk: Some(6),
        };
        keys.push_with_metadata(&[2; 16], 10, 144, meta).unwrap();
        assert!(keys.has_metadata());
        assert_eq!(keys.metadata(0), KeyMetadata::default());
        assert_eq!(keys.metadata(1), meta);
        assert_eq!(keys.iter().count(), 2);
        assert_eq!(keys.key(1), Some(&[2u8; 16][..]));
        assert_eq!(keys.key(2), None);
        assert_eq!(keys.record_len(), 32);
    }

    #[test]
    fn records_are_checked() {
        let mut keys = PublishedKeys::new(SchemeKind::B3);
        keys.push_with_metadata(
            &[1; 16],
            7,
            144,
            KeyMetadata {
                report_type: ReportType::SelfReport,
                days_since_onset: Some(-3),
                transmission_risk: Some(0),
            },
        )
        .unwrap();
        let bytes = keys.record_bytes().to_vec();
        let again = PublishedKeys::from_record_bytes(SchemeKind::B3, bytes.clone()).unwrap();
        assert_eq!(again, keys);
        assert!(again.has_metadata());
        let mut bad = bytes.clone();
        bad[16 + 4..16 + 8].copy_from_slice(&0u32.to_le_bytes());
        assert!(matches!(
            PublishedKeys::from_record_bytes(SchemeKind::B3, bad),
            Err(Error::InvalidKey { index: 0, .. })
        ));
        let mut bad = bytes.clone();
        bad[16 + 8] = 6;
        assert!(PublishedKeys::from_record_bytes(SchemeKind::B3, bad).is_err());
        let mut bad = bytes.clone();
        bad[16 + 9] = 4;
        assert!(PublishedKeys::from_record_bytes(SchemeKind::B3, bad).is_err());
        let mut bad = bytes.clone();
        bad[16 + 9] = 1; // risk 0 given, days given: now the risk is not given
        bad[16 + 10] = 3;
        assert!(PublishedKeys::from_record_bytes(SchemeKind::B3, bad).is_err());
        let mut bad = bytes.clone();
        bad[16 + 9] = 2; // days not given, but set
        assert!(PublishedKeys::from_record_bytes(SchemeKind::B3, bad).is_err());
        assert!(PublishedKeys::from_record_bytes(SchemeKind::B3, bytes[..31].to_vec()).is_err());
    }

    #[test]
    fn report_types_round_trip() {
        for code in 0..=5 {
            assert_eq!(ReportType::from_code(code).unwrap().code(), code);
        }
        assert_eq!(ReportType::from_code(6), None);
    }
}
