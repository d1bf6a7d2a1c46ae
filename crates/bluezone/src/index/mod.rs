//! The local index: built once per encounter log, it tells the matcher
//! which intervals are worth deriving and whether a derived ID was seen.
//!
//! - **Candidate intervals**: a `roaring` bitmap of every interval `i` for
//!   which the log holds a sighting at a time `t` with
//!   `i·L − tol ≤ t < (i+1)·L + tol`. A published key's IDs are derived only
//!   for the intervals of its window that are in the bitmap.
//! - **Day tables**: for each day (each run of `intervals_per_day`
//!   intervals) that has candidates, the sightings that can match during
//!   it. Each has a filter, a bitset addressed by the top bits of an ID's
//!   last eight bytes, with 256 bits per ID while it fits in 128 KiB (the
//!   CPU's second-level cache) and at least 16 beyond that, so that the
//!   test of an unseen ID is one bit that says "no" 94% to 99.6% of the
//!   time; and an exact table, the sightings sorted by ID then time with a
//!   directory indexed by the top bits of the ID's first eight bytes, where
//!   a filter hit is confirmed and the sighting's time checked against the
//!   interval and the tolerance. The matcher takes a chunk's keys day by
//!   day, so one day's table stays in the CPU's caches for its keys.

mod day;
mod filter;

use rayon::prelude::*;
use roaring::RoaringBitmap;

use crate::log::EncounterLog;
use crate::matcher::Match;
use crate::{ByteArray, Error, Result, Scheme};

pub(crate) use day::DayTable;

/// The largest tolerance accepted, in seconds: one day. A tolerance is clock
/// drift; beyond a day it would make every ID of every day a candidate.
pub const MAX_TOLERANCE_SECONDS: u32 = 86_400;

/// The index of one encounter log, for one scheme and tolerance.
///
/// ```
/// use bluezone::{B3, EncounterLog, IdScheme, LocalIndex, Scheme};
///
/// let key = [5u8; 16];
/// let start = 2_642_976;
/// let id = B3.derive_one(&key, start, start + 50)?;
/// let time = i64::from(start + 50) * 600 + 30;
/// let log = EncounterLog::from_columns(16, &id, &[time], &[-60])?;
///
/// let index = LocalIndex::build(&log, Scheme::B3(B3), 7_200)?;
/// // Two hours of tolerance each side of a 10-minute interval: 25 intervals.
/// assert_eq!(index.candidate_intervals().len(), 25);
/// assert!(index.candidate_intervals().contains(start + 50));
/// # Ok::<(), bluezone::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct LocalIndex {
    scheme: Scheme,
    tolerance: u32,
    rows: usize,
    intervals: RoaringBitmap,
    days: Vec<DayTable>,
    /// Whether the filter test may use AVX-512.
    simd: bool,
}

/// The intervals that a sighting at `time` can match: `i` with
/// `i·L − tol ≤ time < (i+1)·L + tol`, clamped to interval numbers; `None`
/// when there are none.
fn interval_span(time: i64, interval_seconds: u32, tolerance: u32) -> Option<(u32, u32)> {
    let length = i128::from(interval_seconds);
    let first = (i128::from(time) - i128::from(tolerance)).div_euclid(length);
    let last = (i128::from(time) + i128::from(tolerance)).div_euclid(length);
    let clamp = |i: i128| u32::try_from(i.clamp(0, i128::from(u32::MAX))).unwrap_or(u32::MAX);
    (last >= 0 && first <= i128::from(u32::MAX)).then(|| (clamp(first), clamp(last)))
}

impl LocalIndex {
    /// Indexes `log` for matching keys of `scheme` with a tolerance of
    /// `tolerance` seconds each side of an interval.
    ///
    /// # Errors
    /// [`Error::IdLength`] when the log's IDs are not the scheme's;
    /// [`Error::InvalidTolerance`] above [`MAX_TOLERANCE_SECONDS`].
    pub fn build(log: &EncounterLog, scheme: Scheme, tolerance: u32) -> Result<Self> {
        if log.id_len() != scheme.id_len() {
            return Err(Error::IdLength {
                expected: scheme.id_len(),
                found: log.id_len(),
            });
        }
        if tolerance > MAX_TOLERANCE_SECONDS {
            return Err(Error::InvalidTolerance {
                seconds: tolerance,
                max: MAX_TOLERANCE_SECONDS,
            });
        }
        let spans: Vec<Option<(u32, u32)>> = log
            .times()
            .par_iter()
            .map(|&time| interval_span(time, scheme.interval_seconds(), tolerance))
            .collect();
        Ok(Self {
            scheme,
            tolerance,
            rows: log.len(),
            intervals: union_of(&spans),
            days: day_tables(log, &spans, scheme.intervals_per_day()),
            simd: filter::simd_available(),
        })
    }

