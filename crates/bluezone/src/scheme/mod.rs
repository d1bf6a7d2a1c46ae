//! The ephemeral-ID schemes, behind one trait.
//!
//! A scheme turns a daily key and an interval number into the ID that a
//! phone broadcast during that interval. [`IdScheme`] is implemented by
//! [`Gaen`], [`Bluezone`] and [`B3`]; generic code (the matcher) is
//! monomorphised over it. [`Scheme`] names one at run time and dispatches to
//! it, by bytes or through a [`SchemeVisitor`].

pub mod b3;
pub mod bluezone;
pub mod gaen;

use std::fmt;
use std::str::FromStr;

use crate::time::{INTERVAL_SECONDS, INTERVALS_PER_DAY};
use crate::{ByteArray, Error, Result};

pub use b3::B3;
pub use bluezone::Bluezone;
pub use gaen::Gaen;

/// An ephemeral-ID scheme.
///
/// A key's IDs may depend on its *rolling start*, the first interval of its
/// validity window: they do for [`Bluezone`] and [`B3`], not for [`Gaen`].
/// Both derivation methods take it, write into a caller buffer and allocate
/// nothing per ID.
pub trait IdScheme: Copy + Send + Sync + fmt::Debug + 'static {
    /// A daily key.
    type Key: ByteArray;
    /// An ephemeral ID.
    type Id: ByteArray;

    /// Which scheme this is.
    fn kind(&self) -> SchemeKind;

    /// The length of one interval, in seconds.
    fn interval_seconds(&self) -> u32;

    /// The number of intervals in one day of a key.
    fn intervals_per_day(&self) -> u32;

    /// Writes the IDs of the intervals `first, first + 1, …` into `out`, one
    /// per element.
    ///
    /// # Errors
    /// [`Error::IntervalOverflow`] when the range runs past `u32::MAX`;
    /// [`Error::BeforeRollingStart`] when the scheme defines no ID for an
    /// interval before the rolling start; scheme-specific limits.
    fn derive_range(
        &self,
        key: &Self::Key,
        rolling_start: u32,
        first: u32,
        out: &mut [Self::Id],
    ) -> Result<()>;

    /// Writes the ID of `intervals[j]` into `out[j]`, for every `j`.
    ///
    /// The intervals may come in any order; ascending order is the fastest,
    /// and runs of consecutive intervals are derived together. Only the
    /// intervals asked for are derived where the scheme allows it.
    ///
    /// # Errors
    /// [`Error::BufferLength`] when `out` and `intervals` differ in length;
    /// otherwise as [`IdScheme::derive_range`].
    fn derive_sparse(
        &self,
        key: &Self::Key,
        rolling_start: u32,
        intervals: &[u32],
        out: &mut [Self::Id],
    ) -> Result<()>;

    /// Derives the ID of every `intervals[j]` and calls `visit(j, &id)`, in
    /// the order of `intervals`: the zero-copy form of
    /// [`IdScheme::derive_sparse`], which the matcher uses to look each ID
    /// up as it is made.
    ///
    /// Every interval is checked before the first call to `visit`, so an
    /// error means that `visit` was not called.
    ///
    /// # Errors
    /// As [`IdScheme::derive_range`].
    fn for_each_sparse(
        &self,
        key: &Self::Key,
        rolling_start: u32,
        intervals: &[u32],
        visit: impl FnMut(usize, &Self::Id),
    ) -> Result<()>;

    /// Derives the IDs of the `count` intervals from `first` and hands them
    /// to `visit` in order, in contiguous chunks: `visit(interval, ids)`
    /// receives the IDs of `interval, interval + 1, …`. The zero-copy form
    /// of [`IdScheme::derive_range`]: the matcher tests each chunk against
    /// its index while it is in the CPU's cache.
    ///
    /// The whole range is checked before the first call to `visit`.
    ///
    /// # Errors
    /// As [`IdScheme::derive_range`].
    fn for_each_range(
        &self,
        key: &Self::Key,
        rolling_start: u32,
        first: u32,
        count: usize,
        visit: impl FnMut(u32, &[Self::Id]),
    ) -> Result<()>;

    /// The ID of one interval. Deriving many at once is faster.
    ///
    /// # Errors
    /// As [`IdScheme::derive_range`].
    fn derive_one(&self, key: &Self::Key, rolling_start: u32, interval: u32) -> Result<Self::Id> {
        let mut id = [Self::Id::default()];
        self.derive_range(key, rolling_start, interval, &mut id)?;
        Ok(id[0])
    }
}

