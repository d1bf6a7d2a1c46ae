//! The encounter log: the sightings a phone recorded.

use std::path::PathBuf;

use numpy::{PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyType};

use bluezone::formats::load;

use crate::convert::{self, IntColumn, RowKind, Times};
use crate::error::{CoreResult, type_error, value_error};
use crate::threads;

/// A phone's log of sightings: the IDs it heard, when (Unix seconds) and
/// how strongly (RSSI, dBm), with the sender's transmit power and how long
/// the ID was heard when known.
///
/// Build one from arrays::
///
///     log = bluezone.EncounterLog(ids, time, rssi)
///
/// where ``ids`` is a ``uint8`` array of shape ``(n, id_len)`` (16-byte IDs
/// for gaen and b3, 12-byte for bluezone), flat bytes with ``id_len``
/// given, or a sequence of IDs each as bytes or hex str; ``time`` holds
/// integers (Unix seconds) or ``datetime64`` values; ``rssi`` integers from
/// -128 to 127. The optional ``tx_power`` (-128 to 127 dBm) and
/// ``duration`` (seconds, 0 to 2**32 - 1) may have missing values: ``None``,
/// ``NaN`` or the masked entries of a numpy masked array.
///
/// Or from a pandas DataFrame with ``EncounterLog.from_pandas(df)``, or from
/// a file with ``EncounterLog.load(path, scheme)``.
///
/// Raises TypeError for arguments of the wrong type and BluezoneError for
/// wrong values (columns of different lengths, IDs of the wrong length,
/// values out of range), naming the column and the row.
#[pyclass(module = "bluezone", name = "EncounterLog", frozen)]
pub(crate) struct PyEncounterLog {
    pub(crate) log: bluezone::EncounterLog,
    format: Option<&'static str>,
}

/// The optional columns of a log.
struct Optional<'a, 'py> {
    tx_power: Option<&'a Bound<'py, PyAny>>,
    duration: Option<&'a Bound<'py, PyAny>>,
}

fn build(
    ids: &Bound<'_, PyAny>,
    time: &Bound<'_, PyAny>,
    rssi: &Bound<'_, PyAny>,
    optional: &Optional<'_, '_>,
    id_len: Option<i64>,
) -> PyResult<bluezone::EncounterLog> {
    let id_len = id_len
        .map(|id_len| {
            usize::try_from(id_len)
                .ok()
                .filter(|&id_len| id_len == 12 || id_len == 16)
                .ok_or_else(|| value_error(format!("id_len must be 12 or 16, found {id_len}")))
        })
        .transpose()?;
    let ids = convert::byte_rows(ids, "ids", RowKind::Id, id_len)?;
    let time: IntColumn = convert::int_column(time, "time", Times::Allowed)?;
    let time: Vec<i64> = time.required("time", "of int64")?;
    let rssi: Vec<i8> =
        convert::int_column(rssi, "rssi", Times::No)?.required("rssi", "-128 to 127 (int8)")?;
    let mut log = bluezone::EncounterLog::from_columns(ids.width, &ids.bytes, &time, &rssi).py()?;
    if let Some(tx_power) = optional.tx_power {
        let column = convert::int_column(tx_power, "tx_power", Times::No)?;
        check_len("tx_power", log.len(), column.len())?;
        log = log
            .with_tx_power(column.optional("tx_power", "-128 to 127 (int8)")?)
            .py()?;
    }
    if let Some(duration) = optional.duration {
        let column = convert::int_column(duration, "duration", Times::No)?;
        check_len("duration", log.len(), column.len())?;
        log = log
            .with_duration(column.optional("duration", "0 to 4294967295 (uint32)")?)
            .py()?;
    }
    Ok(log)
}

fn check_len(column: &'static str, expected: usize, found: usize) -> PyResult<()> {
    if expected == found {
        Ok(())
    } else {
        Err(crate::error::to_py(&bluezone::Error::ColumnLength {
            column,
            expected,
            found,
        }))
    }
}

