"""The warm interpreter (tests/rigs/warm.py) runs ``python -m MODULE`` as a cold start would.

Each case runs one probe module both ways, cold (``python -m probe``) and through the warm
server, and compares what a test of the chat relies on: output and exit status, the folder,
environment, ``TMPDIR``, ``sys.argv`` and ``sys.path[0]``, a terminal's streams, Ctrl-C, an
uncaught exception, and a client killed mid-run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from tests.rigs import warm
from tests.rigs.terminal import default_ctrl_c

PROBE = """
import atexit, json, os, sys, tempfile, threading, time
UMASK = os.umask(0)
os.umask(UMASK)
mode = sys.argv[1]
if mode == "facts":
    print(json.dumps({
        "cwd": os.getcwd(), "tmp": tempfile.gettempdir(), "probe": os.environ.get("PROBE"),
        "argv": sys.argv[1:], "path0": sys.path[0], "main": __name__,
        "tty": [os.isatty(fd) for fd in (0, 1, 2)], "stdin": sys.stdin.read(),
        "umask": UMASK,
    }))
    print("to stderr", file=sys.stderr)
    sys.exit(int(os.environ.get("STATUS", "0")))
if mode == "raise":
    raise RuntimeError("a probe's error")
if mode == "prompt":
    line = input("probe> ")
    print(f"got {line!r}", flush=True)
if mode == "wait":
    open(sys.argv[2] + ".part", "w").write(str(os.getpid()))
    os.replace(sys.argv[2] + ".part", sys.argv[2])  # whole when it appears
    try:
        time.sleep(60)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(130)
if mode == "uncaught":
    atexit.register(print, "atexit ran")
    threading.Thread(target=lambda: (time.sleep(0.5), print("thread done"))).start()
    print("waiting", flush=True)
    time.sleep(60)
if mode == "shutdown":
    class Loud:
        def __del__(self):
            raise RuntimeError("boom at shutdown")
    keep = Loud()
    open("unclosed.txt", "w").write("data-not-closed")
    atexit.register(print, "atexit ran")
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = Path("/tmp") / f"okx-warm-{os.getpid()}-test.sock"
    with warm.warm_interpreter(["json"], path) as ready:
        yield ready


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "probe.py").write_text(PROBE, encoding="utf-8")
    (tmp_path / "tmp").mkdir()
    return tmp_path


def both(server: Path, *args: str) -> dict[str, list[str]]:
    cold = [sys.executable, "-m", "probe", *args]
    return {"cold": cold, "warm": warm.command(cold, server)}


def env_of(folder: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "TMPDIR": str(folder / "tmp"), "PROBE": "seen", **extra}


@pytest.mark.parametrize("status", ["0", "3"])
def test_output_status_folder_environment_and_argv_are_the_cold_runs(
    server: Path, folder: Path, status: str
) -> None:
    results = {
        way: subprocess.run(
            argv,
            cwd=folder,
            env=env_of(folder, STATUS=status),
            input="from stdin",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            umask=0o027,
        )
        for way, argv in both(server, "facts", "x y").items()
    }
    cold, hot = results["cold"], results["warm"]
    assert (hot.returncode, hot.stdout, hot.stderr) == (cold.returncode, cold.stdout, cold.stderr)
    facts = json.loads(hot.stdout)
    assert facts == {
        "cwd": str(folder),
        "tmp": str(folder / "tmp"),
        "probe": "seen",
        "argv": ["facts", "x y"],
        "path0": str(folder),
        "main": "__main__",
        "tty": [False, False, False],
        "stdin": "from stdin",
        "umask": 0o027,
    }
    assert hot.returncode == int(status)


