"""Fixtures for the adapter tests: own HOME per test, the REST emulator, the okx under test.

The contract tests run the SAME test functions against two okx executables through a real
subprocess: the project's emulator (``okx-emulator shim DIR``) and the real npm CLI 1.2.4.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adapter.adapter_support import OkxUnderTest, emulator_command, seed_home
from tests.rigs.real_cli import real_okx_cli
from tests.rigs.rest import OkxRestEmulator


@pytest.fixture
def seeded_home(tmp_path: Path) -> Path:
    """The HOME of the okx under test: empty but for a fresh update-check cache (so the real
    1.2.4 never calls the registry); not the test process's HOME (``isolated_home``)."""
    return seed_home(tmp_path / "home")


@pytest.fixture
def rest() -> Iterator[OkxRestEmulator]:
    """A running OKX REST emulator on 127.0.0.1 (closed at the end of the test)."""
    with OkxRestEmulator() as server:
        yield server


@pytest.fixture
def real_okx(seeded_home: Path) -> OkxUnderTest:
    """The real npm okx 1.2.4 with its own HOME."""
    return OkxUnderTest("real-1.2.4", real_okx_cli(), seeded_home)


@pytest.fixture(scope="session")
def emulator_shim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``DIR/okx`` written once per session by ``okx-emulator shim DIR``."""
    shim_dir = tmp_path_factory.mktemp("okx-shim")
    argv = [str(emulator_command()), "shim", str(shim_dir)]
    done = subprocess.run(argv, capture_output=True, timeout=60, check=False)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace')}")
    shim = shim_dir / "okx"
    assert shim.is_file(), f"okx-emulator shim did not write {shim}"
    return shim


@pytest.fixture
def emulated_okx(seeded_home: Path, tmp_path: Path, emulator_shim: Path) -> OkxUnderTest:
    """The okx emulator as an executable on its own, empty world (created on first use)."""
    return OkxUnderTest(
        "emulator",
        emulator_shim,
        seeded_home,
        {"OKX_EMULATOR_STATE": str(tmp_path / "emulator-state")},
    )


@pytest.fixture(params=["emulator", "real-1.2.4"])
def okx(request: pytest.FixtureRequest) -> OkxUnderTest:
    """Each contract test runs against the emulator executable and the real 1.2.4."""
    fixture = "emulated_okx" if request.param == "emulator" else "real_okx"
    under_test: OkxUnderTest = request.getfixturevalue(fixture)
    return under_test
