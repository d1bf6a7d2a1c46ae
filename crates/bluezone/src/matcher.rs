//! The matcher: published keys against a local index, in parallel.
//!
//! A sighting of ID `X` at time `t` matches key `K` at interval `i` when
//! `i` is in `K`'s window `[start, start + period)`, `ID(K, i) = X`, and
//! `i·L − tol ≤ t < (i+1)·L + tol`, where `L` is the scheme's interval
//! length and `tol` the index's tolerance. An ID outside the key's window
//! never matches, even where the scheme could derive it; a key listed twice
//! matches twice.
//!
//! Keys are matched in parallel with `rayon`, in chunks. For each key the
//! matcher intersects its window with the index's candidate intervals and
//! derives only those IDs (the scheme's sparse derivation), testing each
//! against the index's day filter as it is made and confirming hits in the
//! exact table. The result is sorted by key, then sighting, then interval,
//! whatever the number of threads.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::index::{DayTable, LocalIndex};
use crate::published::window_of;
use crate::{ByteArray, Error, IdScheme, PublishedKeys, Result, SchemeVisitor};

/// Parallel tasks per worker thread: enough to balance the load, few enough
/// that each task's scratch state is reused for many keys.
const TASKS_PER_THREAD: usize = 16;
/// The fewest keys in a task.
const MIN_CHUNK: usize = 1024;
/// Windows whose candidate intervals a task keeps at hand.
const WINDOW_CACHE: usize = 256;

/// One match: a published key, the interval of its ID, and the sighting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Match {
    /// The key's 0-based index among the published keys.
    pub key_index: u32,
    /// The interval whose ID was seen.
    pub interval: u32,
    /// The sighting's 0-based index in the encounter log.
    pub encounter_index: u32,
}

/// How far a match has come, as given to a progress callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatchProgress {
    /// Keys matched so far.
    pub keys_done: u64,
    /// Keys in all.
    pub keys_total: u64,
}

/// Options of [`LocalIndex::match_keys`].
#[derive(Clone, Copy, Default)]
pub struct MatchOptions<'a> {
    /// Worker threads; `None` uses rayon's global pool (one per core, or
    /// `RAYON_NUM_THREADS`). The result does not depend on it.
    pub threads: Option<usize>,
    /// Called from worker threads as chunks of keys finish.
    pub progress: Option<&'a (dyn Fn(MatchProgress) + Sync)>,
}

impl std::fmt::Debug for MatchOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatchOptions")
            .field("threads", &self.threads)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// The matches of a set of keys against a log, sorted by key index, then
/// encounter index, then interval.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matches {
    rows: Vec<Match>,
}

impl Matches {
    /// The number of matches.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The matches, in order.
    #[must_use]
    pub fn as_slice(&self) -> &[Match] {
        &self.rows
    }

    /// The matches, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Match> {
        self.rows.iter()
    }

    /// The key index column.
    #[must_use]
    pub fn key_indices(&self) -> Vec<u32> {
        self.rows.iter().map(|m| m.key_index).collect()
    }

    /// The interval column.
    #[must_use]
    pub fn intervals(&self) -> Vec<u32> {
        self.rows.iter().map(|m| m.interval).collect()
    }

    /// The encounter index column.
    #[must_use]
    pub fn encounter_indices(&self) -> Vec<u32> {
        self.rows.iter().map(|m| m.encounter_index).collect()
    }
}

impl<'a> IntoIterator for &'a Matches {
    type Item = &'a Match;
    type IntoIter = std::slice::Iter<'a, Match>;

    fn into_iter(self) -> Self::IntoIter {
        self.rows.iter()
    }
}

impl From<Matches> for Vec<Match> {
    fn from(matches: Matches) -> Self {
        matches.rows
    }
}