/// A column of a DataFrame as an array: nullable columns as object arrays
/// with `None` where a value is missing, time zone-aware times in UTC.
fn frame_column<'py>(frame: &Bound<'py, PyAny>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    let mut series = frame.get_item(name)?;
    let dtype = series.getattr("dtype")?;
    if dtype.hasattr("tz")? && !dtype.getattr("tz")?.is_none() {
        series = series
            .getattr("dt")?
            .call_method1("tz_convert", (py_none(frame.py()),))?;
    }
    if name == "id" || series.getattr("hasnans")?.is_truthy()? {
        let kwargs = PyDict::new(frame.py());
        kwargs.set_item("dtype", "object")?;
        if name != "id" {
            kwargs.set_item("na_value", py_none(frame.py()))?;
        }
        return series.call_method("to_numpy", (), Some(&kwargs));
    }
    series.call_method0("to_numpy")
}

fn py_none(py: Python<'_>) -> Bound<'_, PyAny> {
    py.None().into_bound(py)
}

#[pymethods]
impl PyEncounterLog {
    #[new]
    #[pyo3(signature = (ids, time, rssi, tx_power=None, duration=None, *, id_len=None))]
    fn new(
        ids: &Bound<'_, PyAny>,
        time: &Bound<'_, PyAny>,
        rssi: &Bound<'_, PyAny>,
        tx_power: Option<&Bound<'_, PyAny>>,
        duration: Option<&Bound<'_, PyAny>>,
        id_len: Option<i64>,
    ) -> PyResult<Self> {
        let optional = Optional { tx_power, duration };
        Ok(Self {
            log: build(ids, time, rssi, &optional, id_len)?,
            format: None,
        })
    }

    /// A log from a pandas DataFrame with the columns ``id`` (bytes or hex
    /// str), ``time`` (Unix seconds, or datetimes, taken in UTC when they
    /// have a time zone) and ``rssi``, and optionally ``tx_power`` and
    /// ``duration`` (missing values allowed); other columns are ignored.
    /// ``id_len`` defaults to the length of the first ID (16 for an empty
    /// frame).
    #[classmethod]
    #[pyo3(signature = (df, *, id_len=None))]
    fn from_pandas(
        _cls: &Bound<'_, PyType>,
        df: &Bound<'_, PyAny>,
        id_len: Option<i64>,
    ) -> PyResult<Self> {
        if !df.hasattr("columns")? || !df.hasattr("to_numpy")? {
            return Err(type_error(format!(
                "from_pandas needs a pandas DataFrame, found {}",
                convert::type_name(df)
            )));
        }
        let names: Vec<String> = df
            .getattr("columns")?
            .try_iter()?
            .map(|name| name.and_then(|name| name.str().map(|name| name.to_string())))
            .collect::<PyResult<_>>()?;
        for required in ["id", "time", "rssi"] {
            if !names.iter().any(|name| name == required) {
                return Err(value_error(format!(
                    "the DataFrame has no column {required:?} (it has {names:?}); an encounter log needs id, time and rssi"
                )));
            }
        }
        let optional_column = |name: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
            names
                .iter()
                .any(|column| column == name)
                .then(|| frame_column(df, name))
                .transpose()
        };
        let tx_power = optional_column("tx_power")?;
        let duration = optional_column("duration")?;
        let optional = Optional {
            tx_power: tx_power.as_ref(),
            duration: duration.as_ref(),
        };
        let log = build(
            &frame_column(df, "id")?,
            &frame_column(df, "time")?,
            &frame_column(df, "rssi")?,
            &optional,
            id_len,
        )?;
        Ok(Self { log, format: None })
    }

    /// A log read from a file of any format the library reads: the
    /// encounters CSV (``id,time,rssi`` and optionally ``tx_power``,
    /// ``duration``) or the Bluezone app's ``data_trace.txt``, recognised
    /// from the file's content. ``scheme`` sets the IDs' length (12 bytes
    /// for bluezone, 16 otherwise).
    ///
    /// Raises FileNotFoundError (or another OSError) when the file cannot be
    /// opened, and ParseError naming the file, the line and the column when
    /// its content is wrong. The GIL is released while the file is read.
    #[classmethod]
    #[pyo3(signature = (path, scheme))]
    fn load(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        path: PathBuf,
        scheme: &str,
    ) -> PyResult<Self> {
        let id_len = convert::scheme_kind(scheme)?.id_len();
        crate::published::check_file(py, &path)?;
        let loaded = threads::run(py, None, move || load::load_encounters(&path, id_len))?;
        Ok(Self {
            log: loaded.log,
            format: Some(loaded.format.name()),
        })
    }

    /// The number of sightings.
    fn __len__(&self) -> usize {
        self.log.len()
    }

    fn __repr__(&self) -> String {
        let format = self
            .format
            .map(|format| format!(", format={format:?}"))
            .unwrap_or_default();
        format!(
            "EncounterLog({} sightings of {}-byte IDs{format})",
            self.log.len(),
            self.log.id_len()
        )
    }

    /// The length of the IDs, in bytes: 16 (gaen, b3) or 12 (bluezone).
    #[getter]
    fn id_len(&self) -> usize {
        self.log.id_len()
    }

    /// The format of the file the log was loaded from ("csv" or
    /// "bluezone-trace"), or None.
    #[getter]
    fn format(&self) -> Option<&'static str> {
        self.format
    }

    /// The IDs heard, a ``uint8`` array of shape ``(n, id_len)`` (a copy).
    #[getter]
    fn ids<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<u8>>> {
        convert::rows_array(py, self.log.id_bytes().to_vec(), self.log.id_len())
    }

    /// When each ID was heard, in seconds since the Unix epoch (``int64``,
    /// a copy).
    #[getter]
    fn time<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i64>> {
        PyArray1::from_slice(py, self.log.times())
    }

    /// The received signal strengths, in dBm (``int8``, a copy).
    #[getter]
    fn rssi<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<i8>> {
        PyArray1::from_slice(py, self.log.rssi())
    }

    /// The senders' transmit powers in dBm, an ``int8`` masked array whose
    /// masked entries are unknown; None when the log has no such column.
    #[getter]
    fn tx_power<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.log
            .tx_power()
            .map(|column| convert::masked_array(py, column))
            .transpose()
    }

    /// How long each ID was heard, in seconds, a ``uint32`` masked array
    /// whose masked entries are unknown; None when the log has no such
    /// column.
    #[getter]
    fn duration<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.log
            .duration()
            .map(|column| convert::masked_array(py, column))
            .transpose()
    }

    /// The log as a pandas DataFrame with the columns ``id`` (hex str),
    /// ``time``, ``rssi``, and ``tx_power`` (``Int8``) and ``duration``
    /// (``UInt32``) when the log has them, missing values as ``<NA>``.
    ///
    /// Raises ImportError when pandas is not installed.
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pandas = convert::pandas(py, "EncounterLog.to_pandas()")?;
        let columns = PyDict::new(py);
        let ids: Vec<String> = self
            .log
            .id_bytes()
            .chunks_exact(self.log.id_len())
            .map(bluezone::hex::encode)
            .collect();
        columns.set_item("id", PyList::new(py, ids)?)?;
        columns.set_item("time", self.time(py))?;
        columns.set_item("rssi", self.rssi(py))?;
        if let Some(tx_power) = self.log.tx_power() {
            columns.set_item("tx_power", convert::nullable_array(&pandas, tx_power)?)?;
        }
        if let Some(duration) = self.log.duration() {
            columns.set_item("duration", convert::nullable_array(&pandas, duration)?)?;
        }
        pandas.getattr("DataFrame")?.call1((columns,))
    }
}
