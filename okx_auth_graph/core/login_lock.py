"""One login at a time per okx home: a file lock around the login node's ``okx auth login``.

A marker file beside the lock counts the logins of that okx home: the holder adds one when
its login starts and one when it ends. The entry reads the count before the pre-flight's
``auth status`` starts; a node that gets the lock and finds another count must re-read
``auth status`` before logging in (another login started or ended since), otherwise its
pre-flight is still current and no extra okx call is needed. A count, not a clock: a clock
stepped back cannot hide a login.

The lock is released before the node returns, so it is never held across an interrupt. A
lock or marker file that cannot be used (a directory or a symbolic-link loop in its place,
a full disk, no permission) raises :class:`LoginLockError`, never a bare ``OSError``.

Planted files: the marker is written through a temporary file that :func:`tempfile.mkstemp`
creates in the folder (``O_CREAT | O_EXCL``, a random name, ``0600``), so a symbolic link
planted where a temporary file could go never redirects the write; it then replaces the marker
(a link in the marker's own place is replaced, not followed). A lock folder that others may
write into (group or other write bits) is repaired (``chmod go-w``) when this user owns it and
refused (:class:`LoginLockError`) otherwise.
"""

from __future__ import annotations

import asyncio
import os
import stat
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from filelock import FileLock, Timeout

LOCK_NAME = "okx-auth-graph-login.lock"
MARKER_NAME = "okx-auth-graph-login.started"
_MARKER_MAX_BYTES = 64

_T = TypeVar("_T")


class LoginLockError(Exception):
    """The login lock or its marker file could not be used.

    Attributes:
        folder: The okx home folder that holds them (named in the reply).
        error: The ``OSError`` behind it.
    """

    def __init__(self, folder: Path, error: OSError) -> None:
        super().__init__(f"login lock in {folder}: {error}")
        self.folder = folder
        self.error = error


@dataclass
class LoginLockHeld:
    """The held lock: the okx home's login count, and a way to count this login.

    Attributes:
        folder: The okx home folder of the lock.
        logins: Logins started plus logins ended in this okx home (``None``: unreadable).
        counted: Whether this holder counted a login start (its end is counted on release).
    """

    folder: Path
    logins: int | None
    counted: bool = False

    def login_since(self, seen: int | None) -> bool:
        """Whether a login started or ended since the count ``seen`` was read (unknown: yes)."""
        return seen is None or self.logins != seen

    async def count_login(self) -> None:
        """Count this holder's login: once now (it starts), once more when the lock is freed."""
        self.logins = (self.logins or 0) + 1
        await _in_thread(self.folder, _write_count, self.folder / MARKER_NAME, self.logins)
        self.counted = True


def read_login_count(folder: Path) -> int | None:
    """The login count of the okx home ``folder`` (blocking; 0 before any login).

    Never raises: an unreadable count is ``None`` (the login node then re-reads
    ``auth status``, and reports the file's fault if the lock cannot be used).
    """
    with suppress(OSError, ValueError):
        return _read_count(folder / MARKER_NAME)
    return None


def _read_count(marker: Path) -> int:
    """The count in ``marker``: 0 when there is none, ``ValueError`` when it is not a count."""
    try:
        # Non-blocking: a FIFO put in the marker's place cannot hang the reader.
        fd = os.open(marker, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return 0
    try:
        text = os.read(fd, _MARKER_MAX_BYTES).decode("ascii")
    finally:
        os.close(fd)
    if not text.isdigit():
        raise ValueError(f"not a login count: {text!r}")
    return int(text)


def _write_count(marker: Path, count: int) -> None:
    """Replace ``marker`` by a file holding ``count``, written through a fresh temporary file."""
    fd, tmp = tempfile.mkstemp(prefix=f"{marker.name}.", suffix=".tmp", dir=marker.parent)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(str(count))
        os.replace(tmp, marker)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def _owner_only_writes(folder: Path) -> None:
    """Make sure only its owner can write into ``folder``: repair it if ours, else refuse.

    Raises:
        PermissionError: The folder is writable by group or others and not this user's.
    """
    info = folder.stat()
    if not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return
    if info.st_uid != os.geteuid():
        raise PermissionError(
            f"{folder} is writable by other users and owned by uid {info.st_uid}: "
            "a file planted there could take over the login lock"
        )
    os.chmod(folder, stat.S_IMODE(info.st_mode) & ~(stat.S_IWGRP | stat.S_IWOTH))


async def _in_thread(folder: Path, call: Callable[..., _T], *args: object) -> _T:
    """Run blocking file I/O off the event loop; an ``OSError`` becomes a LoginLockError."""
    try:
        return await asyncio.to_thread(call, *args)
    except TimeoutError:
        raise
    except OSError as exc:
        raise LoginLockError(folder, exc) from exc


@asynccontextmanager
async def login_lock(folder: Path, *, timeout: float) -> AsyncIterator[LoginLockHeld]:
    """Hold the okx home's login lock for the duration of the block.

    Raises:
        TimeoutError: If another login holds the lock for longer than ``timeout`` seconds.
        LoginLockError: If the folder, the lock or the marker file cannot be used.
    """
    await _in_thread(folder, folder.mkdir, 0o700, True, True)
    await _in_thread(folder, _owner_only_writes, folder)
    # Not thread-local: acquire and release run on whichever pool threads asyncio.to_thread
    # picks, and a thread-local lock released from another thread stays held.
    lock = FileLock(str(folder / LOCK_NAME), mode=0o600, thread_local=False)
    try:
        await _in_thread(folder, lock.acquire, timeout)
    except Timeout:
        raise TimeoutError(f"another login holds {folder / LOCK_NAME}") from None
    try:
        try:
            count: int | None = await _in_thread(folder, _read_count, folder / MARKER_NAME)
        except ValueError:
            count = None
        held = LoginLockHeld(folder, count)
        try:
            yield held
        finally:
            if held.counted:  # the login ended; a failure here only costs others a re-read
                with suppress(LoginLockError):
                    await held.count_login()
    finally:
        await _in_thread(folder, lock.release)
