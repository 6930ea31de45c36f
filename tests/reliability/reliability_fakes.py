"""Misbehaving okx runners for fault-injection and fuzz tests.

``ScriptedRunner`` is a runner (the ``okx_auth_graph.okx.process.OkxRunner`` protocol) that answers
every call with a fixed :class:`RawResult` or raises a fixed exception, and records each argv.
``real_okx`` is the real npm okx 1.2.4 (:func:`tests.rigs.real_cli.real_okx_cli`).
``write_fake_okx`` writes a small executable script that the real :class:`SubprocessRunner` runs,
so the subprocess path (timeouts, signals, huge output, process groups) is exercised for real.
"""

from __future__ import annotations

import stat
import textwrap
from collections.abc import Sequence
from pathlib import Path

from okx_auth_graph.okx.process import RawResult


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
