//! Matching published keys against an index, and the matches.

use bluezone::{MatchOptions, Matches, Scheme};

use crate::args::{Out, OutBuffer, free_handle, handle, handle_or_none, into_handle};
use crate::error::{Failure, bz_result};
use crate::index::bz_index;
use crate::keys::bz_keys;
use crate::panic::{fallible, ffi_panic_boundary};

/// The most worker threads that `bz_match` accepts.
pub const BZ_MAX_THREADS: usize = 1_024;

/// The matches of a set of keys against a log, sorted by key index, then
/// encounter index, then interval. Immutable once made: it may be used from
/// several threads at once. Made by `bz_match`, freed by `bz_matches_free`.
pub struct bz_matches {
    matches: Matches,
}

/// Matches published keys against an index. A sighting of ID `X` at time
/// `t` matches key `K` at interval `i` when `i` is in `K`'s window, `X` is
/// `K`'s ID of interval `i`, and `t` is within the index's tolerance of the
/// interval: `i*L - tol <= t < (i+1)*L + tol`. `threads` is the number of
/// worker threads, at most `BZ_MAX_THREADS`; 0 uses a shared pool of one
/// thread per core (or `RAYON_NUM_THREADS`). The result does not depend on
/// it. On success `*out_matches` receives a new handle (possibly of no
/// matches), to be freed with `bz_matches_free`.
///
/// The index and the keys are only read: several threads may match with the
/// same index and keys at once.
///
/// Errors: `BZ_RESULT_NULL_POINTER`, `BZ_RESULT_BAD_THREAD_COUNT`;
/// `BZ_RESULT_SCHEME_MISMATCH` (keys of another scheme than the index's, or
/// `bluezone` keys whose file gives another number of slots per day);
/// `BZ_RESULT_INVALID_KEY` (a `bluezone` window longer than its chain
/// limit); `BZ_RESULT_THREADS`.
///
/// # Safety
/// `index` and `keys` are NULL or live handles; `out_matches` is NULL or
/// valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_match(
    index: *const bz_index,
    keys: *const bz_keys,
    threads: usize,
    out_matches: *mut *mut bz_matches,
) -> bz_result {
    fallible("bz_match", || {
        // SAFETY: NULL or live handles (the caller).
        let (index, keys) = unsafe { (&handle(index, "index")?.index, handle(keys, "keys")?) };
        if threads > BZ_MAX_THREADS {
            return Err(Failure::new(
                bz_result::BadThreadCount,
                format!("{threads} threads is more than the {BZ_MAX_THREADS} allowed"),
            ));
        }
        let out = Out::new(out_matches, "out_matches")?;
        if let (Scheme::Bluezone(scheme), Some(file)) = (index.scheme(), keys.per_day)
            && keys.keys.kind() == index.scheme().kind()
            && scheme.per_day() != file
        {
            return Err(Failure::new(
                bz_result::SchemeMismatch,
                format!(
                    "the index has {} slots per day, but the keys' file gives {file}",
                    scheme.per_day()
                ),
            ));
        }
        let options = MatchOptions {
            threads: (threads != 0).then_some(threads),
            progress: None,
        };
        let matches = index.match_keys(&keys.keys, &options)?;
        // SAFETY: the caller gives `out_matches` valid.
        unsafe { out.write(into_handle(bz_matches { matches })) };
        Ok(())
    })
}

/// The number of matches; 0 for NULL.
///
/// # Safety
/// `matches` is NULL or a live handle.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn bz_matches_len(matches: *const bz_matches) -> usize {
    ffi_panic_boundary("bz_matches_len", || {
        // SAFETY: NULL or a live handle (the caller).
        unsafe { handle_or_none(matches) }.map_or(0, |m| m.matches.len())
    })
}

