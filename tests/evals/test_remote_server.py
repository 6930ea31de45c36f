"""``eval --url`` against a real ``langgraph dev`` (the shared ``langgraph_server`` fixture).

The server's ``okx`` is the emulator, its world in ``langgraph_server.state_dir``; the runner
resets that world before each scenario and runs them one at a time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
]

pytestmark = pytest.mark.server


async def test_public_scenarios_pass_on_langgraph_dev(langgraph_server: Any) -> None:
    by_id = {s.id: s for s in load_scenarios([SUITE])}
    runner = RemoteRunner(langgraph_server.url, Path(langgraph_server.state_dir))
    results = await runner.run_all([by_id[name] for name in SERVER_SCENARIOS])
    for result in results:
        assert result.passed, result.failures + [v["detail"] for v in result.violations]
    assert sum(r.okx_calls for r in results) > 0
