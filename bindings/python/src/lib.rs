//! The compiled module of the `bluezone` Python package, `bluezone._native`.
//!
//! The package (`python/bluezone/__init__.py`) re-exports everything here;
//! `python/bluezone/_native.pyi` is its typed stub, checked against this
//! module by `tests/test_stubs.py`. Built by maturin (`pyproject.toml`):
//! see `README.md`.
//!
//! | module | Python |
//! |---|---|
//! | [`error`] | `BluezoneError`, `ParseError`, `SchemeError` |
//! | [`scheme`] | `generate_key`, `parse_key`, `derive_ids`, `interval_number`, `key_len`, `id_len` |
//! | [`log`] | `EncounterLog` |
//! | [`published`] | `PublishedKeys` |
//! | [`matcher`] | `match`, `Matches` |
//! | [`threads`] | `default_threads`, the fork hook, the GIL release |
//! | [`convert`] | argument conversion |

// The `///` comments of the Python functions and classes are their Python
// docstrings, written for Python readers (reST), not rustdoc's Markdown.
#![allow(clippy::doc_markdown)]

use pyo3::prelude::*;
use pyo3::types::PyTuple;

mod convert;
mod error;
mod log;
mod matcher;
mod published;
mod scheme;
mod threads;

/// Exposure notification IDs and matching, compiled: the private module of
/// the ``bluezone`` package, which re-exports everything in it.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add(
        "SCHEMES",
        PyTuple::new(
            py,
            bluezone::SchemeKind::ALL.map(bluezone::SchemeKind::name),
        )?,
    )?;
    m.add("INTERVAL_SECONDS", bluezone::time::INTERVAL_SECONDS)?;
    m.add("INTERVALS_PER_DAY", bluezone::time::INTERVALS_PER_DAY)?;
    m.add(
        "DEFAULT_TOLERANCE_SECONDS",
        bluezone::time::DEFAULT_TOLERANCE_SECONDS,
    )?;
    m.add("MAX_TOLERANCE_SECONDS", bluezone::MAX_TOLERANCE_SECONDS)?;

    m.add("BluezoneError", py.get_type::<error::BluezoneError>())?;
    m.add("ParseError", py.get_type::<error::ParseError>())?;
    m.add("SchemeError", py.get_type::<error::SchemeError>())?;

    m.add_function(wrap_pyfunction!(scheme::generate_key, m)?)?;
    m.add_function(wrap_pyfunction!(scheme::parse_key, m)?)?;
    m.add_function(wrap_pyfunction!(scheme::key_len, m)?)?;
    m.add_function(wrap_pyfunction!(scheme::id_len, m)?)?;
    m.add_function(wrap_pyfunction!(scheme::interval_number, m)?)?;
    m.add_function(wrap_pyfunction!(scheme::derive_ids, m)?)?;
    m.add_function(wrap_pyfunction!(matcher::match_keys, m)?)?;
    m.add_function(wrap_pyfunction!(threads::default_threads, m)?)?;
    m.add_function(wrap_pyfunction!(threads::after_fork_in_child, m)?)?;

    m.add_class::<log::PyEncounterLog>()?;
    m.add_class::<published::PyPublishedKeys>()?;
    m.add_class::<matcher::PyMatches>()?;
    Ok(())
}
