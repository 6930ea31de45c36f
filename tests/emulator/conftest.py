"""Fixtures for the okx emulator tests: a world per test on the test's HOME (``isolated_home``),
a shim on PATH."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from okx_auth_graph.testing import OkxEmulator
from okx_auth_graph.testing.shim import write_shim


@pytest.fixture
def emu(tmp_path: Path, isolated_home: Path) -> OkxEmulator:
    emulator = OkxEmulator(tmp_path / "world", home=isolated_home)
    emulator.init_world()
    return emulator


@pytest.fixture
def shim_env(tmp_path: Path, isolated_home: Path) -> dict[str, str]:
    """Environment where `okx` is the emulator and the world lives under HOME."""
    bin_dir = tmp_path / "bin"
    write_shim(bin_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OKX_", "PYTEST", "COV_"))}
    env.update(
        HOME=str(isolated_home),
        PATH=f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    return env
