"""Long runs show progress on a terminal only (pseudo-terminal vs pipe, and ``--quiet``).

``okx-auth-graph eval`` names the scenario in flight and keeps a running pass count (the
``--url`` run is checked against a real ``langgraph dev`` in ``test_remote_server.py``);
``python -m benchmarks.bench`` (``make bench``) names the measurement in flight.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect

REPO = Path(__file__).resolve().parents[2]
SUITE = REPO / "evals" / "scenarios"
EVAL = [sys.executable, "-m", "okx_auth_graph", "eval"]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PASSING = "route-market-en"
BROKEN = "status-logged-in-en"


def suite(tmp_path: Path) -> Path:
    """Two scenarios: one that passes, one whose expectation was made wrong (it fails)."""
    folder = tmp_path / "suite"
    folder.mkdir()
    shutil.copy(SUITE / f"{PASSING}.yaml", folder)
    broken = (SUITE / f"{BROKEN}.yaml").read_text(encoding="utf-8")
    broken = re.sub(r"outcome: \w+", "outcome: logged_out", broken, count=1)
    (folder / f"{BROKEN}.yaml").write_text(broken, encoding="utf-8")
    return folder


def terminal_run(args: list[str], cwd: Path, command: list[str] = EVAL) -> tuple[str, int]:
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    child = pexpect.spawn(
        command[0],
        [*command[1:], *args],
        env=env,
        cwd=str(cwd),
        encoding="utf-8",
        timeout=180,
        dimensions=(40, 160),
    )
    child.expect(pexpect.EOF)
    child.close()
    return ANSI.sub("", child.before or ""), int(child.exitstatus or 0)


def test_terminal_shows_the_scenario_in_flight_and_the_pass_count(tmp_path: Path) -> None:
    output, status = terminal_run([str(suite(tmp_path))], REPO)
    assert status == 1  # one scenario fails
    assert "1/2 passed" in output
    assert re.search(rf"{BROKEN}\s.*\d/2", output), "the bar names the scenario in flight"


def test_quiet_and_a_pipe_show_no_progress(tmp_path: Path) -> None:
    folder = suite(tmp_path)
    quiet, status = terminal_run(["--quiet", str(folder)], REPO)
    assert status == 1
    piped = subprocess.run(
        [*EVAL, str(folder)], cwd=REPO, capture_output=True, text=True, timeout=180, check=False
    )
    assert piped.returncode == 1
    for output in (quiet, piped.stdout + piped.stderr):
        assert "passed" not in output.split(PASSING)[0]  # nothing before the results table
        assert not re.search(r"\d/2 passed", output)
        assert PASSING in output  # the results are still printed


BENCH = [sys.executable, "-m", "benchmarks.bench"]
BENCH_ARGS = ["--smoke", "--no-postgres", "--only", "call_counts", "preflight"]
PHASE = re.compile(r"^ *(call_counts|preflight) .*\d/1", re.MULTILINE)
OVERALL = re.compile(r"^bench .*\d/2", re.MULTILINE)


def test_bench_shows_each_measurement_in_flight_on_a_terminal() -> None:
    output, status = terminal_run(BENCH_ARGS, REPO, BENCH)
    assert status == 0, output
    assert {m.group(1) for m in PHASE.finditer(output)} == {"call_counts", "preflight"}
    assert OVERALL.search(output), "the bar counts the measurements done"
    assert "okx calls: fresh oauth login" in output  # the table follows


def test_bench_is_quiet_with_quiet_or_in_a_pipe() -> None:
    quiet, status = terminal_run([*BENCH_ARGS, "--quiet"], REPO, BENCH)
    assert status == 0, quiet
    piped = subprocess.run(
        [*BENCH, *BENCH_ARGS], cwd=REPO, capture_output=True, text=True, timeout=180, check=False
    )
    assert piped.returncode == 0, piped.stdout + piped.stderr
    for output in (quiet, piped.stdout + piped.stderr):
        assert not PHASE.search(output)
        assert not OVERALL.search(output)
        assert "okx calls: fresh oauth login" in output
    assert "\x1b" not in piped.stdout  # no cursor movement or colour in a log
