"""Long runs show progress on a terminal only (pseudo-terminal vs pipe, and ``--quiet``).

``okx-auth-graph eval`` names the scenario in flight and keeps a running pass count (the
``--url`` run is checked against a real ``langgraph dev`` in ``test_remote_server.py``);
``python -m benchmarks.bench`` (``make bench``) names the measurement in flight; a generated
(hypothesis) run counts its examples on a line of its own (``tests/conftest.py``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from tests.rigs import warm

REPO = Path(__file__).resolve().parents[2]
SUITE = REPO / "evals" / "scenarios"
EVAL = warm.command([sys.executable, "-m", "okx_auth_graph", "eval"])
"""``python -m okx_auth_graph eval``, forked from a warm interpreter (tests/rigs/warm.py)."""
pytestmark = pytest.mark.usefixtures("warm_cli")
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


def test_quiet_shows_no_progress(tmp_path: Path) -> None:
    """In a pipe it is quiet too (the next test; tests/reliability/
    test_reliability_eval_report_canaries.py checks a passing run of the whole suite)."""
    quiet, status = terminal_run(["--quiet", str(suite(tmp_path))], REPO)
    assert status == 1
    assert "passed" not in quiet.split(PASSING)[0]  # nothing before the results table
    assert not re.search(r"\d/2 passed", quiet)
    assert PASSING in quiet  # the results are still printed


FORCING = {"FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR", "CLICOLOR_FORCE"}


def test_a_failing_run_in_a_pipe_exits_1_with_its_results_and_no_progress(
    tmp_path: Path,
) -> None:
    """The results (the failure in the table, its FAIL line, the count) and exit status 1; no
    bar, no carriage return, no escape sequence, though TERM has colours (bytes, not text:
    text mode would turn a carriage return into a newline)."""
    env = {name: value for name, value in os.environ.items() if name not in FORCING}
    env["TERM"] = "xterm-256color"
    done = subprocess.run(
        [*EVAL, str(suite(tmp_path))],
        cwd=REPO,
        env=env,
        capture_output=True,
        timeout=180,
        check=False,
    )
    raw = done.stdout + done.stderr
    printed = raw.decode("utf-8")
    assert done.returncode == 1, printed
    before, title, results = printed.partition("okx auth graph evals")
    assert title, printed
    assert before.strip() == "", printed  # nothing before the results table
    assert re.search(rf"^.*{BROKEN}\W.*\bNO\b", results, re.MULTILINE), results
    assert re.search(rf"^.*{PASSING}\W.*\byes\b", results, re.MULTILINE), results
    assert f"FAIL {BROKEN}: " in results
    assert "1/2 scenarios passed" in results
    assert not re.search(r"\d/2 passed", printed)  # no running count
    assert b"\r" not in raw
    assert b"\x1b" not in raw


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


def test_bench_is_quiet_with_quiet() -> None:
    """In a pipe it is quiet too: tests/reliability/test_reliability_bench_smoke.py's run (in a
    pipe, every measurement) checks for the same lines, and for no escape sequence."""
    quiet, status = terminal_run([*BENCH_ARGS, "--quiet"], REPO, BENCH)
    assert status == 0, quiet
    assert not PHASE.search(quiet)
    assert not OVERALL.search(quiet)
    assert "okx calls: fresh oauth login" in quiet


GENERATED = """
import time

import pytest
from hypothesis import given, settings, strategies as st


@pytest.fixture(scope="module")
def counter(reach):
    return reach("tiny generator", {"even": 0.1}, expected=24)


@settings(max_examples=24, deadline=None, derandomize=True, database=None)
@given(n=st.integers(0, 100))
def test_generated(n, counter):
    time.sleep(0.03)
    counter.example(*(["even"] if n % 2 == 0 else []))
"""
COUNTING = re.compile(r"tiny generator: (\d+)/24 examples, \d+:\d\d elapsed")


def generated_run(tmp_path: Path, *args: str, terminal: bool) -> tuple[str, int]:
    """pytest on a tiny generated test that uses the suite's ``reach`` (from tests/conftest.py)."""
    (tmp_path / "test_generated.py").write_text(GENERATED, encoding="utf-8")
    ini = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
    (tmp_path / "pytest.ini").write_text(ini, encoding="utf-8")
    pytest_args = ["-p", "tests.conftest", "-c", str(tmp_path / "pytest.ini")]
    pytest_args += ["-p", "no:langsmith_plugin"]  # as pyproject.toml's addopts, which -c replaces
    pytest_args += ["--rootdir", str(tmp_path), "-p", "no:cacheprovider", "-p", "no:randomly"]
    command = [sys.executable, "-m", "pytest", *pytest_args, *args, str(tmp_path)]
    if terminal:
        return terminal_run([], REPO, command)
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=180, check=False
    )
    return done.stdout + done.stderr, done.returncode


def test_a_generated_run_counts_its_examples_on_a_terminal(tmp_path: Path) -> None:
    output, status = generated_run(tmp_path, terminal=True)
    assert status == 0, output
    counts = [int(n) for n in COUNTING.findall(output)]
    assert len(counts) >= 2, output  # rewritten as it goes
    assert counts == sorted(counts)
    assert counts[-1] == 24  # the last count is the whole run
    assert "tiny generator: even:" in output  # the reach lines follow


def test_a_generated_run_is_quiet_with_q_or_in_a_pipe(tmp_path: Path) -> None:
    quiet, status = generated_run(tmp_path, "-q", terminal=True)
    assert status == 0, quiet
    piped, piped_status = generated_run(tmp_path, terminal=False)
    assert piped_status == 0, piped
    for output in (quiet, piped):
        assert not COUNTING.search(output), output
        assert "1 passed" in output
