"""Fixtures shared by the tests of the bluezone Python package.

The tests mirror the Rust crate's modules, one file each (test_schemes.py:
scheme/, test_keys.py: key.rs and published.rs, test_log.py: log.rs,
test_matcher.py: index/ and matcher.rs, test_formats.py: formats/,
test_errors.py: error.rs, test_threads.py: the GIL and the thread pools),
and check the same properties through Python.
"""

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import bluezone

#: The repository's root: bindings/python/tests/ is three levels below it.
REPO = Path(__file__).resolve().parents[3]
#: The sample files of the core's format tests.
FIXTURES = REPO / "crates" / "bluezone" / "tests" / "fixtures"
#: The test vectors.
VECTORS = REPO / "tests" / "vectors"

#: 2026-11-22 00:00:00 UTC, the "now" of the benchmark scenarios.
NOW = 1_795_305_600
#: Its interval number, the first of that UTC day.
TODAY = NOW // 600


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def rng() -> np.random.Generator:
    """A random generator with a fixed seed: every run draws the same."""
    return np.random.default_rng(20261122)


@pytest.fixture(scope="session")
def cli() -> Path:
    """The `bluezone` command: the binary that BLUEZONE_CLI names (tests/run
    passes the one its Rust tests built), else built once (debug) in the
    workspace's target directory; the tests that need it fail without
    cargo, which the wheel's build needs anyway."""
    given = os.environ.get("BLUEZONE_CLI")
    if given:
        binary = Path(given)
        assert binary.is_file(), f"BLUEZONE_CLI={given} is not a file"
        return binary
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.fail("cargo is not on PATH: the `bluezone` command cannot be built")
    subprocess.run(
        [cargo, "build", "-q", "-p", "bluezone-cli"],
        cwd=REPO,
        check=True,
    )
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    if not target.is_absolute():
        target = REPO / target
    binary = target / "debug" / "bluezone"
    assert binary.exists(), binary
    return binary


def hex_rows(ids: np.ndarray) -> list:
    """The rows of a (n, length) uint8 array, as hex strings."""
    return [bytes(row).hex() for row in ids]