    /// The scheme the index was built for.
    #[must_use]
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The tolerance, in seconds.
    #[must_use]
    pub fn tolerance(&self) -> u32 {
        self.tolerance
    }

    /// The number of sightings in the indexed log.
    #[must_use]
    pub fn log_len(&self) -> usize {
        self.rows
    }

    /// The intervals that a published key's IDs can match in: the bitmap.
    #[must_use]
    pub fn candidate_intervals(&self) -> &RoaringBitmap {
        &self.intervals
    }

    /// The number of days that have sightings which can match.
    #[must_use]
    pub fn days(&self) -> usize {
        self.days.len()
    }

    /// Bytes of memory that the index holds.
    #[must_use]
    pub fn heap_size(&self) -> usize {
        self.intervals.serialized_size()
            + self
                .days
                .iter()
                .map(|day| day.heap_size() + size_of::<DayTable>())
                .sum::<usize>()
    }

    /// The table of the day that holds `interval`, with the day's range of
    /// intervals, or `None` when no sighting can match in that day.
    pub(crate) fn day_of(&self, interval: u32) -> Option<(&DayTable, u64, u64)> {
        let day_length = self.scheme.intervals_per_day();
        let day = interval / day_length;
        let at = self
            .days
            .binary_search_by_key(&day, |table| table.day)
            .ok()?;
        let first = u64::from(day) * u64::from(day_length);
        Some((&self.days[at], first, first + u64::from(day_length)))
    }

    /// Tests up to 64 IDs against a day's filter: bit `j` of the result is
    /// set when `ids[j]` may have been seen.
    #[inline]
    pub(crate) fn test_many<Id: ByteArray>(&self, day: &DayTable, ids: &[Id]) -> u64 {
        day.test_many(ids, self.simd)
    }

    /// Finds the sightings of `id` in `day` that match `interval`, and
    /// appends one match per sighting to `out`.
    pub(crate) fn find<Id: ByteArray>(
        &self,
        day: &DayTable,
        key_index: u32,
        interval: u32,
        id: &Id,
        out: &mut Vec<Match>,
    ) {
        let length = i64::from(self.scheme.interval_seconds());
        let earliest = i64::from(interval) * length - i64::from(self.tolerance);
        let latest = (i64::from(interval) + 1) * length + i64::from(self.tolerance);
        day.find(key_index, interval, id, (earliest, latest), out);
    }
}

/// The union of every sighting's span of intervals, as a bitmap.
fn union_of(spans: &[Option<(u32, u32)>]) -> RoaringBitmap {
    let mut ranges: Vec<(u32, u32)> = spans.iter().flatten().copied().collect();
    ranges.par_sort_unstable();
    let mut intervals = RoaringBitmap::new();
    let mut pending: Option<(u32, u32)> = None;
    for (first, last) in ranges {
        match &mut pending {
            Some((_, end)) if u64::from(first) <= u64::from(*end) + 1 => *end = (*end).max(last),
            _ => {
                if let Some((a, b)) = pending.replace((first, last)) {
                    intervals.insert_range(a..=b);
                }
            }
        }
    }
    if let Some((a, b)) = pending {
        intervals.insert_range(a..=b);
    }
    intervals
}

