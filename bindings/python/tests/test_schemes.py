"""The schemes (crates/bluezone/src/scheme): test vectors, parameters, and
agreement with `bluezone derive`."""

import json
import subprocess

import numpy as np
import pytest

import bluezone
from conftest import TODAY, VECTORS, hex_rows


def test_constants():
    assert bluezone.SCHEMES == ("gaen", "bluezone", "b3")
    assert bluezone.INTERVAL_SECONDS == 600
    assert bluezone.INTERVALS_PER_DAY == 144
    assert bluezone.DEFAULT_TOLERANCE_SECONDS == 7200
    assert bluezone.MAX_TOLERANCE_SECONDS == 86400
    assert [bluezone.key_len(s) for s in bluezone.SCHEMES] == [16, 32, 16]
    assert [bluezone.id_len(s) for s in bluezone.SCHEMES] == [16, 12, 16]


def test_official_gaen_vectors():
    vectors = json.loads((VECTORS / "gaen_official.json").read_text())
    start = bluezone.interval_number(vectors["key_generation_seconds"])
    assert start == vectors["interval_number"]
    ids = bluezone.derive_ids("gaen", vectors["tek"], start, vectors["rolling_period"])
    assert ids.shape == (144, 16)
    assert ids.dtype == np.uint8
    assert hex_rows(ids) == [entry["rpi"] for entry in vectors["advertised"]]
    # The key as bytes gives the same.
    same = bluezone.derive_ids("gaen", bytes.fromhex(vectors["tek"]), start)
    np.testing.assert_array_equal(same, ids)


def test_protocol_vectors():
    """Every case of tests/vectors/protocol.json, at its rolling start and
    first interval."""
    vectors = json.loads((VECTORS / "protocol.json").read_text())
    checked = 0
    for scheme in bluezone.SCHEMES:
        for case in vectors[scheme]:
            ids = bluezone.derive_ids(
                scheme,
                case["key"],
                case["first"],
                len(case["ids"]),
                per_day=case.get("per_day", 144),
                rolling_start=case["rolling_start"],
            )
            assert hex_rows(ids) == case["ids"], (scheme, case["seed"])
            checked += 1
    assert checked >= 10


def test_protocol_doc_bluezone_chain():
    """docs/PROTOCOL.md: with 96 slots a day the chain continues into the
    next day's key, SHA-256 of today's."""
    d0 = bytes(range(32))
    ids = bluezone.derive_ids("bluezone", d0, 1_761_408, 97, per_day=96)
    assert hex_rows(ids[:3]) == [
        "130cea6472130c185d8643df",
        "893dae342437130ce5e23837",
        "648c30b3a8352feac3721277",
    ]
    assert bytes(ids[96]).hex() == "970e23c0e19de93f8cc4057b"
    d1 = "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd"
    next_day = bluezone.derive_ids("bluezone", d1, 1_761_504, 1, per_day=96)
    np.testing.assert_array_equal(next_day[0], ids[96])
    # The IDs depend on the slot's place in the chain, not its length.
    np.testing.assert_array_equal(bluezone.derive_ids("bluezone", d0, 2_642_976, 2), ids[:2])


def test_b3_vectors_and_seeking():
    key = bytes(range(16))
    ids = bluezone.derive_ids("b3", key, 2_642_976, 5)
    assert hex_rows(ids) == [
        "1451ffb2fd6d0a7319534e2daa9cfb71",
        "1d30034591550d02c5fe8d13e9950bca",
        "1f16d4047ec3d376f71e7da489344153",
        "3987b4bdaf080b156d7252513a9247fd",
        "592ff7cf056db79774884593c9f19ed1",
    ]
    # Seeking: the IDs of intervals 3, 4 of the same window.
    tail = bluezone.derive_ids("b3", key, 2_642_979, 2, rolling_start=2_642_976)
    np.testing.assert_array_equal(tail, ids[3:])
    # The rolling start is bound into b3's IDs, not into gaen's.
    moved = bluezone.derive_ids("b3", key, 2_642_979, 2)
    assert not np.array_equal(moved, tail)
    gaen = bluezone.derive_ids("gaen", key, 2_642_979, 2, rolling_start=2_642_976)
    np.testing.assert_array_equal(gaen, bluezone.derive_ids("gaen", key, 2_642_979, 2))


