"""Files the graph writes are the owner's only; the login lock is freed on release.

``chat --demo`` writes only into its own world, never into the user's ``~/.okx``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock, Timeout

from okx_auth_graph.core.login_lock import LOCK_NAME, MARKER_NAME, login_lock
from okx_auth_graph.persistence import default_sqlite_path, sqlite_checkpointer
from tests.rigs import warm


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_default_database_and_its_folder_are_owner_only(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    old = os.umask(0o022)
    try:
        with sqlite_checkpointer() as saver:
            saver.setup()
    finally:
        os.umask(old)
    path = default_sqlite_path()
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    for extra in path.parent.glob("threads.sqlite-*"):
        assert mode(extra) & 0o077 == 0


def test_an_existing_world_readable_database_is_made_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "mine.sqlite"
    path.touch(mode=0o644)
    path.chmod(0o644)
    with sqlite_checkpointer(path):
        pass
    assert mode(path) == 0o600


class NewThreadExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs every task on a thread of its own (as a busy pool may): acquire ≠ release thread."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:
                future.set_exception(exc)

        threading.Thread(target=run).start()
        return future


def test_the_login_lock_is_free_after_the_block_whatever_threads_ran_it(tmp_path: Path) -> None:
    async def hold_and_release() -> None:
        asyncio.get_running_loop().set_default_executor(NewThreadExecutor())
        async with login_lock(tmp_path, timeout=5):
            pass

    asyncio.run(hold_and_release())
    other = FileLock(str(tmp_path / LOCK_NAME))
    try:
        other.acquire(timeout=0.5)
    except Timeout:
        raise AssertionError("the login lock is still held after login_lock() returned") from None
    other.release()
    assert mode(tmp_path / LOCK_NAME) & 0o077 == 0


@pytest.mark.usefixtures("warm_cli")
@pytest.mark.parametrize("own_world", [False, True], ids=["throwaway-world", "world-dir"])
def test_the_demo_touches_only_its_own_world(tmp_path: Path, own_world: bool) -> None:
    """The scripted demo logs in (lock and marker written) with nothing under ``$HOME``."""
    home, temp, world = tmp_path / "home", tmp_path / "temp", tmp_path / "world"
    home.mkdir()
    temp.mkdir()
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(temp), "NO_COLOR": "1"}
    env.pop("XDG_STATE_HOME", None)
    args = ["--demo", "--world", str(world)] if own_world else ["--demo"]
    result = subprocess.run(
        warm.command([sys.executable, "-m", "okx_auth_graph", "chat", *args]),
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Login successful." in result.stdout
    assert not (home / ".okx").exists()
    assert list(home.iterdir()) == []
    assert list(temp.iterdir()) == []  # a throw-away world is removed when the login is done
    if own_world:
        assert (world / LOCK_NAME).exists()
        assert (world / MARKER_NAME).exists()
