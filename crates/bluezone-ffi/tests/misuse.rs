//! Bad calls get a code, never a crash: every exported function called with
//! NULL pointers, absurd and overflowing lengths, misaligned pointers, freed
//! (then NULL) handles and malformed buffers, with the exact result code and
//! the message that `bz_last_error_message` gives.
//!
//! The same misuse from C, under the sanitizers, is `tests/c/misuse.c`
//! (run by `tests/c_programs.rs`).

// The tests are tables of calls, one per statement, with short names for the
// scratch out-parameters that every call passes.
#![allow(clippy::too_many_lines, clippy::many_single_char_names)]
#![warn(clippy::undocumented_unsafe_blocks)]

use std::ffi::{CStr, CString, c_char};
use std::path::{Path, PathBuf};
use std::ptr::{null, null_mut};

use bluezone_ffi::*;

const B3: u32 = bz_scheme::B3 as u32;
const GAEN: u32 = bz_scheme::Gaen as u32;
const BLUEZONE: u32 = bz_scheme::Bluezone as u32;

/// The calling thread's last error message: its length first, then the
/// message in a buffer of that length plus the NUL.
fn last_error() -> String {
    let mut len = 0;
    // SAFETY: NULL with length 0, and a local.
    let result = unsafe { bz_last_error_message(null_mut(), 0, &raw mut len) };
    assert_eq!(result, bz_result::Ok);
    let mut buf = vec![0x55 as c_char; len + 1];
    let mut again = 0;
    // SAFETY: `buf` holds `len + 1` bytes, and `again` is a local.
    let result = unsafe { bz_last_error_message(buf.as_mut_ptr(), buf.len(), &raw mut again) };
    assert_eq!(result, bz_result::Ok);
    assert_eq!(again, len);
    // SAFETY: NUL-terminated by the function.
    let message = unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(message.len(), len, "the message was cut");
    message
}

/// Asserts the code of a call and that its message is one line that names
/// `function` and contains `fragment`.
#[track_caller]
fn expect(result: bz_result, code: bz_result, function: &str, fragment: &str) {
    let message = last_error();
    assert_eq!(result, code, "message: {message}");
    assert!(
        message.starts_with(&format!("{function}: ")),
        "{message:?} does not name {function}"
    );
    assert!(
        message.contains(fragment),
        "{message:?} does not contain {fragment:?}"
    );
    assert!(
        !message.contains('\n') && !message.contains('\r'),
        "{message:?}"
    );
}

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../bluezone/tests/fixtures")
        .join(path)
}

/// A small log, index, key set and matches to misuse, freed on drop.
struct Handles {
    log: *mut bz_log,
    index: *mut bz_index,
    keys: *mut bz_keys,
    matches: *mut bz_matches,
}

impl Handles {
    fn new() -> Self {
        let key = [1u8; 16];
        let start = 2_642_976_u32;
        let mut id = [0u8; 16];
        let time = i64::from(start) * 600;
        let mut handles = Handles {
            log: null_mut(),
            index: null_mut(),
            keys: null_mut(),
            matches: null_mut(),
        };
        // SAFETY: buffers valid for their lengths, locals for the handles.
        unsafe {
            assert_eq!(
                bz_derive_range(
                    B3,
                    0,
                    key.as_ptr(),
                    16,
                    start,
                    start,
                    1,
                    id.as_mut_ptr(),
                    16
                ),
                bz_result::Ok
            );
            assert_eq!(
                bz_log_new(
                    id.as_ptr(),
                    16,
                    &raw const time,
                    [-60_i8].as_ptr(),
                    1,
                    &raw mut handles.log
                ),
                bz_result::Ok
            );
            assert_eq!(
                bz_index_new(handles.log, B3, 0, 7200, &raw mut handles.index),
                bz_result::Ok
            );
            assert_eq!(
                bz_keys_new(
                    B3,
                    key.as_ptr(),
                    &raw const start,
                    [144_u32].as_ptr(),
                    1,
                    &raw mut handles.keys
                ),
                bz_result::Ok
            );
            assert_eq!(
                bz_match(handles.index, handles.keys, 1, &raw mut handles.matches),
                bz_result::Ok
            );
            assert_eq!(bz_matches_len(handles.matches), 1);
        }
        handles
    }
}

impl Drop for Handles {
    fn drop(&mut self) {
        // SAFETY: handles made by the library, freed once.
        unsafe {
            bz_matches_free(self.matches);
            bz_keys_free(self.keys);
            bz_index_free(self.index);
            bz_log_free(self.log);
        }
    }
}

