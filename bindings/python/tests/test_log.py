"""The encounter log (crates/bluezone/src/log.rs): built from arrays, from
pandas, and its columns."""

import numpy as np
import pandas as pd
import pytest

import bluezone


@pytest.fixture
def columns(rng):
    ids = rng.integers(0, 256, (6, 16), dtype=np.uint8)
    time = np.arange(6, dtype=np.int64) * 61 + 1_795_305_600
    rssi = np.array([-60, -75, -90, -128, 0, 127], dtype=np.int8)
    return ids, time, rssi


def test_columns_round_trip(columns):
    ids, time, rssi = columns
    log = bluezone.EncounterLog(ids, time, rssi)
    assert len(log) == 6
    assert log.id_len == 16
    assert log.format is None
    np.testing.assert_array_equal(log.ids, ids)
    assert log.ids.dtype == np.uint8
    np.testing.assert_array_equal(log.time, time)
    assert log.time.dtype == np.int64
    np.testing.assert_array_equal(log.rssi, rssi)
    assert log.rssi.dtype == np.int8
    assert log.tx_power is None
    assert log.duration is None
    assert repr(log) == "EncounterLog(6 sightings of 16-byte IDs)"


def test_ids_in_every_form(columns):
    ids, time, rssi = columns
    expected = bluezone.EncounterLog(ids, time, rssi)
    forms = [
        (ids.tobytes(), {"id_len": 16}),
        (bytearray(ids.tobytes()), {"id_len": 16}),
        (ids.reshape(-1), {"id_len": 16}),
        ([bytes(row) for row in ids], {}),
        ([bytes(row).hex() for row in ids], {}),
        ([bytes(row).hex().upper() for row in ids], {"id_len": 16}),
        (np.array([bytes(row) for row in ids], dtype=object), {}),
        (ids[:, ::-1][:, ::-1], {}),  # not contiguous
    ]
    for form, kwargs in forms:
        log = bluezone.EncounterLog(form, time.tolist(), rssi.astype(np.int64), **kwargs)
        np.testing.assert_array_equal(log.ids, expected.ids)
        np.testing.assert_array_equal(log.time, expected.time)
        np.testing.assert_array_equal(log.rssi, expected.rssi)


def test_bluezone_ids_are_twelve_bytes(rng):
    ids = rng.integers(0, 256, (3, 12), dtype=np.uint8)
    log = bluezone.EncounterLog(ids, [1, 2, 3], [-1, -2, -3])
    assert log.id_len == 12
    assert bluezone.EncounterLog(ids.tobytes(), [1, 2, 3], [-1, -2, -3], id_len=12).ids.shape == (3, 12)


def test_times_may_be_datetimes(columns):
    ids, time, rssi = columns
    datetimes = time.astype("datetime64[s]").astype("datetime64[ns]")
    log = bluezone.EncounterLog(ids, datetimes, rssi)
    np.testing.assert_array_equal(log.time, time)
    # Whole floats are integers; other floats are refused.
    np.testing.assert_array_equal(bluezone.EncounterLog(ids, time.astype(float), rssi).time, time)
    with pytest.raises(bluezone.BluezoneError, match=r"^time, row 0: 0.5 is not a whole number$"):
        bluezone.EncounterLog(ids[:1], [0.5], [0])


def test_optional_columns_have_missing_values(columns):
    ids, time, rssi = columns
    tx_power = [None, -8, 3, None, 127, -128]
    duration = np.ma.masked_array([60, 0, 5, 7, 2**32 - 1, 1], mask=[0, 0, 1, 0, 0, 1])
    log = bluezone.EncounterLog(ids, time, rssi, tx_power, duration)
    assert log.tx_power.dtype == np.int8
    assert log.tx_power.mask.tolist() == [True, False, False, True, False, False]
    assert log.tx_power.compressed().tolist() == [-8, 3, 127, -128]
    assert log.duration.dtype == np.uint32
    assert log.duration.mask.tolist() == [False, False, True, False, False, True]
    assert log.duration.compressed().tolist() == [60, 0, 7, 2**32 - 1]
    # Floats with NaN, as pandas reads a column with empty cells.
    floats = bluezone.EncounterLog(ids, time, rssi, tx_power=[np.nan, -8.0, 3, np.nan, 127, -128])
    np.testing.assert_array_equal(floats.tx_power.mask, log.tx_power.mask)
    np.testing.assert_array_equal(floats.tx_power.compressed(), log.tx_power.compressed())


