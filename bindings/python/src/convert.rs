//! Python arguments to Rust values, and Rust values to numpy arrays.
//!
//! Every argument is converted here, with the GIL held, before any work
//! starts; a value of the wrong type raises `TypeError`, a value out of
//! range a `BluezoneError` that names the argument (and the row).

use numpy::prelude::*;
use numpy::{PyArray1, PyArray2, PyUntypedArray};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyFloat, PyMemoryView, PyString};

use bluezone::{Scheme, SchemeKind};

use crate::error::{CoreResult, to_py_in, type_error, value_error};

/// The scheme named `name`.
pub(crate) fn scheme_kind(name: &str) -> PyResult<SchemeKind> {
    name.parse().py()
}

/// The scheme named `name` with `per_day` slots per day (`bluezone` only;
/// 144 is accepted for every scheme).
pub(crate) fn scheme(kind: SchemeKind, per_day: Option<i64>) -> PyResult<Scheme> {
    let per_day = per_day
        .map(|per_day| {
            u32::try_from(per_day).map_err(|_| {
                to_py_in(
                    &bluezone::Error::InvalidPerDay {
                        per_day: u32::try_from(per_day.clamp(0, i64::from(u32::MAX))).unwrap_or(0),
                    },
                    &format!("per_day {per_day}"),
                )
            })
        })
        .transpose()?;
    Scheme::new(kind, per_day).py()
}

/// An interval (or slot) number: 0 to 2^32 − 1.
pub(crate) fn interval(name: &str, value: i64) -> PyResult<u32> {
    u32::try_from(value).map_err(|_| {
        value_error(format!(
            "{name} must be an interval number from 0 to {}, found {value}",
            u32::MAX
        ))
    })
}

/// The bytes of a bytes-like object: `bytes`, `bytearray`, `memoryview` or
/// a one-dimensional `uint8` array; `None` for anything else.
pub(crate) fn bytes_like(obj: &Bound<'_, PyAny>) -> PyResult<Option<Vec<u8>>> {
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        return Ok(Some(bytes.as_bytes().to_vec()));
    }
    if let Ok(bytes) = obj.cast::<PyByteArray>() {
        return Ok(Some(bytes.to_vec()));
    }
    if obj.cast::<PyMemoryView>().is_ok() {
        let bytes = obj.call_method0("tobytes")?;
        return Ok(Some(bytes.cast::<PyBytes>()?.as_bytes().to_vec()));
    }
    if let Ok(array) = obj.cast::<PyArray1<u8>>() {
        return Ok(Some(
            array.try_readonly()?.as_array().iter().copied().collect(),
        ));
    }
    Ok(None)
}

/// The Python type name of `obj`, for messages.
pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "object".to_owned(), |name| name.to_string())
}

/// A daily key of `kind`, given as bytes-like or as a hex `str`.
pub(crate) fn key(obj: &Bound<'_, PyAny>, kind: SchemeKind) -> PyResult<Vec<u8>> {
    let mut key = vec![0u8; kind.key_len()];
    if let Ok(text) = obj.cast::<PyString>() {
        bluezone::hex::decode_into(&text.to_cow()?, &mut key).py_in("key")?;
        return Ok(key);
    }
    let Some(bytes) = bytes_like(obj)? else {
        return Err(type_error(format!(
            "key must be bytes or a hex str, found {}",
            type_name(obj)
        )));
    };
    if bytes.len() != kind.key_len() {
        return Err(to_py_in(
            &bluezone::Error::KeyLength {
                scheme: kind.name(),
                expected: kind.key_len(),
                found: bytes.len(),
            },
            "key",
        ));
    }
    Ok(bytes)
}

/// What a row of a byte table is: an ID or a key of a scheme.
#[derive(Clone, Copy)]
pub(crate) enum RowKind {
    /// An ephemeral ID.
    Id,
    /// A daily key of the scheme.
    Key(SchemeKind),
}

impl RowKind {
    fn length_error(self, expected: usize, found: usize) -> bluezone::Error {
        match self {
            RowKind::Id => bluezone::Error::IdLength { expected, found },
            RowKind::Key(kind) => bluezone::Error::KeyLength {
                scheme: kind.name(),
                expected,
                found,
            },
        }
    }
}