#[test]
fn null_pointers_are_refused_by_every_function() {
    let h = Handles::new();
    let mut buf = [0u8; 64];
    let b = buf.as_mut_ptr();
    let (mut u, mut n, mut t, mut r) = (0_u32, 0_usize, 0_i64, 0_i8);
    let (mut log, mut index, mut keys, mut matches) =
        (null_mut(), null_mut(), null_mut(), null_mut());
    let np = bz_result::NullPointer;
    // SAFETY: every pointer is NULL or valid for its length; the functions
    // check NULL before any access.
    unsafe {
        assert_eq!(bz_last_error_message(null_mut(), 1, &raw mut n), np);
        assert_eq!(bz_last_error_message(b.cast(), 1, null_mut()), np);
        expect(
            bz_scheme_from_name(null(), &raw mut u),
            np,
            "bz_scheme_from_name",
            "name is NULL",
        );
        expect(
            bz_scheme_from_name(c"b3".as_ptr(), null_mut()),
            np,
            "bz_scheme_from_name",
            "out_scheme is NULL",
        );
        expect(
            bz_scheme_interval_seconds(B3, 0, null_mut()),
            np,
            "bz_scheme_interval_seconds",
            "out_seconds is NULL",
        );
        expect(
            bz_generate_key(B3, null_mut(), 16),
            np,
            "bz_generate_key",
            "out_key is NULL but its length is 16",
        );
        expect(
            bz_derive_range(B3, 0, null(), 16, 0, 0, 1, b, 16),
            np,
            "bz_derive_range",
            "key is NULL but its length is 16",
        );
        expect(
            bz_derive_range(B3, 0, b, 16, 0, 0, 1, null_mut(), 16),
            np,
            "bz_derive_range",
            "out_ids is NULL",
        );
        for (i, f) in [bz_gaen_encrypt_metadata, bz_gaen_decrypt_metadata]
            .into_iter()
            .enumerate()
        {
            let name = ["bz_gaen_encrypt_metadata", "bz_gaen_decrypt_metadata"][i];
            expect(f(null(), 16, b, 16, b, 4, b, 4), np, name, "tek is NULL");
            expect(f(b, 16, null(), 16, b, 4, b, 4), np, name, "rpi is NULL");
            expect(
                f(b, 16, b, 16, null(), 4, b, 4),
                np,
                name,
                "metadata is NULL",
            );
            expect(
                f(b, 16, b, 16, b, 4, null_mut(), 4),
                np,
                name,
                "out is NULL",
            );
        }
        let times = [0_i64; 2];
        let rssi = [0_i8; 2];
        expect(
            bz_log_new(null(), 16, times.as_ptr(), rssi.as_ptr(), 2, &raw mut log),
            np,
            "bz_log_new",
            "ids is NULL but its length is 32",
        );
        expect(
            bz_log_new(b, 16, null(), rssi.as_ptr(), 2, &raw mut log),
            np,
            "bz_log_new",
            "times is NULL but its length is 2",
        );
        expect(
            bz_log_new(b, 16, times.as_ptr(), null(), 2, &raw mut log),
            np,
            "bz_log_new",
            "rssi is NULL",
        );
        expect(
            bz_log_new(b, 16, times.as_ptr(), rssi.as_ptr(), 2, null_mut()),
            np,
            "bz_log_new",
            "out_log is NULL",
        );
        expect(
            bz_log_load_file(null(), 16, &raw mut log),
            np,
            "bz_log_load_file",
            "path is NULL",
        );
        expect(
            bz_log_load_file(c"x".as_ptr(), 16, null_mut()),
            np,
            "bz_log_load_file",
            "out_log is NULL",
        );
        expect(
            bz_log_get(null(), 0, b, 16, &raw mut t, &raw mut r),
            np,
            "bz_log_get",
            "log is NULL",
        );
        expect(
            bz_log_get(h.log, 0, null_mut(), 16, &raw mut t, &raw mut r),
            np,
            "bz_log_get",
            "out_id is NULL",
        );
        expect(
            bz_log_get(h.log, 0, b, 16, null_mut(), &raw mut r),
            np,
            "bz_log_get",
            "out_time is NULL",
        );
        expect(
            bz_log_get(h.log, 0, b, 16, &raw mut t, null_mut()),
            np,
            "bz_log_get",
            "out_rssi is NULL",
        );
        expect(
            bz_index_new(null(), B3, 0, 0, &raw mut index),
            np,
            "bz_index_new",
            "log is NULL",
        );
        expect(
            bz_index_new(h.log, B3, 0, 0, null_mut()),
            np,
            "bz_index_new",
            "out_index is NULL",
        );
        let starts = [0_u32; 2];
        expect(
            bz_keys_new(
                B3,
                null(),
                starts.as_ptr(),
                starts.as_ptr(),
                2,
                &raw mut keys,
            ),
            np,
            "bz_keys_new",
            "keys is NULL",
        );
        expect(
            bz_keys_new(B3, b, null(), starts.as_ptr(), 2, &raw mut keys),
            np,
            "bz_keys_new",
            "rolling_starts is NULL",
        );
        expect(
            bz_keys_new(B3, b, starts.as_ptr(), null(), 2, &raw mut keys),
            np,
            "bz_keys_new",
            "rolling_periods is NULL",
        );
        expect(
            bz_keys_new(B3, b, starts.as_ptr(), starts.as_ptr(), 2, null_mut()),
            np,
            "bz_keys_new",
            "out_keys is NULL",
        );
        expect(
            bz_keys_load_bytes(null(), 3, 0, &raw mut keys),
            np,
            "bz_keys_load_bytes",
            "data is NULL",
        );
        expect(
            bz_keys_load_bytes(b, 3, 0, null_mut()),
            np,
            "bz_keys_load_bytes",
            "out_keys is NULL",
        );
        expect(
            bz_keys_load_file(null(), 0, &raw mut keys),
            np,
            "bz_keys_load_file",
            "path is NULL",
        );
        expect(
            bz_keys_load_file(c"x".as_ptr(), 0, null_mut()),
            np,
            "bz_keys_load_file",
            "out_keys is NULL",
        );
        expect(
            bz_keys_get(null(), 0, b, 16, &raw mut u, &raw mut u),
            np,
            "bz_keys_get",
            "keys is NULL",
        );
        expect(
            bz_keys_get(h.keys, 0, null_mut(), 16, &raw mut u, &raw mut u),
            np,
            "bz_keys_get",
            "out_key is NULL",
        );
        expect(
            bz_keys_get(h.keys, 0, b, 16, null_mut(), &raw mut u),
            np,
            "bz_keys_get",
            "out_rolling_start is NULL",
        );
        expect(
            bz_keys_get(h.keys, 0, b, 16, &raw mut u, null_mut()),
            np,
            "bz_keys_get",
            "out_rolling_period is NULL",
        );
        expect(
            bz_keys_verify_signature(null(), b, 3),
            np,
            "bz_keys_verify_signature",
            "keys is NULL",
        );
        expect(
            bz_keys_verify_signature(h.keys, null(), 3),
            np,
            "bz_keys_verify_signature",
            "pem is NULL",
        );
        expect(
            bz_match(null(), h.keys, 0, &raw mut matches),
            np,
            "bz_match",
            "index is NULL",
        );
        expect(
            bz_match(h.index, null(), 0, &raw mut matches),
            np,
            "bz_match",
            "keys is NULL",
        );
        expect(
            bz_match(h.index, h.keys, 0, null_mut()),
            np,
            "bz_match",
            "out_matches is NULL",
        );
        expect(
            bz_matches_get(null(), 0, &raw mut u, &raw mut u, &raw mut u),
            np,
            "bz_matches_get",
            "matches is NULL",
        );
        expect(
            bz_matches_get(h.matches, 0, null_mut(), &raw mut u, &raw mut u),
            np,
            "bz_matches_get",
            "out_key_index is NULL",
        );
        expect(
            bz_matches_get(h.matches, 0, &raw mut u, null_mut(), &raw mut u),
            np,
            "bz_matches_get",
            "out_interval is NULL",
        );
        expect(
            bz_matches_get(h.matches, 0, &raw mut u, &raw mut u, null_mut()),
            np,
            "bz_matches_get",
            "out_encounter_index is NULL",
        );
        let c = (&raw mut u, &raw mut u, &raw mut u);
        expect(
            bz_matches_copy(null(), 0, c.0, c.1, c.2, 1, &raw mut n),
            np,
            "bz_matches_copy",
            "matches is NULL",
        );
        expect(
            bz_matches_copy(h.matches, 0, null_mut(), c.1, c.2, 1, &raw mut n),
            np,
            "bz_matches_copy",
            "out_key_indices is NULL",
        );
        expect(
            bz_matches_copy(h.matches, 0, c.0, null_mut(), c.2, 1, &raw mut n),
            np,
            "bz_matches_copy",
            "out_intervals is NULL",
        );
        expect(
            bz_matches_copy(h.matches, 0, c.0, c.1, null_mut(), 1, &raw mut n),
            np,
            "bz_matches_copy",
            "out_encounter_indices is NULL",
        );
        expect(
            bz_matches_copy(h.matches, 0, c.0, c.1, c.2, 1, null_mut()),
            np,
            "bz_matches_copy",
            "out_copied is NULL",
        );

        // The getters answer 0 (or NULL) for a NULL handle.
        assert_eq!(
            (
                bz_log_len(null()),
                bz_log_id_len(null()),
                bz_keys_len(null()),
                bz_matches_len(null())
            ),
            (0, 0, 0, 0)
        );
        assert_eq!((bz_keys_scheme(null()), bz_keys_per_day(null())), (0, 0));
        assert!(bz_scheme_name(0).is_null() && bz_scheme_name(4).is_null());
        assert_eq!((bz_scheme_key_len(99), bz_scheme_id_len(u32::MAX)), (0, 0));

        // The list of schemes: NULL count, NULL buffer with a capacity, a
        // buffer too small; nothing written by any of them.
        let mut schemes = [7u32; 3];
        let mut count = 7usize;
        expect(
            bz_schemes(schemes.as_mut_ptr(), 3, null_mut()),
            np,
            "bz_schemes",
            "out_count is NULL",
        );
        expect(
            bz_schemes(null_mut(), 3, &raw mut count),
            np,
            "bz_schemes",
            "out_schemes is NULL",
        );
        expect(
            bz_schemes(schemes.as_mut_ptr(), 2, &raw mut count),
            bz_result::BufferTooSmall,
            "bz_schemes",
            "out_schemes holds 2 elements, 3 needed",
        );
        assert_eq!((schemes, count), ([7; 3], 7));
    }
    // No out-parameter was written by any failure.
    assert!(log.is_null() && index.is_null() && keys.is_null() && matches.is_null());
    assert_eq!((u, n, t, r), (0, 0, 0, 0));
}

