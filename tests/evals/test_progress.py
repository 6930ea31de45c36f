"""``okx-auth-graph eval`` shows a progress bar on a terminal only (pseudo-terminal vs pipe)."""

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


def terminal_run(args: list[str], cwd: Path) -> tuple[str, int]:
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    child = pexpect.spawn(
        EVAL[0],
        [*EVAL[1:], *args],
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
