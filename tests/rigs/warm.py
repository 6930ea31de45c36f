"""A warm interpreter: ``python -m MODULE`` or ``python SCRIPT`` forked from a process that
already imported the modules they need.

Each ``okx-auth-graph chat`` a test starts spends ~2 CPU-s importing LangGraph, LangChain and
langsmith before it reads its first option; the chat tests start ~60 of them, and the docs'
blocks ~35 scripts that import the same. This rig imports those modules once per test worker
(:func:`warm_interpreter`) and forks a fresh process per run instead. :func:`command` wraps a
``[python, "-m", MODULE, ...]`` or ``[python, SCRIPT, ...]`` command line: the test starts
that instead, in its own pseudo-terminal or pipes, with its own environment and folder, and sees
what the plain command would do:

* the forked process gets the client's standard streams, environment, working folder and
  ``sys.argv``, fresh ``sys.stdin``/``stdout``/``stderr`` built as Python builds them (a
  terminal's line buffering, ``PYTHONUNBUFFERED``), Ctrl-C's default handler, its own process
  group, and ``tempfile``'s folder read again from the new ``TMPDIR``;
* it runs the module or script as ``python`` does (``runpy``), then ends as an interpreter ends
  (non-daemon threads joined, ``atexit`` run, streams flushed) with the same exit status, or a
  traceback and status 1, or death by SIGINT for an uncaught ``KeyboardInterrupt``;
* the client passes on the signals its terminal or the test sends (Ctrl-C, hang-up, resize,
  SIGTERM) to the process's group, as a terminal would to its foreground job, and ends the same
  way; if the client is killed, so is the process's group.

What differs from a cold start: the server imports only third-party modules (:data:`PRELOADED`),
never LangGraph's or this package's, and those keep what they read at import; a run whose
``PYTHON*`` or locale variables differ from the server's starts cold instead (:func:`servable`);
the umask is the client's, resource limits are the server's; the string hash seed is shared; a
traceback shows the rig's frames under the run's; and the process has no controlling terminal
(its terminal is still its standard streams, which is all the chat uses; signals come from the
client). The console script itself (the installed ``okx-auth-graph`` file) and
``python -m okx_auth_graph`` started cold keep tests of their own.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import runpy
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

CLIENT = Path(__file__).with_name("warm_client.py")
ROOT = Path(__file__).resolve().parents[2]
READY = b"ready\n"
PRELOADED = (
    "pydantic",
    "langsmith.run_trees",
    "langsmith.schemas",
    "langchain_core.messages",
    "langchain_core.runnables",
    "langchain_core.tracers.event_stream",
)
"""What a server imports: the third-party modules that take most of LangGraph's start (~0.8 of
~1.3 CPU-s here), not LangGraph's nor this package's own: a module imported before the fork is
an attribute of its package in every run (``okx_auth_graph.testing`` without its import), which a
cold run would not have."""
START_CAP = 120.0
"""Seconds the server may take to import its modules (a loaded machine)."""


def socket_path(name: str = "cli") -> Path:
    """This test process's server socket ``name`` (short: a socket's path is limited to ~100
    bytes)."""
    return Path("/tmp") / f"okx-warm-{os.getpid()}-{name}.sock"


def command(argv: Sequence[str], path: Path | None = None) -> list[str]:
    """``argv`` (``[python, "-m", MODULE, ...]`` or ``[python, SCRIPT, ...]``) run by the warm
    interpreter at ``path``."""
    return [sys.executable, "-I", str(CLIENT), str(path or socket_path()), *argv]


@contextlib.contextmanager
def warm_interpreter(
    modules: Sequence[str], path: Path | None = None, env: dict[str, str] | None = None
) -> Iterator[Path]:
    """A server at ``path`` that imported ``modules`` in ``env`` (default: this process's),
    stopped (with its runs) on exit."""
    path = path or socket_path()
    path.unlink(missing_ok=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.rigs.warm", str(path), *modules],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,  # its end tells the server this process is gone
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        ready, _, _ = select.select([server.stdout], [], [], START_CAP)
        line = server.stdout.readline() if ready else b""
        if line != READY:
            raise RuntimeError(f"the warm interpreter did not start (status {server.poll()})")
        yield path
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        for pipe in (server.stdin, server.stdout):
            if pipe is not None:
                pipe.close()
        path.unlink(missing_ok=True)


def serve(path: Path, modules: Sequence[str]) -> None:
    """Import ``modules``, then fork a manager per connection (never returns)."""
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    for name in modules:
        importlib.import_module(name)
    if threading.active_count() != 1:  # a fork copies one thread only
        raise RuntimeError(f"importing {modules} started threads: {threading.enumerate()}")
    signal.signal(signal.SIGTERM, _reap_and_exit)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(str(path))
    listener.listen(64)
    sys.stdout.buffer.write(READY)
    sys.stdout.flush()
    while True:
        ready, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1):
            # the test process that started this server is gone (killed, no teardown): end,
            # with every run in flight (SIGTERM to this group: each manager kills its run)
            os.killpg(0, signal.SIGTERM)
        if listener not in ready:
            continue
        connection, _ = listener.accept()
        _reap(os.WNOHANG)
        if os.fork() == 0:
            listener.close()
            run = _manage(connection)  # the manager never returns; the run's fork does
            _run(*run)  # ends as the interpreter ends: SystemExit, an exception, or the end
            return
        connection.close()


def _reap(options: int) -> None:
    """Wait for the managers that ended (their CPU then counts as the server's children's)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, options)[0]:
            pass