#[test]
fn absurd_and_overflowing_lengths_are_refused() {
    let h = Handles::new();
    let mut buf = [0u8; 64];
    let b = buf.as_mut_ptr();
    let (mut u, mut n) = (0_u32, 0_usize);
    let mut handle = null_mut();
    let bl = bz_result::BadLength;
    let too_many = "bytes is more than the 1099511627776 bytes allowed";
    // SAFETY: every length is refused before its pointer is read.
    unsafe {
        expect(
            bz_generate_key(B3, b, usize::MAX),
            bl,
            "bz_generate_key",
            too_many,
        );
        expect(
            bz_derive_range(B3, 0, b, usize::MAX, 0, 0, 1, b, 16),
            bl,
            "bz_derive_range",
            too_many,
        );
        // count * 16 overflows, or exceeds the cap.
        expect(
            bz_derive_range(B3, 0, b, 16, 0, 0, usize::MAX, b, 64),
            bl,
            "bz_derive_range",
            &format!("count: {} elements of 16 bytes", usize::MAX),
        );
        expect(
            bz_derive_range(B3, 0, b, 16, 0, 0, usize::MAX / 16 + 1, b, 64),
            bl,
            "bz_derive_range",
            too_many,
        );
        expect(
            bz_derive_range(B3, 0, b, 16, 0, 0, (1 << 40) / 16 + 1, b, 64),
            bl,
            "bz_derive_range",
            too_many,
        );
        expect(
            bz_derive_range(B3, 0, b, 16, 0, 0, 1, b, usize::MAX),
            bl,
            "bz_derive_range",
            too_many,
        );
        expect(
            bz_gaen_encrypt_metadata(b, usize::MAX, b, 16, b, 4, b, 4),
            bl,
            "bz_gaen_encrypt_metadata",
            too_many,
        );
        expect(
            bz_gaen_decrypt_metadata(b, 16, b, 16, b, 4, b, usize::MAX),
            bl,
            "bz_gaen_decrypt_metadata",
            too_many,
        );
        expect(
            bz_gaen_encrypt_metadata(b, 16, b, 16, b, 5, b, 4),
            bl,
            "bz_gaen_encrypt_metadata",
            "metadata is 4 bytes, found 5",
        );
        // count * 16 wraps around to 16 without the check.
        let wraps = usize::MAX / 16 + 2;
        expect(
            bz_log_new(b, 16, null(), null(), wraps, &raw mut handle),
            bl,
            "bz_log_new",
            "ids: ",
        );
        // count * 8 for the times overflows.
        expect(
            bz_log_new(null(), 12, null(), null(), usize::MAX / 12, &raw mut handle),
            bl,
            "bz_log_new",
            "",
        );
        expect(
            bz_log_get(h.log, 0, b, usize::MAX, null_mut(), null_mut()),
            bl,
            "bz_log_get",
            too_many,
        );
        let mut keys = null_mut();
        expect(
            bz_keys_new(
                BLUEZONE,
                b,
                null(),
                null(),
                usize::MAX / 32 + 1,
                &raw mut keys,
            ),
            bl,
            "bz_keys_new",
            "keys: ",
        );
        expect(
            bz_keys_load_bytes(b, usize::MAX, 0, &raw mut keys),
            bl,
            "bz_keys_load_bytes",
            too_many,
        );
        expect(
            bz_keys_load_bytes(b, (1 << 40) + 1, 0, &raw mut keys),
            bl,
            "bz_keys_load_bytes",
            too_many,
        );
        expect(
            bz_keys_get(h.keys, 0, b, usize::MAX, &raw mut u, &raw mut u),
            bl,
            "bz_keys_get",
            too_many,
        );
        expect(
            bz_keys_verify_signature(h.keys, b, usize::MAX),
            bl,
            "bz_keys_verify_signature",
            too_many,
        );
        let c = (&raw mut u, &raw mut u, &raw mut u);
        expect(
            bz_matches_copy(h.matches, 0, c.0, c.1, c.2, usize::MAX, &raw mut n),
            bl,
            "bz_matches_copy",
            too_many,
        );
        expect(
            bz_matches_copy(h.matches, 0, c.0, c.1, c.2, usize::MAX / 4 + 1, &raw mut n),
            bl,
            "bz_matches_copy",
            too_many,
        );
        assert!(handle.is_null() && keys.is_null());

        // Paths and names without a NUL within their limit.
        let long = CString::new(vec![b'a'; BZ_MAX_PATH_LEN + 1]).unwrap();
        expect(
            bz_log_load_file(long.as_ptr(), 16, &raw mut handle),
            bl,
            "bz_log_load_file",
            "path has no NUL within its first 65536 bytes",
        );
        expect(
            bz_keys_load_file(long.as_ptr(), 0, &raw mut keys),
            bl,
            "bz_keys_load_file",
            "path has no NUL",
        );
        expect(
            bz_scheme_from_name(long.as_ptr(), &raw mut u),
            bl,
            "bz_scheme_from_name",
            "name has no NUL within its first 65 bytes",
        );
        let longest = CString::new(vec![b'a'; BZ_MAX_PATH_LEN]).unwrap();
        expect(
            bz_keys_load_file(longest.as_ptr(), 0, &raw mut keys),
            bz_result::Io,
            "bz_keys_load_file",
            "cannot open the file",
        );
    }
}

