//! What the matcher is measured against.
//!
//! - The **derive-everything floor**: every ID of every key's window,
//!   derived with the scheme's fastest range derivation, in parallel, with
//!   nothing looked up. A matcher that derives every ID cannot beat it.
//! - The **naive matcher**: for each key, each interval of its window, one
//!   ID derived on its own and looked up in a `std` hash map of the log.

use std::collections::HashMap;
use std::hint::black_box;

use bluezone::time::KeyWindow;
use bluezone::{
    ByteArray, EncounterLog, Error, IdScheme, PublishedKeys, Result, Scheme, SchemeVisitor,
};
use rayon::prelude::*;

/// Runs `job` on `threads` worker threads, or rayon's global pool.
///
/// # Errors
/// [`Error::Threads`] when the pool cannot start.
pub fn with_threads<T: Send>(threads: Option<usize>, job: impl FnOnce() -> T + Send) -> Result<T> {
    match threads {
        None => Ok(job()),
        Some(threads) => Ok(rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|err| Error::Threads {
                threads,
                reason: err.to_string(),
            })?
            .install(job)),
    }
}

/// Derives every ID of every key's window, in parallel, and returns a
/// checksum of them (so that no work is optimised away).
///
/// # Errors
/// When a key cannot be derived, or the keys are not of `scheme`.
pub fn derive_everything(scheme: Scheme, keys: &PublishedKeys) -> Result<u64> {
    scheme.visit(DeriveEverything { keys })
}

struct DeriveEverything<'a> {
    keys: &'a PublishedKeys,
}

impl SchemeVisitor for DeriveEverything<'_> {
    type Output = Result<u64>;

    fn visit<S: IdScheme>(self, scheme: S) -> Result<u64> {
        (0..self.keys.len())
            .into_par_iter()
            .map_init(Vec::new, |ids: &mut Vec<S::Id>, k| {
                let (key, window) = key_of::<S>(self.keys, k)?;
                ids.resize(window.rolling_period() as usize, S::Id::default());
                scheme.derive_range(&key, window.rolling_start(), window.rolling_start(), ids)?;
                Ok(u64::from(black_box(ids[ids.len() - 1].as_ref()[0])))
            })
            .try_reduce(|| 0, |a, b| Ok(a ^ b))
    }
}

/// The key at `k` as the scheme's key type, with its window.
fn key_of<S: IdScheme>(keys: &PublishedKeys, k: usize) -> Result<(S::Key, KeyWindow)> {
    let published = keys
        .get(k)
        .ok_or_else(|| Error::SchemeMismatch("key index".to_owned()))?;
    let key = S::Key::cast_slice(published.key)
        .and_then(<[_]>::first)
        .copied()
        .ok_or_else(|| Error::SchemeMismatch("key length".to_owned()))?;
    Ok((key, published.window))
}

/// The naive matcher on the first `sample` keys: returns its matches as
/// `(key_index, interval, encounter_index)`, sorted like the matcher's.
///
/// # Errors
/// When a key cannot be derived, or the keys or log are not of `scheme`.
pub fn naive_match(
    scheme: Scheme,
    keys: &PublishedKeys,
    log: &EncounterLog,
    tolerance: u32,
    sample: usize,
) -> Result<Vec<(u32, u32, u32)>> {
    scheme.visit(NaiveMatch {
        keys,
        log,
        tolerance,
        sample: sample.min(keys.len()),
    })
}

struct NaiveMatch<'a> {
    keys: &'a PublishedKeys,
    log: &'a EncounterLog,
    tolerance: u32,
    sample: usize,
}

impl SchemeVisitor for NaiveMatch<'_> {
    type Output = Result<Vec<(u32, u32, u32)>>;

    fn visit<S: IdScheme>(self, scheme: S) -> Self::Output {
        let ids = S::Id::cast_slice(self.log.id_bytes())
            .ok_or_else(|| Error::SchemeMismatch("ID length".to_owned()))?;
        let mut seen: HashMap<S::Id, Vec<u32>> = HashMap::new();
        for (row, id) in ids.iter().enumerate() {
            seen.entry(*id).or_default().push(row as u32);
        }
        let length = i64::from(scheme.interval_seconds());
        let tolerance = i64::from(self.tolerance);
        let times = self.log.times();
        let mut found: Vec<(u32, u32, u32)> = (0..self.sample)
            .into_par_iter()
            .map(|k| {
                let (key, window) = key_of::<S>(self.keys, k)?;
                let mut found = Vec::new();
                for interval in window.intervals() {
                    let interval = interval as u32;
                    let id = scheme.derive_one(&key, window.rolling_start(), interval)?;
                    if let Some(rows) = seen.get(&id) {
                        let earliest = i64::from(interval) * length - tolerance;
                        let latest = (i64::from(interval) + 1) * length + tolerance;
                        for &row in rows {
                            let time = times[row as usize];
                            if earliest <= time && time < latest {
                                found.push((k as u32, interval, row));
                            }
                        }
                    }
                }
                Ok(found)
            })
            .collect::<Result<Vec<_>>>()?
            .concat();
        found.sort_unstable_by_key(|&(key, interval, row)| (key, row, interval));
        Ok(found)
    }
}
