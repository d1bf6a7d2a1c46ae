//! The panic boundary that every exported function runs inside.
//!
//! A panic must never unwind into C: that is undefined behaviour. Every
//! exported function runs its body in [`ffi_panic_boundary`], which catches
//! a panic, records it as the thread's last error, and returns the fallback
//! value of the function's return type ([`PanicDefault`]): an error code,
//! NULL, or zero.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::{Failure, bz_result, clear_last_error, set_last_error};

/// The value a function returns when its body panicked.
pub(crate) trait PanicDefault {
    /// The fallback value.
    fn panic_value() -> Self;
}

impl PanicDefault for bz_result {
    fn panic_value() -> Self {
        bz_result::Panic
    }
}

impl<T> PanicDefault for *const T {
    fn panic_value() -> Self {
        std::ptr::null()
    }
}

impl<T> PanicDefault for *mut T {
    fn panic_value() -> Self {
        std::ptr::null_mut()
    }
}

impl PanicDefault for usize {
    fn panic_value() -> Self {
        0
    }
}

impl PanicDefault for u32 {
    fn panic_value() -> Self {
        0
    }
}

impl PanicDefault for () {
    fn panic_value() -> Self {}
}

/// Runs `body`; when it panics, records the panic as the last error of
/// `function` and returns `R`'s fallback value instead of unwinding.
///
/// `AssertUnwindSafe` is sound here: the handles are immutable once made,
/// and a handle under construction is dropped by the unwinding, never
/// returned, so no broken state can be observed after a caught panic.
pub(crate) fn ffi_panic_boundary<R: PanicDefault>(
    function: &'static str,
    body: impl FnOnce() -> R,
) -> R {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => {
            let message = format!(
                "internal error: a panic was caught at the library boundary: {}",
                payload_text(payload.as_ref())
            );
            // The payload's own drop could panic in turn: drop it inside a
            // second boundary, and leak whatever that one catches.
            if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
                std::mem::forget(again);
            }
            set_last_error(function, &message);
            R::panic_value()
        }
    }
}

/// The boundary of a fallible function: runs `body` in
/// [`ffi_panic_boundary`] and turns its outcome into the result code,
/// clearing the thread's last error on success and setting it on failure.
pub(crate) fn fallible(
    function: &'static str,
    body: impl FnOnce() -> Result<(), Failure>,
) -> bz_result {
    ffi_panic_boundary(function, || match body() {
        Ok(()) => {
            clear_last_error();
            bz_result::Ok
        }
        Err(failure) => {
            set_last_error(function, &failure.message);
            failure.code
        }
    })
}

/// The text of a panic's payload, when it has one.
fn payload_text(payload: &(dyn Any + Send)) -> &str {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else {
        "(no message)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::last_error;

    #[test]
    fn a_panic_becomes_the_fallback_of_each_return_type() {
        assert_eq!(
            ffi_panic_boundary("bz_test", || -> bz_result { panic!("boom") }),
            bz_result::Panic
        );
        assert_eq!(
            last_error(),
            "bz_test: internal error: a panic was caught at the library boundary: boom"
        );
        assert!(ffi_panic_boundary("bz_test", || -> *const u8 { panic!("x") }).is_null());
        assert!(ffi_panic_boundary("bz_test", || -> *mut u8 { panic!("x") }).is_null());
        assert_eq!(
            ffi_panic_boundary("bz_test", || -> usize { panic!("{}", 42) }),
            0
        );
        assert!(last_error().ends_with("boundary: 42"));
        assert_eq!(ffi_panic_boundary("bz_test", || -> u32 { panic!() }), 0);
        ffi_panic_boundary("bz_test", || -> u32 { std::panic::panic_any(7_i32) });
        assert!(last_error().ends_with("boundary: (no message)"));
        let unit = || {
            if last_error().is_empty() {
                return;
            }
            panic!("unit");
        };
        ffi_panic_boundary("bz_test", unit);
        assert!(last_error().ends_with("boundary: unit"));
    }

    #[test]
    fn fallible_bodies_set_and_clear_the_message() {
        let code = fallible("bz_test", || {
            Err(Failure::new(bz_result::BadScheme, "no such scheme"))
        });
        assert_eq!(code, bz_result::BadScheme);
        assert_eq!(last_error(), "bz_test: no such scheme");
        assert_eq!(fallible("bz_test", || Ok(())), bz_result::Ok);
        assert_eq!(last_error(), "");
        let code = fallible("bz_test", || -> Result<(), Failure> { panic!("inside") });
        assert_eq!(code, bz_result::Panic);
        assert!(last_error().starts_with("bz_test: internal error"));
    }

    #[test]
    fn a_payload_whose_drop_panics_is_contained() {
        struct Bomb;
        impl Drop for Bomb {
            fn drop(&mut self) {
                panic!("drop");
            }
        }
        let code = ffi_panic_boundary("bz_test", || -> bz_result { std::panic::panic_any(Bomb) });
        assert_eq!(code, bz_result::Panic);
    }
}
