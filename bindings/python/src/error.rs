//! The one conversion of the core's errors into Python exceptions.
//!
//! Every [`bluezone::Error`] becomes a [`BluezoneError`] (a `ValueError`)
//! or one of its two subclasses, with the core's one-line message:
//!
//! | Python exception | core errors |
//! |---|---|
//! | [`ParseError`] | `Parse` (a file or buffer), `HexLength`, `HexDigit` |
//! | [`SchemeError`] | `UnknownScheme`, `SchemeMismatch`, `PerDayFixed`, `InvalidPerDay` |
//! | [`BluezoneError`] | every other error |
//!
//! Arguments of the wrong Python type raise `TypeError` (pyo3's own, or
//! [`type_error`]); a file that cannot be opened raises the `OSError` of
//! its cause (`FileNotFoundError`, …).

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;

pyo3::create_exception!(
    bluezone,
    BluezoneError,
    PyValueError,
    "An error of the bluezone library: a value, a key, a file or a scheme that is not right.\n\nA subclass of ValueError; its message is the library's one-line message, which says what is wrong and where."
);
pyo3::create_exception!(
    bluezone,
    ParseError,
    BluezoneError,
    "A file, a buffer or a hex string that cannot be read: the message names the file, the line or byte, the column and what was expected."
);
pyo3::create_exception!(
    bluezone,
    SchemeError,
    BluezoneError,
    "An unknown scheme name, a per_day that the scheme does not take, or keys, logs and schemes that do not belong together."
);

/// The Python exception of a core error, with its message.
pub(crate) fn to_py(err: &bluezone::Error) -> PyErr {
    raise(err, err.to_string())
}

/// The Python exception of a core error, its message prefixed by `context`
/// (`"ids, row 3"`).
pub(crate) fn to_py_in(err: &bluezone::Error, context: &str) -> PyErr {
    raise(err, format!("{context}: {err}"))
}

fn raise(err: &bluezone::Error, message: String) -> PyErr {
    use bluezone::Error;
    match err {
        Error::Parse { .. } | Error::HexLength { .. } | Error::HexDigit { .. } => {
            ParseError::new_err(message)
        }
        Error::UnknownScheme { .. }
        | Error::SchemeMismatch(_)
        | Error::PerDayFixed { .. }
        | Error::InvalidPerDay { .. } => SchemeError::new_err(message),
        _ => BluezoneError::new_err(message),
    }
}

/// A [`BluezoneError`] for a value that the bindings refuse before the core
/// sees it.
pub(crate) fn value_error(message: impl Into<String>) -> PyErr {
    BluezoneError::new_err(message.into())
}

/// A `TypeError` for an argument of the wrong type.
pub(crate) fn type_error(message: impl Into<String>) -> PyErr {
    PyTypeError::new_err(message.into())
}

/// The error raised when Rust code panicked: it never should, and the panic
/// is caught before it reaches Python.
pub(crate) fn internal_error(payload: &(dyn std::any::Any + Send)) -> PyErr {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    PyRuntimeError::new_err(format!(
        "bluezone: internal error ({what}); please report it"
    ))
}

/// Converts the core's results.
pub(crate) trait CoreResult<T> {
    /// The value, or the Python exception of the error.
    fn py(self) -> PyResult<T>;
    /// The value, or the Python exception of the error with `context`
    /// before its message.
    fn py_in(self, context: &str) -> PyResult<T>;
}

impl<T> CoreResult<T> for bluezone::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(|err| to_py(&err))
    }

    fn py_in(self, context: &str) -> PyResult<T> {
        self.map_err(|err| to_py_in(&err, context))
    }
}
