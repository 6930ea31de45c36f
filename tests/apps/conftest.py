"""Fixtures for the embedding, chat and notebook tests: an emulator world on the test's HOME.

The HOME is ``isolated_home`` (tests/conftest.py): this test's own, set in the environment.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.testing import OkxEmulator

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(tmp_path: Path) -> Path:
    return tmp_path / "world"


@pytest.fixture
def emulator(isolated_home: Path, world: Path) -> OkxEmulator:
    """A fresh emulated world: okx 1.3.1-beta.17, no config, not logged in, binary installed."""
    emu = OkxEmulator(world)
    emu.init_world()
    return emu


@pytest.fixture
def cli(emulator: OkxEmulator) -> OkxCli:
    return OkxCli(runner=emulator)
