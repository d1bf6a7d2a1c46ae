# Typed stub of bluezone._native, the compiled module (bindings/python/src).
# Written by hand beside the Rust code; tests/test_stubs.py checks that it
# names exactly what the module exports, with the same parameters, defaults
# and docstrings' presence. Change both together.

import os
from typing import Any, Final, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

__version__: Final[str]
SCHEMES: Final[tuple[str, str, str]]
INTERVAL_SECONDS: Final[int]
INTERVALS_PER_DAY: Final[int]
DEFAULT_TOLERANCE_SECONDS: Final[int]
MAX_TOLERANCE_SECONDS: Final[int]

# A key or ID: bytes-like, or hex.
_Bytes = Union[bytes, bytearray, memoryview, npt.NDArray[np.uint8]]
# A table of IDs or keys: a (n, length) uint8 array, flat bytes, or a
# sequence of bytes-like or hex str.
_Rows = Union[_Bytes, npt.NDArray[Any], Sequence[Union[_Bytes, str]]]
# A column of integers (missing values allowed where documented: None, NaN,
# masked entries).
_Ints = Union[npt.ArrayLike, "np.ma.MaskedArray[Any, Any]"]
_Path = Union[str, "os.PathLike[str]"]

class BluezoneError(ValueError):
    """An error of the bluezone library: a value, a key, a file or a scheme that is not right."""

class ParseError(BluezoneError):
    """A file, a buffer or a hex string that cannot be read."""

class SchemeError(BluezoneError):
    """An unknown scheme name, a per_day that the scheme does not take, or keys, logs and schemes that do not belong together."""

def generate_key(scheme: str) -> bytes:
    """A fresh daily key for ``scheme`` from the operating system's CSPRNG."""

def parse_key(scheme: str, text: str) -> bytes:
    """Parses a daily key of ``scheme`` from hex."""

def key_len(scheme: str) -> int:
    """The length of ``scheme``'s daily keys, in bytes."""

def id_len(scheme: str) -> int:
    """The length of ``scheme``'s ephemeral IDs, in bytes."""

def interval_number(unix_seconds: int) -> int:
    """The 10-minute interval number of a Unix time: ``unix_seconds // 600``."""

def derive_ids(
    scheme: str,
    key: Union[_Bytes, str],
    start: int,
    count: Optional[int] = None,
    per_day: int = 144,
    *,
    rolling_start: Optional[int] = None,
) -> npt.NDArray[np.uint8]:
    """The IDs of ``key`` for the intervals ``start`` … ``start + count - 1``, shape ``(count, id_len)``."""

def match(
    keys: PublishedKeys,
    log: EncounterLog,
    scheme: Optional[str] = None,
    tolerance: int = 7200,
    threads: Optional[int] = None,
    per_day: Optional[int] = None,
) -> Matches:
    """Matches published keys against an encounter log, with the GIL released."""

def default_threads() -> int:
    """The number of worker threads that a call with ``threads=None`` uses."""

def _after_fork_in_child() -> None:
    """Marks this process as the child of a fork (registered with os.register_at_fork)."""

class EncounterLog:
    """A phone's log of sightings: IDs heard, when (Unix seconds) and how strongly (RSSI)."""

    def __init__(
        self,
        ids: _Rows,
        time: _Ints,
        rssi: _Ints,
        tx_power: Optional[_Ints] = None,
        duration: Optional[_Ints] = None,
        *,
        id_len: Optional[int] = None,
    ) -> None: ...
    @classmethod
    def from_pandas(cls, df: Any, *, id_len: Optional[int] = None) -> EncounterLog:
        """A log from a pandas DataFrame with the columns id, time, rssi (and tx_power, duration)."""
    @classmethod
    def load(cls, path: _Path, scheme: str) -> EncounterLog:
        """A log read from an encounters CSV or a Bluezone data_trace.txt."""
    def __len__(self) -> int: ...
    @property
    def id_len(self) -> int:
        """The length of the IDs, in bytes: 16 (gaen, b3) or 12 (bluezone)."""
    @property
    def format(self) -> Optional[str]:
        """The format of the file the log was loaded from ("csv" or "bluezone-trace"), or None."""
    @property
    def ids(self) -> npt.NDArray[np.uint8]:
        """The IDs heard, shape ``(n, id_len)``."""
    @property
    def time(self) -> npt.NDArray[np.int64]:
        """When each ID was heard, in Unix seconds."""
    @property
    def rssi(self) -> npt.NDArray[np.int8]:
        """The received signal strengths, in dBm."""
    @property
    def tx_power(self) -> Optional[np.ma.MaskedArray[Any, np.dtype[np.int8]]]:
        """The senders' transmit powers (masked where unknown), or None."""
    @property
    def duration(self) -> Optional[np.ma.MaskedArray[Any, np.dtype[np.uint32]]]:
        """How long each ID was heard, in seconds (masked where unknown), or None."""
    def to_pandas(self) -> Any:
        """The log as a pandas DataFrame (id as hex str)."""

class PublishedKeys:
    """A set of published daily keys with their validity windows and metadata."""

    @classmethod
    def load(cls, path: _Path, scheme: Optional[str] = None) -> PublishedKeys:
        """Keys read from an export zip or export.bin, a .bzk batch, a Bluezone payload or a keys CSV."""
    @classmethod
    def from_arrays(
        cls,
        scheme: str,
        keys: _Rows,
        rolling_start: _Ints,
        rolling_period: _Ints,
    ) -> PublishedKeys:
        """Keys from columns."""
    def __len__(self) -> int: ...
    @property
    def scheme(self) -> str:
        """The scheme whose keys these are."""
    @property
    def key_len(self) -> int:
        """The length of the keys, in bytes."""
    @property
    def format(self) -> Optional[str]:
        """The format of the file the keys were loaded from, or None."""
    @property
    def per_day(self) -> Optional[int]:
        """The slots per day that the file gives, or None."""
    @property
    def keys(self) -> npt.NDArray[np.uint8]:
        """The keys, shape ``(n, key_len)``."""
    @property
    def rolling_start(self) -> npt.NDArray[np.uint32]:
        """The first interval of each key's window."""
    @property
    def rolling_period(self) -> npt.NDArray[np.uint32]:
        """The number of intervals of each key's window."""
    @property
    def report_type(self) -> npt.NDArray[np.uint8]:
        """Each key's report type code."""
    @property
    def days_since_onset(self) -> np.ma.MaskedArray[Any, np.dtype[np.int32]]:
        """Days from the onset of symptoms to each key's day (masked where not published)."""
    @property
    def transmission_risk(self) -> np.ma.MaskedArray[Any, np.dtype[np.uint8]]:
        """The transmission risk level of each key (masked where not published)."""
    def verify(self, public_key_pem: Union[str, bytes]) -> bool:
        """Whether a signature of this export verifies with the PEM public key."""
    def to_pandas(self) -> Any:
        """The keys as a pandas DataFrame (key as hex str)."""

class Matches:
    """The matches of published keys against an encounter log, sorted by key, sighting, interval."""

    def __len__(self) -> int: ...
    @property
    def key_index(self) -> npt.NDArray[np.uint32]:
        """The index of each match's key among the published keys."""
    @property
    def interval(self) -> npt.NDArray[np.uint32]:
        """The interval whose ID was seen."""
    @property
    def encounter_index(self) -> npt.NDArray[np.uint32]:
        """The index of each match's sighting in the encounter log."""
    def to_pandas(self) -> Any:
        """The matches as a pandas DataFrame."""
