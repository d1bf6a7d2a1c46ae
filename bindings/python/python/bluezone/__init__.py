"""bluezone: the on-device engine of Bluetooth exposure notification.

Derives the ephemeral IDs that phones broadcast from their daily keys, with
three schemes ("gaen": Google/Apple Exposure Notification v1.2; "bluezone":
the 2020 Bluezone app's; "b3": this project's, on BLAKE3), and matches
published keys against a phone's encounter log, in Rust, with the GIL
released::

    import bluezone

    key = bluezone.generate_key("gaen")
    ids = bluezone.derive_ids("gaen", key, start=2_642_976)   # (144, 16) uint8

    keys = bluezone.PublishedKeys.load("export.zip")
    log = bluezone.EncounterLog.load("encounters.csv", scheme="gaen")
    matches = bluezone.match(keys, log)
    matches.to_pandas()                    # key_index, interval, encounter_index

Errors of the library are ``BluezoneError`` (a ``ValueError``), or its
subclasses ``ParseError`` and ``SchemeError``; arguments of the wrong type
raise ``TypeError``.

The parallel parts use one thread per core; the environment variable
``BLUEZONE_THREADS`` sets another number (``BLUEZONE_THREADS=1`` turns
parallelism off), ``RAYON_NUM_THREADS`` is respected, and a child process
after ``os.fork()`` uses one thread unless a call asks for more.
"""

import os as _os

from . import _native
from ._native import (
    DEFAULT_TOLERANCE_SECONDS,
    INTERVAL_SECONDS,
    INTERVALS_PER_DAY,
    MAX_TOLERANCE_SECONDS,
    SCHEMES,
    BluezoneError,
    EncounterLog,
    Matches,
    ParseError,
    PublishedKeys,
    SchemeError,
    __version__,
    default_threads,
    derive_ids,
    generate_key,
    id_len,
    interval_number,
    key_len,
    match,
    parse_key,
)

__all__ = [
    "DEFAULT_TOLERANCE_SECONDS",
    "INTERVAL_SECONDS",
    "INTERVALS_PER_DAY",
    "MAX_TOLERANCE_SECONDS",
    "SCHEMES",
    "BluezoneError",
    "EncounterLog",
    "Matches",
    "ParseError",
    "PublishedKeys",
    "SchemeError",
    "__version__",
    "default_threads",
    "derive_ids",
    "generate_key",
    "id_len",
    "interval_number",
    "key_len",
    "match",
    "parse_key",
]

# The worker threads of the parent do not exist in a child process after a
# fork: the child then works on one thread (unless a call asks for more).
if hasattr(_os, "register_at_fork"):
    _os.register_at_fork(after_in_child=_native._after_fork_in_child)
