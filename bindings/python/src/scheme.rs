//! Schemes and keys: generating and parsing daily keys, deriving their IDs,
//! interval numbers.

use numpy::PyArray2;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use bluezone::{SchemeKind, SecretKey};

use crate::convert;
use crate::error::CoreResult;
use crate::threads;

/// Generates a fresh daily key for ``scheme`` ("gaen", "bluezone" or "b3")
/// from the operating system's cryptographically secure random number
/// generator: 16 bytes for gaen and b3, 32 for bluezone.
///
/// The library wipes its own copy; the returned ``bytes`` object is an
/// ordinary Python object, which Python does not wipe.
#[pyfunction]
#[pyo3(signature = (scheme))]
pub(crate) fn generate_key<'py>(py: Python<'py>, scheme: &str) -> PyResult<Bound<'py, PyBytes>> {
    let kind = convert::scheme_kind(scheme)?;
    Ok(match kind {
        SchemeKind::Gaen | SchemeKind::B3 => {
            PyBytes::new(py, SecretKey::<16>::generate().py()?.as_bytes())
        }
        SchemeKind::Bluezone => PyBytes::new(py, SecretKey::<32>::generate().py()?.as_bytes()),
    })
}

/// Parses a daily key of ``scheme`` from hex (upper or lower case, without
/// separators): 32 digits for gaen and b3, 64 for bluezone.
///
/// Raises ParseError naming the first bad digit and its position, or the
/// wrong number of digits.
#[pyfunction]
#[pyo3(signature = (scheme, text))]
pub(crate) fn parse_key<'py>(
    py: Python<'py>,
    scheme: &str,
    text: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let kind = convert::scheme_kind(scheme)?;
    let mut key = vec![0u8; kind.key_len()];
    bluezone::hex::decode_into(text, &mut key).py()?;
    Ok(PyBytes::new(py, &key))
}

/// The length of ``scheme``'s daily keys, in bytes: 16 for gaen and b3, 32
/// for bluezone.
#[pyfunction]
#[pyo3(signature = (scheme))]
pub(crate) fn key_len(scheme: &str) -> PyResult<usize> {
    Ok(convert::scheme_kind(scheme)?.key_len())
}

/// The length of ``scheme``'s ephemeral IDs, in bytes: 16 for gaen and b3,
/// 12 for bluezone.
#[pyfunction]
#[pyo3(signature = (scheme))]
pub(crate) fn id_len(scheme: &str) -> PyResult<usize> {
    Ok(convert::scheme_kind(scheme)?.id_len())
}

/// The 10-minute interval number of a Unix time: ``unix_seconds // 600``
/// (GAEN's ENIntervalNumber).
///
/// Raises BluezoneError for times before 1970 or past the last interval
/// number, 2**32 - 1.
#[pyfunction]
#[pyo3(signature = (unix_seconds))]
pub(crate) fn interval_number(unix_seconds: i64) -> PyResult<u32> {
    bluezone::time::interval_number(unix_seconds).py()
}

/// The ephemeral IDs of ``key`` for the intervals ``start`` … ``start +
/// count - 1``, as a numpy ``uint8`` array of shape ``(count, id_len)``.
///
/// ``scheme`` is "gaen", "bluezone" or "b3"; ``key`` is bytes (16 bytes for
/// gaen and b3, 32 for bluezone) or the same in hex. ``count`` defaults to
/// one day: 144, or ``per_day`` for bluezone. ``per_day``, the slots per day
/// of the bluezone scheme (a divisor of 86400), is for bluezone only (144
/// is accepted for every scheme); for bluezone, intervals are slots of
/// ``86400 / per_day`` seconds and ``start`` is the slot where the key's day
/// begins, a count past one day continuing into the next days' keys.
///
/// ``rolling_start`` is the first interval of the key's validity window,
/// ``start`` by default; the IDs of b3 and bluezone depend on it.
///
/// The GIL is released while the IDs are derived.
#[pyfunction]
#[pyo3(signature = (scheme, key, start, count=None, per_day=144, *, rolling_start=None))]
pub(crate) fn derive_ids<'py>(
    py: Python<'py>,
    scheme: &str,
    key: &Bound<'py, PyAny>,
    start: i64,
    count: Option<i64>,
    per_day: i64,
    rolling_start: Option<i64>,
) -> PyResult<Bound<'py, PyArray2<u8>>> {
    let scheme = convert::scheme(convert::scheme_kind(scheme)?, Some(per_day))?;
    let key = convert::key(key, scheme.kind())?;
    let first = convert::interval("start", start)?;
    let rolling_start = match rolling_start {
        Some(rolling_start) => convert::interval("rolling_start", rolling_start)?,
        None => first,
    };
    let count = count.unwrap_or_else(|| i64::from(scheme.intervals_per_day()));
    let count = u64::try_from(count).map_err(|_| {
        crate::error::value_error(format!("count must be 0 or more, found {count}"))
    })?;
    if u64::from(first) + count > u64::from(u32::MAX) + 1 {
        return Err(crate::error::to_py(&bluezone::Error::IntervalOverflow {
            first,
            count,
        }));
    }
    let id_len = scheme.id_len();
    let bytes = usize::try_from(count)
        .ok()
        .and_then(|count| count.checked_mul(id_len))
        .ok_or_else(|| pyo3::exceptions::PyMemoryError::new_err(format!("{count} IDs")))?;
    let ids = threads::run(py, None, move || {
        if count > 0 {
            // The last ID first: a request that cannot complete fails before
            // anything is allocated.
            let last = first + (count - 1) as u32;
            scheme.derive_sparse_bytes(&key, rolling_start, &[last], &mut vec![0u8; id_len])?;
        }
        let mut ids = Vec::new();
        if ids.try_reserve_exact(bytes).is_err() {
            return Ok(None);
        }
        ids.resize(bytes, 0);
        scheme.derive_range_bytes(&key, rolling_start, first, &mut ids)?;
        Ok(Some(ids))
    })?
    .ok_or_else(|| {
        pyo3::exceptions::PyMemoryError::new_err(format!(
            "cannot allocate {bytes} bytes for {count} IDs"
        ))
    })?;
    convert::rows_array(py, ids, id_len)
}
