"""One login at a time per okx home: a file lock around the login node's ``okx auth login``.

The holder records when it started a login (a marker file beside the lock). A node that gets
the lock after another login started since its own pre-flight must re-read ``auth status``
before logging in; otherwise its pre-flight is still current and no extra okx call is needed.
The lock is released before the node returns, so it is never held across an interrupt.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_NAME = "okx-auth-graph-login.lock"
MARKER_NAME = "okx-auth-graph-login.started"


@dataclass
class LoginLockHeld:
    """The held lock: when the last login under it started (wall clock), and a way to record one."""

    directory: Path
    last_login_started: float | None

    def login_started_since(self, moment: float) -> bool:
        """Whether another login started at or after ``moment``."""
        return self.last_login_started is not None and self.last_login_started >= moment

    async def mark_login_started(self) -> None:
        """Record that a login starts now (file I/O off the event loop)."""
        await asyncio.to_thread(_write_marker, self.directory / MARKER_NAME, time.time())


def _write_marker(marker: Path, moment: float) -> None:
    tmp = marker.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(repr(moment), encoding="utf-8")
    os.replace(tmp, marker)


def _read_marker(marker: Path) -> float | None:
    with suppress(OSError, ValueError):
        return float(marker.read_text(encoding="utf-8"))
    return None


@asynccontextmanager
async def login_lock(directory: Path, *, timeout: float) -> AsyncIterator[LoginLockHeld]:
    """Hold the okx home's login lock for the duration of the block.

    Raises:
        TimeoutError: If another login holds the lock for longer than ``timeout`` seconds.
    """
    await asyncio.to_thread(directory.mkdir, mode=0o700, parents=True, exist_ok=True)
    # Not thread-local: acquire and release run on whichever pool threads asyncio.to_thread
    # picks, and a thread-local lock released from another thread stays held.
    lock = FileLock(str(directory / LOCK_NAME), mode=0o600, thread_local=False)
    try:
        await asyncio.to_thread(lock.acquire, timeout=timeout)
    except Timeout:
        raise TimeoutError(f"another login holds {directory / LOCK_NAME}") from None
    try:
        last = await asyncio.to_thread(_read_marker, directory / MARKER_NAME)
        yield LoginLockHeld(directory, last)
    finally:
        await asyncio.to_thread(lock.release)
