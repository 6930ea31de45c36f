"""The login lock's files, called directly (``core/login_lock.py``; docs/security.md, "The login lock").

Found by ``make mutation-score`` (docs/testing.md): mutants of these lines survived every test
that reaches them.

* The count is read back as written, ``0`` before any login; a marker that holds no count
  reads as ``None`` (unknown), never as an exception, and a FIFO in the marker's place never
  hangs the reader.
* The marker is written through a temporary file in the okx home itself, so the system's
  temporary folder plays no part.
* A count whose write fails is a :class:`LoginLockError` holding the ``OSError`` behind it,
  even when the temporary file is already gone (a temp cleaner removed it).
* A lock folder only its owner can write into is used whoever owns it (root with a user's
  ``HOME``); one others can write into and that is not this user's is refused with a reason
  that names the folder, the owner and the danger.

Faults are real files (a directory in a file's place) or, for a full disk, the descriptor of
``/dev/full``, where every write fails with ``ENOSPC`` as on a full disk. Another user is
emulated by ``os.geteuid`` answering another uid than the folder's owner.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from okx_auth_graph.core.login_lock import (
    LOCK_NAME,
    MARKER_NAME,
    LoginLockError,
    login_lock,
    read_login_count,
)


def test_a_marker_without_a_count_reads_as_unknown(tmp_path: Path) -> None:
    folder = tmp_path / "okx"
    folder.mkdir()
    assert read_login_count(folder) == 0, "no marker: no login yet"
    marker = folder / MARKER_NAME
    for content in [b"", b"two", b"-1", b"1.5", b" 3", b"\xff\xfe"]:
        marker.write_bytes(content)
        assert read_login_count(folder) is None, content
    marker.unlink()
    marker.mkdir()
    assert read_login_count(folder) is None, "a directory in the marker's place"


def test_a_fifo_in_the_markers_place_does_not_hang_the_reader(tmp_path: Path) -> None:
    folder = tmp_path / "okx"
    folder.mkdir()
    marker = folder / MARKER_NAME
    os.mkfifo(marker)
    with ThreadPoolExecutor(1) as pool:
        reading = pool.submit(read_login_count, folder)
        try:
            count = reading.result(timeout=10)
        finally:
            if not reading.done():  # a writer's open releases a reader blocked in its open
                os.close(os.open(marker, os.O_WRONLY | os.O_NONBLOCK))
    assert count is None, "a FIFO holds no count"


async def test_the_count_is_written_in_the_okx_home_not_the_system_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    folder = tmp_path / "okx"
    async with login_lock(folder, timeout=5) as held:
        assert held.logins == 0
        await held.count_login()
        assert read_login_count(folder) == 1, "the login's start"
    assert read_login_count(folder) == 2, "the login's start and end"
    assert sorted(p.name for p in folder.iterdir()) == sorted([LOCK_NAME, MARKER_NAME])


async def test_a_count_that_cannot_be_written_is_a_login_lock_error_with_its_os_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk, and the temporary file already removed by someone else when the write fails:
    the failed removal does not hide the write's ``ENOSPC``."""
    mkstemp = tempfile.mkstemp

    def full_and_removed(*args: Any, **kwargs: Any) -> tuple[int, str]:
        fd, path = mkstemp(*args, **kwargs)
        os.close(fd)
        os.unlink(path)
        return os.open("/dev/full", os.O_WRONLY), path

    folder = tmp_path / "okx"
    async with login_lock(folder, timeout=5) as held:
        monkeypatch.setattr(tempfile, "mkstemp", full_and_removed)
        with pytest.raises(LoginLockError) as caught:
            await held.count_login()
    assert caught.value.folder == folder
    assert isinstance(caught.value.error, OSError)
    assert caught.value.error.errno == errno.ENOSPC
    assert caught.value.__cause__ is caught.value.error
    assert read_login_count(folder) == 0, "the marker is as it was"
    assert sorted(p.name for p in folder.iterdir()) == [LOCK_NAME]


async def test_a_lock_file_that_cannot_be_used_is_a_login_lock_error_naming_folder_and_fault(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "okx"
    (folder / LOCK_NAME).mkdir(parents=True)
    with pytest.raises(LoginLockError) as caught:
        async with login_lock(folder, timeout=5):
            raise AssertionError("the lock was taken")
    assert caught.value.folder == folder
    assert isinstance(caught.value.error, IsADirectoryError)
    assert caught.value.__cause__ is caught.value.error
    fault = f"[Errno {errno.EISDIR}] {os.strerror(errno.EISDIR)}: '{folder / LOCK_NAME}'"
    assert str(caught.value) == f"login lock in {folder}: {fault}"


@pytest.mark.parametrize("mode", [0o700, 0o755, 0o750], ids=oct)
async def test_a_folder_only_its_owner_can_write_into_is_used_whoever_owns_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    folder = tmp_path / "okx"
    folder.mkdir()
    folder.chmod(mode)
    monkeypatch.setattr(os, "geteuid", lambda: folder.stat().st_uid + 1)
    async with login_lock(folder, timeout=5) as held:
        await held.count_login()
    assert read_login_count(folder) == 2
    assert stat.S_IMODE(folder.stat().st_mode) == mode, "left as it was"


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o702], ids=oct)
async def test_a_folder_others_can_write_into_of_another_user_is_refused_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    folder = tmp_path / "okx"
    folder.mkdir()
    folder.chmod(mode)
    owner = folder.stat().st_uid
    monkeypatch.setattr(os, "geteuid", lambda: owner + 1)
    with pytest.raises(LoginLockError) as caught:
        async with login_lock(folder, timeout=5):
            raise AssertionError("the lock was taken")
    assert caught.value.folder == folder
    assert isinstance(caught.value.error, PermissionError)
    assert caught.value.__cause__ is caught.value.error
    assert str(caught.value) == (
        f"login lock in {folder}: {folder} is writable by other users and owned by uid {owner}: "
        "a file planted there could take over the login lock"
    )
    assert list(folder.iterdir()) == [], "no lock file was created"
    assert stat.S_IMODE(folder.stat().st_mode) == mode, "not ours: left as is"
