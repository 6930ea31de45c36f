"""Local servers for tests: ``langgraph dev`` with the okx emulator, and a throw-away PostgreSQL.

Both are context managers that start a real server on ``127.0.0.1`` on a free port, wait until
it answers, and stop it (and everything it started) on exit:

* :func:`langgraph_dev_server` runs ``langgraph dev --no-browser --no-reload`` for a project's
  ``langgraph.json`` with the emulator as ``okx`` on ``PATH`` (``okx-emulator shim``), its world in
  a private ``OKX_EMULATOR_STATE``, a private ``HOME``, and tracing and analytics off. The
  server runs in a private working directory that links to the project's files, so its own
  state (``.langgraph_api/``) never lands in the project tree. ``langgraph dev`` moves to another
  port by itself when the chosen one was taken meanwhile, so the URL is the one it announces.
* :func:`postgres_server` runs ``initdb`` + ``pg_ctl`` from the machine's PostgreSQL binaries
  (Debian's ``/usr/lib/postgresql/<version>/bin``, else ``initdb`` on ``PATH``) with a data
  directory in a temporary folder. ``initdb`` refuses to run as root, so under root both run as
  the ``postgres`` user through ``runuser``. Authentication is ``trust`` on 127.0.0.1 only; a
  port taken between choosing and binding is retried on another.

Neither ever touches the network beyond the loopback interface.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

LOOPBACK = "127.0.0.1"
SCRUBBED_ENV_VARS = (
    "OKX_API_KEY",
    "OKX_SECRET_KEY",
    "OKX_PASSPHRASE",
    "OKX_SITE",
    "OKX_EXECUTABLE",
    "OKX_HOME",
    "OKX_AUTH_CHAT_MODEL",
    "OKX_AUTH_LANGUAGE",
    "OKX_INTERACTIVE_LOGIN",
    "OKX_TIMEOUT",
    "OKX_LOGIN_TIMEOUT",
    "OKX_API_BASE_URL",
    "LANGSMITH_API_KEY",
    "LANGCHAIN_API_KEY",
)
"""Variables of the calling environment never passed on to a test server."""

QUIET_ENV: Mapping[str, str] = {
    "LANGSMITH_TRACING": "false",
    "LANGSMITH_TRACING_V2": "false",
    "LANGCHAIN_TRACING_V2": "false",
    "LANGCHAIN_TRACING": "false",
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "PYTHONUNBUFFERED": "1",
}
"""Tracing off (LangSmith) and the langgraph CLI's usage analytics off."""

LOG_TAIL_CHARS = 6000
START_ATTEMPTS = 3
"""Tries on fresh free ports when another process takes the chosen one first."""


class ServerStartError(RuntimeError):
    """A test server did not start; the message ends with the tail of its log."""


class PostgresUnavailableError(RuntimeError):
    """No PostgreSQL server binaries (or no way to run them) on this machine."""


def free_port(host: str = LOOPBACK) -> int:
    """Return a TCP port on ``host`` that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def log_tail(path: Path, chars: int = LOG_TAIL_CHARS) -> str:
    """Return the last ``chars`` characters of a log file (or a note that it is missing)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"<no log at {path}: {exc}>"
    return text[-chars:]


def venv_script(name: str) -> str:
    """Find a console script of this environment (next to the interpreter), else on ``PATH``."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} is neither beside {sys.executable} nor on PATH")
    return found


def emulator_env(
    state_dir: Path, home: Path, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """An environment in which ``okx-emulator`` and the shim use the world in ``state_dir``."""
    env = dict(os.environ if base is None else base)
    for name in SCRUBBED_ENV_VARS:
        env.pop(name, None)
    env.update(QUIET_ENV)
    env["HOME"] = str(home)
    env["OKX_EMULATOR_STATE"] = str(state_dir)
    return env


def run_emulator_cli(
    args: Sequence[str], *, env: Mapping[str, str], timeout: float = 30.0
) -> subprocess.CompletedProcess[str]:
    """Run ``okx-emulator *args`` (e.g. ``["world", "approve"]``); raise if it fails.

    Raises:
        subprocess.CalledProcessError: With the emulator's output, if it exits non-zero.
    """
    return subprocess.run(
        [venv_script("okx-emulator"), *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


def stop_process_group(proc: subprocess.Popen[bytes], *, grace: float = 20.0) -> None:
    """SIGTERM the process group led by ``proc``, then SIGKILL it if still alive after ``grace``."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        return