def test_a_script_runs_as_python_script_runs_it(server: Path, folder: Path) -> None:
    cold = [sys.executable, str(folder / "probe.py"), "facts"]
    results = [
        subprocess.run(
            argv,
            cwd=folder / "tmp",
            env=env_of(folder),
            input="",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        for argv in (cold, warm.command(cold, server))
    ]
    assert [(r.returncode, r.stdout, r.stderr) for r in results[1:]] == [
        (r.returncode, r.stdout, r.stderr) for r in results[:1]
    ]
    facts = json.loads(results[1].stdout)
    assert (facts["cwd"], facts["path0"], facts["main"]) == (
        str(folder / "tmp"),
        str(folder),
        "__main__",
    )


def test_a_run_ends_as_the_interpreter_ends(server: Path, folder: Path) -> None:
    """Finalisation: atexit, an object's failing __del__ reported, a file left open flushed."""
    results = {}
    for way, argv in both(server, "shutdown").items():
        (folder / "unclosed.txt").unlink(missing_ok=True)
        done = subprocess.run(
            argv, cwd=folder, env=env_of(folder), capture_output=True, text=True, timeout=60
        )
        results[way] = (done.returncode, done.stdout, (folder / "unclosed.txt").read_text())
        assert "RuntimeError: boom at shutdown" in done.stderr, way
    assert results["warm"] == results["cold"] == (0, "atexit ran\n", "data-not-closed")


def test_the_server_imports_no_langgraph_nor_package_module() -> None:
    """A module imported before the fork is an attribute of its package in every run."""
    assert not {name.split(".")[0] for name in warm.PRELOADED} & {"langgraph", "okx_auth_graph"}


def test_an_uncaught_exception_is_a_traceback_and_status_1(server: Path, folder: Path) -> None:
    for way, argv in both(server, "raise").items():
        result = subprocess.run(
            argv, cwd=folder, env=env_of(folder), capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 1, way
        assert "Traceback" in result.stderr
        assert result.stderr.rstrip().endswith("RuntimeError: a probe's error"), way


def spawn(argv: list[str], folder: Path) -> pexpect.spawn:
    return pexpect.spawn(
        argv[0],
        argv[1:],
        cwd=str(folder),
        env=env_of(folder),
        encoding="utf-8",
        timeout=60,
        preexec_fn=default_ctrl_c,
    )


@pytest.mark.parametrize("way", ["cold", "warm"])
def test_a_terminal_prompt_and_ctrl_c_reach_the_run(server: Path, folder: Path, way: str) -> None:
    child = spawn(both(server, "prompt")[way], folder)
    child.expect_exact("probe> ")
    child.sendline("hello")
    child.expect_exact("got 'hello'")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    child = spawn(both(server, "wait", str(folder / f"{way}.pid"))[way], folder)
    while not (folder / f"{way}.pid").exists():
        child.expect(pexpect.TIMEOUT, timeout=0.05)
    child.sendintr()
    child.expect_exact("interrupted")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130

    child = spawn(both(server, "uncaught")[way], folder)
    child.expect_exact("waiting")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus == signal.SIGINT  # died by Ctrl-C, as Python does
    shown = child.before or ""
    assert "KeyboardInterrupt" in shown
    assert "thread done" in shown  # after the threads were joined and atexit ran
    assert "atexit ran" in shown


def test_a_killed_client_takes_its_run_with_it(server: Path, folder: Path) -> None:
    pid_file = folder / "run.pid"
    client = subprocess.Popen(
        both(server, "wait", str(pid_file))["warm"], cwd=folder, env=env_of(folder)
    )
    deadline = time.monotonic() + 60
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    run = int(pid_file.read_text())
    assert run != client.pid  # forked by the server, not the client itself
    client.kill()
    client.wait(timeout=30)
    assert gone(run, deadline), f"the run {run} outlived its killed client"


def gone(pid: int, deadline: float) -> bool:
    """Whether process ``pid`` ended (and was reaped) before ``deadline``."""
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


def test_the_server_ends_when_the_process_that_started_it_is_killed(folder: Path) -> None:
    """A test worker killed without its teardown leaves no server (nor its runs) behind."""
    path = Path("/tmp") / f"okx-warm-{os.getpid()}-orphan.sock"
    starter = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from tests.rigs import warm\n"
        "with warm.warm_interpreter([], Path(sys.argv[1])) as p:\n"
        "    print('up', flush=True)\n"
        "    time.sleep(60)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", starter, str(path)], cwd=warm.ROOT, stdout=subprocess.PIPE
    )
    assert parent.stdout is not None
    assert parent.stdout.readline() == b"up\n"
    pid_file = folder / "run.pid"
    client = subprocess.Popen(
        warm.command([sys.executable, "-m", "probe", "wait", str(pid_file)], path),
        cwd=folder,
        env=env_of(folder),
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    run = int(pid_file.read_text())
    parent.kill()
    parent.wait(timeout=30)
    assert client.wait(timeout=60) != 0  # its run was killed
    assert gone(run, deadline), f"the run {run} outlived the server's starter"
    path.unlink(missing_ok=True)


def test_without_a_server_the_client_runs_the_command_cold(folder: Path) -> None:
    missing = folder / "no-server.sock"
    result = subprocess.run(
        warm.command([sys.executable, "-m", "probe", "facts"], missing),
        cwd=folder,
        env=env_of(folder, STATUS="4"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 4
    assert json.loads(result.stdout)["probe"] == "seen"


def test_a_different_python_environment_starts_cold(server: Path, folder: Path) -> None:
    """PYTHONPATH is read at a start: the server's imports cannot honour another one."""
    extra = folder / "extra"
    extra.mkdir()
    (extra / "probe.py").write_text("print('from PYTHONPATH')\n", encoding="utf-8")
    result = subprocess.run(
        warm.command([sys.executable, "-m", "probe"], server),
        cwd=extra.parent / "tmp",
        env=env_of(folder, PYTHONPATH=str(extra)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "from PYTHONPATH\n")
