"""Keys (crates/bluezone/src/key.rs) and published keys (published.rs)."""

import numpy as np
import pytest

import bluezone
from conftest import TODAY


@pytest.mark.parametrize("scheme", bluezone.SCHEMES)
def test_generated_keys_differ(scheme):
    a, b = bluezone.generate_key(scheme), bluezone.generate_key(scheme)
    assert isinstance(a, bytes)
    assert len(a) == bluezone.key_len(scheme)
    assert a != b
    assert a != bytes(len(a))


def test_hex_round_trips():
    key = bluezone.generate_key("bluezone")
    assert bluezone.parse_key("bluezone", key.hex()) == key
    assert bluezone.parse_key("bluezone", key.hex().upper()) == key
    assert bluezone.parse_key("gaen", "75c734c6dd1a782de7a965da5eb93125") == bytes.fromhex(
        "75c734c6dd1a782de7a965da5eb93125"
    )


def test_hex_errors_name_the_problem():
    with pytest.raises(bluezone.ParseError, match=r"^expected 32 hex digits, found 2$"):
        bluezone.parse_key("gaen", "00")
    with pytest.raises(bluezone.ParseError, match=r"^invalid hex digit 'z' at position 32 \(counting from 1\)$"):
        bluezone.parse_key("gaen", "75c734c6dd1a782de7a965da5eb9312z")
    with pytest.raises(bluezone.ParseError, match=r"^key: expected 64 hex digits, found 32$"):
        bluezone.derive_ids("bluezone", "75c734c6dd1a782de7a965da5eb93125", TODAY)


def test_a_key_is_bytes_like_or_hex():
    key = bluezone.generate_key("b3")
    expected = bluezone.derive_ids("b3", key, TODAY, 4)
    for form in (key.hex(), bytearray(key), memoryview(key), np.frombuffer(key, dtype=np.uint8)):
        np.testing.assert_array_equal(bluezone.derive_ids("b3", form, TODAY, 4), expected)
    with pytest.raises(bluezone.BluezoneError, match=r"^key: a b3 key is 16 bytes, found 15$"):
        bluezone.derive_ids("b3", key[:15], TODAY)


def test_published_keys_from_arrays(rng):
    keys = rng.integers(0, 256, (5, 16), dtype=np.uint8)
    starts = np.arange(5, dtype=np.uint32) * 144 + TODAY
    periods = np.array([144, 144, 1, 72, 144], dtype=np.int64)
    published = bluezone.PublishedKeys.from_arrays("gaen", keys, starts, periods)
    assert len(published) == 5
    assert published.scheme == "gaen"
    assert published.key_len == 16
    assert published.format is None
    assert published.per_day is None
    np.testing.assert_array_equal(published.keys, keys)
    assert published.keys.dtype == np.uint8
    np.testing.assert_array_equal(published.rolling_start, starts)
    assert published.rolling_start.dtype == np.uint32
    np.testing.assert_array_equal(published.rolling_period, periods)
    assert published.rolling_period.dtype == np.uint32
    np.testing.assert_array_equal(published.report_type, np.zeros(5, dtype=np.uint8))
    assert published.days_since_onset.mask.all()
    assert published.transmission_risk.mask.all()
    assert repr(published) == "PublishedKeys(5 gaen keys)"
    # Keys as hex strings, as bytes, or flat bytes give the same set.
    for form in ([bytes(k).hex() for k in keys], [bytes(k) for k in keys], keys.tobytes()):
        same = bluezone.PublishedKeys.from_arrays("gaen", form, starts.tolist(), periods)
        np.testing.assert_array_equal(same.keys, keys)


def test_published_keys_of_each_scheme():
    for scheme in bluezone.SCHEMES:
        n = bluezone.key_len(scheme)
        published = bluezone.PublishedKeys.from_arrays(scheme, np.zeros((2, n), np.uint8), [1, 2], [144, 144])
        assert published.scheme == scheme
        assert published.keys.shape == (2, n)
    empty = bluezone.PublishedKeys.from_arrays("b3", np.zeros((0, 16), np.uint8), [], [])
    assert len(empty) == 0
    assert empty.keys.shape == (0, 16)


def test_published_keys_check_their_windows():
    with pytest.raises(
        bluezone.BluezoneError,
        match=r"^key 1: invalid key window: rolling start 5, rolling period 0$",
    ):
        bluezone.PublishedKeys.from_arrays("gaen", np.zeros((2, 16), np.uint8), [5, 5], [144, 0])
    with pytest.raises(bluezone.BluezoneError, match=r"^key 0: invalid key window: rolling start 4294967295, rolling period 2$"):
        bluezone.PublishedKeys.from_arrays("gaen", np.zeros((1, 16), np.uint8), [2**32 - 1], [2])
    with pytest.raises(bluezone.BluezoneError, match=r"^the rolling_start column has 1 values, 2 expected$"):
        bluezone.PublishedKeys.from_arrays("gaen", np.zeros((2, 16), np.uint8), [5], [144, 144])
    with pytest.raises(bluezone.BluezoneError, match=r"^keys: a gaen key is 16 bytes, found 15$"):
        bluezone.PublishedKeys.from_arrays("gaen", np.zeros((2, 15), np.uint8), [5, 5], [144, 144])
    with pytest.raises(bluezone.BluezoneError, match=r"^keys, row 1: a bluezone key is 32 bytes, found 16$"):
        bluezone.PublishedKeys.from_arrays("bluezone", [bytes(32), bytes(16)], [5, 5], [144, 144])
    with pytest.raises(bluezone.BluezoneError, match=r"^rolling_start, row 0: -1 is outside the range 0 to 4294967295 \(uint32\)$"):
        bluezone.PublishedKeys.from_arrays("gaen", np.zeros((1, 16), np.uint8), [-1], [144])


def test_published_keys_to_pandas():
    keys = np.arange(32, dtype=np.uint8).reshape(2, 16)
    published = bluezone.PublishedKeys.from_arrays("b3", keys, [10, 20], [144, 1])
    frame = published.to_pandas()
    assert list(frame.columns) == [
        "key",
        "rolling_start",
        "rolling_period",
        "report_type",
        "days_since_onset",
        "transmission_risk",
    ]
    assert frame["key"].tolist() == [bytes(k).hex() for k in keys]
    assert frame["rolling_start"].tolist() == [10, 20]
    assert frame["rolling_period"].tolist() == [144, 1]
    assert str(frame["days_since_onset"].dtype) == "Int32"
    assert frame["transmission_risk"].isna().all()