@dataclass(frozen=True)
class LanggraphServer:
    """A running ``langgraph dev`` server with the okx emulator as ``okx``.

    Attributes:
        url: Base URL, e.g. ``http://127.0.0.1:53211`` (give it to ``get_client(url=...)``).
        state_dir: The emulator world the server's ``okx`` uses (``OKX_EMULATOR_STATE``).
        home: The server's ``HOME``.
        work_dir: The server's working directory (holds its ``.langgraph_api/`` state).
        log_path: Where the server's stdout and stderr go.
        env: The server's environment; run ``okx-emulator`` with it to act on the same world.
        pid: The server's process id (leader of its process group).
    """

    url: str
    state_dir: Path
    home: Path
    work_dir: Path
    log_path: Path
    env: Mapping[str, str] = field(repr=False)
    pid: int

    def emulator(self, *args: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
        """Run ``okx-emulator *args`` on this server's world (``world approve``, ``calls``...)."""
        return run_emulator_cli(args, env=self.env, timeout=timeout)

    def log(self) -> str:
        """The tail of the server log (for failure messages)."""
        return log_tail(self.log_path)


def link_project(project_dir: Path, work_dir: Path) -> None:
    """Fill ``work_dir`` with symlinks to each top-level entry of ``project_dir``.

    ``.langgraph_api`` (the dev server's own state) and ``.git`` are left out, so the server
    sees the project's files as they are but keeps its state in ``work_dir``.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    for entry in project_dir.iterdir():
        if entry.name in {".langgraph_api", ".git"}:
            continue
        (work_dir / entry.name).symlink_to(entry.resolve())


def wait_until_ok(
    url: str | Callable[[], str | None],
    proc: subprocess.Popen[bytes],
    log_path: Path,
    *,
    timeout: float,
) -> str:
    """Poll ``url`` until it answers 200, the process exits, or ``timeout`` elapses.

    Args:
        url: The URL to poll, or a function giving it (asked before each try; ``None``: not
            known yet, keep waiting).
        proc: The server process; its exit ends the wait.
        log_path: The server log, quoted on failure.
        timeout: Seconds to wait.

    Returns:
        The URL that answered.

    Raises:
        ServerStartError: If the server exited or did not answer in time (with its log tail).
    """
    url_now: Callable[[], str | None] = url if callable(url) else lambda: url
    deadline = time.monotonic() + timeout
    last_error = "no answer yet"
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise ServerStartError(
                    f"server exited with {proc.returncode} before answering {url_now() or ''}\n"
                    f"--- log {log_path} ---\n{log_tail(log_path)}"
                )
            target = url_now()
            if target is None:
                time.sleep(0.25)
                continue
            try:
                response = client.get(target)
            except httpx.HTTPError as exc:
                last_error = repr(exc)
            else:
                if response.status_code == httpx.codes.OK:
                    return target
                last_error = f"HTTP {response.status_code}"
            time.sleep(0.25)
    raise ServerStartError(
        f"{url_now() or 'the server'} did not answer within {timeout:.0f}s ({last_error})\n"
        f"--- log {log_path} ---\n{log_tail(log_path)}"
    )


_ANNOUNCED_API = re.compile(r"API: (?:\x1b\[[0-9;]*m)*(http://127\.0\.0\.1:\d+)")


def announced_api_url(log_path: Path) -> str | None:
    """The base URL ``langgraph dev`` announced in its log (it moves on if the port is taken)."""
    match = _ANNOUNCED_API.search(log_tail(log_path, chars=1 << 20))
    return match.group(1) if match else None


@contextlib.contextmanager
def langgraph_dev_server(
    project_dir: Path,
    base_dir: Path,
    *,
    port: int | None = None,
    startup_timeout: float = 180.0,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[LanggraphServer]:
    """Run ``langgraph dev`` for ``project_dir/langgraph.json`` with the emulator as ``okx``.

    Args:
        project_dir: The folder holding ``langgraph.json``.
        base_dir: An empty folder for the server's HOME, emulator world, shim, state and log.
        port: The port to bind on 127.0.0.1 (a free one by default).
        startup_timeout: Seconds to wait for ``/ok`` before failing.
        extra_env: More environment variables for the server.

    Yields:
        The running server; it is stopped (process group SIGTERM, then SIGKILL) on exit.

    Raises:
        ServerStartError: If the server does not answer ``/ok`` in time.
    """
    home, state_dir, shim_dir = base_dir / "home", base_dir / "emulator", base_dir / "bin"
    work_dir, log_path = base_dir / "work", base_dir / "langgraph-dev.log"
    for folder in (home, state_dir, shim_dir):
        folder.mkdir(parents=True, exist_ok=True)
    link_project(project_dir.resolve(), work_dir)

    env = emulator_env(state_dir, home)
    run_emulator_cli(["shim", str(shim_dir)], env=env)
    run_emulator_cli(["world", "init"], env=env)
    env["PATH"] = os.pathsep.join(
        [str(shim_dir), str(Path(sys.executable).parent), env.get("PATH", os.defpath)]
    )
    env.update(extra_env or {})

    chosen_port = port or free_port()
    requested = f"http://{LOOPBACK}:{chosen_port}"
    proc = _spawn_langgraph_dev(chosen_port, work_dir, env, log_path)

    def announced_ok_url() -> str | None:
        announced = announced_api_url(log_path)
        return f"{announced}/ok" if announced else None

    try:
        answered = wait_until_ok(announced_ok_url, proc, log_path, timeout=startup_timeout)
    except ServerStartError:
        stop_process_group(proc)
        raise
    url = answered.removesuffix("/ok")
    if port is not None and url != requested:
        stop_process_group(proc)
        raise ServerStartError(f"port {port} is taken: langgraph dev moved to {url}")
    try:
        yield LanggraphServer(
            url=url,
            state_dir=state_dir,
            home=home,
            work_dir=work_dir,
            log_path=log_path,
            env=env,
            pid=proc.pid,
        )
    finally:
        stop_process_group(proc)


def _spawn_langgraph_dev(
    port: int, work_dir: Path, env: Mapping[str, str], log_path: Path
) -> subprocess.Popen[bytes]:
    argv = [
        venv_script("langgraph"),
        "dev",
        "--no-browser",
        "--no-reload",
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--config",
        str(work_dir / "langgraph.json"),
    ]
    with log_path.open("wb") as log:
        return subprocess.Popen(
            argv,
            cwd=work_dir,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def port_was_taken(failure: str) -> bool:
    """Whether a start-up failure says the port was taken (another process won the race)."""
    return "address already in use" in failure.lower()


@dataclass(frozen=True)
class PostgresServer:
    """A running throw-away PostgreSQL server.

    Attributes:
        dsn: ``postgresql://postgres@127.0.0.1:PORT/postgres`` (trust authentication).
        port: The TCP port on 127.0.0.1.
        data_dir: The cluster's data directory (deleted on exit).
        log_path: The server log.
        bin_dir: Where ``initdb``/``pg_ctl``/``postgres`` came from.
        version: The server's ``postgres --version`` line.
    """

    dsn: str
    port: int
    data_dir: Path
    log_path: Path
    bin_dir: Path
    version: str

    def log(self) -> str:
        """The tail of the server log (for failure messages)."""
        return log_tail(self.log_path)


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.parent.name)) or (0,)


def find_postgres_bin_dir() -> Path | None:
    """Locate PostgreSQL's server binaries: ``$OKX_PG_BINDIR``, Debian's newest, or ``PATH``."""
    override = os.environ.get("OKX_PG_BINDIR")
    if override:
        return Path(override) if (Path(override) / "initdb").exists() else None
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_version_key)
    if debian:
        return debian[-1].parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _as_postgres_user() -> tuple[list[str], pwd.struct_passwd | None]:
    """The command prefix that runs PostgreSQL tools as a non-root user, and that user."""
    if os.geteuid() != 0:
        return [], None
    try:
        user = pwd.getpwnam("postgres")
    except KeyError as exc:
        raise PostgresUnavailableError(
            "running as root and there is no 'postgres' user to run initdb as"
        ) from exc
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresUnavailableError("running as root and runuser is missing")
    return [runuser, "-u", "postgres", "--"], user


def _run(
    argv: Sequence[str],
    *,
    timeout: float,
    what: str,
    log_path: Path | None = None,
    cwd: Path | None = None,
) -> str:
    try:
        done = subprocess.run(
            list(argv), capture_output=True, text=True, timeout=timeout, check=False, cwd=cwd
        )
    except subprocess.TimeoutExpired as exc:
        raise ServerStartError(f"{what} timed out after {timeout:.0f}s") from exc
    if done.returncode != 0:
        tail = f"\n--- log ---\n{log_tail(log_path)}" if log_path else ""
        raise ServerStartError(
            f"{what} failed ({done.returncode}): {done.stdout}\n{done.stderr}{tail}"
        )
    return done.stdout


@contextlib.contextmanager
def postgres_server(*, startup_timeout: float = 60.0) -> Iterator[PostgresServer]:
    """Start a PostgreSQL cluster on 127.0.0.1 in a temporary folder; stop and delete it after.

    Args:
        startup_timeout: Seconds ``pg_ctl start`` may take.

    Yields:
        The running server.

    Raises:
        PostgresUnavailableError: If no server binaries can be found or run here.
        ServerStartError: If ``initdb`` or ``pg_ctl start`` fails (with the server log).
    """
    bin_dir = find_postgres_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailableError(
            "no PostgreSQL server binaries (initdb) in /usr/lib/postgresql/*/bin or on PATH; "
            "install them with: apt-get install postgresql"
        )
    prefix, user = _as_postgres_user()
    # The postgres user must reach the folder: a root-only $TMPDIR would not do, /tmp does.
    shared_tmp = "/tmp" if user else None
    root = Path(tempfile.mkdtemp(prefix="okx-auth-graph-pg-", dir=shared_tmp))
    if user is not None:
        os.chown(root, user.pw_uid, user.pw_gid)
    data_dir, log_path = root / "data", root / "postgres.log"
    pg_ctl = str(bin_dir / "pg_ctl")
    version = _run([str(bin_dir / "postgres"), "--version"], timeout=30, what="postgres --version")
    started = False
    try:
        _run(
            [
                *prefix,
                str(bin_dir / "initdb"),
                "--pgdata",
                str(data_dir),
                "--username",
                "postgres",
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
            ],
            timeout=120,
            what="initdb",
            cwd=root,
        )
        settings = {
            "listen_addresses": f"'{LOOPBACK}'",
            "unix_socket_directories": f"'{root}'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "40",
        }
        with (data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        started = True
        for attempt in range(1, START_ATTEMPTS + 1):
            port = free_port()
            with (data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
                conf.write(f"port = {port}\n")
            try:
                _run(
                    [
                        *prefix,
                        pg_ctl,
                        "--pgdata",
                        str(data_dir),
                        "--log",
                        str(log_path),
                        "--wait",
                        "--timeout",
                        str(int(startup_timeout)),
                        "start",
                    ],
                    timeout=startup_timeout + 10,
                    what="pg_ctl start",
                    cwd=root,
                    log_path=log_path,
                )
            except ServerStartError as exc:
                if attempt < START_ATTEMPTS and port_was_taken(str(exc)):
                    continue
                raise
            break
        _run(
            [str(bin_dir / "pg_isready"), "--host", LOOPBACK, "--port", str(port)],
            timeout=30,
            what="pg_isready",
            log_path=log_path,
        )
        yield PostgresServer(
            dsn=f"postgresql://postgres@{LOOPBACK}:{port}/postgres",
            port=port,
            data_dir=data_dir,
            log_path=log_path,
            bin_dir=bin_dir,
            version=version.strip(),
        )
    finally:
        if started:
            try:
                _run(
                    [
                        *prefix,
                        pg_ctl,
                        "--pgdata",
                        str(data_dir),
                        "--mode",
                        "fast",
                        "--wait",
                        "stop",
                    ],
                    timeout=60,
                    what="pg_ctl stop",
                    cwd=root,
                )
            except ServerStartError:
                _kill_postmaster(data_dir)
        shutil.rmtree(root, ignore_errors=True)


def _kill_postmaster(data_dir: Path) -> None:
    """SIGKILL the postmaster named in ``data_dir/postmaster.pid``, if any (last resort)."""
    try:
        pid = int((data_dir / "postmaster.pid").read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)