/// The three schemes, by name only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SchemeKind {
    /// [`Gaen`]: Google/Apple Exposure Notification, v1.2.
    Gaen,
    /// [`Bluezone`]: the rolling IDs of the 2020 Bluezone app.
    Bluezone,
    /// [`B3`]: this project's scheme on BLAKE3.
    B3,
}

impl SchemeKind {
    /// Every scheme, in a fixed order.
    pub const ALL: [SchemeKind; 3] = [SchemeKind::Gaen, SchemeKind::Bluezone, SchemeKind::B3];

    /// The scheme's name: `gaen`, `bluezone` or `b3`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            SchemeKind::Gaen => "gaen",
            SchemeKind::Bluezone => "bluezone",
            SchemeKind::B3 => "b3",
        }
    }

    /// The length of the scheme's keys, in bytes.
    #[must_use]
    pub const fn key_len(self) -> usize {
        match self {
            SchemeKind::Gaen => gaen::KEY_LEN,
            SchemeKind::Bluezone => bluezone::KEY_LEN,
            SchemeKind::B3 => b3::KEY_LEN,
        }
    }

    /// The length of the scheme's IDs, in bytes.
    #[must_use]
    pub const fn id_len(self) -> usize {
        match self {
            SchemeKind::Gaen => gaen::ID_LEN,
            SchemeKind::Bluezone => bluezone::ID_LEN,
            SchemeKind::B3 => b3::ID_LEN,
        }
    }
}

impl fmt::Display for SchemeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SchemeKind {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        SchemeKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
            .ok_or_else(|| Error::UnknownScheme {
                name: name.to_owned(),
            })
    }
}

/// A scheme chosen at run time, with its parameters.
///
/// ```
/// use bluezone::{Scheme, SchemeKind};
///
/// let scheme = Scheme::new(SchemeKind::Bluezone, Some(96))?;
/// assert_eq!(scheme.interval_seconds(), 900);
/// let mut ids = vec![0u8; 96 * scheme.id_len()];
/// scheme.derive_range_bytes(&[7u8; 32], 1_000, 1_000, &mut ids)?;
/// # Ok::<(), bluezone::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Google/Apple Exposure Notification.
    Gaen(Gaen),
    /// The 2020 Bluezone app's rolling IDs, with its slots per day.
    Bluezone(Bluezone),
    /// This project's BLAKE3 scheme.
    B3(B3),
}

/// Code that runs generically over whichever scheme a [`Scheme`] holds.
pub trait SchemeVisitor {
    /// What the visit returns.
    type Output;

    /// Runs with the concrete scheme.
    fn visit<S: IdScheme>(self, scheme: S) -> Self::Output;
}

impl Scheme {
    /// The scheme of `kind`. `per_day` is the number of slots per day of the
    /// `bluezone` scheme (default 144); the other schemes take none.
    ///
    /// # Errors
    /// [`Error::InvalidPerDay`] when `per_day` is not a divisor of 86400;
    /// [`Error::PerDayFixed`] when it is given, other than 144, for a scheme
    /// other than `bluezone`.
    pub fn new(kind: SchemeKind, per_day: Option<u32>) -> Result<Self> {
        match (kind, per_day) {
            (SchemeKind::Gaen, None) => Ok(Scheme::Gaen(Gaen)),
            (SchemeKind::B3, None) => Ok(Scheme::B3(B3)),
            (SchemeKind::Bluezone, per_day) => Ok(Scheme::Bluezone(Bluezone::new(
                per_day.unwrap_or(bluezone::DEFAULT_PER_DAY),
            )?)),
            (_, Some(per_day)) if per_day == INTERVALS_PER_DAY => Scheme::new(kind, None),
            (_, Some(per_day)) => Err(Error::PerDayFixed {
                scheme: kind.name(),
                per_day,
            }),
        }
    }

