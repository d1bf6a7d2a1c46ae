"""The matcher (crates/bluezone/src/index, matcher.rs): planted encounters,
the edges of the tolerance window, key windows, and the result's form."""

import sys

import numpy as np
import pytest

import bluezone
from conftest import NOW

DAY = 86_400


def slot_seconds(per_day):
    return DAY // per_day


def scenario(rng, scheme, per_day=144, keys=400, planted=12, noise=3000, days=14):
    """Published keys of the `days` days before NOW, a log of random IDs
    heard between 07:00 and 21:00, and `planted` true encounters (a
    published key's ID heard during its interval, 1 to 3 times). Returns
    the keys, the log and the expected matches, sorted as the matcher sorts
    them."""
    length = slot_seconds(per_day)
    key_len, id_len = bluezone.key_len(scheme), bluezone.id_len(scheme)
    key_bytes = rng.integers(0, 256, (keys, key_len), dtype=np.uint8)
    day = rng.integers(1, days + 1, keys)
    starts = (NOW - day * DAY) // length
    published = bluezone.PublishedKeys.from_arrays(scheme, key_bytes, starts, np.full(keys, per_day))

    ids = [rng.integers(0, 256, (noise, id_len), dtype=np.uint8)]
    times = [NOW - rng.integers(1, days + 1, noise) * DAY + rng.integers(7 * 3600, 21 * 3600, noise)]
    sightings = []  # (key index, interval, times)
    for key_index in rng.choice(keys, planted, replace=False):
        start = int(starts[key_index])
        interval = start + int(rng.integers(7 * 3600 // length, 21 * 3600 // length))
        the_id = bluezone.derive_ids(
            scheme, key_bytes[key_index], interval, 1, per_day=per_day, rolling_start=start
        )
        heard = interval * length + rng.integers(0, length, int(rng.integers(1, 4)))
        ids.append(np.repeat(the_id, len(heard), axis=0))
        times.append(heard)
        sightings.append((int(key_index), interval, len(heard)))
    ids, times = np.concatenate(ids), np.concatenate(times)
    order = np.argsort(times, kind="stable")
    log = bluezone.EncounterLog(ids[order], times[order], np.full(len(times), -70))

    # The rows of each planted sighting after sorting by time.
    row_of = np.empty(len(order), dtype=np.int64)
    row_of[order] = np.arange(len(order))
    expected, first = [], noise
    for key_index, interval, count in sightings:
        for original in range(first, first + count):
            expected.append((key_index, interval, int(row_of[original])))
        first += count
    expected.sort(key=lambda m: (m[0], m[2], m[1]))
    return published, log, expected


def rows(matches):
    return list(zip(matches.key_index.tolist(), matches.interval.tolist(), matches.encounter_index.tolist()))


@pytest.mark.parametrize(("scheme", "per_day"), [("gaen", 144), ("b3", 144), ("bluezone", 144), ("bluezone", 96)])
def test_planted_encounters_are_found(rng, scheme, per_day):
    published, log, expected = scenario(rng, scheme, per_day)
    matches = bluezone.match(published, log, per_day=per_day)
    assert rows(matches) == expected
    assert len(matches) == len(expected) >= 12


@pytest.mark.parametrize(("scheme", "per_day"), [("gaen", 144), ("b3", 144), ("bluezone", 96)])
@pytest.mark.parametrize("tolerance", [0, 1, 7200, 86400])
def test_tolerance_edges(scheme, per_day, tolerance):
    """i*L - tol <= t < (i+1)*L + tol: the first and last matching seconds
    match, one second outside does not."""
    length = slot_seconds(per_day)
    key = bytes(range(bluezone.key_len(scheme)))
    start = NOW // length - 2 * per_day
    interval = start + per_day + 3
    the_id = bluezone.derive_ids(scheme, key, interval, 1, per_day=per_day, rolling_start=start)
    first_second = interval * length - tolerance
    last_second = (interval + 1) * length + tolerance - 1
    times = [first_second - 1, first_second, last_second, last_second + 1]
    log = bluezone.EncounterLog(np.repeat(the_id, 4, axis=0), times, [-60] * 4)
    published = bluezone.PublishedKeys.from_arrays(scheme, [key], [start], [3 * per_day])
    matches = bluezone.match(published, log, tolerance=tolerance, per_day=per_day)
    assert rows(matches) == [(0, interval, 1), (0, interval, 2)]


def test_an_id_outside_the_window_never_matches():
    key = bytes(16)
    start = NOW // 600
    ids = bluezone.derive_ids("b3", key, start, 11)  # b3 derives past the window
    times = (start + np.arange(11)) * 600 + 30
    log = bluezone.EncounterLog(ids, times, [-60] * 11)
    published = bluezone.PublishedKeys.from_arrays("b3", [key], [start], [10])
    matches = bluezone.match(published, log)
    assert matches.interval.tolist() == list(range(start, start + 10))
    assert matches.encounter_index.tolist() == list(range(10))


def test_a_key_listed_twice_matches_twice():
    key = bluezone.generate_key("gaen")
    start = NOW // 600
    the_id = bluezone.derive_ids("gaen", key, start + 7, 1)
    log = bluezone.EncounterLog(the_id, [(start + 7) * 600], [-50])
    published = bluezone.PublishedKeys.from_arrays("gaen", [key, bytes(16), key], [start] * 3, [144] * 3)
    assert rows(bluezone.match(published, log)) == [(0, start + 7, 0), (2, start + 7, 0)]


def test_the_result_does_not_depend_on_threads(rng):
    published, log, expected = scenario(rng, "b3", keys=3000, planted=20)
    for threads in (1, 2, 3, None):
        assert rows(bluezone.match(published, log, threads=threads)) == expected


def test_matches_columns(rng):
    published, log, expected = scenario(rng, "gaen")
    matches = bluezone.match(published, log)
    for column in (matches.key_index, matches.interval, matches.encounter_index):
        assert column.dtype == np.uint32
        assert column.shape == (len(expected),)
        assert not column.flags.writeable
    assert matches.key_index is matches.key_index or np.shares_memory(matches.key_index, matches.key_index)
    assert repr(matches) == f"Matches({len(expected)} matches)"
    frame = matches.to_pandas()
    assert list(frame.columns) == ["key_index", "interval", "encounter_index"]
    assert list(frame.itertuples(index=False, name=None)) == expected
    empty = bluezone.match(published, bluezone.EncounterLog(np.zeros((0, 16), np.uint8), [], []))
    assert len(empty) == 0
    assert empty.to_pandas().shape == (0, 3)


def test_to_pandas_without_pandas(monkeypatch, rng):
    published, log, _ = scenario(rng, "b3", keys=10, planted=1, noise=5)
    matches = bluezone.match(published, log)
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas fails
    with pytest.raises(ImportError, match=r"^Matches.to_pandas\(\) needs pandas, an optional dependency of bluezone: pip install pandas$"):
        matches.to_pandas()
    with pytest.raises(ImportError, match=r"^EncounterLog.to_pandas\(\) needs pandas"):
        log.to_pandas()
    with pytest.raises(ImportError, match=r"^PublishedKeys.to_pandas\(\) needs pandas"):
        published.to_pandas()
    # Everything else works without pandas.
    assert len(bluezone.match(published, log)) == len(matches) >= 1


def test_the_scheme_comes_from_the_keys_and_must_fit(rng):
    published, log, expected = scenario(rng, "b3", keys=50, planted=2, noise=10)
    assert rows(bluezone.match(published, log, scheme="b3")) == expected
    with pytest.raises(bluezone.SchemeError, match=r"^scheme mismatch: the keys are b3 keys and the index is for gaen$"):
        bluezone.match(published, log, scheme="gaen")
    with pytest.raises(bluezone.BluezoneError, match=r"^an ID is 12 bytes, found 16$"):
        bluezone.match(published, log, scheme="bluezone")
    with pytest.raises(bluezone.SchemeError, match=r"^the b3 scheme has 144 intervals per day, not 96"):
        bluezone.match(published, log, per_day=96)
    with pytest.raises(bluezone.SchemeError, match=r'^unknown scheme "B3": expected one of gaen, bluezone, b3$'):
        bluezone.match(published, log, scheme="B3")


def test_tolerance_limits(rng):
    published, log, _ = scenario(rng, "gaen", keys=10, planted=1, noise=5)
    with pytest.raises(bluezone.BluezoneError, match=r"^a tolerance of 86401 s is more than the 86400 s allowed$"):
        bluezone.match(published, log, tolerance=86_401)
    with pytest.raises(bluezone.BluezoneError, match=r"^tolerance must be from 0 to 86400 seconds, found -1$"):
        bluezone.match(published, log, tolerance=-1)
