"""``okx config init`` (a wizard that owns the terminal) runs through the adapter, not beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.testing import OkxEmulator


def test_config_init_runs_through_the_adapter(tmp_path: Path) -> None:
    """The chat's ``okx config init`` goes through ``OkxCli`` (here on the emulator's world)."""
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    code = OkxCli(runner=emulator).config_init(timeout=60)
    assert isinstance(code, int)  # no answers on stdin here: the wizard stops at end of input
    assert ["config", "init"] in [c["argv"] for c in emulator.calls()]


def test_a_runner_without_a_terminal_cannot_run_the_wizard(tmp_path: Path) -> None:
    class PipesOnly:
        async def __call__(self, argv: object, *, timeout: float, stdin: object = None) -> object:
            raise AssertionError("not called")

    with pytest.raises(OSError, match="cannot run okx in a terminal"):
        OkxCli(runner=PipesOnly()).config_init(timeout=1)  # type: ignore[arg-type]