impl LocalIndex {
    /// Matches published keys against the indexed log.
    ///
    /// ```
    /// use bluezone::{B3, EncounterLog, IdScheme, LocalIndex, MatchOptions, PublishedKeys, Scheme, SchemeKind};
    ///
    /// let key = [5u8; 16];
    /// let start = 2_642_976;
    /// let id = B3.derive_one(&key, start, start + 50)?;
    /// let log = EncounterLog::from_columns(16, &id, &[i64::from(start + 50) * 600], &[-60])?;
    /// let index = LocalIndex::build(&log, Scheme::B3(B3), 7_200)?;
    ///
    /// let mut keys = PublishedKeys::new(SchemeKind::B3);
    /// keys.push(&[9u8; 16], start, 144)?;
    /// keys.push(&key, start, 144)?;
    /// let matches = index.match_keys(&keys, &MatchOptions::default())?;
    /// assert_eq!(matches.len(), 1);
    /// assert_eq!((matches.as_slice()[0].key_index, matches.as_slice()[0].interval), (1, start + 50));
    /// # Ok::<(), bluezone::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::SchemeMismatch`] when the keys are not of the index's
    /// scheme; [`Error::InvalidKey`] when a key's window cannot be derived
    /// (a `bluezone` window longer than its chain limit);
    /// [`Error::Threads`] when the thread pool cannot start.
    pub fn match_keys(&self, keys: &PublishedKeys, options: &MatchOptions<'_>) -> Result<Matches> {
        if keys.kind() != self.scheme().kind() {
            return Err(Error::SchemeMismatch(format!(
                "the keys are {} keys and the index is for {}",
                keys.kind(),
                self.scheme()
            )));
        }
        let job = || {
            self.scheme().visit(MatchJob {
                index: self,
                keys,
                options,
            })
        };
        match options.threads {
            None => job(),
            Some(threads) => rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|err| Error::Threads {
                    threads,
                    reason: err.to_string(),
                })?
                .install(job),
        }
    }
}

/// A match run, generic over the scheme once [`crate::Scheme::visit`] has
/// picked it.
struct MatchJob<'a> {
    index: &'a LocalIndex,
    keys: &'a PublishedKeys,
    options: &'a MatchOptions<'a>,
}

impl SchemeVisitor for MatchJob<'_> {
    type Output = Result<Matches>;

    fn visit<S: IdScheme>(self, scheme: S) -> Result<Matches> {
        let key_len = S::Key::LEN;
        if self.keys.kind().key_len() != key_len {
            return Err(Error::SchemeMismatch(format!(
                "the keys are not {key_len} bytes"
            )));
        }
        let record_len = self.keys.record_len();
        let total = self.keys.len() as u64;
        let done = AtomicU64::new(0);
        let chunk_len =
            (self.keys.len() / (rayon::current_num_threads() * TASKS_PER_THREAD)).max(MIN_CHUNK);
        let day_length = self.index.scheme().intervals_per_day();
        let chunks = self
            .keys
            .record_bytes()
            .par_chunks(chunk_len * record_len)
            .enumerate()
            .map_init(Scratch::default, |scratch, (chunk, records)| {
                // The chunk's keys in order of their windows, so that each
                // day's table stays in the CPU's cache for its keys.
                let base = chunk * chunk_len;
                scratch.windows_of(records, key_len, record_len);
                scratch.order_by_day(day_length);
                let mut found = Vec::new();
                let mut days = DayCursor::default();
                for &offset in &scratch.order {
                    let offset = offset as usize;
                    let record = &records[offset * record_len..(offset + 1) * record_len];
                    let Some(key) = S::Key::cast_slice(&record[..key_len]).and_then(<[_]>::first)
                    else {
                        continue;
                    };
                    let window = scratch.starts[offset];
                    let place = Place {
                        index: self.index,
                        key_index: (base + offset) as u32,
                    };
                    match_key(
                        scheme,
                        place,
                        key,
                        window,
                        &mut scratch.windows,
                        &mut days,
                        &mut found,
                    )
                    .map_err(|err| Error::InvalidKey {
                        index: base + offset,
                        reason: err.to_string(),
                    })?;
                }
                found.sort_unstable_by_key(|m| (m.key_index, m.encounter_index, m.interval));
                if let Some(progress) = self.options.progress {
                    let keys = (records.len() / record_len) as u64;
                    let keys_done = done.fetch_add(keys, Ordering::Relaxed) + keys;
                    progress(MatchProgress {
                        keys_done,
                        keys_total: total,
                    });
                }
                Ok(found)
            })
            .collect::<Result<Vec<Vec<Match>>>>()?;
        Ok(Matches {
            rows: chunks.concat(),
        })
    }
}