/// A table of rows of `width` bytes (IDs or keys), back to back, with the
/// width found.
pub(crate) struct ByteRows {
    /// The rows' length in bytes.
    pub(crate) width: usize,
    /// The rows, back to back.
    pub(crate) bytes: Vec<u8>,
}

/// Rows of bytes, from: a `uint8` array of shape `(n, width)`; flat bytes
/// (`bytes`, `bytearray`, `memoryview` or a one-dimensional `uint8` array)
/// holding the rows back to back, when `width` is known; or a sequence
/// (a list, an object array, a pandas Series) whose items are each
/// bytes-like or a hex `str`.
pub(crate) fn byte_rows(
    obj: &Bound<'_, PyAny>,
    name: &str,
    kind: RowKind,
    width: Option<usize>,
) -> PyResult<ByteRows> {
    let flat = |bytes: Vec<u8>| -> PyResult<ByteRows> {
        let Some(width) = width else {
            return Err(type_error(format!(
                "{name} given as flat bytes need their length: pass id_len=12 or 16, or a (n, id_len) uint8 array"
            )));
        };
        if width == 0 || !bytes.len().is_multiple_of(width) {
            return Err(to_py_in(
                &kind.length_error(width, bytes.len() % width.max(1)),
                &format!("{name} ({} bytes)", bytes.len()),
            ));
        }
        Ok(ByteRows { width, bytes })
    };
    if let Ok(array) = obj.cast::<PyUntypedArray>() {
        let dtype = array.dtype();
        let (dtype_kind, itemsize) = (dtype.kind(), dtype.itemsize());
        if dtype_kind == b'u' && itemsize == 1 {
            if let Ok(table) = obj.cast::<PyArray2<u8>>() {
                let found = table.shape()[1];
                if let Some(width) = width.filter(|&width| width != found) {
                    return Err(to_py_in(&kind.length_error(width, found), name));
                }
                let bytes = table.try_readonly()?.as_array().iter().copied().collect();
                return Ok(ByteRows {
                    width: found,
                    bytes,
                });
            }
            if let Some(bytes) = bytes_like(obj)? {
                return flat(bytes);
            }
            return Err(value_error(format!(
                "{name} must be a uint8 array of shape (n, length), found shape {:?}",
                array.shape()
            )));
        }
        if dtype_kind != b'O' && dtype_kind != b'U' {
            return Err(type_error(format!(
                "{name} must be a uint8 array, bytes, or a sequence of bytes or hex str, found an array of dtype {}",
                dtype.str()?
            )));
        }
    } else if let Some(bytes) = bytes_like(obj)? {
        return flat(bytes);
    } else if obj.is_instance_of::<PyString>() {
        return Err(type_error(format!(
            "{name} must be a uint8 array, bytes, or a sequence of bytes or hex str, found one str"
        )));
    }
    let items = obj.try_iter().map_err(|_| {
        type_error(format!(
            "{name} must be a uint8 array, bytes, or a sequence of bytes or hex str, found {}",
            type_name(obj)
        ))
    })?;
    let mut width = width;
    let mut bytes = Vec::new();
    for (row, item) in items.enumerate() {
        let item = item?;
        let context = || format!("{name}, row {row}");
        let value = if let Ok(text) = item.cast::<PyString>() {
            let text = text.to_cow()?;
            match width {
                Some(width) => {
                    let mut value = vec![0u8; width];
                    bluezone::hex::decode_into(&text, &mut value).py_in(&context())?;
                    value
                }
                None => bluezone::hex::decode_vec(&text).py_in(&context())?,
            }
        } else if let Some(value) = bytes_like(&item)? {
            value
        } else {
            return Err(type_error(format!(
                "{}: expected bytes or a hex str, found {}",
                context(),
                type_name(&item)
            )));
        };
        let expected = *width.get_or_insert(value.len());
        if value.len() != expected {
            return Err(to_py_in(
                &kind.length_error(expected, value.len()),
                &context(),
            ));
        }
        bytes.extend_from_slice(&value);
    }
    Ok(ByteRows {
        width: width.unwrap_or(match kind {
            RowKind::Id => 16,
            RowKind::Key(kind) => kind.key_len(),
        }),
        bytes,
    })
}

