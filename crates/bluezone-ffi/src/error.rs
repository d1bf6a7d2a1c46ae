//! Result codes, the failures behind them, and the thread-local message of
//! the last failure.

use std::cell::RefCell;
use std::ffi::c_char;

use crate::panic::ffi_panic_boundary;

/// The result of every fallible function: `BZ_RESULT_OK` (0) or an error
/// code.
///
/// The values are fixed and grouped by origin: 1xx, the arguments of the
/// call (a NULL pointer, an absurd length, an unknown scheme…); 2xx, the
/// data (a file that does not parse, a key of the wrong length, a signature
/// that does not verify…); 3xx, the library itself (a caught panic, threads
/// that cannot start). A value is never reused: a code that is retired stays
/// listed here as a comment. (None is retired yet.)
///
/// `bz_last_error_message` gives the message of the last failure on the
/// calling thread, which says more than the code.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum bz_result {
    /// Success.
    Ok = 0,

    /// A pointer argument is NULL where a value is needed (a handle, an
    /// out-parameter, or a buffer with a nonzero length).
    NullPointer = 100,
    /// A length is absurd: larger than `BZ_MAX_BUFFER_LEN` bytes, or it
    /// overflows when multiplied by the size of its elements; or it is not
    /// the fixed length that an argument has (the 4 bytes of GAEN metadata).
    BadLength = 101,
    /// An output buffer is smaller than the output.
    BufferTooSmall = 102,
    /// A pointer is not aligned for the type of its elements.
    MisalignedPointer = 103,
    /// A scheme is not one of the `bz_scheme` values, or a scheme name is not
    /// one of the schemes' names.
    BadScheme = 104,
    /// A path, name or PEM text is not UTF-8.
    BadUtf8 = 105,
    /// `per_day` is not a divisor of 86400, or is given (other than 0 or
    /// 144) for a scheme other than `bluezone`.
    BadPerDay = 106,
    /// A tolerance is larger than `BZ_MAX_TOLERANCE_SECONDS`.
    BadTolerance = 107,
    /// A thread count is larger than `BZ_MAX_THREADS`.
    BadThreadCount = 108,
    /// An index is past the last row of a handle.
    IndexOutOfRange = 109,

    /// A file or buffer is not in a format that the library reads, or is
    /// malformed (truncated, bad fields); also a key that is not hex.
    Parse = 200,
    /// A file cannot be opened or read.
    Io = 201,
    /// A key has the wrong length for its scheme.
    KeyLength = 202,
    /// An ID length is not one that a scheme has (12 or 16 bytes), or not the
    /// scheme's.
    IdLength = 203,
    /// Intervals outside what the scheme derives: before the key's rolling
    /// start, past the largest interval number, or too many days along a
    /// `bluezone` key's chain; or a time outside the interval numbers.
    IntervalRange = 204,
    /// A key's validity window is empty or runs past the largest interval
    /// number.
    InvalidWindow = 205,
    /// A published key is invalid (its window, its metadata).
    InvalidKey = 206,
    /// More rows (keys or sightings) than 32-bit row numbers can count.
    TooManyRows = 207,
    /// The keys, the log or the index are of different schemes (or
    /// `bluezone` keys of another number of slots per day).
    SchemeMismatch = 208,
    /// The keys did not come from a signed export (an export zip with
    /// `export.sig`), so there is no signature to verify.
    NotSigned = 209,
    /// No signature of the export verifies with the public key.
    SignatureInvalid = 210,
    /// The public key is not a P-256 key in PEM (`BEGIN PUBLIC KEY`).
    PublicKey = 211,

    /// An internal error that has no code of its own.
    Internal = 300,
    /// A panic inside the library was caught at the boundary; the library is
    /// still usable, and the handles given to the call are unchanged.
    Panic = 301,
    /// Worker threads could not be started.
    Threads = 302,
    /// The operating system's random number generator failed.
    Random = 303,
}

/// A failed call: its code and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// The code the function returns.
    pub(crate) code: bz_result,
    /// The message that `bz_last_error_message` gives.
    pub(crate) message: String,
}

