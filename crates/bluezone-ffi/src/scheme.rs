//! The schemes, by number, and the library version.

use std::ffi::{CStr, c_char};

use bluezone::{Scheme, SchemeKind};

use crate::args::{Out, OutBuffer, c_str};
use crate::error::{Failure, bz_result};
use crate::panic::{fallible, ffi_panic_boundary};

/// The ephemeral-ID schemes, with fixed values. Functions take a scheme as a
/// `uint32_t` holding one of these values, and refuse any other with
/// `BZ_RESULT_BAD_SCHEME`.
///
/// | scheme | key | ID | interval |
/// |---|---|---|---|
/// | `BZ_SCHEME_GAEN` | 16 bytes | 16 bytes | 600 s |
/// | `BZ_SCHEME_BLUEZONE` | 32 bytes | 12 bytes | 86400 / `per_day` s |
/// | `BZ_SCHEME_B3` | 16 bytes | 16 bytes | 600 s |
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum bz_scheme {
    /// Google/Apple Exposure Notification v1.2 (HKDF-SHA256 and AES-128).
    Gaen = 1,
    /// The chained SHA-256 IDs of the 2020 Bluezone app; `per_day` slots a
    /// day (144 by default, 96 was also used).
    Bluezone = 2,
    /// This project's scheme on BLAKE3.
    B3 = 3,
}

/// For `bz_keys_load_bytes` and `bz_keys_load_file` only: take the keys'
/// scheme from the file (a native batch), from its format (`gaen` for
/// Exposure Notification exports, `bluezone` for Bluezone payloads), or for
/// a CSV from the length of its first key (32 bytes: `bluezone`, otherwise
/// `gaen`).
pub const BZ_SCHEME_AUTO: u32 = 0;

/// The longest key of any scheme, in bytes: enough for a buffer of any
/// scheme's key.
pub const BZ_MAX_KEY_LEN: usize = 32;

/// The longest ID of any scheme, in bytes.
pub const BZ_MAX_ID_LEN: usize = 16;

/// The scheme kind of a `bz_scheme` value.
pub(crate) fn kind_of(scheme: u32) -> Result<SchemeKind, Failure> {
    match scheme {
        1 => Ok(SchemeKind::Gaen),
        2 => Ok(SchemeKind::Bluezone),
        3 => Ok(SchemeKind::B3),
        _ => Err(Failure::new(
            bz_result::BadScheme,
            format!(
                "scheme {scheme} is not one of BZ_SCHEME_GAEN (1), BZ_SCHEME_BLUEZONE (2), BZ_SCHEME_B3 (3)"
            ),
        )),
    }
}

/// The `bz_scheme` value of a scheme kind.
pub(crate) fn value_of(kind: SchemeKind) -> u32 {
    match kind {
        SchemeKind::Gaen => bz_scheme::Gaen as u32,
        SchemeKind::Bluezone => bz_scheme::Bluezone as u32,
        SchemeKind::B3 => bz_scheme::B3 as u32,
    }
}

/// The scheme of a `bz_scheme` value with `per_day` slots a day (0: the
/// default).
pub(crate) fn scheme_of(scheme: u32, per_day: u32) -> Result<Scheme, Failure> {
    let kind = kind_of(scheme)?;
    Ok(Scheme::new(kind, (per_day != 0).then_some(per_day))?)
}

fn name_of(kind: SchemeKind) -> &'static CStr {
    match kind {
        SchemeKind::Gaen => c"gaen",
        SchemeKind::Bluezone => c"bluezone",
        SchemeKind::B3 => c"b3",
    }
}

/// The library's version, such as `"0.1.0"`: a static NUL-terminated
/// string, never to be freed. It is the version of the `BLUEZONE_VERSION_*`
/// macros of the header the program was compiled with, when the two match.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn bz_version() -> *const c_char {
    ffi_panic_boundary("bz_version", || crate::VERSION.as_ptr())
}

/// The number of schemes: `bz_schemes` writes this many values.
pub const BZ_SCHEME_COUNT: usize = 3;

