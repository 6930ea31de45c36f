"""``eval --url`` against a real ``langgraph dev`` (the shared ``langgraph_server`` fixture).

The server's ``okx`` is the emulator, its world in ``langgraph_server.state_dir``; the runner
resets that world before each scenario and runs them one at a time.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest

from okx_auth_graph.evals.remote import RemoteRunner
from okx_auth_graph.evals.scenario import load_scenarios

SUITE = Path(__file__).resolve().parents[2] / "evals" / "scenarios"
SERVER_SCENARIOS = [
    "upstream-placeholder-global",
    "apikey-configured-zh",
    "route-market-en",
    "oauth-pending-signal-approved",
    "login-expired-retry-through-menu",
    "status-logged-in-en",
    "menu-reply-not-a-choice-english-hint",  # the re-ask hints reach an SDK client
    "remove-binary-unclear-reasks",
]

pytestmark = pytest.mark.server


async def test_public_scenarios_pass_on_langgraph_dev(langgraph_server: Any) -> None:
    by_id = {s.id: s for s in load_scenarios([SUITE])}
    runner = RemoteRunner(langgraph_server.url, Path(langgraph_server.state_dir))
    results = await runner.run_all([by_id[name] for name in SERVER_SCENARIOS])
    for result in results:
        assert result.passed, result.failures + [v["detail"] for v in result.violations]
    assert sum(r.okx_calls for r in results) > 0


def test_eval_url_shows_progress_on_a_terminal(langgraph_server: Any, tmp_path: Path) -> None:
    """The remote run (minutes for the whole suite) names the scenario in flight as it goes."""
    folder = tmp_path / "suite"
    folder.mkdir()
    for name in SERVER_SCENARIOS[:2]:
        (folder / f"{name}.yaml").write_bytes((SUITE / f"{name}.yaml").read_bytes())
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    args = ["-m", "okx_auth_graph", "eval", "--url", langgraph_server.url]
    args += ["--state-dir", str(langgraph_server.state_dir), str(folder)]
    child = pexpect.spawn(
        sys.executable, args, env=env, encoding="utf-8", timeout=300, dimensions=(40, 160)
    )
    child.expect(pexpect.EOF)
    child.close()
    output = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.before or "")
    assert child.exitstatus == 0, output
    assert "2/2 passed" in output
    assert re.search(rf"{SERVER_SCENARIOS[1]}\s.*\d/2", output)