impl Failure {
    /// A failure of `code` with `message`.
    pub(crate) fn new(code: bz_result, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<bluezone::Error> for Failure {
    fn from(err: bluezone::Error) -> Self {
        use bluezone::Error as E;
        let code = match &err {
            E::HexLength { .. } | E::HexDigit { .. } | E::Parse { .. } => bz_result::Parse,
            E::KeyLength { .. } => bz_result::KeyLength,
            E::BufferLength { .. } => bz_result::BufferTooSmall,
            E::BeforeRollingStart { .. }
            | E::IntervalOverflow { .. }
            | E::TimeOutOfRange { .. }
            | E::ChainTooLong { .. } => bz_result::IntervalRange,
            E::InvalidWindow { .. } => bz_result::InvalidWindow,
            E::InvalidPerDay { .. } | E::PerDayFixed { .. } => bz_result::BadPerDay,
            E::UnknownScheme { .. } => bz_result::BadScheme,
            E::IdLength { .. } => bz_result::IdLength,
            E::ColumnLength { .. } => bz_result::BadLength,
            E::InvalidKey { .. } => bz_result::InvalidKey,
            E::TooManyRows { .. } => bz_result::TooManyRows,
            E::SchemeMismatch(_) => bz_result::SchemeMismatch,
            E::InvalidTolerance { .. } => bz_result::BadTolerance,
            E::Threads { .. } => bz_result::Threads,
            E::Random(_) => bz_result::Random,
            _ => bz_result::Internal,
        };
        Self::new(code, err.to_string())
    }
}

thread_local! {
    /// The message of the last failure on this thread; empty after a success.
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Records the failure of `function` as this thread's last error, on one
/// line.
pub(crate) fn set_last_error(function: &str, message: &str) {
    let line: String = message
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    // `try_with`: during thread teardown the slot may be gone; the message is
    // then lost, never a panic.
    let _ = LAST_ERROR.try_with(|last| {
        if let Ok(mut last) = last.try_borrow_mut() {
            last.clear();
            last.push_str(function);
            last.push_str(": ");
            last.push_str(&line);
        }
    });
}

/// Clears this thread's last error, after a success.
pub(crate) fn clear_last_error() {
    let _ = LAST_ERROR.try_with(|last| {
        if let Ok(mut last) = last.try_borrow_mut() {
            last.clear();
        }
    });
}

/// This thread's last error message (empty when the last call succeeded).
pub(crate) fn last_error() -> String {
    LAST_ERROR
        .try_with(|last| last.try_borrow().map(|s| s.clone()).unwrap_or_default())
        .unwrap_or_default()
}

/// Copies the message of the last failed call on the calling thread into
/// `buf`, as a NUL-terminated string of one line.
///
/// The message names the function and says what was wrong, for example
/// `bz_derive_range: a b3 key is 16 bytes, found 15`. It is kept per thread
/// until the next call on that thread that returns a `bz_result`: every such
/// call clears it on success and replaces it on failure. It is empty when
/// the last such call succeeded. This function itself never changes it.
///
/// At most `len - 1` bytes of the message are copied, cut at a UTF-8
/// character boundary, followed by a NUL; `*out_len` receives the length of
/// the whole message in bytes, without the NUL, so a message was cut when
/// `*out_len >= len`. With `len` 0, nothing is copied and `buf` may be NULL:
/// a way to ask for the length.
///
/// Returns `BZ_RESULT_NULL_POINTER` when `out_len` is NULL, or `buf` is NULL
/// and `len` is not 0.
///
/// # Safety
/// `buf` is NULL or valid for writing `len` bytes; `out_len` is NULL or
/// valid for writing a `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_last_error_message(
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> bz_result {
    ffi_panic_boundary("bz_last_error_message", || {
        if out_len.is_null() || (buf.is_null() && len != 0) {
            return bz_result::NullPointer;
        }
        let message = last_error();
        if len > 0 {
            let mut n = message.len().min(len - 1);
            while !message.is_char_boundary(n) {
                n -= 1;
            }
            // SAFETY: the caller gives `buf` valid for `len` bytes, and
            // `n + 1 <= len`; the message is our own string, not in `buf`.
            unsafe {
                std::ptr::copy_nonoverlapping(message.as_ptr(), buf.cast::<u8>(), n);
                buf.add(n).write(0);
            }
        }
        // SAFETY: checked non-NULL above; the caller gives it valid.
        unsafe { out_len.write(message.len()) };
        bz_result::Ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_line_and_named() {
        set_last_error("bz_f", "a\nb\r\nc");
        assert_eq!(last_error(), "bz_f: a b  c");
        clear_last_error();
        assert_eq!(last_error(), "");
    }

    #[test]
    fn codes_of_library_errors() {
        let failure = Failure::from(bluezone::Error::KeyLength {
            scheme: "b3",
            expected: 16,
            found: 15,
        });
        assert_eq!(failure.code, bz_result::KeyLength);
        assert_eq!(failure.message, "a b3 key is 16 bytes, found 15");
        let failure = Failure::from(bluezone::Error::InvalidTolerance {
            seconds: 90_000,
            max: 86_400,
        });
        assert_eq!(failure.code, bz_result::BadTolerance);
    }

    #[test]
    fn message_copies_truncate_at_character_boundaries() {
        set_last_error("bz_f", "é");
        // "bz_f: é" is 8 bytes: 6 ASCII and the two bytes of 'é'.
        let mut buf = [0x55 as c_char; 8];
        let mut len = 0;
        // SAFETY: `buf` holds 8 bytes; `len` is a local.
        let result = unsafe { bz_last_error_message(buf.as_mut_ptr(), 8, &raw mut len) };
        assert_eq!((result, len), (bz_result::Ok, 8));
        // 7 bytes fit, which would cut 'é': only the 6 ASCII bytes are copied.
        assert_eq!(buf[6], 0);
        assert_eq!(buf[7], 0x55);
        clear_last_error();
    }
}