/// Reads match `index`: the 0-based index of the key among the published
/// keys into `*out_key_index`, the interval whose ID was seen into
/// `*out_interval`, and the 0-based index of the sighting in the encounter
/// log into `*out_encounter_index`.
///
/// Errors: `BZ_RESULT_NULL_POINTER`, `BZ_RESULT_INDEX_OUT_OF_RANGE`,
/// `BZ_RESULT_MISALIGNED_POINTER`.
///
/// # Safety
/// `matches` is NULL or a live handle; the out-parameters are NULL or valid
/// for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_matches_get(
    matches: *const bz_matches,
    index: usize,
    out_key_index: *mut u32,
    out_interval: *mut u32,
    out_encounter_index: *mut u32,
) -> bz_result {
    fallible("bz_matches_get", || {
        // SAFETY: NULL or a live handle (the caller).
        let matches = &unsafe { handle(matches, "matches") }?.matches;
        let m = matches.as_slice().get(index).ok_or_else(|| {
            Failure::new(
                bz_result::IndexOutOfRange,
                format!("index {index} is past the {} matches", matches.len()),
            )
        })?;
        let key_index = Out::new(out_key_index, "out_key_index")?;
        let interval = Out::new(out_interval, "out_interval")?;
        let encounter_index = Out::new(out_encounter_index, "out_encounter_index")?;
        // SAFETY: the caller gives the out-parameters valid.
        unsafe {
            key_index.write(m.key_index);
            interval.write(m.interval);
            encounter_index.write(m.encounter_index);
        }
        Ok(())
    })
}

/// Copies matches `start`, `start + 1`, … into three caller arrays of
/// `capacity` elements each (key indices, intervals, encounter indices), as
/// many as fit, and writes their number to `*out_copied`:
/// `min(capacity, bz_matches_len(matches) - start)`. Copying all matches at
/// once takes arrays of `bz_matches_len(matches)` elements and `start` 0; a
/// `start` equal to the number of matches copies none.
///
/// Errors: `BZ_RESULT_NULL_POINTER`, `BZ_RESULT_INDEX_OUT_OF_RANGE`
/// (`start` past the number of matches), `BZ_RESULT_BAD_LENGTH`
/// (`capacity` times 4 over `BZ_MAX_BUFFER_LEN`),
/// `BZ_RESULT_MISALIGNED_POINTER`.
///
/// # Safety
/// `matches` is NULL or a live handle; each array is NULL or valid for
/// writing `capacity` elements; `out_copied` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_matches_copy(
    matches: *const bz_matches,
    start: usize,
    out_key_indices: *mut u32,
    out_intervals: *mut u32,
    out_encounter_indices: *mut u32,
    capacity: usize,
    out_copied: *mut usize,
) -> bz_result {
    fallible("bz_matches_copy", || {
        // SAFETY: NULL or a live handle (the caller).
        let matches = &unsafe { handle(matches, "matches") }?.matches;
        let rows = matches.as_slice().get(start..).ok_or_else(|| {
            Failure::new(
                bz_result::IndexOutOfRange,
                format!("start {start} is past the {} matches", matches.len()),
            )
        })?;
        let key_indices = OutBuffer::new(out_key_indices, capacity, "out_key_indices")?;
        let intervals = OutBuffer::new(out_intervals, capacity, "out_intervals")?;
        let encounters = OutBuffer::new(out_encounter_indices, capacity, "out_encounter_indices")?;
        let copied = Out::new(out_copied, "out_copied")?;
        let rows = &rows[..rows.len().min(key_indices.len())];
        let column = |f: fn(&bluezone::Match) -> u32| rows.iter().map(f).collect::<Vec<u32>>();
        // SAFETY: the caller gives the arrays valid for `capacity` elements,
        // and `rows.len() <= capacity`; the columns are ours.
        unsafe {
            key_indices.write(&column(|m| m.key_index));
            intervals.write(&column(|m| m.interval));
            encounters.write(&column(|m| m.encounter_index));
            copied.write(rows.len());
        }
        Ok(())
    })
}

/// Frees matches. NULL is accepted and ignored.
///
/// # Safety
/// `matches` is NULL or a live handle, not in use by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_matches_free(matches: *mut bz_matches) {
    // SAFETY: NULL or a live handle (the caller).
    ffi_panic_boundary("bz_matches_free", || unsafe { free_handle(matches) });
}
