//! Published keys: made from arrays, or loaded from any format the library
//! reads, with the signature check of signed exports.

use std::ffi::c_char;
use std::path::Path;

use bluezone::formats::gaen_export::{Export, SignatureStatus};
use bluezone::formats::load::{KeyFormat, LoadedKeys, load_keys, load_keys_bytes};
use bluezone::{PublishedKeys, SchemeKind};

use crate::args::{
    Out, OutBuffer, byte_len, free_handle, handle, handle_or_none, input, into_handle, utf8,
};
use crate::error::{Failure, bz_result};
use crate::panic::{fallible, ffi_panic_boundary};
use crate::scheme::{BZ_SCHEME_AUTO, kind_of, value_of};

/// A set of published keys, with what their file said about them (its
/// slots per day, an export's signatures). Immutable once made: it may be
/// used from several threads at once. Made by `bz_keys_new`,
/// `bz_keys_load_bytes` or `bz_keys_load_file`, freed by `bz_keys_free`.
pub struct bz_keys {
    pub(crate) keys: PublishedKeys,
    pub(crate) per_day: Option<u32>,
    export: Option<Export>,
    /// Whether they came from an export zip, which has `export.sig`.
    from_zip: bool,
}

impl From<LoadedKeys> for bz_keys {
    fn from(loaded: LoadedKeys) -> Self {
        let mut export = loaded.export;
        if let Some(export) = &mut export {
            // The export's copy of the keys is not needed to verify its
            // signatures (its digest is): free it.
            export.bin.keys = PublishedKeys::new(export.bin.keys.kind());
        }
        Self {
            keys: loaded.keys,
            per_day: loaded.per_day,
            export,
            from_zip: loaded.format == KeyFormat::GaenZip,
        }
    }
}

/// The scheme asked for when loading: `None` for `BZ_SCHEME_AUTO`.
fn load_kind(scheme: u32) -> Result<Option<SchemeKind>, Failure> {
    if scheme == BZ_SCHEME_AUTO {
        Ok(None)
    } else {
        kind_of(scheme).map(Some)
    }
}

/// Opens `path` once, so that a file that cannot be opened (or is a
/// directory) is `BZ_RESULT_IO` rather than the parse error that the readers
/// report it as.
pub(crate) fn check_readable(path: &Path) -> Result<(), Failure> {
    let io = |reason: String| {
        Failure::new(
            bz_result::Io,
            format!("{}: cannot open the file: {reason}", path.display()),
        )
    };
    let file = std::fs::File::open(path).map_err(|err| io(err.to_string()))?;
    if file.metadata().is_ok_and(|meta| meta.is_dir()) {
        return Err(io("it is a directory".to_owned()));
    }
    Ok(())
}

/// Makes a set of `count` published keys of `scheme` from arrays: `keys`
/// holds the keys back to back (`count * bz_scheme_key_len(scheme)` bytes),
/// `rolling_starts` and `rolling_periods` their validity windows in
/// intervals, one per key. The arrays are copied; on success `*out_keys`
/// receives a new handle, to be freed with `bz_keys_free`. A `count` of 0
/// makes an empty set (the arrays may then be NULL).
///
/// Errors: `BZ_RESULT_BAD_SCHEME`; `BZ_RESULT_BAD_LENGTH` (`count` times the
/// key length overflowing or over `BZ_MAX_BUFFER_LEN`);
/// `BZ_RESULT_NULL_POINTER`; `BZ_RESULT_MISALIGNED_POINTER`;
/// `BZ_RESULT_INVALID_KEY` (a window that is empty or runs past the largest
/// interval number: the message gives the key's index);
/// `BZ_RESULT_TOO_MANY_ROWS`.
///
/// # Safety
/// `keys`, `rolling_starts` and `rolling_periods` are NULL or valid for
/// reading `count` elements (keys of the scheme's length for `keys`);
/// `out_keys` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_keys_new(
    scheme: u32,
    keys: *const u8,
    rolling_starts: *const u32,
    rolling_periods: *const u32,
    count: usize,
    out_keys: *mut *mut bz_keys,
) -> bz_result {
    fallible("bz_keys_new", || {
        let kind = kind_of(scheme)?;
        let key_bytes = byte_len(count, kind.key_len(), "keys")?;
        // SAFETY: the caller gives each array valid for `count` elements.
        let (keys, starts, periods) = unsafe {
            (
                input(keys, key_bytes, "keys")?,
                input(rolling_starts, count, "rolling_starts")?,
                input(rolling_periods, count, "rolling_periods")?,
            )
        };
        let out = Out::new(out_keys, "out_keys")?;
        let keys = PublishedKeys::from_columns(kind, keys, starts, periods)?;
        let keys = bz_keys {
            keys,
            per_day: None,
            export: None,
            from_zip: false,
        };
        // SAFETY: the caller gives `out_keys` valid.
        unsafe { out.write(into_handle(keys)) };
        Ok(())
    })
}

