//! Published keys: the daily keys of diagnosed users, as key servers
//! publish them.

use std::path::{Path, PathBuf};

use numpy::{PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyType};

use bluezone::formats::gaen_export::Export;
use bluezone::formats::load::{self, KeyFormat};
use bluezone::{PublishedKeys, SchemeKind};

use crate::convert::{self, RowKind, Times};
use crate::error::{CoreResult, type_error, value_error};
use crate::threads;

/// A set of published daily keys, each with its validity window (rolling
/// start and rolling period, in the scheme's intervals) and the metadata
/// that key servers publish with it.
///
/// Load one from a file of any supported format with
/// ``PublishedKeys.load(path)``, or build one from arrays with
/// ``PublishedKeys.from_arrays(scheme, keys, rolling_start,
/// rolling_period)``. The columns are numpy arrays (copies).
#[pyclass(module = "bluezone", name = "PublishedKeys", frozen)]
pub(crate) struct PyPublishedKeys {
    pub(crate) keys: PublishedKeys,
    format: Option<KeyFormat>,
    pub(crate) per_day: Option<u32>,
    export: Option<Export>,
}

/// Opens `path` to raise the `OSError` of Python (`FileNotFoundError`, …)
/// when it cannot be read, before the core reads it.
pub(crate) fn check_file(py: Python<'_>, path: &Path) -> PyResult<()> {
    let opened = std::fs::File::open(path).and_then(|file| file.metadata());
    let code = match opened {
        Ok(metadata) if metadata.is_dir() => py.import("errno")?.getattr("EISDIR")?.extract()?,
        Ok(_) => return Ok(()),
        Err(err) => match err.raw_os_error() {
            Some(code) => code,
            None => return Err(err.into()),
        },
    };
    let message = py.import("os")?.call_method1("strerror", (code,))?;
    // OSError(errno, strerror, filename) is the subclass of the errno, such
    // as FileNotFoundError.
    Err(pyo3::exceptions::PyOSError::new_err((
        code,
        message.unbind(),
        path.display().to_string(),
    )))
}

#[pymethods]
impl PyPublishedKeys {
    /// Keys read from a file of any format the library reads, recognised
    /// from its content: an Exposure Notification export (a signed zip, or
    /// a bare ``export.bin``), a native batch file (``.bzk``), a Bluezone F0
    /// payload (JSON) or a keys CSV (``key,rolling_start,rolling_period``).
    ///
    /// ``scheme`` is the scheme the keys are for; None takes the file's own
    /// (batch files), the format's (gaen for exports, bluezone for
    /// payloads), or for a CSV the length of its first key (32 bytes:
    /// bluezone, else gaen).
    ///
    /// Raises FileNotFoundError (or another OSError) when the file cannot
    /// be opened, ParseError naming the file and where it is wrong, and
    /// SchemeError when its keys cannot be keys of ``scheme``. The GIL is
    /// released while the file is read.
    #[classmethod]
    #[pyo3(signature = (path, scheme=None))]
    fn load(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        path: PathBuf,
        scheme: Option<&str>,
    ) -> PyResult<Self> {
        let kind = scheme.map(convert::scheme_kind).transpose()?;
        check_file(py, &path)?;
        let loaded = threads::run(py, None, move || load::load_keys(&path, kind))?;
        Ok(Self {
            keys: loaded.keys,
            format: Some(loaded.format),
            per_day: loaded.per_day,
            export: loaded.export,
        })
    }

    /// Keys from columns: ``keys`` a ``uint8`` array of shape ``(n,
    /// key_len)`` (or flat bytes, or a sequence of keys as bytes or hex
    /// str), ``rolling_start`` and ``rolling_period`` integer arrays (0 to
    /// 2**32 - 1, in the scheme's intervals; periods of at least 1).
    ///
    /// Raises BluezoneError naming the first key whose window is not valid.
    #[classmethod]
    #[pyo3(signature = (scheme, keys, rolling_start, rolling_period))]
    fn from_arrays(
        _cls: &Bound<'_, PyType>,
        scheme: &str,
        keys: &Bound<'_, PyAny>,
        rolling_start: &Bound<'_, PyAny>,
        rolling_period: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let kind = convert::scheme_kind(scheme)?;
        let rows = convert::byte_rows(keys, "keys", RowKind::Key(kind), Some(kind.key_len()))?;
        let range = "0 to 4294967295 (uint32)";
        let starts: Vec<u32> = convert::int_column(rolling_start, "rolling_start", Times::No)?
            .required("rolling_start", range)?;
        let periods: Vec<u32> = convert::int_column(rolling_period, "rolling_period", Times::No)?
            .required("rolling_period", range)?;
        let keys = PublishedKeys::from_columns(kind, &rows.bytes, &starts, &periods).py()?;
        Ok(Self {
            keys,
            format: None,
            per_day: None,
            export: None,
        })
    }

    /// The number of keys.
    fn __len__(&self) -> usize {
        self.keys.len()
    }

    fn __repr__(&self) -> String {
        let format = self
            .format
            .map(|format| format!(", format={:?}", format.name()))
            .unwrap_or_default();
        format!(
            "PublishedKeys({} {} keys{format})",
            self.keys.len(),
            self.keys.kind()
        )
    }