def _reap_and_exit(signum: int, frame: object) -> None:
    """SIGTERM (sent to the server's group, its managers too): wait for them, then end."""
    _reap(0)
    os._exit(0)


def _manage(connection: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """Start the run a client asked for, pass its pid, and report how it ended. Returns only
    in the run's fork (the request and the client's streams), which then leaves by every frame
    and ends as an interpreter ends (threads joined, atexit, the last collection, teardown)."""
    try:
        message, fds, _flags, _address = socket.recv_fds(connection, 1 << 20, 3)
        request = json.loads(message)
        pid = os.fork()
    except BaseException:
        os._exit(1)
    if pid == 0:
        connection.close()
        return request, fds
    try:
        _report(connection, pid, fds)
    finally:
        os._exit(0)


def _report(connection: socket.socket, pid: int, fds: list[int]) -> None:
    """The manager: pass the run's pid, pass on a killed client, send how the run ended."""
    with contextlib.suppress(OSError):  # the child may have set it already
        os.setpgid(pid, pid)
    for fd in fds:
        os.close(fd)

    def stop(signum: int, frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        os._exit(1)

    signal.signal(signal.SIGTERM, stop)
    connection.sendall(json.dumps({"pid": pid}).encode())
    ended = os.pidfd_open(pid)
    waited: list[Any] = [ended, connection]
    while True:
        ready, _, _ = select.select(waited, [], [])
        if ended in ready:
            break
        if not connection.recv(1):  # the client was killed: so is its run
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            break
    _, status = os.waitpid(pid, 0)
    with contextlib.suppress(OSError):
        connection.sendall(json.dumps({"status": status}).encode())


def _stream(fd: int, *, read: bool, unbuffered: bool, like: Any) -> io.TextIOWrapper:
    """A standard stream over ``fd`` as the interpreter makes one at its start."""
    tty = os.isatty(fd)
    if read:
        binary: Any = open(fd, "rb", closefd=False)  # noqa: SIM115 - the stream outlives this
    elif unbuffered:
        binary = open(fd, "wb", buffering=0, closefd=False)  # noqa: SIM115
    else:
        binary = open(fd, "wb", closefd=False)  # noqa: SIM115
    return io.TextIOWrapper(
        binary,
        encoding=like.encoding,
        errors=like.errors,
        newline="\n",
        line_buffering=not unbuffered and not read and (tty or fd == 2),
        write_through=unbuffered and not read,
    )


def _run(request: dict[str, Any], fds: list[int]) -> None:
    """Become ``python -m MODULE ARGS`` with the client's streams, environment and folder."""
    os.setpgid(0, 0)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    argv: list[str] = request["argv"]
    env: dict[str, str] = request["env"]
    os.chdir(request["cwd"])
    if not servable(argv, env):
        os.execve(argv[0], argv, env)
    os.environ.clear()
    os.environ.update(env)
    tempfile.tempdir = None
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    unbuffered = bool(env.get("PYTHONUNBUFFERED"))
    sys.stdin = sys.__stdin__ = _stream(0, read=True, unbuffered=False, like=sys.__stdin__)  # type: ignore[misc]
    sys.stdout = sys.__stdout__ = _stream(1, read=False, unbuffered=unbuffered, like=sys.__stdout__)  # type: ignore[misc]
    sys.stderr = sys.__stderr__ = _stream(2, read=False, unbuffered=unbuffered, like=sys.__stderr__)  # type: ignore[misc]
    os.umask(request["umask"])
    if argv[1] == "-m":  # sys.argv[0] becomes the module's file
        sys.path[0] = os.getcwd()
        sys.argv = [argv[0], *argv[3:]]
        runpy.run_module(argv[2], run_name="__main__", alter_sys=True)
    else:
        sys.path[0] = os.path.dirname(os.path.abspath(argv[1]))
        sys.argv = argv[1:]
        runpy.run_path(argv[1], run_name="__main__")


def servable(argv: Sequence[str], env: dict[str, str]) -> bool:
    """Whether a fork of this server can be ``argv``: this interpreter running ``-m MODULE`` or
    a script, with the same start-up variables (else the run is started cold)."""
    if len(argv) < 2 or argv[0] != sys.executable:
        return False
    if argv[1].startswith("-") and (argv[1] != "-m" or len(argv) < 3):
        return False
    return started_by(env) == started_by(dict(os.environ))


def started_by(env: dict[str, str]) -> dict[str, str]:
    """What Python reads of ``env`` when it starts: every ``PYTHON*`` variable but
    ``PYTHONUNBUFFERED`` (honoured per run), and the locale's (the streams' encoding)."""
    return {
        name: value
        for name, value in env.items()
        if (name.startswith("PYTHON") and name != "PYTHONUNBUFFERED")
        or name == "LANG"
        or name.startswith("LC_")
    }


if __name__ == "__main__":
    serve(Path(sys.argv[1]), sys.argv[2:])