/// Loads published keys from `len` bytes in memory, in any format the
/// library reads, recognised from the content: an Exposure Notification
/// export zip (`export.bin` and `export.sig`), a bare `export.bin`, a
/// native batch (`.bzk`), a Bluezone F0 payload (JSON) or a keys CSV
/// (`key,rolling_start,rolling_period`). `scheme` is the scheme the keys
/// are for, or `BZ_SCHEME_AUTO` to take it from the data. The bytes are
/// not kept; on success `*out_keys` receives a new handle, to be freed with
/// `bz_keys_free`. An export's signatures are checked by
/// `bz_keys_verify_signature`, not here.
///
/// Errors: `BZ_RESULT_BAD_SCHEME`; `BZ_RESULT_BAD_LENGTH`,
/// `BZ_RESULT_NULL_POINTER`; `BZ_RESULT_PARSE` (garbage, a truncated or
/// malformed file: the message says where, as a byte offset or a line);
/// `BZ_RESULT_SCHEME_MISMATCH` (keys that cannot be of `scheme`);
/// `BZ_RESULT_INVALID_KEY`, `BZ_RESULT_TOO_MANY_ROWS`.
///
/// # Safety
/// `data` is NULL or valid for reading `len` bytes; `out_keys` is NULL or
/// valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_keys_load_bytes(
    data: *const u8,
    len: usize,
    scheme: u32,
    out_keys: *mut *mut bz_keys,
) -> bz_result {
    fallible("bz_keys_load_bytes", || {
        // SAFETY: the caller gives `data` valid for `len` bytes.
        let data = unsafe { input(data, len, "data") }?;
        let kind = load_kind(scheme)?;
        let out = Out::new(out_keys, "out_keys")?;
        let loaded = load_keys_bytes(data, "keys buffer", kind)?;
        // SAFETY: the caller gives `out_keys` valid.
        unsafe { out.write(into_handle(bz_keys::from(loaded))) };
        Ok(())
    })
}

/// Loads published keys from a file, in any format the library reads (as
/// `bz_keys_load_bytes`); a native batch file is memory-mapped, and an
/// export is streamed. `path` is a NUL-terminated UTF-8 path. On success
/// `*out_keys` receives a new handle, to be freed with `bz_keys_free`.
///
/// Errors: as `bz_keys_load_bytes`, and `BZ_RESULT_BAD_UTF8`,
/// `BZ_RESULT_BAD_LENGTH` (a path longer than `BZ_MAX_PATH_LEN`),
/// `BZ_RESULT_IO` (the file cannot be opened).
///
/// # Safety
/// `path` is NULL or a string readable up to its NUL (or its first
/// `BZ_MAX_PATH_LEN + 1` bytes); `out_keys` is NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_keys_load_file(
    path: *const c_char,
    scheme: u32,
    out_keys: *mut *mut bz_keys,
) -> bz_result {
    fallible("bz_keys_load_file", || {
        // SAFETY: as this function's contract.
        let path = unsafe { crate::args::path(path, "path") }?;
        let kind = load_kind(scheme)?;
        let out = Out::new(out_keys, "out_keys")?;
        check_readable(path)?;
        let loaded = load_keys(path, kind)?;
        // SAFETY: the caller gives `out_keys` valid.
        unsafe { out.write(into_handle(bz_keys::from(loaded))) };
        Ok(())
    })
}

/// The number of keys in a set; 0 for NULL.
///
/// # Safety
/// `keys` is NULL or a live handle.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn bz_keys_len(keys: *const bz_keys) -> usize {
    ffi_panic_boundary("bz_keys_len", || {
        // SAFETY: NULL or a live handle (the caller).
        unsafe { handle_or_none(keys) }.map_or(0, |keys| keys.keys.len())
    })
}

/// The scheme of a set's keys, a `bz_scheme` value; 0 for NULL. (Keys
/// loaded with `BZ_SCHEME_AUTO` have the scheme the data gave them.)
///
/// # Safety
/// `keys` is NULL or a live handle.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn bz_keys_scheme(keys: *const bz_keys) -> u32 {
    ffi_panic_boundary("bz_keys_scheme", || {
        // SAFETY: NULL or a live handle (the caller).
        unsafe { handle_or_none(keys) }.map_or(0, |keys| value_of(keys.keys.kind()))
    })
}

/// The slots per day that the keys' file gives (a native batch, a Bluezone
/// payload), to build the index of `bluezone` keys with; 0 when it gives
/// none, or for NULL.
///
/// # Safety
/// `keys` is NULL or a live handle.
#[unsafe(no_mangle)]
#[must_use]
pub unsafe extern "C" fn bz_keys_per_day(keys: *const bz_keys) -> u32 {
    ffi_panic_boundary("bz_keys_per_day", || {
        // SAFETY: NULL or a live handle (the caller).
        unsafe { handle_or_none(keys) }
            .and_then(|keys| keys.per_day)
            .unwrap_or(0)
    })
}