/// Writes the `bz_scheme` value of every scheme, in increasing order, to the
/// first `BZ_SCHEME_COUNT` elements of `out_schemes`, and their number to
/// `*out_count`. With `out_schemes` NULL and `capacity` 0 it writes only the
/// number, so that a program can size its buffer.
///
/// Errors: `BZ_RESULT_NULL_POINTER` (`out_count`, or `out_schemes` with a
/// nonzero capacity), `BZ_RESULT_BAD_LENGTH`, `BZ_RESULT_MISALIGNED_POINTER`,
/// `BZ_RESULT_BUFFER_TOO_SMALL` (a nonzero capacity under the count).
///
/// # Safety
/// `out_schemes` is NULL or valid for writing `capacity` values;
/// `out_count` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_schemes(
    out_schemes: *mut u32,
    capacity: usize,
    out_count: *mut usize,
) -> bz_result {
    fallible("bz_schemes", || {
        let out = OutBuffer::new(out_schemes, capacity, "out_schemes")?;
        let count = Out::new(out_count, "out_count")?;
        let values = SchemeKind::ALL.map(value_of);
        if out.len() > 0 {
            out.require(values.len(), "out_schemes")?;
            // SAFETY: the caller gives `out_schemes` valid for `capacity`
            // values; `values` is ours.
            unsafe { out.write(&values) };
        }
        // SAFETY: the caller gives `out_count` valid.
        unsafe { count.write(values.len()) };
        Ok(())
    })
}

/// The name of a scheme (`"gaen"`, `"bluezone"`, `"b3"`): a static
/// NUL-terminated string, never to be freed; NULL for a value that is not a
/// `bz_scheme`.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn bz_scheme_name(scheme: u32) -> *const c_char {
    ffi_panic_boundary("bz_scheme_name", || {
        kind_of(scheme).map_or(std::ptr::null(), |kind| name_of(kind).as_ptr())
    })
}

/// The length of a scheme's keys in bytes (16 or 32); 0 for a value that is
/// not a `bz_scheme`.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn bz_scheme_key_len(scheme: u32) -> usize {
    ffi_panic_boundary("bz_scheme_key_len", || {
        kind_of(scheme).map_or(0, SchemeKind::key_len)
    })
}

/// The length of a scheme's IDs in bytes (16 or 12); 0 for a value that is
/// not a `bz_scheme`.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn bz_scheme_id_len(scheme: u32) -> usize {
    ffi_panic_boundary("bz_scheme_id_len", || {
        kind_of(scheme).map_or(0, SchemeKind::id_len)
    })
}

/// Writes the `bz_scheme` value of a scheme's name (`"gaen"`, `"bluezone"`
/// or `"b3"`, NUL-terminated, at most 64 bytes) to `*out_scheme`.
///
/// Errors: `BZ_RESULT_NULL_POINTER`, `BZ_RESULT_BAD_LENGTH` (no NUL within
/// 65 bytes), `BZ_RESULT_BAD_UTF8`, `BZ_RESULT_BAD_SCHEME` (not a name).
///
/// # Safety
/// `name` is NULL or a string readable up to its NUL (or its first 65
/// bytes); `out_scheme` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_scheme_from_name(
    name: *const c_char,
    out_scheme: *mut u32,
) -> bz_result {
    fallible("bz_scheme_from_name", || {
        // SAFETY: as this function's contract.
        let name = unsafe { c_str(name, 64, "name") }?;
        let out = Out::new(out_scheme, "out_scheme")?;
        let kind: SchemeKind = name.parse()?;
        // SAFETY: the caller gives `out_scheme` valid.
        unsafe { out.write(value_of(kind)) };
        Ok(())
    })
}

/// Writes the length of one interval of a scheme, in seconds, to
/// `*out_seconds`: 600 for `gaen` and `b3`, `86400 / per_day` for
/// `bluezone`. `per_day` is the number of slots per day of the `bluezone`
/// scheme, 0 for the default (144); other schemes take 0 or 144.
///
/// Errors: `BZ_RESULT_BAD_SCHEME`, `BZ_RESULT_BAD_PER_DAY`,
/// `BZ_RESULT_NULL_POINTER`.
///
/// # Safety
/// `out_seconds` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_scheme_interval_seconds(
    scheme: u32,
    per_day: u32,
    out_seconds: *mut u32,
) -> bz_result {
    fallible("bz_scheme_interval_seconds", || {
        let scheme = scheme_of(scheme, per_day)?;
        let out = Out::new(out_seconds, "out_seconds")?;
        // SAFETY: the caller gives `out_seconds` valid.
        unsafe { out.write(scheme.interval_seconds()) };
        Ok(())
    })
}
