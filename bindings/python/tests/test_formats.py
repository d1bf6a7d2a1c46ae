"""The file formats (crates/bluezone/src/formats): the sample files of the
core's tests, loaded through PublishedKeys.load and EncounterLog.load."""

import subprocess
from pathlib import Path

import numpy as np
import pytest

import bluezone


def test_signed_gaen_export(fixtures):
    path = fixtures / "gaen" / "testExport-2-records-1-of-1.zip"
    keys = bluezone.PublishedKeys.load(path)
    assert keys.format == "gaen-zip"
    assert keys.scheme == "gaen"
    assert keys.per_day is None
    assert len(keys) == 2
    assert [bytes(k).hex() for k in keys.keys] == [
        "172fc480e598490c34177604339b1543",
        "2b63053ac483238de176169e861f3dcd",
    ]
    assert keys.rolling_start.tolist() == [2_649_980, 2_649_866]
    assert keys.rolling_period.tolist() == [1, 114]
    assert keys.transmission_risk.tolist() == [8, 1]
    assert repr(keys) == 'PublishedKeys(2 gaen keys, format="gaen-zip")'
    public = (fixtures / "gaen" / "public.pem").read_text()
    assert keys.verify(public) is True
    assert keys.verify(public.encode()) is True
    assert keys.verify((fixtures / "gaen" / "test-public.pem").read_text()) is False
    with pytest.raises(bluezone.ParseError, match=r"^public key: expected a PEM block \"-----BEGIN PUBLIC KEY-----\" holding a P-256 key"):
        keys.verify("not a key")
    # A path as str, and the keys for b3 (16-byte keys as well).
    assert bluezone.PublishedKeys.load(str(path), scheme="b3").scheme == "b3"


def test_bare_export_bins(fixtures):
    keys = bluezone.PublishedKeys.load(fixtures / "gaen" / "internals-export.bin")
    assert keys.format == "gaen-bin"
    assert len(keys) == 200
    # Two of its keys leave out the rolling period: one day.
    assert (keys.rolling_period == 144).sum() >= 2
    assert keys.verify((fixtures / "gaen" / "public.pem").read_text()) is False
    assert len(bluezone.PublishedKeys.load(fixtures / "gaen" / "internals-app-export.bin")) == 110


def test_an_export_holds_no_bluezone_keys(fixtures):
    path = fixtures / "gaen" / "testExport-2-records-1-of-1.zip"
    with pytest.raises(
        bluezone.SchemeError,
        match=r"^scheme mismatch: .*testExport-2-records-1-of-1.zip: an Exposure Notification export holds 16-byte keys, not bluezone keys$",
    ):
        bluezone.PublishedKeys.load(path, scheme="bluezone")


def test_bluezone_payload_and_trace_give_the_four_matches(fixtures):
    """crates/bluezone/tests/fixtures/bluezone/README.md lists the matches."""
    keys = bluezone.PublishedKeys.load(fixtures / "bluezone" / "f0_payload.json")
    assert keys.format == "bluezone-payload"
    assert keys.scheme == "bluezone"
    assert keys.per_day == 144
    assert keys.rolling_start.tolist() == [2_642_976, 2_643_264]
    assert keys.rolling_period.tolist() == [432, 144]
    log = bluezone.EncounterLog.load(fixtures / "bluezone" / "data_trace.txt", scheme="bluezone")
    assert log.format == "bluezone-trace"
    assert len(log) == 8
    assert log.id_len == 12
    assert bytes(log.ids[1]).hex() == "893dae342437130ce5e23837"
    assert log.time[0] == 1_585_785_645  # 00:00:45.123, milliseconds floored
    matches = bluezone.match(keys, log)
    assert list(zip(matches.key_index.tolist(), matches.interval.tolist(), matches.encounter_index.tolist())) == [
        (0, 2_642_977, 1),
        (0, 2_643_120, 2),
        (0, 2_643_324, 5),
        (1, 2_643_324, 4),
    ]
    with pytest.raises(
        bluezone.BluezoneError,
        match=r"^keys loaded from a bluezone-payload file carry no signature: only Exposure Notification exports are signed$",
    ):
        keys.verify("")


