"""The test-server helpers fail loudly and clean up after themselves."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.rigs import servers
from tests.rigs.servers import (
    PostgresUnavailableError,
    ServerStartError,
    announced_api_url,
    find_postgres_bin_dir,
    free_port,
    link_project,
    postgres_server,
    stop_process_group,
    wait_until_ok,
)


def spawn(code: str, log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def test_a_server_that_exits_fails_with_its_log(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    proc = spawn("print('address already in use'); raise SystemExit(3)", log)
    with pytest.raises(ServerStartError, match="exited with 3") as failure:
        wait_until_ok(f"http://127.0.0.1:{free_port()}/ok", proc, log, timeout=60)
    assert "address already in use" in str(failure.value)


def test_a_server_that_never_answers_times_out_with_its_log(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    proc = spawn("print('still importing', flush=True); import time; time.sleep(60)", log)
    try:
        with pytest.raises(ServerStartError, match="did not answer within 1s") as failure:
            wait_until_ok(f"http://127.0.0.1:{free_port()}/ok", proc, log, timeout=1)
        assert "still importing" in str(failure.value)
    finally:
        stop_process_group(proc)


def test_stopping_kills_the_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    code = (
        "import subprocess, sys, time, pathlib\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
        f"pathlib.Path({str(pid_file)!r}).write_text(str(child.pid))\n"
        "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "time.sleep(120)\n"
    )
    proc = spawn(code, tmp_path / "log")
    deadline = time.monotonic() + 30
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    grandchild = int(pid_file.read_text())

    stop_process_group(proc, grace=1.0)

    assert proc.returncode == -signal.SIGKILL, "SIGTERM was ignored, so SIGKILL followed"
    deadline = time.monotonic() + 10
    while True:
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            break
        state = Path(f"/proc/{grandchild}/stat").read_text().split()[2]
        if state == "Z":
            break
        assert time.monotonic() < deadline, "the grandchild survived"
        time.sleep(0.05)


def test_the_server_works_in_links_to_the_project_but_keeps_its_state(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / ".langgraph_api").mkdir(parents=True)
    (project / "pkg").mkdir()
    (project / "langgraph.json").write_text("{}")
    work = tmp_path / "work"
    link_project(project, work)
    assert sorted(p.name for p in work.iterdir()) == ["langgraph.json", "pkg"]
    assert (work / "pkg").resolve() == (project / "pkg").resolve()


def test_missing_postgres_binaries_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_PG_BINDIR", str(tmp_path))
    assert find_postgres_bin_dir() is None
    with pytest.raises(PostgresUnavailableError, match="apt-get install postgresql"):
        postgres_server().__enter__()


def test_the_port_langgraph_dev_announces_is_the_one_used(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    assert announced_api_url(log) is None
    log.write_text(
        "WARNING:langgraph_api.cli:Port 44611 is already in use, using port 38157 instead.\n"
        "- \N{ROCKET} API: \x1b[36mhttp://127.0.0.1:38157\x1b[0m\n",
        encoding="utf-8",
    )
    assert announced_api_url(log) == "http://127.0.0.1:38157"


@pytest.mark.server
def test_postgres_moves_on_when_its_port_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    if find_postgres_bin_dir() is None and not os.environ.get("CI"):
        pytest.skip("no PostgreSQL server binaries (under CI this fails instead)")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        offers = iter([taken])
        monkeypatch.setattr(
            servers, "free_port", lambda host="127.0.0.1": next(offers, 0) or free_port()
        )
        with postgres_server() as server:
            assert server.port != taken
            assert f":{server.port}/" in server.dsn