#[test]
fn wrong_values_get_their_codes() {
    let h = Handles::new();
    let mut buf = [0xaa_u8; 64];
    let b = buf.as_mut_ptr();
    let (mut u, mut n, mut t, mut r) = (0_u32, 0_usize, 0_i64, 0_i8);
    let mut handle = null_mut();
    let mut keys = null_mut();
    let mut index = null_mut();
    let mut matches = null_mut();
    // SAFETY: every pointer is valid for its length.
    unsafe {
        expect(
            bz_generate_key(0, b, 64),
            bz_result::BadScheme,
            "bz_generate_key",
            "scheme 0 is not one of BZ_SCHEME_GAEN (1), BZ_SCHEME_BLUEZONE (2), BZ_SCHEME_B3 (3)",
        );
        expect(
            bz_generate_key(GAEN, b, 15),
            bz_result::BufferTooSmall,
            "bz_generate_key",
            "out_key holds 15 elements, 16 needed",
        );
        expect(
            bz_scheme_from_name(c"GAEN".as_ptr(), &raw mut u),
            bz_result::BadScheme,
            "bz_scheme_from_name",
            "unknown scheme \"GAEN\"",
        );
        expect(
            bz_scheme_from_name(c"\xc3(".as_ptr(), &raw mut u),
            bz_result::BadUtf8,
            "bz_scheme_from_name",
            "name is not UTF-8",
        );
        expect(
            bz_scheme_interval_seconds(BLUEZONE, 7, &raw mut u),
            bz_result::BadPerDay,
            "bz_scheme_interval_seconds",
            "per_day must be a divisor of 86400",
        );
        expect(
            bz_scheme_interval_seconds(B3, 96, &raw mut u),
            bz_result::BadPerDay,
            "bz_scheme_interval_seconds",
            "per_day applies to the bluezone scheme",
        );
        expect(
            bz_derive_range(B3, 0, b, 15, 100, 100, 1, b.add(16), 16),
            bz_result::KeyLength,
            "bz_derive_range",
            "a b3 key is 16 bytes, found 15",
        );
        expect(
            bz_derive_range(B3, 0, b, 16, 100, 99, 1, b.add(16), 16),
            bz_result::IntervalRange,
            "bz_derive_range",
            "interval 99 is before the key's rolling start 100",
        );
        expect(
            bz_derive_range(GAEN, 0, b, 16, 0, u32::MAX, 2, b.add(16), 32),
            bz_result::IntervalRange,
            "bz_derive_range",
            "run past the largest interval number",
        );
        expect(
            bz_derive_range(BLUEZONE, 0, b, 32, 0, 144 * 3654, 1, b.add(32), 12),
            bz_result::IntervalRange,
            "bz_derive_range",
            "chains at most 3653 days",
        );
        expect(
            bz_derive_range(B3, 0, b, 16, 0, 0, 3, b.add(16), 47),
            bz_result::BufferTooSmall,
            "bz_derive_range",
            "out_ids holds 47 elements, 48 needed",
        );
        assert!(
            buf.iter().all(|&byte| byte == 0xaa),
            "a failure wrote its output"
        );
        let b = buf.as_mut_ptr();
        expect(
            bz_gaen_encrypt_metadata(b, 32, b, 16, b, 4, b, 4),
            bz_result::KeyLength,
            "bz_gaen_encrypt_metadata",
            "a gaen key is 16 bytes, found 32",
        );
        expect(
            bz_gaen_encrypt_metadata(b, 16, b, 12, b, 4, b, 4),
            bz_result::IdLength,
            "bz_gaen_encrypt_metadata",
            "an ID is 16 bytes, found 12",
        );
        expect(
            bz_gaen_decrypt_metadata(b, 16, b, 16, b, 4, b, 3),
            bz_result::BufferTooSmall,
            "bz_gaen_decrypt_metadata",
            "out holds 3 elements, 4 needed",
        );

        expect(
            bz_log_new(b, 8, null(), null(), 0, &raw mut handle),
            bz_result::IdLength,
            "bz_log_new",
            "an ID is 12 or 16 bytes, found 8",
        );
        expect(
            bz_log_load_file(c"/nonexistent/e.csv".as_ptr(), 16, &raw mut handle),
            bz_result::Io,
            "bz_log_load_file",
            "/nonexistent/e.csv: cannot open the file: No such file or directory",
        );
        expect(
            bz_log_load_file(c"/tmp".as_ptr(), 16, &raw mut handle),
            bz_result::Io,
            "bz_log_load_file",
            "/tmp: cannot open the file: it is a directory",
        );
        expect(
            bz_log_load_file(c"/tmp/\xff.csv".as_ptr(), 16, &raw mut handle),
            bz_result::BadUtf8,
            "bz_log_load_file",
            "path is not UTF-8 (invalid byte at offset 5)",
        );
        let trace = CString::new(fixture("bluezone/data_trace.txt").to_str().unwrap()).unwrap();
        expect(
            bz_log_load_file(trace.as_ptr(), 16, &raw mut handle),
            bz_result::Parse,
            "bz_log_load_file",
            "a Bluezone trace holds the bluezone scheme's 12-byte IDs, not 16-byte IDs",
        );
        expect(
            bz_log_get(h.log, 1, b, 16, &raw mut t, &raw mut r),
            bz_result::IndexOutOfRange,
            "bz_log_get",
            "index 1 is past the log's 1 sightings",
        );
        expect(
            bz_log_get(h.log, usize::MAX, b, 16, &raw mut t, &raw mut r),
            bz_result::IndexOutOfRange,
            "bz_log_get",
            "past the log's 1 sightings",
        );
        expect(
            bz_log_get(h.log, 0, b, 12, &raw mut t, &raw mut r),
            bz_result::BufferTooSmall,
            "bz_log_get",
            "out_id holds 12 elements, 16 needed",
        );

        expect(
            bz_index_new(h.log, 5, 0, 0, &raw mut index),
            bz_result::BadScheme,
            "bz_index_new",
            "scheme 5",
        );
        expect(
            bz_index_new(h.log, BLUEZONE, 0, 0, &raw mut index),
            bz_result::IdLength,
            "bz_index_new",
            "an ID is 12 bytes, found 16",
        );
        expect(
            bz_index_new(h.log, B3, 0, 86_401, &raw mut index),
            bz_result::BadTolerance,
            "bz_index_new",
            "a tolerance of 86401 s is more than the 86400 s allowed",
        );

        let key = [0u8; 32];
        expect(
            bz_keys_new(
                B3,
                key.as_ptr(),
                [0_u32, 1].as_ptr(),
                [144_u32, 0].as_ptr(),
                2,
                &raw mut keys,
            ),
            bz_result::InvalidKey,
            "bz_keys_new",
            "key 1: invalid key window",
        );
        expect(
            bz_keys_new(
                B3,
                key.as_ptr(),
                [u32::MAX].as_ptr(),
                [2_u32].as_ptr(),
                1,
                &raw mut keys,
            ),
            bz_result::InvalidKey,
            "bz_keys_new",
            "key 0: ",
        );
        expect(
            bz_keys_load_bytes(key.as_ptr(), 32, 7, &raw mut keys),
            bz_result::BadScheme,
            "bz_keys_load_bytes",
            "scheme 7",
        );
        expect(
            bz_keys_load_file(c"/nonexistent/k.zip".as_ptr(), 0, &raw mut keys),
            bz_result::Io,
            "bz_keys_load_file",
            "No such file or directory",
        );
        expect(
            bz_keys_get(h.keys, 1, b, 16, &raw mut u, &raw mut u),
            bz_result::IndexOutOfRange,
            "bz_keys_get",
            "index 1 is past the set's 1 keys",
        );
        expect(
            bz_keys_get(h.keys, usize::MAX, b, 16, &raw mut u, &raw mut u),
            bz_result::IndexOutOfRange,
            "bz_keys_get",
            "past the set's 1 keys",
        );
        let pem = std::fs::read(fixture("gaen/public.pem")).unwrap();
        expect(
            bz_keys_verify_signature(h.keys, pem.as_ptr(), pem.len()),
            bz_result::NotSigned,
            "bz_keys_verify_signature",
            "the keys did not come from an export zip",
        );
        expect(
            bz_keys_verify_signature(h.keys, [0xff_u8].as_ptr(), 1),
            bz_result::BadUtf8,
            "bz_keys_verify_signature",
            "pem is not UTF-8",
        );

        expect(
            bz_match(h.index, h.keys, BZ_MAX_THREADS + 1, &raw mut matches),
            bz_result::BadThreadCount,
            "bz_match",
            "1025 threads is more than the 1024 allowed",
        );
        let mut gaen_keys = null_mut();
        assert_eq!(
            bz_keys_new(
                GAEN,
                key.as_ptr(),
                [1_u32].as_ptr(),
                [144_u32].as_ptr(),
                1,
                &raw mut gaen_keys
            ),
            bz_result::Ok
        );
        expect(
            bz_match(h.index, gaen_keys, 0, &raw mut matches),
            bz_result::SchemeMismatch,
            "bz_match",
            "scheme mismatch: the keys are gaen keys and the index is for b3",
        );
        bz_keys_free(gaen_keys);
        expect(
            bz_matches_get(h.matches, 1, &raw mut u, &raw mut u, &raw mut u),
            bz_result::IndexOutOfRange,
            "bz_matches_get",
            "index 1 is past the 1 matches",
        );
        let c = (&raw mut u, &raw mut u, &raw mut u);
        expect(
            bz_matches_copy(h.matches, 2, c.0, c.1, c.2, 1, &raw mut n),
            bz_result::IndexOutOfRange,
            "bz_matches_copy",
            "start 2 is past the 1 matches",
        );
    }
    assert!(handle.is_null() && keys.is_null() && index.is_null() && matches.is_null());
    assert_eq!((u, n, t, r), (0, 0, 0, 0));
}