/// A column of integers, some of them possibly missing.
pub(crate) struct IntColumn {
    values: Vec<i64>,
    /// `true` where a value is missing; empty when none is.
    missing: Vec<bool>,
}

/// How a column of integers may be given.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Times {
    /// Integers only.
    No,
    /// Integers, or `datetime64` values, taken as Unix seconds.
    Allowed,
}

/// A column of integers, from any one-dimensional array-like: integers;
/// floats that are whole numbers, `NaN` being missing; objects (`None`,
/// `NaN` and pandas' `NA` being missing); a numpy masked array, its masked
/// entries missing; and with [`Times::Allowed`], `datetime64` values, in
/// seconds since the Unix epoch (`NaT` missing).
pub(crate) fn int_column(obj: &Bound<'_, PyAny>, name: &str, times: Times) -> PyResult<IntColumn> {
    let py = obj.py();
    let numpy = py.import("numpy")?;
    let ma = numpy.getattr("ma")?;
    if obj.is_instance(&ma.getattr("MaskedArray")?)? {
        let mask = ma.call_method1("getmaskarray", (obj,))?;
        let mask: Vec<bool> = mask
            .cast::<PyArray1<bool>>()
            .map_err(|_| value_error(format!("{name} must be one-dimensional")))?
            .try_readonly()?
            .as_array()
            .to_vec();
        let data = ma.call_method1("getdata", (obj,))?;
        return plain_int_column(&data, name, times, Some(&mask));
    }
    plain_int_column(obj, name, times, None)
}

fn plain_int_column(
    obj: &Bound<'_, PyAny>,
    name: &str,
    times: Times,
    mask: Option<&[bool]>,
) -> PyResult<IntColumn> {
    let py = obj.py();
    let numpy = py.import("numpy")?;
    let array = numpy.call_method1("asarray", (obj,))?;
    let array = array.cast::<PyUntypedArray>()?;
    if array.ndim() != 1 {
        return Err(value_error(format!(
            "{name} must be one-dimensional, found shape {:?}",
            array.shape()
        )));
    }
    let rows = array.len();
    if let Some(mask) = mask
        && mask.len() != rows
    {
        return Err(value_error(format!(
            "{name}: the mask has {} values, {rows} expected",
            mask.len()
        )));
    }
    let mut column = Column {
        name,
        mask,
        rows,
        missing: mask.map(<[bool]>::to_vec).unwrap_or_default(),
    };
    let dtype = array.dtype();
    let values = match dtype.kind() {
        b'i' | b'u' if dtype.kind() == b'u' && dtype.itemsize() >= 8 => {
            let wide = numpy.call_method1("asarray", (array, "uint64"))?;
            column.unsigned(
                wide.cast::<PyArray1<u64>>()?
                    .try_readonly()?
                    .as_array()
                    .iter(),
            )?
        }
        b'i' | b'u' => {
            let wide = numpy.call_method1("asarray", (array, "int64"))?;
            wide.cast::<PyArray1<i64>>()?
                .try_readonly()?
                .as_array()
                .to_vec()
        }
        b'M' if times == Times::Allowed => {
            let seconds = array
                .call_method1("astype", ("datetime64[s]",))?
                .call_method1("astype", ("int64",))?;
            column.seconds(
                seconds
                    .cast::<PyArray1<i64>>()?
                    .try_readonly()?
                    .as_array()
                    .to_vec(),
            )
        }
        b'f' => {
            let floats = numpy.call_method1("asarray", (array, "float64"))?;
            column.floats(
                floats
                    .cast::<PyArray1<f64>>()?
                    .try_readonly()?
                    .as_array()
                    .iter(),
            )?
        }
        b'O' => column.objects(array)?,
        _ => {
            let expected = if times == Times::Allowed {
                "integers (Unix seconds) or datetime64 values"
            } else {
                "integers"
            };
            return Err(type_error(format!(
                "{name} must hold {expected}, found an array of dtype {}",
                dtype.str()?
            )));
        }
    };
    Ok(IntColumn {
        values,
        missing: column.missing,
    })
}

