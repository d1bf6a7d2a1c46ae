//! Encounter logs: the sightings a phone recorded.

use std::ffi::c_char;

use bluezone::EncounterLog;
use bluezone::formats::load::load_encounters;

use crate::args::{Out, OutBuffer, free_handle, handle, handle_or_none, input, into_handle};
use crate::error::{Failure, bz_result};
use crate::panic::{fallible, ffi_panic_boundary};

/// An encounter log: IDs heard, when, and how strongly. Immutable once made:
/// it may be used from several threads at once. Made by `bz_log_new` or
/// `bz_log_load_file`, freed by `bz_log_free`.
pub struct bz_log {
    pub(crate) log: EncounterLog,
}

/// Checks that `id_len` is an ID length of some scheme.
fn check_id_len(id_len: usize) -> Result<(), Failure> {
    if id_len == 12 || id_len == 16 {
        Ok(())
    } else {
        Err(Failure::new(
            bz_result::IdLength,
            format!("an ID is 12 or 16 bytes, found {id_len}"),
        ))
    }
}

/// Makes an encounter log of `count` sightings from arrays: `ids` holds the
/// `count` IDs of `id_len` bytes back to back (`count * id_len` bytes),
/// `times` their times in seconds since the Unix epoch and `rssi` their
/// received signal strengths in dBm, one per sighting. The arrays are copied;
/// on success `*out_log` receives a new handle, to be freed with
/// `bz_log_free`. A `count` of 0 makes an empty log (the arrays may then be
/// NULL).
///
/// Errors: `BZ_RESULT_ID_LENGTH` (`id_len` not 12 or 16);
/// `BZ_RESULT_BAD_LENGTH` (`count * id_len` or `count * 8` overflowing or
/// over `BZ_MAX_BUFFER_LEN`); `BZ_RESULT_NULL_POINTER`;
/// `BZ_RESULT_MISALIGNED_POINTER` (`times` not aligned for `int64_t`);
/// `BZ_RESULT_TOO_MANY_ROWS` (more than 2^32 - 1 sightings).
///
/// # Safety
/// `ids`, `times` and `rssi` are NULL or valid for reading `count` elements
/// (`count * id_len` bytes for `ids`); `out_log` is NULL or valid for
/// writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_log_new(
    ids: *const u8,
    id_len: usize,
    times: *const i64,
    rssi: *const i8,
    count: usize,
    out_log: *mut *mut bz_log,
) -> bz_result {
    fallible("bz_log_new", || {
        check_id_len(id_len)?;
        let id_bytes = crate::args::byte_len(count, id_len, "ids")?;
        // SAFETY: the caller gives each array valid for `count` elements.
        let (ids, times, rssi) = unsafe {
            (
                input(ids, id_bytes, "ids")?,
                input(times, count, "times")?,
                input(rssi, count, "rssi")?,
            )
        };
        let out = Out::new(out_log, "out_log")?;
        let log = EncounterLog::from_columns(id_len, ids, times, rssi)?;
        // SAFETY: the caller gives `out_log` valid.
        unsafe { out.write(into_handle(bz_log { log })) };
        Ok(())
    })
}

/// Loads an encounter log of IDs of `id_len` bytes from a file in any
/// format the library reads (the encounters CSV, `id,time,rssi`, or a
/// Bluezone `data_trace.txt` of 12-byte IDs), recognised from its content.
/// `path` is a NUL-terminated UTF-8 path. On success `*out_log` receives a
/// new handle, to be freed with `bz_log_free`.
///
/// Errors: `BZ_RESULT_NULL_POINTER`, `BZ_RESULT_BAD_LENGTH` (a path longer
/// than `BZ_MAX_PATH_LEN`), `BZ_RESULT_BAD_UTF8`, `BZ_RESULT_ID_LENGTH`,
/// `BZ_RESULT_IO` (the file cannot be opened), `BZ_RESULT_PARSE` (the
/// message names the file, the line and the column).
///
/// # Safety
/// `path` is NULL or a string readable up to its NUL (or its first
/// `BZ_MAX_PATH_LEN + 1` bytes); `out_log` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_log_load_file(
    path: *const c_char,
    id_len: usize,
    out_log: *mut *mut bz_log,
) -> bz_result {
    fallible("bz_log_load_file", || {
        // SAFETY: as this function's contract.
        let path = unsafe { crate::args::path(path, "path") }?;
        check_id_len(id_len)?;
        let out = Out::new(out_log, "out_log")?;
        crate::keys::check_readable(path)?;
        let log = load_encounters(path, id_len)?.log;
        // SAFETY: the caller gives `out_log` valid.
        unsafe { out.write(into_handle(bz_log { log })) };
        Ok(())
    })
}

