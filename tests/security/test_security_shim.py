"""The emulator shim bakes its world path in so that no shell expansion can happen."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from okx_auth_graph.testing.shim import write_shim


@pytest.mark.parametrize(
    "name",
    ["w$(touch PWNED)", "w`touch PWNED`", "w'$(touch PWNED)'", 'w"; touch PWNED; "', "w${HOME}x"],
)
def test_shim_state_path_is_never_expanded(tmp_path: Path, name: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    state = tmp_path / name
    shim = write_shim(tmp_path / "bin", state=state)
    env = {k: v for k, v in os.environ.items() if k != "OKX_EMULATOR_STATE"}
    done = subprocess.run(
        [str(shim), "auth", "status", "--json"],
        cwd=work,
        env={**env, "HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not (work / "PWNED").exists()
    assert list(work.iterdir()) == []
    assert state.is_dir(), "the world lives at the literal path"


def test_shim_state_from_the_environment_still_wins(tmp_path: Path) -> None:
    shim = write_shim(tmp_path / "bin", state=tmp_path / "baked")
    chosen = tmp_path / "chosen"
    done = subprocess.run(
        [str(shim), "auth", "status", "--json"],
        env={**os.environ, "HOME": str(tmp_path / "home"), "OKX_EMULATOR_STATE": str(chosen)},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert chosen.is_dir()
    assert not (tmp_path / "baked").exists()
