//! The local index of an encounter log.

use bluezone::LocalIndex;

use crate::args::{Out, free_handle, handle, into_handle};
use crate::error::bz_result;
use crate::log::bz_log;
use crate::panic::{fallible, ffi_panic_boundary};
use crate::scheme::scheme_of;

/// The default tolerance, in seconds each side of an interval: the two
/// hours of clock drift that Exposure Notification allows.
pub const BZ_DEFAULT_TOLERANCE_SECONDS: u32 = 7_200;

/// The largest tolerance accepted, in seconds: one day.
pub const BZ_MAX_TOLERANCE_SECONDS: u32 = 86_400;

/// The local index of an encounter log, for one scheme and tolerance: built
/// once, then matched against any number of key sets. Immutable once made:
/// it may be used from several threads at once (several `bz_match` calls
/// with the same index run concurrently). Made by `bz_index_new`, freed by
/// `bz_index_free`.
pub struct bz_index {
    pub(crate) index: LocalIndex,
}

/// Builds the index of `log` for matching keys of `scheme` (with `per_day`
/// slots a day for `bluezone`, 0 for the default) with a tolerance of
/// `tolerance` seconds each side of an interval (`BZ_DEFAULT_TOLERANCE_SECONDS`
/// is the usual value; at most `BZ_MAX_TOLERANCE_SECONDS`). The index holds
/// what it needs of the log, which may be freed afterwards. On success
/// `*out_index` receives a new handle, to be freed with `bz_index_free`.
///
/// Errors: `BZ_RESULT_NULL_POINTER`, `BZ_RESULT_BAD_SCHEME`,
/// `BZ_RESULT_BAD_PER_DAY`, `BZ_RESULT_BAD_TOLERANCE`,
/// `BZ_RESULT_ID_LENGTH` (the log's IDs are not the scheme's).
///
/// # Safety
/// `log` is NULL or a live handle; `out_index` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_index_new(
    log: *const bz_log,
    scheme: u32,
    per_day: u32,
    tolerance: u32,
    out_index: *mut *mut bz_index,
) -> bz_result {
    fallible("bz_index_new", || {
        // SAFETY: NULL or a live handle (the caller).
        let log = &unsafe { handle(log, "log") }?.log;
        let scheme = scheme_of(scheme, per_day)?;
        let out = Out::new(out_index, "out_index")?;
        let index = LocalIndex::build(log, scheme, tolerance)?;
        // SAFETY: the caller gives `out_index` valid.
        unsafe { out.write(into_handle(bz_index { index })) };
        Ok(())
    })
}

/// Frees an index. NULL is accepted and ignored. The index must not be used
/// afterwards; matches made with it stay valid.
///
/// # Safety
/// `index` is NULL or a live handle, not in use by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_index_free(index: *mut bz_index) {
    // SAFETY: NULL or a live handle (the caller).
    ffi_panic_boundary("bz_index_free", || unsafe { free_handle(index) });
}