    /// Runs `visitor` with the concrete scheme.
    pub fn visit<V: SchemeVisitor>(&self, visitor: V) -> V::Output {
        match *self {
            Scheme::Gaen(scheme) => visitor.visit(scheme),
            Scheme::Bluezone(scheme) => visitor.visit(scheme),
            Scheme::B3(scheme) => visitor.visit(scheme),
        }
    }

    /// Which scheme this is.
    #[must_use]
    pub fn kind(&self) -> SchemeKind {
        match self {
            Scheme::Gaen(_) => SchemeKind::Gaen,
            Scheme::Bluezone(_) => SchemeKind::Bluezone,
            Scheme::B3(_) => SchemeKind::B3,
        }
    }

    /// The length of the scheme's keys, in bytes.
    #[must_use]
    pub fn key_len(&self) -> usize {
        self.kind().key_len()
    }

    /// The length of the scheme's IDs, in bytes.
    #[must_use]
    pub fn id_len(&self) -> usize {
        self.kind().id_len()
    }

    /// The length of one interval, in seconds.
    #[must_use]
    pub fn interval_seconds(&self) -> u32 {
        match self {
            Scheme::Gaen(_) | Scheme::B3(_) => INTERVAL_SECONDS,
            Scheme::Bluezone(scheme) => scheme.interval_seconds(),
        }
    }

    /// The number of intervals in a day.
    #[must_use]
    pub fn intervals_per_day(&self) -> u32 {
        match self {
            Scheme::Gaen(_) | Scheme::B3(_) => INTERVALS_PER_DAY,
            Scheme::Bluezone(scheme) => scheme.intervals_per_day(),
        }
    }

    /// [`IdScheme::derive_range`] on bytes: `key` must be
    /// [`key_len`](Self::key_len) bytes and `out` a whole number of IDs.
    ///
    /// # Errors
    /// [`Error::KeyLength`], [`Error::BufferLength`], or as
    /// [`IdScheme::derive_range`].
    pub fn derive_range_bytes(
        &self,
        key: &[u8],
        rolling_start: u32,
        first: u32,
        out: &mut [u8],
    ) -> Result<()> {
        self.visit(DeriveBytes {
            key,
            rolling_start,
            intervals: Intervals::Range(first),
            out,
        })
    }

    /// [`IdScheme::derive_sparse`] on bytes: `out` must hold exactly
    /// `intervals.len()` IDs.
    ///
    /// # Errors
    /// As [`Scheme::derive_range_bytes`].
    pub fn derive_sparse_bytes(
        &self,
        key: &[u8],
        rolling_start: u32,
        intervals: &[u32],
        out: &mut [u8],
    ) -> Result<()> {
        self.visit(DeriveBytes {
            key,
            rolling_start,
            intervals: Intervals::Sparse(intervals),
            out,
        })
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scheme::Bluezone(scheme) if scheme.per_day() != bluezone::DEFAULT_PER_DAY => {
                write!(f, "bluezone (per_day {})", scheme.per_day())
            }
            _ => f.write_str(self.kind().name()),
        }
    }
}

/// The intervals of a byte-level derivation.
enum Intervals<'a> {
    Range(u32),
    Sparse(&'a [u32]),
}

/// A byte-level derivation, run by [`Scheme::visit`].
struct DeriveBytes<'a> {
    key: &'a [u8],
    rolling_start: u32,
    intervals: Intervals<'a>,
    out: &'a mut [u8],
}