#[test]
fn misaligned_pointers_are_refused() {
    let h = Handles::new();
    let words = [0_u64; 8];
    let odd = words.as_ptr().wrapping_byte_add(1);
    let (mut u, mut n) = (0_u32, 0_usize);
    let mut handle = null_mut();
    let m = bz_result::MisalignedPointer;
    // SAFETY: each misaligned pointer is refused before any access.
    unsafe {
        expect(
            bz_schemes(odd.cast_mut().cast(), 3, &raw mut n),
            m,
            "bz_schemes",
            "out_schemes is not aligned to 4 bytes",
        );
        expect(
            bz_schemes(words.as_ptr().cast_mut().cast(), 3, odd.cast_mut().cast()),
            m,
            "bz_schemes",
            "out_count is not aligned",
        );
        expect(
            bz_log_new(
                [0u8; 16].as_ptr(),
                16,
                odd.cast(),
                [0_i8].as_ptr(),
                1,
                &raw mut handle,
            ),
            m,
            "bz_log_new",
            "times is not aligned to 8 bytes",
        );
        expect(
            bz_log_new(
                [0u8; 16].as_ptr(),
                16,
                words.as_ptr().cast(),
                [0_i8].as_ptr(),
                1,
                odd.cast_mut().cast(),
            ),
            m,
            "bz_log_new",
            "out_log is not aligned",
        );
        let mut keys = null_mut();
        expect(
            bz_keys_new(
                B3,
                [0u8; 16].as_ptr(),
                odd.cast(),
                [144_u32].as_ptr(),
                1,
                &raw mut keys,
            ),
            m,
            "bz_keys_new",
            "rolling_starts is not aligned to 4 bytes",
        );
        expect(
            bz_scheme_from_name(c"b3".as_ptr(), odd.cast_mut().cast()),
            m,
            "bz_scheme_from_name",
            "out_scheme is not aligned",
        );
        expect(
            bz_matches_get(h.matches, 0, odd.cast_mut().cast(), &raw mut u, &raw mut u),
            m,
            "bz_matches_get",
            "out_key_index is not aligned",
        );
        let c = (&raw mut u, &raw mut u);
        expect(
            bz_matches_copy(h.matches, 0, odd.cast_mut().cast(), c.0, c.1, 1, &raw mut n),
            m,
            "bz_matches_copy",
            "out_key_indices is not aligned",
        );
        expect(
            bz_matches_copy(h.matches, 0, c.0, c.1, &raw mut u, 1, odd.cast_mut().cast()),
            m,
            "bz_matches_copy",
            "out_copied is not aligned",
        );
        assert!(handle.is_null() && keys.is_null());
        assert_eq!(words, [0; 8]);
    }
}

