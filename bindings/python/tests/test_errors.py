"""Errors (crates/bluezone/src/error.rs): one conversion into Python
exceptions, TypeError for wrong argument types, and no panic ever reaching
Python."""

import numpy as np
import pytest

import bluezone
from conftest import TODAY


def test_the_hierarchy():
    assert issubclass(bluezone.BluezoneError, ValueError)
    assert issubclass(bluezone.ParseError, bluezone.BluezoneError)
    assert issubclass(bluezone.SchemeError, bluezone.BluezoneError)
    assert not issubclass(bluezone.ParseError, bluezone.SchemeError)
    for exception in (bluezone.BluezoneError, bluezone.ParseError, bluezone.SchemeError):
        assert exception.__module__ == "bluezone"
        assert exception.__doc__


def test_core_errors_keep_their_messages():
    with pytest.raises(bluezone.SchemeError, match=r'^unknown scheme "GAEN": expected one of gaen, bluezone, b3$') as raised:
        bluezone.generate_key("GAEN")
    assert raised.value.args == ('unknown scheme "GAEN": expected one of gaen, bluezone, b3',)
    with pytest.raises(bluezone.ParseError, match=r"^invalid hex digit 'x' at position 4 \(counting from 1\)$"):
        bluezone.parse_key("b3", "0aFx" + "0" * 28)
    with pytest.raises(bluezone.BluezoneError, match=r"^time -5 s is outside the range of interval numbers$") as raised:
        bluezone.interval_number(-5)
    assert type(raised.value) is bluezone.BluezoneError
    # ValueError catches them all.
    with pytest.raises(ValueError, match="unknown scheme"):
        bluezone.key_len("nope")


def test_values_the_bindings_refuse():
    with pytest.raises(bluezone.BluezoneError, match=r"^start must be an interval number from 0 to 4294967295, found -1$"):
        bluezone.derive_ids("gaen", bytes(16), -1)
    with pytest.raises(bluezone.BluezoneError, match=r"^count must be 0 or more, found -3$"):
        bluezone.derive_ids("gaen", bytes(16), 0, -3)
    with pytest.raises(bluezone.BluezoneError, match=r"^rolling_start must be an interval number"):
        bluezone.derive_ids("b3", bytes(16), 0, 1, rolling_start=2**32)


def test_wrong_types_raise_type_error():
    keys = bluezone.PublishedKeys.from_arrays("gaen", np.zeros((1, 16), np.uint8), [1], [1])
    log = bluezone.EncounterLog(np.zeros((1, 16), np.uint8), [1], [0])
    cases = [
        (lambda: bluezone.generate_key(1), "'int' object"),
        (lambda: bluezone.derive_ids("gaen", 1.5, 0), r"^key must be bytes or a hex str, found float$"),
        (lambda: bluezone.derive_ids("gaen", bytes(16), "0"), "'str' object cannot be"),
        (lambda: bluezone.derive_ids("gaen", bytes(16), 1.0), "'float' object cannot be"),
        (lambda: bluezone.EncounterLog(1.0, [1], [0]), r"^ids must be a uint8 array, bytes, or a sequence of bytes or hex str, found float$"),
        (lambda: bluezone.EncounterLog("00" * 16, [1], [0]), r"found one str$"),
        (lambda: bluezone.EncounterLog(bytes(16), [1], [0]), r"^ids given as flat bytes need their length: pass id_len=12 or 16"),
        (lambda: bluezone.EncounterLog([3], [1], [0]), r"^ids, row 0: expected bytes or a hex str, found int$"),
        (lambda: bluezone.EncounterLog(np.zeros((1, 16), np.int64), [1], [0]), r"found an array of dtype int64$"),
        (lambda: bluezone.EncounterLog([bytes(16)], ["noon"], [0]), r"^time must hold integers \(Unix seconds\) or datetime64 values, found an array of dtype <U4$"),
        (lambda: bluezone.EncounterLog([bytes(16)], [True], [0]), r"found an array of dtype bool$"),
        (lambda: bluezone.EncounterLog([bytes(16)], [1], [object()]), r"^rssi, row 0: expected an integer, found object$"),
        (lambda: bluezone.EncounterLog.from_pandas({"id": []}), r"^from_pandas needs a pandas DataFrame, found dict$"),
        (lambda: bluezone.match("keys", log), "PublishedKeys"),
        (lambda: bluezone.match(keys, keys), "EncounterLog"),
        (lambda: bluezone.match(keys, log, tolerance=1.5), "'float' object"),
        (lambda: bluezone.PublishedKeys.load(3), "path"),
        (lambda: keys.verify(3), r"^public_key_pem must be str or bytes, found int$"),
    ]
    for call, message in cases:
        with pytest.raises(TypeError, match=message):
            call()


def test_classes_without_constructors():
    with pytest.raises(TypeError):
        bluezone.Matches()
    with pytest.raises(TypeError):
        bluezone.PublishedKeys()


def test_no_panic_reaches_python():
    """Odd inputs everywhere: each call returns or raises an ordinary
    exception (pyo3's PanicException is a BaseException, not an
    Exception)."""
    huge = [0, 1, 2**31, 2**32 - 1, 2**32, 2**63 - 1, -(2**63)]
    calls = []
    for scheme in bluezone.SCHEMES:
        key = bytes(bluezone.key_len(scheme))
        for start in huge:
            for count in (0, 1, 145, 2**32 - start + 1 if 0 <= start <= 2**32 else 1, 2**62):
                calls.append(lambda s=scheme, k=key, a=start, c=count: bluezone.derive_ids(s, k, a, c, rolling_start=0))
            calls.append(lambda a=start: bluezone.interval_number(a))
        for per_day in (-1, 0, 1, 86_400, 86_401, 2**32, 2**40):
            calls.append(lambda s=scheme, k=key, p=per_day: bluezone.derive_ids(s, k, TODAY, 1, per_day=p))
    log = bluezone.EncounterLog(np.zeros((2, 16), np.uint8), [-(2**63), 2**63 - 1], [0, 0])
    keys = bluezone.PublishedKeys.from_arrays("b3", np.zeros((2, 16), np.uint8), [0, 2**32 - 1], [2**32 - 1, 1])
    for tolerance in (0, 86_400, 2**32, 2**40):
        calls.append(lambda t=tolerance: bluezone.match(keys, log, tolerance=t))
    bz_keys = bluezone.PublishedKeys.from_arrays("bluezone", np.zeros((1, 32), np.uint8), [0], [2**32 - 1])
    bz_log = bluezone.EncounterLog(np.zeros((1, 12), np.uint8), [10**9], [0])
    calls.append(lambda: bluezone.match(bz_keys, bz_log, per_day=86_400))
    for call in calls:
        try:
            call()
        except (ValueError, TypeError, OverflowError, MemoryError):
            pass