impl SchemeVisitor for DeriveBytes<'_> {
    type Output = Result<()>;

    fn visit<S: IdScheme>(self, scheme: S) -> Result<()> {
        let key = S::Key::cast_slice(self.key)
            .and_then(|keys| match keys {
                [key] => Some(key),
                _ => None,
            })
            .ok_or(Error::KeyLength {
                scheme: scheme.kind().name(),
                expected: S::Key::LEN,
                found: self.key.len(),
            })?;
        let found = self.out.len();
        let wanted = match self.intervals {
            Intervals::Range(_) => None,
            Intervals::Sparse(intervals) => Some(intervals.len() * S::Id::LEN),
        };
        let out = S::Id::cast_slice_mut(self.out)
            .filter(|ids| wanted.is_none_or(|bytes| bytes == ids.len() * S::Id::LEN))
            .ok_or(Error::BufferLength {
                expected: wanted.unwrap_or(found.div_ceil(S::Id::LEN) * S::Id::LEN),
                found,
            })?;
        match self.intervals {
            Intervals::Range(first) => scheme.derive_range(key, self.rolling_start, first, out),
            Intervals::Sparse(intervals) => {
                scheme.derive_sparse(key, self.rolling_start, intervals, out)
            }
        }
    }
}

/// Checks that `count` intervals from `first` stay within `u32`.
pub(crate) fn check_range(first: u32, count: usize) -> Result<()> {
    let count = count as u64;
    if u64::from(first) + count > u64::from(u32::MAX) + 1 {
        Err(Error::IntervalOverflow { first, count })
    } else {
        Ok(())
    }
}

/// Checks that a sparse derivation has one output per interval.
pub(crate) fn check_sparse<Id: ByteArray>(intervals: &[u32], out: &[Id]) -> Result<()> {
    if intervals.len() == out.len() {
        Ok(())
    } else {
        Err(Error::BufferLength {
            expected: intervals.len() * Id::LEN,
            found: out.len() * Id::LEN,
        })
    }
}

/// Checks that `interval` is not before `rolling_start` and returns its
/// offset from it.
pub(crate) fn offset_from_start(interval: u32, rolling_start: u32) -> Result<u32> {
    interval
        .checked_sub(rolling_start)
        .ok_or(Error::BeforeRollingStart {
            interval,
            rolling_start,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in SchemeKind::ALL {
            assert_eq!(kind.name().parse::<SchemeKind>(), Ok(kind));
        }
        assert_eq!(
            "GAEN".parse::<SchemeKind>().unwrap_err().to_string(),
            "unknown scheme \"GAEN\": expected one of gaen, bluezone, b3"
        );
    }

    #[test]
    fn per_day_belongs_to_bluezone() {
        assert!(Scheme::new(SchemeKind::Gaen, Some(96)).is_err());
        assert_eq!(Scheme::new(SchemeKind::B3, Some(144)), Ok(Scheme::B3(B3)));
        let bz = Scheme::new(SchemeKind::Bluezone, None).unwrap();
        assert_eq!(bz.intervals_per_day(), 144);
        assert_eq!(bz.to_string(), "bluezone");
        let bz96 = Scheme::new(SchemeKind::Bluezone, Some(96)).unwrap();
        assert_eq!(bz96.to_string(), "bluezone (per_day 96)");
        assert_eq!(bz96.interval_seconds(), 900);
    }

    #[test]
    fn byte_level_checks_lengths() {
        let scheme = Scheme::B3(B3);
        let mut out = [0u8; 32];
        assert_eq!(
            scheme.derive_range_bytes(&[0; 15], 0, 0, &mut out),
            Err(Error::KeyLength {
                scheme: "b3",
                expected: 16,
                found: 15
            })
        );
        assert_eq!(
            scheme.derive_range_bytes(&[0; 16], 0, 0, &mut out[..31]),
            Err(Error::BufferLength {
                expected: 32,
                found: 31
            })
        );
        assert_eq!(
            scheme.derive_sparse_bytes(&[0; 16], 0, &[1, 2, 3], &mut out),
            Err(Error::BufferLength {
                expected: 48,
                found: 32
            })
        );
        assert!(
            scheme
                .derive_sparse_bytes(&[0; 16], 0, &[1, 2], &mut out)
                .is_ok()
        );
    }

    #[test]
    fn range_overflow_is_an_error() {
        assert!(check_range(u32::MAX, 1).is_ok());
        assert_eq!(
            check_range(u32::MAX, 2),
            Err(Error::IntervalOverflow {
                first: u32::MAX,
                count: 2
            })
        );
        assert!(check_range(0, 0).is_ok());
    }
}
