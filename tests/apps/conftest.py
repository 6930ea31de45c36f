"""Fixtures for the embedding, chat and notebook tests: an isolated HOME and emulator world."""

from __future__ import annotations

from pathlib import Path

import pytest

from okx_auth_graph.cli import OkxCli
from okx_auth_graph.testing import OkxEmulator

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME of the test's own (the real CLI writes ~/.okx/update-check.json)."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("HOME", str(path))
    monkeypatch.delenv("OKX_EMULATOR_STATE", raising=False)
    return path


@pytest.fixture
def world(tmp_path: Path) -> Path:
    return tmp_path / "world"


@pytest.fixture
def emulator(home: Path, world: Path) -> OkxEmulator:
    """A fresh emulated world: okx 1.3.1-beta.17, no config, not logged in, binary installed."""
    emu = OkxEmulator(world)
    emu.init_world()
    return emu


@pytest.fixture
def cli(emulator: OkxEmulator) -> OkxCli:
    return OkxCli(runner=emulator)