def test_values_out_of_range_name_the_row(columns):
    ids, time, rssi = columns
    with pytest.raises(bluezone.BluezoneError, match=r"^rssi, row 1: 200 is outside the range -128 to 127 \(int8\)$"):
        bluezone.EncounterLog(ids[:2], time[:2], [-60, 200])
    with pytest.raises(bluezone.BluezoneError, match=r"^tx_power, row 0: -129 is outside the range -128 to 127 \(int8\)$"):
        bluezone.EncounterLog(ids[:1], time[:1], [0], tx_power=[-129])
    with pytest.raises(bluezone.BluezoneError, match=r"^duration, row 0: -1 is outside the range 0 to 4294967295 \(uint32\)$"):
        bluezone.EncounterLog(ids[:1], time[:1], [0], duration=[-1])
    with pytest.raises(bluezone.BluezoneError, match=r"^rssi, row 1: no value$"):
        bluezone.EncounterLog(ids[:2], time[:2], [1, None])
    with pytest.raises(bluezone.BluezoneError, match=r"^time, row 0: 18446744073709551615 is too large$"):
        bluezone.EncounterLog(ids[:1], np.array([2**64 - 1], dtype=np.uint64), [0])


def test_columns_must_agree(columns):
    ids, time, rssi = columns
    with pytest.raises(bluezone.BluezoneError, match=r"^the time column has 5 values, 6 expected$"):
        bluezone.EncounterLog(ids, time[:5], rssi)
    with pytest.raises(bluezone.BluezoneError, match=r"^the tx_power column has 1 values, 6 expected$"):
        bluezone.EncounterLog(ids, time, rssi, tx_power=[1])
    with pytest.raises(bluezone.BluezoneError, match=r"^ids \(40 bytes\): an ID is 16 bytes, found 8$"):
        bluezone.EncounterLog(bytes(40), [1, 2], [0, 0], id_len=16)
    with pytest.raises(bluezone.BluezoneError, match=r"^ids, row 1: an ID is 16 bytes, found 12$"):
        bluezone.EncounterLog([bytes(16), bytes(12)], [1, 2], [0, 0])
    with pytest.raises(bluezone.BluezoneError, match=r"^an ID is 16 bytes, found 8$"):
        bluezone.EncounterLog(np.zeros((1, 8), np.uint8), [1], [0])
    with pytest.raises(bluezone.BluezoneError, match=r"^id_len must be 12 or 16, found 8$"):
        bluezone.EncounterLog(bytes(16), [1, 2], [0, 0], id_len=8)
    with pytest.raises(bluezone.ParseError, match=r"^ids, row 0: invalid hex digit 'g' at position 1 \(counting from 1\)$"):
        bluezone.EncounterLog(["g" * 32], [1], [0])
    with pytest.raises(bluezone.BluezoneError, match=r"^time must be one-dimensional, found shape \[1, 1\]$"):
        bluezone.EncounterLog([bytes(16)], [[1]], [0])


def test_an_empty_log():
    log = bluezone.EncounterLog(np.zeros((0, 12), np.uint8), np.array([], np.int64), [])
    assert len(log) == 0
    assert log.id_len == 12
    assert log.ids.shape == (0, 12)


def test_from_pandas(columns):
    ids, time, rssi = columns
    frame = pd.DataFrame(
        {
            "id": [bytes(row).hex() for row in ids],
            "time": time,
            "rssi": rssi,
            "tx_power": pd.array([None, -8, 3, None, 127, -128], dtype="Int8"),
            "note": ["ignored"] * 6,
        }
    )
    log = bluezone.EncounterLog.from_pandas(frame)
    np.testing.assert_array_equal(log.ids, ids)
    np.testing.assert_array_equal(log.time, time)
    np.testing.assert_array_equal(log.rssi, rssi)
    assert log.tx_power.mask.tolist() == [True, False, False, True, False, False]
    assert log.duration is None
    # IDs as bytes, times as time zone-aware datetimes (taken in UTC).
    frame["id"] = [bytes(row) for row in ids]
    frame["time"] = pd.to_datetime(time, unit="s", utc=True).tz_convert("Asia/Ho_Chi_Minh")
    again = bluezone.EncounterLog.from_pandas(frame)
    np.testing.assert_array_equal(again.ids, ids)
    np.testing.assert_array_equal(again.time, time)


def test_to_pandas_round_trips(columns):
    ids, time, rssi = columns
    log = bluezone.EncounterLog(ids, time, rssi, duration=[1, None, 3, 4, 5, 6])
    frame = log.to_pandas()
    assert list(frame.columns) == ["id", "time", "rssi", "duration"]
    assert frame["id"].tolist() == [bytes(row).hex() for row in ids]
    assert str(frame["duration"].dtype) == "UInt32"
    again = bluezone.EncounterLog.from_pandas(frame)
    np.testing.assert_array_equal(again.ids, ids)
    np.testing.assert_array_equal(again.time, time)
    np.testing.assert_array_equal(again.rssi, rssi)
    np.testing.assert_array_equal(again.duration.mask, log.duration.mask)
    np.testing.assert_array_equal(again.duration.compressed(), log.duration.compressed())


def test_from_pandas_needs_the_columns():
    frame = pd.DataFrame({"id": [bytes(16).hex()], "time": [1]})
    with pytest.raises(bluezone.BluezoneError, match=r"^the DataFrame has no column \"rssi\""):
        bluezone.EncounterLog.from_pandas(frame)
    empty = bluezone.EncounterLog.from_pandas(pd.DataFrame({"id": [], "time": [], "rssi": []}))
    assert len(empty) == 0
    assert empty.id_len == 16