def test_a_trace_holds_bluezone_ids(fixtures):
    with pytest.raises(
        bluezone.ParseError,
        match=r"data_trace.txt: a Bluezone trace holds the bluezone scheme's 12-byte IDs, not 16-byte IDs$",
    ):
        bluezone.EncounterLog.load(fixtures / "bluezone" / "data_trace.txt", scheme="gaen")


def test_csv_files(tmp_path: Path):
    key = "75c734c6dd1a782de7a965da5eb93125"
    keys_csv = tmp_path / "keys.csv"
    keys_csv.write_text(f"key,rolling_start,rolling_period,transmission_risk\n{key},2642976,144,5\n{key},2643120,1,\n")
    keys = bluezone.PublishedKeys.load(keys_csv)
    assert keys.format == "csv"
    assert keys.scheme == "gaen"
    assert keys.transmission_risk.tolist() == [5, None]
    assert bluezone.PublishedKeys.load(keys_csv, scheme="b3").scheme == "b3"
    ids = bluezone.derive_ids("gaen", key, 2_642_976, 2)
    encounters_csv = tmp_path / "encounters.csv"
    encounters_csv.write_text(
        "id,time,rssi,tx_power,duration\n"
        f"{bytes(ids[0]).hex()},1585785600,-60,,300\n"
        f"{bytes(ids[1]).hex()},1585786260,-70,-8,\n"
    )
    log = bluezone.EncounterLog.load(encounters_csv, scheme="gaen")
    assert log.format == "csv"
    assert log.tx_power.tolist() == [None, -8]
    assert log.duration.tolist() == [300, None]
    matches = bluezone.match(keys, log)
    assert matches.encounter_index.tolist() == [0, 1]
    assert matches.interval.tolist() == [2_642_976, 2_642_977]


def test_a_bad_csv_names_the_file_line_and_column(tmp_path: Path):
    keys_csv = tmp_path / "keys.csv"
    keys_csv.write_text("key,rolling_start,rolling_period\n" + "00" * 16 + ",1,144\n" + "00" * 15 + ",1,144\n")
    with pytest.raises(bluezone.ParseError, match=r"keys.csv:3: column key: expected 32 hex digits, found 30$"):
        bluezone.PublishedKeys.load(keys_csv)


def test_native_batch_files(cli, fixtures, tmp_path: Path):
    """A .bzk written by `bluezone keys convert` loads with its scheme and
    slots per day."""
    payload = fixtures / "bluezone" / "f0_payload.json"
    bzk = tmp_path / "keys.bzk"
    subprocess.run([str(cli), "keys", "convert", str(payload), "--to", "bzk", str(bzk)], check=True)
    batch = bluezone.PublishedKeys.load(bzk)
    assert batch.format == "bzk"
    assert batch.scheme == "bluezone"
    assert batch.per_day == 144
    original = bluezone.PublishedKeys.load(payload)
    np.testing.assert_array_equal(batch.keys, original.keys)
    np.testing.assert_array_equal(batch.rolling_period, original.rolling_period)
    with pytest.raises(bluezone.SchemeError, match=r"the batch holds bluezone keys, not gaen keys$"):
        bluezone.PublishedKeys.load(bzk, scheme="gaen")


def test_files_that_cannot_be_opened(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="No such file or directory") as missing:
        bluezone.PublishedKeys.load(tmp_path / "nothing.zip")
    assert missing.value.filename == str(tmp_path / "nothing.zip")
    with pytest.raises(FileNotFoundError):
        bluezone.EncounterLog.load(tmp_path / "nothing.csv", scheme="b3")
    with pytest.raises(IsADirectoryError):
        bluezone.PublishedKeys.load(tmp_path)
    binary = tmp_path / "garbage"
    binary.write_bytes(b"\x00\x01\x02garbage")
    with pytest.raises(bluezone.ParseError, match=r"garbage: not a key file of a known format"):
        bluezone.PublishedKeys.load(binary)