/// Loads `bytes` as keys with `BZ_SCHEME_AUTO`; frees what loads.
fn load(bytes: &[u8]) -> bz_result {
    let mut keys = null_mut();
    // SAFETY: `bytes` is valid for its length; a local.
    let result =
        unsafe { bz_keys_load_bytes(bytes.as_ptr(), bytes.len(), BZ_SCHEME_AUTO, &raw mut keys) };
    // SAFETY: NULL or a handle just made.
    unsafe { bz_keys_free(keys) };
    assert_eq!(result == bz_result::Ok, !keys.is_null());
    result
}

#[test]
fn malformed_key_buffers_are_parse_errors() {
    // Garbage with each format's first bytes in front, from a fixed seed.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as u8
    };
    for prefix in [
        &b""[..],
        b"PK\x03\x04",
        b"EK Export v1    ",
        b"BLUEZKEY",
        b"{\"data\":[",
        b"key,rolling_start,rolling_period\n\xff",
    ] {
        for len in [0, 1, 7, 64, 500] {
            let bytes: Vec<u8> = prefix
                .iter()
                .copied()
                .chain((0..len).map(|_| next() | 0x80))
                .collect();
            let result = load(&bytes);
            let message = last_error();
            if prefix == b"EK Export v1    " && len == 0 {
                // The header alone is a valid export of no keys.
                assert_eq!(result, bz_result::Ok, "{message}");
                continue;
            }
            assert_eq!(
                result,
                bz_result::Parse,
                "{prefix:?} + {len} bytes: {message}"
            );
            assert!(
                message.starts_with("bz_keys_load_bytes: keys buffer"),
                "{message}"
            );
        }
    }

    // Every truncation of a signed export zip.
    let zip = std::fs::read(fixture("gaen/testExport-2-records-1-of-1.zip")).unwrap();
    for len in 1..zip.len() {
        assert_eq!(
            load(&zip[..len]),
            bz_result::Parse,
            "zip cut at {len}: {}",
            last_error()
        );
    }
    assert_eq!(load(&zip), bz_result::Ok);

    // Truncations of a bare export.bin: an error where the cut falls inside
    // a field, fewer keys where it falls between two; never anything else.
    let bin = std::fs::read(fixture("gaen/internals-export.bin")).unwrap();
    let mut errors = 0;
    for len in (1..bin.len()).step_by(7) {
        match load(&bin[..len]) {
            bz_result::Parse => errors += 1,
            bz_result::Ok => {}
            other => panic!("export.bin cut at {len}: {other:?}: {}", last_error()),
        }
    }
    assert!(errors > 100, "only {errors} truncations were errors");

    // A native batch, cut anywhere.
    let mut set = bluezone::PublishedKeys::new(bluezone::SchemeKind::B3);
    set.push(&[3; 16], 2_642_976, 144).unwrap();
    let mut bzk = Vec::new();
    bluezone::formats::bzk::write(&set, 144, &mut bzk, "k.bzk").unwrap();
    for len in 1..bzk.len() {
        assert_eq!(
            load(&bzk[..len]),
            bz_result::Parse,
            "bzk cut at {len}: {}",
            last_error()
        );
    }
    assert_eq!(load(&bzk), bz_result::Ok);
}

