"""Running a program: the raw result of one okx invocation and the subprocess runner.

A *runner* is any async callable ``runner(argv, *, timeout, stdin=None) -> RawResult`` where
``argv`` is the okx argument list WITHOUT the executable (``["auth", "status", "--json"]``).
:class:`SubprocessRunner` runs a real executable; ``okx_auth_graph.testing.OkxEmulator`` is the
in-process runner. Runners raise :class:`TimeoutError` when ``timeout`` elapses (after
killing the whole process group) and :class:`OSError` (``FileNotFoundError``,
``PermissionError``, exec format errors, …) when the program cannot be started; the adapter
(:mod:`okx_auth_graph.cli`) turns those into typed errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class RawResult:
    """What one okx invocation produced, before any parsing.

    Attributes:
        argv: The okx arguments (without the executable).
        exit_code: The process exit code.
        stdout: Raw standard output.
        stderr: Raw standard error.
    """

    argv: tuple[str, ...]
    exit_code: int
    stdout: bytes
    stderr: bytes


class OkxRunner(Protocol):
    """Anything that can run one okx command and return its raw result."""

    async def __call__(
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> RawResult:
        """Run ``okx *argv``; raise TimeoutError after ``timeout`` seconds.

        A runner may also accept ``on_stdout`` (a callable given standard output in chunks as
        it arrives); :class:`SubprocessRunner` and the emulator do, and the adapter uses it to
        show a blocking login's code while it waits.
        """
        ...


@runtime_checkable
class TerminalRunner(OkxRunner, Protocol):
    """A runner that can also hand the terminal to an interactive okx command (a wizard)."""

    def in_terminal(self, argv: Sequence[str], *, timeout: float) -> int:
        """Run ``okx *argv`` attached to this terminal; return its exit status.

        Raises:
            OSError: okx could not be started.
            subprocess.TimeoutExpired: It ran longer than ``timeout`` seconds (it is killed).
        """
        ...


@runtime_checkable
class StatefulRunner(OkxRunner, Protocol):
    """A runner whose okx keeps its state in a known folder (the emulator's world).

    Attributes:
        state_dir: That folder; the login lock lives there (see :attr:`OkxCli.login_lock_dir`).
    """

    @property
    def state_dir(self) -> Path:
        """The folder where this runner's okx keeps its state."""
        ...


class SubprocessRunner:
    """Runs a real executable with an argument list (never a shell) and a timeout.

    Args:
        executable: Path or name (looked up on ``PATH`` of ``env``) of the okx program.
        env: The complete environment for the child; ``None`` inherits this process's.
        max_output: Bytes kept of each stream; the rest is read and dropped, so a huge
            output can neither exhaust memory nor block the child.
    """

    def __init__(
        self,
        executable: str = "okx",
        *,
        env: Mapping[str, str] | None = None,
        max_output: int = 1 << 20,
    ) -> None:
        self.executable = executable
        self.env = dict(env) if env is not None else None
        self.max_output = max_output

    async def __call__(
        self,
        argv: Sequence[str],
        *,
        timeout: float,
        stdin: bytes | None = None,
        on_stdout: Callable[[bytes], None] | None = None,
    ) -> RawResult:
        """Run the executable; kill it and raise TimeoutError after ``timeout`` seconds.

        ``on_stdout`` receives each chunk of standard output as it arrives.
        """
        args = [str(a) for a in argv]
        proc = await asyncio.create_subprocess_exec(
            self.executable,
            *args,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self.env if self.env is not None else os.environ.copy(),
            start_new_session=True,
        )
        try:
            out, err = await asyncio.wait_for(self._communicate(proc, stdin, on_stdout), timeout)
        except (TimeoutError, asyncio.CancelledError):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 9)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(proc.wait(), 5)
            raise
        return RawResult(tuple(args), proc.returncode or 0, out, err)

    def in_terminal(self, argv: Sequence[str], *, timeout: float) -> int:
        """Run the executable attached to this terminal (stdin, stdout, stderr); its exit status."""
        args = [self.executable, *(str(a) for a in argv)]
        env = self.env if self.env is not None else os.environ.copy()
        return subprocess.run(args, env=env, timeout=timeout, check=False).returncode

    async def _communicate(
        self,
        proc: asyncio.subprocess.Process,
        stdin: bytes | None,
        on_stdout: Callable[[bytes], None] | None = None,
    ) -> tuple[bytes, bytes]:
        async def read_capped(
            stream: asyncio.StreamReader | None, listener: Callable[[bytes], None] | None = None
        ) -> bytes:
            if stream is None:
                return b""
            kept = bytearray()
            while chunk := await stream.read(65536):
                if listener is not None:
                    listener(chunk)
                room = self.max_output - len(kept)
                if room > 0:
                    kept += chunk[:room]
            return bytes(kept)

        async def feed() -> None:
            if proc.stdin is None:
                return
            if stdin:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    proc.stdin.write(stdin)
                    await proc.stdin.drain()
            proc.stdin.close()

        _, out, err = await asyncio.gather(
            feed(), read_capped(proc.stdout, on_stdout), read_capped(proc.stderr)
        )
        await proc.wait()
        return out, err