/// A key's window: intervals `start..end`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Window {
    start: u32,
    end: u64,
}

/// The index and the key being matched.
#[derive(Clone, Copy)]
struct Place<'a> {
    index: &'a LocalIndex,
    key_index: u32,
}

/// The day table of the last interval looked up: keys come day by day, so
/// it nearly always serves the next lookup too.
#[derive(Default)]
struct DayCursor<'a> {
    day: Option<(&'a DayTable, u64, u64)>,
}

impl<'a> DayCursor<'a> {
    /// The table of the day that holds `interval` with the day's range of
    /// intervals, or `None` when no sighting can match in that day.
    fn day_of(&mut self, index: &'a LocalIndex, interval: u32) -> Option<(&'a DayTable, u64, u64)> {
        let at = u64::from(interval);
        match self.day {
            Some((_, first, end)) if first <= at && at < end => self.day,
            _ => {
                self.day = index.day_of(interval);
                self.day
            }
        }
    }
}

/// Matches one key, appending its matches to `found`.
fn match_key<'a, S: IdScheme>(
    scheme: S,
    place: Place<'a>,
    key: &S::Key,
    window: Window,
    windows: &mut WindowCache,
    days: &mut DayCursor<'a>,
    found: &mut Vec<Match>,
) -> Result<()> {
    for &(first, end) in windows.candidates(place.index, window) {
        let count = (end - u64::from(first)) as usize;
        scheme.for_each_range(key, window.start, first, count, |first, ids| {
            probe(place, days, first, ids, found);
        })?;
    }
    Ok(())
}

/// Tests consecutive IDs, of the intervals from `first`, against the day
/// filters, and confirms the hits in the day tables.
fn probe<'a, Id: ByteArray>(
    place: Place<'a>,
    days: &mut DayCursor<'a>,
    first: u32,
    ids: &[Id],
    found: &mut Vec<Match>,
) {
    let index = place.index;
    let mut done = 0;
    while done < ids.len() {
        let interval = first + done as u32;
        let Some((day, _, day_end)) = days.day_of(index, interval) else {
            // No sighting can match in this day: skip to the next.
            let day_length = u64::from(index.scheme().intervals_per_day());
            let next_day = (u64::from(interval) / day_length + 1) * day_length;
            done = (next_day - u64::from(first)).min(ids.len() as u64) as usize;
            continue;
        };
        let upto = ((day_end - u64::from(first)) as usize).min(ids.len());
        // The hot loop: one filter test per ID, without branches, 64 IDs at
        // a time; then the rare hits.
        for (chunk_index, chunk) in ids[done..upto].chunks(64).enumerate() {
            let mut hits = index.test_many(day, chunk);
            while hits != 0 {
                let offset = hits.trailing_zeros() as usize;
                hits &= hits - 1;
                let interval = interval + (chunk_index * 64 + offset) as u32;
                index.find(day, place.key_index, interval, &chunk[offset], found);
            }
        }
        done = upto;
    }
}

/// A task's reusable state.
#[derive(Default)]
struct Scratch {
    /// The windows of the chunk's keys.
    starts: Vec<Window>,
    /// The order in which to match a chunk's keys: by day, then position.
    order: Vec<u32>,
    /// Keys per day, for the counting sort of `order`.
    counts: Vec<u32>,
    /// The candidate intervals of the windows seen so far.
    windows: WindowCache,
}