    /// The scheme whose keys these are: "gaen", "bluezone" or "b3".
    #[getter]
    fn scheme(&self) -> &'static str {
        self.keys.kind().name()
    }

    /// The length of the keys, in bytes.
    #[getter]
    fn key_len(&self) -> usize {
        self.keys.kind().key_len()
    }

    /// The format of the file the keys were loaded from: "csv", "bzk",
    /// "gaen-zip", "gaen-bin" or "bluezone-payload"; None for keys built
    /// from arrays.
    #[getter]
    fn format(&self) -> Option<&'static str> {
        self.format.map(KeyFormat::name)
    }

    /// The slots per day that the file gives (native batch files and
    /// Bluezone payloads), or None.
    #[getter]
    fn per_day(&self) -> Option<u32> {
        self.per_day
    }

    /// The keys, a ``uint8`` array of shape ``(n, key_len)`` (a copy).
    #[getter]
    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<u8>>> {
        let key_len = self.keys.kind().key_len();
        let mut bytes = Vec::with_capacity(self.keys.len() * key_len);
        for key in self.keys.iter() {
            bytes.extend_from_slice(key.key);
        }
        convert::rows_array(py, bytes, key_len)
    }

    /// The first interval of each key's window (``uint32``, a copy).
    #[getter]
    fn rolling_start<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u32>> {
        PyArray1::from_vec(py, self.keys.rolling_starts())
    }

    /// The number of intervals of each key's window (``uint32``, a copy).
    #[getter]
    fn rolling_period<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u32>> {
        PyArray1::from_vec(py, self.keys.rolling_periods())
    }

    /// Each key's report type code (``uint8``): 0 unknown, 1 confirmed
    /// test, 2 confirmed clinical diagnosis, 3 self report, 4 recursive, 5
    /// revoked.
    #[getter]
    fn report_type<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u8>> {
        let codes = self
            .keys
            .iter()
            .map(|key| key.metadata.report_type.code())
            .collect();
        PyArray1::from_vec(py, codes)
    }

    /// Days from the onset of symptoms to each key's day, an ``int32``
    /// masked array whose masked entries were not published.
    #[getter]
    fn days_since_onset<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let days: Vec<Option<i32>> = self
            .keys
            .iter()
            .map(|key| key.metadata.days_since_onset)
            .collect();
        convert::masked_array(py, &days)
    }

    /// The transmission risk level of each key, a ``uint8`` masked array
    /// whose masked entries were not published.
    #[getter]
    fn transmission_risk<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let risks: Vec<Option<u8>> = self
            .keys
            .iter()
            .map(|key| key.metadata.transmission_risk)
            .collect();
        convert::masked_array(py, &risks)
    }

    /// Whether a signature of this Exposure Notification export verifies
    /// with ``public_key_pem``, a P-256 public key in PEM (``-----BEGIN
    /// PUBLIC KEY-----``, as str or bytes). A bare ``export.bin`` has no
    /// signature and never verifies.
    ///
    /// Raises ParseError when the PEM is not a P-256 public key, and
    /// BluezoneError for keys that were not loaded from an export.
    #[pyo3(signature = (public_key_pem))]
    fn verify(&self, py: Python<'_>, public_key_pem: &Bound<'_, PyAny>) -> PyResult<bool> {
        let pem = if let Ok(text) = public_key_pem.cast::<PyString>() {
            text.to_cow()?.into_owned()
        } else if let Ok(bytes) = public_key_pem.cast::<PyBytes>() {
            String::from_utf8_lossy(bytes.as_bytes()).into_owned()
        } else {
            return Err(type_error(format!(
                "public_key_pem must be str or bytes, found {}",
                convert::type_name(public_key_pem)
            )));
        };
        let Some(export) = &self.export else {
            return Err(value_error(format!(
                "keys {} carry no signature: only Exposure Notification exports are signed",
                self.format.map_or_else(
                    || "built from arrays".to_owned(),
                    |format| format!("loaded from a {} file", format.name())
                )
            )));
        };
        threads::run(py, None, || export.verify(&pem))
            .map(bluezone::formats::gaen_export::SignatureStatus::is_valid)
    }

    /// The keys as a pandas DataFrame with the columns ``key`` (hex str),
    /// ``rolling_start``, ``rolling_period``, ``report_type``, and
    /// ``days_since_onset`` (``Int32``) and ``transmission_risk``
    /// (``UInt8``), missing values as ``<NA>``.
    ///
    /// Raises ImportError when pandas is not installed.
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pandas = convert::pandas(py, "PublishedKeys.to_pandas()")?;
        let columns = PyDict::new(py);
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|key| bluezone::hex::encode(key.key))
            .collect();
        columns.set_item("key", PyList::new(py, keys)?)?;
        columns.set_item("rolling_start", self.rolling_start(py))?;
        columns.set_item("rolling_period", self.rolling_period(py))?;
        columns.set_item("report_type", self.report_type(py))?;
        let days: Vec<Option<i32>> = self
            .keys
            .iter()
            .map(|key| key.metadata.days_since_onset)
            .collect();
        columns.set_item("days_since_onset", convert::nullable_array(&pandas, &days)?)?;
        let risks: Vec<Option<u8>> = self
            .keys
            .iter()
            .map(|key| key.metadata.transmission_risk)
            .collect();
        columns.set_item(
            "transmission_risk",
            convert::nullable_array(&pandas, &risks)?,
        )?;
        pandas.getattr("DataFrame")?.call1((columns,))
    }
}

impl PyPublishedKeys {
    /// The scheme of the keys.
    pub(crate) fn kind(&self) -> SchemeKind {
        self.keys.kind()
    }
}
