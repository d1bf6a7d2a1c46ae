//! Checks of the pointers and lengths that C passes in, before anything is
//! read or written through them.
//!
//! Every check returns a [`Failure`] naming the argument: a NULL pointer
//! with a nonzero length (a NULL pointer with length 0 is an empty buffer),
//! a length that overflows or exceeds [`BZ_MAX_BUFFER_LEN`], a pointer not
//! aligned for its elements, a path that is not NUL-terminated within
//! [`BZ_MAX_PATH_LEN`] bytes or not UTF-8.

use std::ffi::c_char;
use std::path::Path;
use std::ptr::NonNull;

use crate::error::{Failure, bz_result};

/// The largest buffer that any argument may describe, in bytes: 1 TiB.
/// Larger lengths are taken for garbage (such as a negative number cast to
/// `size_t`) and refused with `BZ_RESULT_BAD_LENGTH`.
pub const BZ_MAX_BUFFER_LEN: u64 = 1_099_511_627_776;

/// The longest path accepted, in bytes without the terminating NUL.
pub const BZ_MAX_PATH_LEN: usize = 65_535;

/// The byte length of `count` elements of `size` bytes, if it neither
/// overflows nor exceeds [`BZ_MAX_BUFFER_LEN`] (or `isize::MAX`, on small
/// targets).
pub(crate) fn byte_len(count: usize, size: usize, what: &str) -> Result<usize, Failure> {
    count
        .checked_mul(size)
        .filter(|&bytes| bytes as u64 <= BZ_MAX_BUFFER_LEN && isize::try_from(bytes).is_ok())
        .ok_or_else(|| {
            Failure::new(
                bz_result::BadLength,
                format!(
                    "{what}: {count} elements of {size} bytes is more than the {BZ_MAX_BUFFER_LEN} bytes allowed"
                ),
            )
        })
}

/// Checks a buffer of `len` elements at `ptr`.
fn check_buffer<T>(ptr: *const T, len: usize, what: &str) -> Result<(), Failure> {
    byte_len(len, size_of::<T>(), what)?;
    if len == 0 {
        return Ok(());
    }
    if ptr.is_null() {
        return Err(Failure::new(
            bz_result::NullPointer,
            format!("{what} is NULL but its length is {len}"),
        ));
    }
    if !ptr.is_aligned() {
        return Err(Failure::new(
            bz_result::MisalignedPointer,
            format!("{what} is not aligned to {} bytes", align_of::<T>()),
        ));
    }
    Ok(())
}

/// The `len` elements at `ptr`, read-only. A NULL `ptr` with `len` 0 is the
/// empty slice.
///
/// # Safety
/// When `ptr` is not NULL and `len` is not 0, `ptr` must be valid for
/// reading `len` elements, not written during the returned lifetime.
pub(crate) unsafe fn input<'a, T>(
    ptr: *const T,
    len: usize,
    what: &str,
) -> Result<&'a [T], Failure> {
    check_buffer(ptr, len, what)?;
    if len == 0 {
        return Ok(&[]);
    }
    // SAFETY: `ptr` is non-NULL and aligned (checked), `len * size_of::<T>()`
    // is at most `isize::MAX` (checked), and the caller guarantees that the
    // memory is valid and not written meanwhile.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// An output buffer of `len` elements at `ptr`, checked now and written
/// later (only on success).
pub(crate) struct OutBuffer<T> {
    ptr: *mut T,
    len: usize,
}

impl<T> OutBuffer<T> {
    /// Checks the buffer.
    pub(crate) fn new(ptr: *mut T, len: usize, what: &str) -> Result<Self, Failure> {
        check_buffer(ptr, len, what)?;
        Ok(Self { ptr, len })
    }

    /// The buffer's length, in elements.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Checks that the buffer holds `needed` elements.
    pub(crate) fn require(&self, needed: usize, what: &str) -> Result<(), Failure> {
        if self.len >= needed {
            Ok(())
        } else {
            Err(Failure::new(
                bz_result::BufferTooSmall,
                format!("{what} holds {} elements, {needed} needed", self.len),
            ))
        }
    }

    /// Copies `values` to the start of the buffer.
    ///
    /// # Safety
    /// The buffer must be valid for writing `len` elements, and `values`
    /// must not overlap it.
    ///
    /// # Panics
    /// When `values` is longer than the buffer (a bug of the caller).
    pub(crate) unsafe fn write(&self, values: &[T])
    where
        T: Copy,
    {
        assert!(values.len() <= self.len, "output larger than its buffer");
        if values.is_empty() {
            return;
        }
        // SAFETY: `values.len() <= len`; the buffer is non-NULL and aligned
        // (checked at construction, since `len > 0`) and valid (the caller);
        // `values` is Rust memory that does not overlap it (the caller).
        unsafe { std::ptr::copy_nonoverlapping(values.as_ptr(), self.ptr, values.len()) };
    }
}

/// An out-parameter: checked non-NULL and aligned now, written only on
/// success.
pub(crate) struct Out<T>(NonNull<T>);

impl<T> Out<T> {
    /// Checks the out-parameter `ptr`.
    pub(crate) fn new(ptr: *mut T, what: &str) -> Result<Self, Failure> {
        let ptr = NonNull::new(ptr)
            .ok_or_else(|| Failure::new(bz_result::NullPointer, format!("{what} is NULL")))?;
        if !ptr.as_ptr().is_aligned() {
            return Err(Failure::new(
                bz_result::MisalignedPointer,
                format!("{what} is not aligned to {} bytes", align_of::<T>()),
            ));
        }
        Ok(Self(ptr))
    }