/// The number of sightings in a log; 0 for NULL.
///
/// # Safety
/// `log` is NULL or a live handle.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn bz_log_len(log: *const bz_log) -> usize {
    ffi_panic_boundary("bz_log_len", || {
        // SAFETY: NULL or a live handle (the caller).
        unsafe { handle_or_none(log) }.map_or(0, |log| log.log.len())
    })
}

/// The length of a log's IDs in bytes (12 or 16); 0 for NULL.
///
/// # Safety
/// `log` is NULL or a live handle.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn bz_log_id_len(log: *const bz_log) -> usize {
    ffi_panic_boundary("bz_log_id_len", || {
        // SAFETY: NULL or a live handle (the caller).
        unsafe { handle_or_none(log) }.map_or(0, |log| log.log.id_len())
    })
}

/// Reads sighting `index` of a log: its ID into the first
/// `bz_log_id_len(log)` bytes of `out_id`, its time (seconds since the Unix
/// epoch) into `*out_time` and its signal strength (dBm) into `*out_rssi`.
///
/// Errors: `BZ_RESULT_NULL_POINTER`, `BZ_RESULT_INDEX_OUT_OF_RANGE`,
/// `BZ_RESULT_BUFFER_TOO_SMALL`, `BZ_RESULT_BAD_LENGTH`,
/// `BZ_RESULT_MISALIGNED_POINTER`.
///
/// # Safety
/// `log` is NULL or a live handle; `out_id` is NULL or valid for writing
/// `out_id_len` bytes; `out_time` and `out_rssi` are NULL or valid for
/// writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_log_get(
    log: *const bz_log,
    index: usize,
    out_id: *mut u8,
    out_id_len: usize,
    out_time: *mut i64,
    out_rssi: *mut i8,
) -> bz_result {
    fallible("bz_log_get", || {
        // SAFETY: NULL or a live handle (the caller).
        let log = &unsafe { handle(log, "log") }?.log;
        // Checked before `get`, whose offset arithmetic is not made for
        // indices near `usize::MAX`.
        let sighting = (index < log.len())
            .then(|| log.get(index))
            .flatten()
            .ok_or_else(|| {
                Failure::new(
                    bz_result::IndexOutOfRange,
                    format!("index {index} is past the log's {} sightings", log.len()),
                )
            })?;
        let id = OutBuffer::new(out_id, out_id_len, "out_id")?;
        id.require(log.id_len(), "out_id")?;
        let time = Out::new(out_time, "out_time")?;
        let rssi = Out::new(out_rssi, "out_rssi")?;
        // SAFETY: the caller gives the out-parameters valid; the log is ours.
        unsafe {
            id.write(sighting.id);
            time.write(sighting.time);
            rssi.write(sighting.rssi);
        }
        Ok(())
    })
}

/// Frees a log. NULL is accepted and ignored. The log must not be used
/// afterwards; an index built from it stays valid.
///
/// # Safety
/// `log` is NULL or a live handle, not in use by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_log_free(log: *mut bz_log) {
    // SAFETY: NULL or a live handle (the caller).
    ffi_panic_boundary("bz_log_free", || unsafe { free_handle(log) });
}
