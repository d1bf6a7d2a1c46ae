//! Published keys: the daily keys of diagnosed users, as key servers
//! publish them.
//!
//! [`PublishedKeys`] stores them in columns: the key bytes back to back,
//! then one column per field, so that millions of keys cost a few bytes of
//! overhead each and the matcher reads them without pointer chasing.

use crate::time::KeyWindow;
use crate::{ByteArray, Error, Result, SchemeKind};

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

/// A set of published keys of one key length, in columns.
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishedKeys {
    kind: SchemeKind,
    keys: Vec<u8>,
    rolling_start: Vec<u32>,
    rolling_period: Vec<u32>,
    /// Present once any key has metadata; then one entry per key.
    metadata: Option<Vec<KeyMetadata>>,
}

impl PublishedKeys {
    /// An empty set of keys for `kind`'s key length.
    #[must_use]
    pub fn new(kind: SchemeKind) -> Self {
        Self {
            kind,
            keys: Vec::new(),
            rolling_start: Vec::new(),
            rolling_period: Vec::new(),
            metadata: None,
        }
    }

    /// An empty set with room for `capacity` keys.
    #[must_use]
    pub fn with_capacity(kind: SchemeKind, capacity: usize) -> Self {
        let mut keys = Self::new(kind);
        keys.keys.reserve(capacity * kind.key_len());
        keys.rolling_start.reserve(capacity);
        keys.rolling_period.reserve(capacity);
        keys
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
        keys: Vec<u8>,
        rolling_start: Vec<u32>,
        rolling_period: Vec<u32>,
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
        for (index, (&start, &period)) in rolling_start.iter().zip(&rolling_period).enumerate() {
            KeyWindow::new(start, period).map_err(|err| Error::InvalidKey {
                index,
                reason: err.to_string(),
            })?;
        }
        check_row_count(rows)?;
        Ok(Self {
            kind,
            keys,
            rolling_start,
            rolling_period,
            metadata: None,
        })
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
        if metadata != KeyMetadata::default() && self.metadata.is_none() {
            self.metadata = Some(vec![KeyMetadata::default(); self.len()]);
        }
        if let Some(column) = &mut self.metadata {
            column.push(metadata);
        }
        self.keys.extend_from_slice(key);
        self.rolling_start.push(rolling_start);
        self.rolling_period.push(rolling_period);
        Ok(())
    }

    /// The scheme whose key length these keys have.
    #[must_use]
    pub fn kind(&self) -> SchemeKind {
        self.kind
    }

    /// The number of keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rolling_start.len()
    }

    /// Whether there are no keys.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rolling_start.is_empty()
    }

    /// The key at `index`, or `None` past the end.
    #[must_use]
    pub fn get(&self, index: usize) -> Option<PublishedKey<'_>> {
        let key_len = self.kind.key_len();
        let key = self.keys.get(index * key_len..(index + 1) * key_len)?;
        Some(PublishedKey {
            key,
            window: self.window(index),
            metadata: self.metadata(index),
        })
    }

    /// The keys one after the other.
    ///
    /// # Panics
    /// Never: every index below `len` has a row.
    #[must_use]
    pub fn iter(&self) -> impl ExactSizeIterator<Item = PublishedKey<'_>> + '_ {
        (0..self.len()).map(|index| self.get(index).expect("every index below len has a row"))
    }

    /// The key bytes, back to back.
    #[must_use]
    pub fn key_bytes(&self) -> &[u8] {
        &self.keys
    }

    /// The keys as arrays of `K`, or `None` when `K` is not the key length.
    #[must_use]
    pub fn keys_as<K: ByteArray>(&self) -> Option<&[K]> {
        (K::LEN == self.kind.key_len())
            .then(|| K::cast_slice(&self.keys))
            .flatten()
    }

    /// The rolling starts, one per key.
    #[must_use]
    pub fn rolling_starts(&self) -> &[u32] {
        &self.rolling_start
    }

    /// The rolling periods, one per key.
    #[must_use]
    pub fn rolling_periods(&self) -> &[u32] {
        &self.rolling_period
    }

    /// The validity window of the key at `index`.
    ///
    /// # Panics
    /// When `index` is out of bounds.
    #[must_use]
    pub fn window(&self, index: usize) -> KeyWindow {
        KeyWindow::new(self.rolling_start[index], self.rolling_period[index])
            .expect("windows are checked when keys are added")
    }

    /// The published metadata of the key at `index` (defaults when none was
    /// published).
    #[must_use]
    pub fn metadata(&self, index: usize) -> KeyMetadata {
        self.metadata
            .as_ref()
            .and_then(|column| column.get(index).copied())
            .unwrap_or_default()
    }

    /// Whether any key has published metadata.
    #[must_use]
    pub fn has_metadata(&self) -> bool {
        self.metadata.is_some()
    }

    /// Bytes of memory that the columns hold.
    #[must_use]
    pub fn heap_size(&self) -> usize {
        self.keys.capacity()
            + 4 * (self.rolling_start.capacity() + self.rolling_period.capacity())
            + self
                .metadata
                .as_ref()
                .map_or(0, |column| column.capacity() * size_of::<KeyMetadata>())
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
        let ok =
            PublishedKeys::from_columns(SchemeKind::B3, vec![0; 32], vec![1, 2], vec![144, 144]);
        assert_eq!(ok.unwrap().len(), 2);
        assert_eq!(
            PublishedKeys::from_columns(SchemeKind::B3, vec![0; 31], vec![1, 2], vec![144, 144]),
            Err(Error::KeyLength {
                scheme: "b3",
                expected: 16,
                found: 15
            })
        );
        assert_eq!(
            PublishedKeys::from_columns(SchemeKind::B3, vec![0; 32], vec![1], vec![144, 144]),
            Err(Error::ColumnLength {
                column: "rolling_start",
                expected: 2,
                found: 1
            })
        );
        assert!(matches!(
            PublishedKeys::from_columns(SchemeKind::B3, vec![0; 32], vec![1, 2], vec![144, 0]),
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
        assert_eq!(keys.keys_as::<[u8; 16]>().unwrap()[1], [2; 16]);
        assert!(keys.keys_as::<[u8; 32]>().is_none());
    }

    #[test]
    fn report_types_round_trip() {
        for code in 0..=5 {
            assert_eq!(ReportType::from_code(code).unwrap().code(), code);
        }
        assert_eq!(ReportType::from_code(6), None);
    }
}
