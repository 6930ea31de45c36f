"""The okx emulator as an executable: ``python -m okx_auth_graph.testing.okx ARGS``.

``okx-emulator shim DIR`` writes ``DIR/okx``, a two-line script that runs this module, so
``PATH=DIR:$PATH okx auth status --json`` talks to the emulator (an emulator of the okx CLI
contract, see :mod:`okx_auth_graph.testing.commands`). The world is the directory named by
``OKX_EMULATOR_STATE`` (default ``$HOME/.okx/emulator``); a world created here has ``$HOME``
as its user's home. Output is streamed as it is produced; stdin is read line by line (the
``config init`` wizard, the ``auth remove`` confirmation on a terminal).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from filelock import Timeout

from okx_auth_graph.testing.commands import Output
from okx_auth_graph.testing.emulator import OkxEmulator
from okx_auth_graph.testing.world import state_dir_from_env


class StreamOutput(Output):
    """Output that also goes straight to this process's stdout and stderr."""

    def write_out(self, data: bytes) -> None:
        """Write bytes to stdout and flush."""
        super().write_out(data)
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()

    def write_err(self, data: bytes) -> None:
        """Write bytes to stderr and flush."""
        super().write_err(data)
        sys.stderr.buffer.write(data)
        sys.stderr.buffer.flush()


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):
        return False


async def _read_line() -> str | None:
    """One line of stdin, read in a daemon thread: Ctrl-C at a prompt ends the command at once.

    (``asyncio.to_thread`` would make ``asyncio.run`` wait for the blocked read on the way out.)
    """
    stdin = sys.stdin
    if stdin is None:
        return None
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[str | None] = loop.create_future()

    def deliver(line: str | None) -> None:
        if not answer.done():
            answer.set_result(line)

    def read() -> None:
        try:
            line: str | None = stdin.readline()
        except (ValueError, OSError, UnicodeDecodeError):
            line = None
        with contextlib.suppress(RuntimeError):  # the loop is gone (interrupted)
            loop.call_soon_threadsafe(deliver, line)

    threading.Thread(target=read, name="okx-emulator-stdin", daemon=True).start()
    line = await answer
    return line.rstrip("\r\n") if line else None


def main(argv: Sequence[str] | None = None, *, started: float | None = None) -> int:
    """Run one emulated ``okx`` command and return its exit code.

    ``started`` (``time.time()``) is when the process started, before its imports (the shim's
    launcher passes it): the call log's ``started`` stamp, so that two calls a caller starts
    together overlap on the stamps however long each process takes to start under load.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    env = dict(os.environ)
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    tty = _stdin_is_tty()
    emulator = OkxEmulator(state_dir_from_env(env), home=home, env=env, is_tty=tty)
    try:
        return asyncio.run(
            emulator.execute(
                args, read_line=_read_line, output=StreamOutput(), is_tty=tty, started=started
            )
        )
    except KeyboardInterrupt:
        # okx 1.2.4's wizard (node readline) closes on Ctrl-C and exits 0, saving nothing.
        return 0 if args[:2] == ["config", "init"] else 130
    except Timeout:
        print(f"okx emulator: the world at {emulator.state_dir} stays locked", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