/// Reads key `index` of a set: its bytes into the first
/// `bz_scheme_key_len(bz_keys_scheme(keys))` bytes of `out_key`, and its
/// window into `*out_rolling_start` and `*out_rolling_period`.
///
/// Errors: `BZ_RESULT_NULL_POINTER`, `BZ_RESULT_INDEX_OUT_OF_RANGE`,
/// `BZ_RESULT_BUFFER_TOO_SMALL`, `BZ_RESULT_BAD_LENGTH`,
/// `BZ_RESULT_MISALIGNED_POINTER`.
///
/// # Safety
/// `keys` is NULL or a live handle; `out_key` is NULL or valid for writing
/// `out_key_len` bytes; the other out-parameters are NULL or valid for
/// writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_keys_get(
    keys: *const bz_keys,
    index: usize,
    out_key: *mut u8,
    out_key_len: usize,
    out_rolling_start: *mut u32,
    out_rolling_period: *mut u32,
) -> bz_result {
    fallible("bz_keys_get", || {
        // SAFETY: NULL or a live handle (the caller).
        let keys = &unsafe { handle(keys, "keys") }?.keys;
        // Checked before `get`, whose offset arithmetic is not made for
        // indices near `usize::MAX`.
        let key = (index < keys.len())
            .then(|| keys.get(index))
            .flatten()
            .ok_or_else(|| {
                Failure::new(
                    bz_result::IndexOutOfRange,
                    format!("index {index} is past the set's {} keys", keys.len()),
                )
            })?;
        let out_key = OutBuffer::new(out_key, out_key_len, "out_key")?;
        out_key.require(key.key.len(), "out_key")?;
        let start = Out::new(out_rolling_start, "out_rolling_start")?;
        let period = Out::new(out_rolling_period, "out_rolling_period")?;
        // SAFETY: the caller gives the out-parameters valid; the key is ours.
        unsafe {
            out_key.write(key.key);
            start.write(key.window.rolling_start());
            period.write(key.window.rolling_period());
        }
        Ok(())
    })
}

/// Verifies the signatures of a signed Exposure Notification export (the
/// keys were loaded from an export zip) against a P-256 public key in PEM
/// (`-----BEGIN PUBLIC KEY-----`), given as `pem_len` bytes of text (a
/// terminating NUL is not needed). The export is authentic when any one of
/// its signatures verifies over the whole of its `export.bin`.
///
/// Returns `BZ_RESULT_OK` when a signature verifies;
/// `BZ_RESULT_SIGNATURE_INVALID` when none does (or the export has none);
/// `BZ_RESULT_NOT_SIGNED` when the keys did not come from an export zip (a
/// bare `export.bin`, another format, or `bz_keys_new`);
/// `BZ_RESULT_PUBLIC_KEY` when the PEM is not a P-256 public key;
/// `BZ_RESULT_BAD_UTF8`, `BZ_RESULT_NULL_POINTER`, `BZ_RESULT_BAD_LENGTH`.
///
/// # Safety
/// `keys` is NULL or a live handle; `pem` is NULL or valid for reading
/// `pem_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_keys_verify_signature(
    keys: *const bz_keys,
    pem: *const u8,
    pem_len: usize,
) -> bz_result {
    fallible("bz_keys_verify_signature", || {
        // SAFETY: NULL or a live handle (the caller).
        let keys = unsafe { handle(keys, "keys") }?;
        // SAFETY: the caller gives `pem` valid for `pem_len` bytes.
        let pem = utf8(unsafe { input(pem, pem_len, "pem") }?, "pem")?;
        let Some(export) = keys.export.as_ref().filter(|_| keys.from_zip) else {
            return Err(Failure::new(
                bz_result::NotSigned,
                "the keys did not come from an export zip: there is no signature to verify",
            ));
        };
        let status = export.verify(pem).map_err(|err| Failure {
            code: bz_result::PublicKey,
            ..Failure::from(err)
        })?;
        match status {
            SignatureStatus::Valid { .. } => Ok(()),
            SignatureStatus::Invalid {
                signatures,
                malformed,
            } => Err(Failure::new(
                bz_result::SignatureInvalid,
                format!(
                    "no signature of the export verifies with the public key ({signatures} signatures, {malformed} malformed)"
                ),
            )),
        }
    })
}

/// Frees a set of keys. NULL is accepted and ignored. The keys must not be
/// used afterwards; matches made with them stay valid.
///
/// # Safety
/// `keys` is NULL or a live handle, not in use by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_keys_free(keys: *mut bz_keys) {
    // SAFETY: NULL or a live handle (the caller).
    ffi_panic_boundary("bz_keys_free", || unsafe { free_handle(keys) });
}