#[test]
fn freed_handles_set_to_null_are_refused() {
    let mut h = Handles::new();
    let (mut u, mut n) = (0_u32, 0_usize);
    let mut out = null_mut();
    // SAFETY: each handle is freed once, then only NULL is passed.
    unsafe {
        bz_matches_free(h.matches);
        h.matches = null_mut();
        bz_index_free(h.index);
        h.index = null_mut();
        bz_keys_free(h.keys);
        h.keys = null_mut();
        bz_log_free(h.log);
        h.log = null_mut();
        // Freeing NULL again is harmless.
        bz_matches_free(h.matches);
        bz_index_free(h.index);
        bz_keys_free(h.keys);
        bz_log_free(h.log);
        assert_eq!(bz_matches_len(h.matches), 0);
        assert_eq!(bz_keys_len(h.keys), 0);
        assert_eq!(bz_log_len(h.log), 0);
        expect(
            bz_match(h.index, h.keys, 0, &raw mut out),
            bz_result::NullPointer,
            "bz_match",
            "index is NULL",
        );
        let mut index = null_mut();
        expect(
            bz_index_new(h.log, B3, 0, 0, &raw mut index),
            bz_result::NullPointer,
            "bz_index_new",
            "log is NULL",
        );
        assert!(index.is_null());
        let c = (&raw mut u, &raw mut u, &raw mut u);
        expect(
            bz_matches_copy(h.matches, 0, c.0, c.1, c.2, 1, &raw mut n),
            bz_result::NullPointer,
            "bz_matches_copy",
            "matches is NULL",
        );
    }
    assert!(out.is_null());
}

#[test]
fn success_clears_the_message_and_the_message_call_keeps_it() {
    let mut len = 0;
    // SAFETY: locals and NULL with length 0.
    unsafe {
        assert_eq!(bz_generate_key(0, null_mut(), 0), bz_result::BadScheme);
        let message = last_error();
        // Failed calls of bz_last_error_message do not change it.
        assert_eq!(
            bz_last_error_message(null_mut(), 5, &raw mut len),
            bz_result::NullPointer
        );
        assert_eq!(last_error(), message);
        assert_eq!(
            bz_last_error_message(null_mut(), 0, &raw mut len),
            bz_result::Ok
        );
        assert_eq!(len, message.len());
        // The message is per thread.
        std::thread::spawn(|| assert_eq!(last_error(), ""))
            .join()
            .unwrap();
        let mut seconds = 0;
        assert_eq!(
            bz_scheme_interval_seconds(B3, 0, &raw mut seconds),
            bz_result::Ok
        );
        assert_eq!(last_error(), "");
    }
}