/// The most distinct days in a chunk for which its keys are ordered with a
/// counting sort; beyond, a comparison sort.
const MAX_COUNTED_DAYS: usize = 1024;

impl Scratch {
    /// Reads the windows of a chunk's records into `starts`.
    fn windows_of(&mut self, records: &[u8], key_len: usize, record_len: usize) {
        self.starts.clear();
        self.starts
            .extend(records.chunks_exact(record_len).map(|record| {
                let window = window_of(&record[key_len..]);
                Window {
                    start: window.rolling_start(),
                    end: window.end(),
                }
            }));
    }

    /// Orders positions `0..starts.len()` by the day of their start, stably.
    fn order_by_day(&mut self, day_length: u32) {
        let starts = &self.starts;
        self.order.clear();
        let day = |position: usize| starts[position].start / day_length;
        let (Some(first), Some(last)) = (
            (0..starts.len()).map(day).min(),
            (0..starts.len()).map(day).max(),
        ) else {
            return;
        };
        let days = (last - first) as usize + 1;
        if days > MAX_COUNTED_DAYS {
            self.order.extend(0..starts.len() as u32);
            self.order.sort_by_key(|&o| day(o as usize));
            return;
        }
        self.counts.clear();
        self.counts.resize(days + 1, 0);
        for position in 0..starts.len() {
            self.counts[(day(position) - first) as usize + 1] += 1;
        }
        for d in 1..=days {
            self.counts[d] += self.counts[d - 1];
        }
        self.order.resize(starts.len(), 0);
        for position in 0..starts.len() {
            let slot = &mut self.counts[(day(position) - first) as usize];
            self.order[*slot as usize] = position as u32;
            *slot += 1;
        }
    }
}

/// The candidate intervals of the windows seen so far, as runs of
/// consecutive intervals. Published keys share few distinct windows (one
/// per day, mostly), so nearly every key finds its runs here.
#[derive(Default)]
struct WindowCache {
    windows: FxHashMap<Window, Vec<(u32, u64)>>,
}

impl WindowCache {
    /// The candidate intervals of `window`, as runs `first..end`.
    fn candidates(&mut self, index: &LocalIndex, window: Window) -> &[(u32, u64)] {
        if self.windows.len() >= WINDOW_CACHE && !self.windows.contains_key(&window) {
            self.windows.clear();
        }
        self.windows.entry(window).or_insert_with(|| {
            let mut runs: Vec<(u32, u64)> = Vec::new();
            if window.end > u64::from(window.start) {
                let last = (window.end - 1) as u32;
                for interval in index.candidate_intervals().range(window.start..=last) {
                    match runs.last_mut() {
                        Some((_, end)) if *end == u64::from(interval) => *end += 1,
                        _ => runs.push((interval, u64::from(interval) + 1)),
                    }
                }
            }
            runs
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_ordered_by_day_stably() {
        let mut scratch = Scratch::default();
        let windows = |starts: &[u32]| -> Vec<Window> {
            starts
                .iter()
                .map(|&start| Window {
                    start,
                    end: u64::from(start) + 1,
                })
                .collect()
        };
        scratch.starts = windows(&[300, 10, 150, 20, 299, 0]);
        scratch.order_by_day(144);
        assert_eq!(scratch.order, vec![1, 3, 5, 2, 0, 4]);
        scratch.starts.clear();
        scratch.order_by_day(144);
        assert!(scratch.order.is_empty());
        // Days far apart fall back to a comparison sort, still stable.
        scratch.starts = windows(&[u32::MAX, 5, 0, 144 * 5_000]);
        scratch.order_by_day(144);
        assert_eq!(scratch.order, vec![1, 2, 3, 0]);
    }
}
