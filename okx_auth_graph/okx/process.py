"""Running a program: the raw result of one okx invocation and the subprocess runner.

A *runner* is any async callable ``runner(argv, *, timeout, stdin=None) -> RawResult`` where
``argv`` is the okx argument list WITHOUT the executable (``["auth", "status", "--json"]``).
:class:`SubprocessRunner` runs a real executable; ``okx_auth_graph.testing.OkxEmulator`` is the
in-process runner. Runners raise :class:`TimeoutError` when ``timeout`` elapses (after
killing the whole process group) and :class:`OSError` (``FileNotFoundError``,
``PermissionError``, exec format errors, …) when the program cannot be started; the adapter
(:mod:`okx_auth_graph.okx.adapter`) turns those into typed errors.

:class:`SubprocessRunner` returns within ``timeout`` plus :data:`KILL_GRACE` whatever the
program leaves behind: a process it started in another session (out of reach of the
process-group kill) that keeps standard output or error open is not waited for. Once okx itself
has exited, its output is read for at most :data:`PIPE_GRACE` seconds more; the pipes are then
closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol, runtime_checkable

PIPE_GRACE = 0.5
"""Seconds output is still read after okx exited (a process it left may hold the pipes)."""
KILL_GRACE = 0.5
"""Seconds allowed for a killed okx to be reaped before the runner gives up waiting."""


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

        ``on_stdout`` receives each chunk of standard output as it arrives. The call returns
        within ``timeout`` + :data:`KILL_GRACE` even when a process okx started in another
        session keeps the pipes open (see the module docstring).
        """
        args = [str(a) for a in argv]
        loop = asyncio.get_running_loop()
        # Pipes of our own, not asyncio's: okx's exit is then seen whoever else holds their
        # write ends, and their read ends are ours to close.
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        readers: list[_PipeReader] = []
        try:
            try:
                proc = await asyncio.create_subprocess_exec(
                    self.executable,
                    *args,
                    stdin=asyncio.subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                    stdout=out_write,
                    stderr=err_write,
                    env=self.env if self.env is not None else os.environ.copy(),
                    start_new_session=True,
                )
            finally:
                os.close(out_write)
                os.close(err_write)
            for listener in (on_stdout, None):
                fd, out_read, err_read = out_read, err_read, -1
                reader = _PipeReader(self.max_output, listener)
                readers.append(reader)
                await reader.connect(loop, os.fdopen(fd, "rb", buffering=0))
            try:
                await asyncio.wait_for(self._finish(proc, stdin, readers), timeout)
            except (TimeoutError, asyncio.CancelledError):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, 9)
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(proc.wait(), KILL_GRACE)
                raise
        finally:
            for reader in readers:
                reader.close()
            for fd in (out_read, err_read):
                if fd >= 0:
                    os.close(fd)
        return RawResult(tuple(args), proc.returncode or 0, readers[0].data(), readers[1].data())

    def in_terminal(self, argv: Sequence[str], *, timeout: float) -> int:
        """Run the executable attached to this terminal (stdin, stdout, stderr); its exit status."""
        args = [self.executable, *(str(a) for a in argv)]
        env = self.env if self.env is not None else os.environ.copy()
        return subprocess.run(args, env=env, timeout=timeout, check=False).returncode

    async def _finish(
        self, proc: asyncio.subprocess.Process, stdin: bytes | None, readers: list[_PipeReader]
    ) -> None:
        """Feed stdin, wait for okx to exit, then read what is left (for a moment at most)."""
        if proc.stdin is not None:
            if stdin:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    proc.stdin.write(stdin)
                    await proc.stdin.drain()
            proc.stdin.close()
        await proc.wait()
        # okx has exited: its output is in the pipes, unless a process it left holds them open
        await asyncio.wait([r.finished for r in readers], timeout=PIPE_GRACE)


class _PipeReader(asyncio.Protocol):
    """Reads one pipe, keeping at most ``limit`` bytes (the rest is read and dropped)."""

    def __init__(self, limit: int, listener: Callable[[bytes], None] | None) -> None:
        self.limit = limit
        self.listener = listener
        self.kept = bytearray()
        self.finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.BaseTransport | None = None

    async def connect(self, loop: asyncio.AbstractEventLoop, pipe: IO[bytes]) -> None:
        """Start reading ``pipe`` (its file is closed with the transport)."""
        try:
            self.transport, _ = await loop.connect_read_pipe(lambda: self, pipe)
        except BaseException:
            pipe.close()
            raise

    def data_received(self, data: bytes) -> None:
        """Keep what fits, and hand every chunk to the listener."""
        if self.listener is not None:
            self.listener(data)
        room = self.limit - len(self.kept)
        if room > 0:
            self.kept += data[:room]

    def connection_lost(self, exc: Exception | None) -> None:
        """The pipe ended (or was closed)."""
        if not self.finished.done():
            self.finished.set_result(None)

    def data(self) -> bytes:
        """What was kept."""
        return bytes(self.kept)

    def close(self) -> None:
        """Stop reading and close the pipe."""
        if self.transport is not None:
            self.transport.close()
