"""Misbehaving okx runners for fault-injection and fuzz tests.

``ScriptedRunner`` is a runner (the ``okx_auth_graph.process.OkxRunner`` protocol) that answers
every call with a fixed :class:`RawResult` or raises a fixed exception, and records each argv.
``real_okx`` locates the real npm okx 1.2.4 for the tests that run against it.
``write_fake_okx`` writes a small executable script that the real :class:`SubprocessRunner` runs,
so the subprocess path (timeouts, signals, huge output, process groups) is exercised for real.
"""

from __future__ import annotations

import os
import stat
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pytest

from okx_auth_graph.process import RawResult


class ScriptedRunner:
    """A runner that returns one scripted result (or raises one exception) for every call.

    Args:
        exit_code: The exit code of every call.
        stdout: Bytes printed on standard output.
        stderr: Bytes printed on standard error.
        raises: If given, every call raises this exception instead.
    """

    def __init__(
        self,
        exit_code: int = 0,
        stdout: bytes = b"",
        stderr: bytes = b"",
        *,
        raises: BaseException | None = None,
    ) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr
        self.raises = raises
        self.calls: list[list[str]] = []

    async def __call__(
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> RawResult:
        self.calls.append(list(argv))
        if self.raises is not None:
            raise self.raises
        return RawResult(tuple(argv), self.exit_code, self.stdout, self.stderr)


def write_fake_okx(directory: Path, body: str, name: str = "okx") -> Path:
    """Write an executable ``/bin/sh`` script named ``name`` into ``directory``.

    Args:
        directory: Where to put it.
        body: Shell code run for every invocation (``$@`` holds the okx argv).
        name: File name.

    Returns:
        The script's path.
    """
    path = directory / name
    path.write_text("#!/bin/sh\n" + textwrap.dedent(body).lstrip("\n"))
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


REAL_CLI_CANDIDATES = (
    Path("/tmp/okxcli/node_modules/.bin/okx"),
    Path(__file__).resolve().parents[2] / ".okx-cli" / "node_modules" / ".bin" / "okx",
)


def real_okx() -> Path:
    """The real npm okx 1.2.4 (``OKX_REAL_CLI``, else a known install).

    Fails when ``OKX_REAL_CLI`` is wrong or ``CI`` is set without one; skips on a developer
    machine that has none.
    """
    explicit = os.environ.get("OKX_REAL_CLI")
    if explicit:
        path = Path(explicit)
        if not (path.is_file() and os.access(path, os.X_OK)):
            pytest.fail(f"OKX_REAL_CLI={explicit} is not an executable file")
        return path
    for candidate in REAL_CLI_CANDIDATES:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    message = "the real okx CLI 1.2.4 was not found (set OKX_REAL_CLI; `make test` does)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
