//! Matching published keys against an encounter log.

use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use bluezone::time::DEFAULT_TOLERANCE_SECONDS;
use bluezone::{LocalIndex, MatchOptions, SchemeKind};

use crate::convert;
use crate::error::value_error;
use crate::log::PyEncounterLog;
use crate::published::PyPublishedKeys;
use crate::threads;

// The default of `tolerance` is written out in the signature below, which
// is what Python shows.
const _: () = assert!(DEFAULT_TOLERANCE_SECONDS == 7_200);

/// The matches of published keys against an encounter log, one row per
/// matching sighting, sorted by key, then sighting, then interval.
///
/// The columns ``key_index`` (the key's row in the published keys),
/// ``interval`` (the interval whose ID was seen) and ``encounter_index``
/// (the sighting's row in the log) are read-only numpy ``uint32`` arrays.
#[pyclass(module = "bluezone", name = "Matches", frozen)]
pub(crate) struct PyMatches {
    key_index: Py<PyArray1<u32>>,
    interval: Py<PyArray1<u32>>,
    encounter_index: Py<PyArray1<u32>>,
    len: usize,
}

fn column(py: Python<'_>, values: Vec<u32>) -> PyResult<Py<PyArray1<u32>>> {
    Ok(convert::read_only(PyArray1::from_vec(py, values))?.unbind())
}

#[pymethods]
impl PyMatches {
    /// The number of matches.
    fn __len__(&self) -> usize {
        self.len
    }

    fn __repr__(&self) -> String {
        format!("Matches({} matches)", self.len)
    }

    /// The index of each match's key among the published keys (``uint32``).
    #[getter]
    fn key_index<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u32>> {
        self.key_index.bind(py).clone()
    }

    /// The interval of each match: the interval whose ID was seen
    /// (``uint32``).
    #[getter]
    fn interval<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u32>> {
        self.interval.bind(py).clone()
    }

    /// The index of each match's sighting in the encounter log
    /// (``uint32``).
    #[getter]
    fn encounter_index<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u32>> {
        self.encounter_index.bind(py).clone()
    }

    /// The matches as a pandas DataFrame with the columns ``key_index``,
    /// ``interval`` and ``encounter_index``.
    ///
    /// Raises ImportError when pandas is not installed.
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pandas = convert::pandas(py, "Matches.to_pandas()")?;
        let columns = PyDict::new(py);
        for (name, values) in [
            ("key_index", &self.key_index),
            ("interval", &self.interval),
            ("encounter_index", &self.encounter_index),
        ] {
            columns.set_item(name, values.bind(py).call_method0("copy")?)?;
        }
        pandas.getattr("DataFrame")?.call1((columns,))
    }
}

/// Matches published keys against an encounter log: a sighting of ID ``X``
/// at time ``t`` matches key ``K`` at interval ``i`` when ``i`` is in
/// ``K``'s window, ``X`` is ``K``'s ID of interval ``i``, and ``i*L - tolerance
/// <= t < (i+1)*L + tolerance``, ``L`` being the interval length (600 s,
/// or ``86400 / per_day`` for bluezone).
///
/// ``scheme`` defaults to the keys' scheme; ``per_day`` (bluezone only) to
/// the slots per day of the keys' file, else 144. ``tolerance`` is in
/// seconds, 0 to 86400 (two hours by default). ``threads`` is the number of
/// worker threads (by default ``default_threads()``); the result does not
/// depend on it.
///
/// Returns a Matches, sorted by key, then sighting, then interval. The GIL
/// is released while the log is indexed and the keys matched. Raises
/// SchemeError when the keys, the log and the scheme do not belong
/// together.
#[pyfunction]
#[pyo3(
    name = "match",
    signature = (keys, log, scheme=None, tolerance=7200, threads=None, per_day=None)
)]
pub(crate) fn match_keys(
    py: Python<'_>,
    keys: &Bound<'_, PyPublishedKeys>,
    log: &Bound<'_, PyEncounterLog>,
    scheme: Option<&str>,
    tolerance: i64,
    threads: Option<i64>,
    per_day: Option<i64>,
) -> PyResult<PyMatches> {
    let keys = keys.get();
    let log = &log.get().log;
    let kind = match scheme {
        Some(name) => convert::scheme_kind(name)?,
        None => keys.kind(),
    };
    let per_day = per_day.or_else(|| {
        (kind == SchemeKind::Bluezone)
            .then(|| keys.per_day.map(i64::from))
            .flatten()
    });
    let scheme = convert::scheme(kind, per_day)?;
    let tolerance = u32::try_from(tolerance).map_err(|_| {
        value_error(format!(
            "tolerance must be from 0 to {} seconds, found {tolerance}",
            bluezone::MAX_TOLERANCE_SECONDS
        ))
    })?;
    let threads = threads::threads_argument(threads)?;
    let published = &keys.keys;
    let matches = threads::run(py, threads, move || {
        let index = LocalIndex::build(log, scheme, tolerance)?;
        index.match_keys(published, &MatchOptions::default())
    })?;
    Ok(PyMatches {
        len: matches.len(),
        key_index: column(py, matches.key_indices())?,
        interval: column(py, matches.intervals())?,
        encounter_index: column(py, matches.encounter_indices())?,
    })
}