@pytest.mark.parametrize(
    ("scheme", "per_day", "expected"),
    [("gaen", 144, 144), ("b3", 144, 144), ("bluezone", 144, 144), ("bluezone", 96, 96), ("bluezone", 24, 24)],
)
def test_count_defaults_to_one_day(scheme, per_day, expected):
    key = bluezone.generate_key(scheme)
    ids = bluezone.derive_ids(scheme, key, TODAY, per_day=per_day)
    assert ids.shape == (expected, bluezone.id_len(scheme))


def test_count_zero_is_empty():
    ids = bluezone.derive_ids("b3", bytes(16), TODAY, 0)
    assert ids.shape == (0, 16)
    assert ids.dtype == np.uint8


def test_per_day_belongs_to_bluezone():
    with pytest.raises(
        bluezone.SchemeError,
        match=r"^the gaen scheme has 144 intervals per day, not 96; per_day applies to the bluezone scheme$",
    ):
        bluezone.derive_ids("gaen", bytes(16), TODAY, per_day=96)
    # 144 is every scheme's day.
    assert bluezone.derive_ids("b3", bytes(16), TODAY, 1, per_day=144).shape == (1, 16)
    with pytest.raises(bluezone.SchemeError, match=r"per_day must be a divisor of 86400 \(such as 144 or 96\), found 7"):
        bluezone.derive_ids("bluezone", bytes(32), TODAY, per_day=7)
    with pytest.raises(bluezone.SchemeError, match="found 0"):
        bluezone.derive_ids("bluezone", bytes(32), TODAY, per_day=0)


def test_limits_of_a_derivation():
    with pytest.raises(bluezone.BluezoneError, match=r"^2 intervals from 4294967295 run past the largest interval number 4294967295$"):
        bluezone.derive_ids("gaen", bytes(16), 2**32 - 1, 2)
    assert bluezone.derive_ids("gaen", bytes(16), 2**32 - 1, 1).shape == (1, 16)
    with pytest.raises(bluezone.BluezoneError, match=r"^interval 99 is before the key's rolling start 100$"):
        bluezone.derive_ids("b3", bytes(16), 99, 1, rolling_start=100)
    with pytest.raises(bluezone.BluezoneError, match=r"the bluezone scheme chains at most 3653 days"):
        bluezone.derive_ids("bluezone", bytes(32), 0, 3654 * 144 + 1)


def test_interval_numbers():
    assert bluezone.interval_number(0) == 0
    assert bluezone.interval_number(599) == 0
    assert bluezone.interval_number(600) == 1
    assert bluezone.interval_number(1_585_785_600) == 2_642_976
    last = (2**32 - 1) * 600
    assert bluezone.interval_number(last + 599) == 2**32 - 1
    with pytest.raises(bluezone.BluezoneError, match=r"^time -1 s is outside the range of interval numbers$"):
        bluezone.interval_number(-1)
    with pytest.raises(bluezone.BluezoneError, match="outside the range"):
        bluezone.interval_number(last + 600)


def cli_ids(cli, scheme, key_hex, start, count, per_day=None):
    args = [str(cli), "derive", "--scheme", scheme, "--key", key_hex, "--start", str(start), "--count", str(count)]
    if per_day is not None:
        args += ["--per-day", str(per_day)]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    lines = [line.split("\t") for line in out.splitlines()]
    assert [int(n) for n, _ in lines] == list(range(start, start + count))
    return [id_hex for _, id_hex in lines]


@pytest.mark.parametrize(
    ("scheme", "per_day", "start", "count"),
    [
        ("gaen", None, 2_642_976, 144),
        ("gaen", None, 2**32 - 5, 5),
        ("b3", None, TODAY, 200),
        ("b3", None, 0, 3),
        ("bluezone", None, TODAY, 300),
        ("bluezone", 96, 1_761_408, 200),
    ],
)
def test_agrees_with_the_cli(cli, rng, scheme, per_day, start, count):
    """`bluezone derive` and derive_ids print the same IDs, over day
    boundaries and up to the last interval number."""
    for _ in range(3):
        key = rng.integers(0, 256, bluezone.key_len(scheme), dtype=np.uint8).tobytes()
        ids = bluezone.derive_ids(scheme, key, start, count, per_day=per_day or 144)
        assert hex_rows(ids) == cli_ids(cli, scheme, key.hex(), start, count, per_day)


def test_cli_default_count_agrees(cli):
    key = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    out = subprocess.run(
        [str(cli), "derive", "--scheme", "bluezone", "--per-day", "96", "--key", key, "--start", "1761408"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    ids = bluezone.derive_ids("bluezone", key, 1_761_408, per_day=96)
    assert [line.split("\t")[1] for line in out.splitlines()] == hex_rows(ids)