    /// Writes the value, without reading or dropping what was there.
    ///
    /// # Safety
    /// The pointer must be valid for writing a `T`.
    pub(crate) unsafe fn write(self, value: T) {
        // SAFETY: non-NULL and aligned (checked); valid (the caller).
        unsafe { self.0.as_ptr().write(value) };
    }
}

/// The handle behind `ptr`, or `BZ_RESULT_NULL_POINTER`.
///
/// # Safety
/// `ptr` is NULL or a live handle of type `T` made by this library, not
/// freed during the returned lifetime.
pub(crate) unsafe fn handle<'a, T>(ptr: *const T, what: &str) -> Result<&'a T, Failure> {
    if ptr.is_null() {
        return Err(Failure::new(
            bz_result::NullPointer,
            format!("{what} is NULL"),
        ));
    }
    // SAFETY: non-NULL; the caller guarantees a live handle, which is a
    // `Box<T>` made by this library (so aligned and initialised), and
    // handles are never mutated.
    Ok(unsafe { &*ptr })
}

/// The handle behind `ptr`, or `None` for NULL: for the getters that return
/// 0 for a NULL handle.
///
/// # Safety
/// As [`handle`].
pub(crate) unsafe fn handle_or_none<'a, T>(ptr: *const T) -> Option<&'a T> {
    // SAFETY: as `handle`: NULL or a live handle made by this library.
    unsafe { ptr.as_ref() }
}

/// Puts `value` in a new handle for C.
pub(crate) fn into_handle<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Frees a handle made by [`into_handle`]; NULL is accepted and ignored.
///
/// # Safety
/// `ptr` is NULL or a live handle of type `T` made by this library, which
/// must not be used again.
pub(crate) unsafe fn free_handle<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: the caller gives a handle made by `into_handle`, i.e. by
        // `Box::into_raw`, not yet freed.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

/// A NUL-terminated UTF-8 path of at most [`BZ_MAX_PATH_LEN`] bytes. The
/// bytes are read one by one up to the NUL, never past it, and never more
/// than `BZ_MAX_PATH_LEN + 1` of them.
///
/// # Safety
/// `ptr` is NULL or points to bytes readable up to a NUL or to
/// `BZ_MAX_PATH_LEN + 1` bytes, whichever comes first.
pub(crate) unsafe fn path<'a>(ptr: *const c_char, what: &str) -> Result<&'a Path, Failure> {
    // SAFETY: as this function's contract.
    let text = unsafe { c_str(ptr, BZ_MAX_PATH_LEN, what) }?;
    Ok(Path::new(text))
}

/// A NUL-terminated UTF-8 string of at most `max` bytes.
///
/// # Safety
/// `ptr` is NULL or points to bytes readable up to a NUL or to `max + 1`
/// bytes, whichever comes first.
pub(crate) unsafe fn c_str<'a>(
    ptr: *const c_char,
    max: usize,
    what: &str,
) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::new(
            bz_result::NullPointer,
            format!("{what} is NULL"),
        ));
    }
    let mut len = 0;
    loop {
        // SAFETY: the caller guarantees the bytes up to the NUL (or `max + 1`
        // bytes) are readable, and `len <= max` here.
        if unsafe { ptr.add(len).read() } == 0 {
            break;
        }
        if len == max {
            return Err(Failure::new(
                bz_result::BadLength,
                format!("{what} has no NUL within its first {} bytes", max + 1),
            ));
        }
        len += 1;
    }
    // SAFETY: the `len` bytes before the NUL were just read, so readable.
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    utf8(bytes, what)
}

/// `bytes` as UTF-8 text.
pub(crate) fn utf8<'a>(bytes: &'a [u8], what: &str) -> Result<&'a str, Failure> {
    std::str::from_utf8(bytes).map_err(|err| {
        Failure::new(
            bz_result::BadUtf8,
            format!(
                "{what} is not UTF-8 (invalid byte at offset {})",
                err.valid_up_to()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_checked_before_pointers() {
        let err = byte_len(usize::MAX, 16, "ids").unwrap_err();
        assert_eq!(err.code, bz_result::BadLength);
        assert_eq!(byte_len(3, 16, "ids"), Ok(48));
        assert_eq!(
            byte_len((BZ_MAX_BUFFER_LEN + 1) as usize, 1, "buf")
                .unwrap_err()
                .code,
            bz_result::BadLength
        );
        // SAFETY: NULL with length 0 is never read.
        let empty = unsafe { input::<u8>(std::ptr::null(), 0, "buf") }.unwrap();
        assert!(empty.is_empty());
        // SAFETY: NULL with a nonzero length is refused before any read.
        let err = unsafe { input::<u8>(std::ptr::null(), 1, "buf") }.unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (bz_result::NullPointer, "buf is NULL but its length is 1")
        );
    }

    #[test]
    fn misaligned_pointers_are_refused() {
        let words = [0_i64; 2];
        let odd = words.as_ptr().wrapping_byte_add(1);
        // SAFETY: refused before any read.
        let err = unsafe { input(odd, 1, "times") }.unwrap_err();
        assert_eq!(err.code, bz_result::MisalignedPointer);
    }

    #[test]
    fn strings_are_bounded_and_utf8() {
        // SAFETY: NUL-terminated literals.
        unsafe {
            assert_eq!(c_str(c"abc".as_ptr(), 3, "s"), Ok("abc"));
            assert_eq!(
                c_str(c"abcd".as_ptr(), 3, "s").unwrap_err().code,
                bz_result::BadLength
            );
            assert_eq!(
                c_str(c"\xff".as_ptr(), 3, "s").unwrap_err().code,
                bz_result::BadUtf8
            );
            assert_eq!(
                c_str(std::ptr::null(), 3, "s").unwrap_err().code,
                bz_result::NullPointer
            );
        }
    }
}