/// A column being converted: its name, the mask it came with, and the rows
/// found missing.
struct Column<'a> {
    name: &'a str,
    mask: Option<&'a [bool]>,
    rows: usize,
    missing: Vec<bool>,
}

impl Column<'_> {
    fn masked(&self, row: usize) -> bool {
        self.mask.is_some_and(|mask| mask[row])
    }

    fn set_missing(&mut self, row: usize) {
        if self.missing.is_empty() {
            self.missing = vec![false; self.rows];
        }
        self.missing[row] = true;
    }

    fn unsigned<'a>(&self, values: impl Iterator<Item = &'a u64>) -> PyResult<Vec<i64>> {
        values
            .enumerate()
            .map(|(row, &value)| match i64::try_from(value) {
                Ok(value) => Ok(value),
                Err(_) if self.masked(row) => Ok(0),
                Err(_) => Err(value_error(format!(
                    "{}, row {row}: {value} is too large",
                    self.name
                ))),
            })
            .collect()
    }

    /// Times in seconds, `NaT` (the smallest `int64`) being missing.
    fn seconds(&mut self, mut values: Vec<i64>) -> Vec<i64> {
        for (row, value) in values.iter_mut().enumerate() {
            if *value == i64::MIN {
                self.set_missing(row);
                *value = 0;
            }
        }
        values
    }

    fn floats<'a>(&mut self, values: impl Iterator<Item = &'a f64>) -> PyResult<Vec<i64>> {
        let mut out = Vec::with_capacity(self.rows);
        for (row, &value) in values.enumerate() {
            out.push(match whole(value) {
                Some(value) => value,
                None if self.masked(row) => 0,
                None if value.is_nan() => {
                    self.set_missing(row);
                    0
                }
                None => {
                    return Err(value_error(format!(
                        "{}, row {row}: {value} is not a whole number",
                        self.name
                    )));
                }
            });
        }
        Ok(out)
    }

    fn objects(&mut self, array: &Bound<'_, PyUntypedArray>) -> PyResult<Vec<i64>> {
        let mut out = Vec::with_capacity(self.rows);
        for (row, item) in array.try_iter()?.enumerate() {
            let item = item?;
            if self.masked(row) {
                out.push(0);
            } else if is_missing(&item) {
                self.set_missing(row);
                out.push(0);
            } else if let Ok(value) = item.cast::<PyFloat>() {
                let value = value.value();
                out.push(whole(value).ok_or_else(|| {
                    value_error(format!(
                        "{}, row {row}: {value} is not a whole number",
                        self.name
                    ))
                })?);
            } else if let Ok(value) = item.extract::<i64>() {
                out.push(value);
            } else {
                return Err(type_error(format!(
                    "{}, row {row}: expected an integer, found {}",
                    self.name,
                    type_name(&item)
                )));
            }
        }
        Ok(out)
    }
}

/// `value` as an integer, when it is a whole number in range.
fn whole(value: f64) -> Option<i64> {
    // The bounds are exact: -2^63 and 2^63.
    #[allow(clippy::cast_precision_loss)]
    let in_range = value >= i64::MIN as f64 && value < -(i64::MIN as f64);
    #[allow(clippy::float_cmp)]
    let is_whole = value.trunc() == value;
    (in_range && is_whole).then(|| {
        #[allow(clippy::cast_possible_truncation)]
        let whole = value as i64;
        whole
    })
}

/// Whether an object of an object array means "no value": `None`, `NaN`,
/// or pandas' `NA` and `NaT`.
fn is_missing(item: &Bound<'_, PyAny>) -> bool {
    if item.is_none() {
        return true;
    }
    if let Ok(value) = item.cast::<PyFloat>() {
        return value.value().is_nan();
    }
    let name = type_name(item);
    name == "NAType" || name == "NaTType"
}