/// The day tables: each sighting goes to every day its span touches.
fn day_tables(log: &EncounterLog, spans: &[Option<(u32, u32)>], day_length: u32) -> Vec<DayTable> {
    let id_len = log.id_len();
    let id = |row: u32| {
        let start = row as usize * id_len;
        &log.id_bytes()[start..start + id_len]
    };
    // The sightings that can match, sorted by ID (as a big-endian number,
    // which orders like the bytes), then time, then row.
    let mut sorted: Vec<(u128, i64, u32)> = (0..log.len() as u32)
        .filter(|&row| spans[row as usize].is_some())
        .map(|row| {
            let mut wide = [0u8; 16];
            wide[..id_len].copy_from_slice(id(row));
            (u128::from_be_bytes(wide), log.times()[row as usize], row)
        })
        .collect();
    sorted.par_sort_unstable();
    // (day, position in `sorted`), sorted: each day's sightings in ID order.
    let mut by_day: Vec<(u32, u32)> = Vec::with_capacity(sorted.len());
    for (position, &(_, _, row)) in sorted.iter().enumerate() {
        let (first, last) = spans[row as usize].expect("only rows that can match are sorted");
        for day in first / day_length..=last / day_length {
            by_day.push((day, position as u32));
        }
    }
    by_day.par_sort_unstable();
    let groups: Vec<&[(u32, u32)]> = by_day.chunk_by(|a, b| a.0 == b.0).collect();
    groups
        .into_par_iter()
        .map(|group| {
            let entries = group.iter().map(|&(_, position)| {
                let (_, time, row) = sorted[position as usize];
                (id(row), time, row)
            });
            DayTable::build(group[0].0, id_len, entries)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{B3, Gaen};

    #[test]
    fn spans_follow_the_definition() {
        // t = 1000, L = 600, tol = 0: only interval 1 (600 ≤ 1000 < 1200).
        assert_eq!(interval_span(1_000, 600, 0), Some((1, 1)));
        // At an interval's first second, tolerance 0: that interval only.
        assert_eq!(interval_span(1_200, 600, 0), Some((2, 2)));
        // tol = 600 widens by one interval each side.
        assert_eq!(interval_span(1_200, 600, 600), Some((1, 3)));
        // i·L − tol ≤ t: interval 3 starts at 1800; 1800 − 600 = 1200 ≤ 1200.
        // t < (i+1)·L + tol: interval 1 ends at 1200; 1200 + 600 > 1200.
        assert_eq!(interval_span(1_199, 600, 600), Some((0, 2)));
        // Before 1970 and past the last interval: clamped or nothing.
        assert_eq!(interval_span(-10_000, 600, 7_200), None);
        assert_eq!(interval_span(-100, 600, 7_200), Some((0, 11)));
        assert_eq!(interval_span(i64::MAX, 600, 7_200), None);
        assert_eq!(interval_span(i64::MIN, 600, 7_200), None);
    }

    #[test]
    fn the_index_rejects_a_log_of_another_scheme() {
        let log = EncounterLog::new(12).unwrap();
        assert!(matches!(
            LocalIndex::build(&log, Scheme::Gaen(Gaen), 0),
            Err(Error::IdLength { .. })
        ));
        let log = EncounterLog::new(16).unwrap();
        assert!(matches!(
            LocalIndex::build(&log, Scheme::B3(B3), 86_401),
            Err(Error::InvalidTolerance { .. })
        ));
    }

    #[test]
    fn the_directory_covers_every_sighting() {
        let ids: Vec<u8> = (0..200u32)
            .flat_map(|i| {
                let mut id = [0u8; 16];
                id[..4].copy_from_slice(&i.wrapping_mul(0x9e37_79b9).to_be_bytes());
                id[12..].copy_from_slice(&i.to_le_bytes());
                id
            })
            .collect();
        let times: Vec<i64> = (0..200).map(|i| 1_000_000 + i * 970).collect();
        let log = EncounterLog::from_columns(16, &ids, &times, &[-60; 200]).unwrap();
        let index = LocalIndex::build(&log, Scheme::B3(B3), 0).unwrap();
        assert_eq!(index.days(), 3);
        assert_eq!(index.days.iter().map(DayTable::len).sum::<usize>(), 200);
        for (row, id) in ids.chunks_exact(16).enumerate() {
            let interval = u32::try_from(times[row] / 600).unwrap();
            let (day, first, end) = index.day_of(interval).unwrap();
            assert!(first <= u64::from(interval) && u64::from(interval) < end);
            let id: [u8; 16] = id.try_into().unwrap();
            assert_eq!(index.test_many(day, &[id]), 1);
            let mut found = Vec::new();
            index.find(day, 0, interval, &id, &mut found);
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].encounter_index as usize, row);
        }
    }

    #[test]
    fn a_sighting_near_midnight_is_in_both_days() {
        let id = [7u8; 16];
        // 23:30 on day 20000 with two hours of tolerance reaches day 20001.
        let time = 20_000 * 86_400 + 23 * 3_600 + 1_800;
        let log = EncounterLog::from_columns(16, &id, &[time], &[-60]).unwrap();
        let index = LocalIndex::build(&log, Scheme::Gaen(Gaen), 7_200).unwrap();
        assert_eq!(index.days(), 2);
        for interval in [20_000 * 144 + 143, 20_001 * 144] {
            let (day, _, _) = index.day_of(interval).unwrap();
            let mut found = Vec::new();
            index.find(day, 3, interval, &id, &mut found);
            assert_eq!(
                found,
                vec![Match {
                    key_index: 3,
                    interval,
                    encounter_index: 0
                }]
            );
        }
    }
}