impl IntColumn {
    /// The number of values.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// Every value, converted to `T`; a missing value or one outside
    /// `T`'s range is an error that names the row.
    pub(crate) fn required<T: TryFrom<i64>>(&self, name: &str, range: &str) -> PyResult<Vec<T>> {
        if let Some(row) = self.missing.iter().position(|&missing| missing) {
            return Err(value_error(format!("{name}, row {row}: no value")));
        }
        self.values
            .iter()
            .enumerate()
            .map(|(row, &value)| narrow(value, name, row, range))
            .collect()
    }

    /// Every value converted to `T`, `None` where missing.
    pub(crate) fn optional<T: TryFrom<i64>>(
        &self,
        name: &str,
        range: &str,
    ) -> PyResult<Vec<Option<T>>> {
        self.values
            .iter()
            .enumerate()
            .map(|(row, &value)| {
                if self.missing.get(row).copied().unwrap_or(false) {
                    Ok(None)
                } else {
                    narrow(value, name, row, range).map(Some)
                }
            })
            .collect()
    }
}

fn narrow<T: TryFrom<i64>>(value: i64, name: &str, row: usize, range: &str) -> PyResult<T> {
    T::try_from(value).map_err(|_| {
        value_error(format!(
            "{name}, row {row}: {value} is outside the range {range}"
        ))
    })
}

/// A `(rows, width)` `uint8` array of rows stored back to back, without a
/// copy.
pub(crate) fn rows_array(
    py: Python<'_>,
    bytes: Vec<u8>,
    width: usize,
) -> PyResult<Bound<'_, PyArray2<u8>>> {
    let rows = bytes.len().checked_div(width).unwrap_or(0);
    PyArray1::from_vec(py, bytes).reshape([rows, width])
}

/// A numpy masked array of optional values: `None` entries are masked.
pub(crate) fn masked_array<'py, T>(
    py: Python<'py>,
    values: &[Option<T>],
) -> PyResult<Bound<'py, PyAny>>
where
    T: numpy::Element + Copy + Default,
{
    let data: Vec<T> = values
        .iter()
        .map(|value| value.unwrap_or_default())
        .collect();
    let mask: Vec<bool> = values.iter().map(Option::is_none).collect();
    let kwargs = PyDict::new(py);
    kwargs.set_item("mask", PyArray1::from_vec(py, mask))?;
    py.import("numpy")?.getattr("ma")?.call_method(
        "masked_array",
        (PyArray1::from_vec(py, data),),
        Some(&kwargs),
    )
}

/// A pandas nullable integer array (`Int8`, `UInt32`, …) of optional values.
pub(crate) fn nullable_array<'py, T>(
    pandas: &Bound<'py, PyModule>,
    values: &[Option<T>],
) -> PyResult<Bound<'py, PyAny>>
where
    T: numpy::Element + Copy + Default,
{
    let py = pandas.py();
    let data: Vec<T> = values
        .iter()
        .map(|value| value.unwrap_or_default())
        .collect();
    let mask: Vec<bool> = values.iter().map(Option::is_none).collect();
    pandas
        .getattr("arrays")?
        .getattr("IntegerArray")?
        .call1((PyArray1::from_vec(py, data), PyArray1::from_vec(py, mask)))
}

/// The pandas module, imported when first needed: pandas is an optional
/// dependency, and `what` says which method needs it.
pub(crate) fn pandas<'py>(py: Python<'py>, what: &str) -> PyResult<Bound<'py, PyModule>> {
    py.import("pandas").map_err(|err| {
        if err.is_instance_of::<pyo3::exceptions::PyImportError>(py) {
            let error = pyo3::exceptions::PyImportError::new_err(format!(
                "{what} needs pandas, an optional dependency of bluezone: pip install pandas"
            ));
            error.set_cause(py, Some(err));
            error
        } else {
            err
        }
    })
}

/// Marks a numpy array read-only.
pub(crate) fn read_only<T>(array: Bound<'_, T>) -> PyResult<Bound<'_, T>> {
    let kwargs = PyDict::new(array.py());
    kwargs.set_item("write", false)?;
    array.as_any().call_method("setflags", (), Some(&kwargs))?;
    Ok(array)
}
