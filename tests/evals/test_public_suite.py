"""The public scenario suite (evals/scenarios): every scenario passes and breaks no rule.

Each scenario runs through ``astream`` and again through ``stream`` (same trajectory), and every
transition between the nodes it ran is an edge of the drawn graph.

Also checks that the suite covers what the issue asks: at least 80 scenarios, both
languages, each of the five routes, every verbatim template, each question type, and the
anti-patterns the spec names.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from okx_auth_graph.evals.runner import InProcessRunner, ScenarioResult
from okx_auth_graph.evals.scenario import Scenario, load_scenarios
from tests.evals.edges import drawn_edges, undrawn_transitions

SUITE = Path(__file__).resolve().parents[2] / "evals" / "scenarios"
SCENARIOS = load_scenarios([SUITE])
ROUTES = {"okx-cex-trade", "okx-cex-portfolio", "okx-cex-earn", "okx-cex-bot", "okx-cex-market"}


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.Runner]:
    with asyncio.Runner() as runner:
        yield runner


@pytest.fixture(scope="module")
def runner(loop: asyncio.Runner) -> tuple[InProcessRunner, asyncio.Runner]:
    return InProcessRunner(), loop


@pytest.fixture(scope="module")
def sync_runner(loop: asyncio.Runner) -> tuple[InProcessRunner, asyncio.Runner]:
    return InProcessRunner(sync=True), loop


@pytest.fixture(scope="module")
def edges() -> set[tuple[str, str]]:
    return drawn_edges()


ASYNC_RESULTS: dict[str, ScenarioResult] = {}
"""The async run of each scenario, for the sync run to compare against."""


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario(
    scenario: Scenario,
    runner: tuple[InProcessRunner, asyncio.Runner],
    edges: set[tuple[str, str]],
) -> None:
    engine, loop = runner
    result = loop.run(engine.run(scenario))
    ASYNC_RESULTS[scenario.id] = result
    problems = result.failures + [f"{v['invariant']}: {v['detail']}" for v in result.violations]
    assert problems == [], "\n".join(problems)
    assert len(result.node_steps) == len(result.trajectory.entries)
    assert undrawn_transitions(result, edges) == []


USER_CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b")
WORLD_DIR = re.compile(r"okx-eval-\w+")


def comparable(result: ScenarioResult) -> Any:
    """A run's trajectory without wall-clock stamps (``*_at`` keys), parallel calls in a fixed order, and the
    emulator's random device codes and world folders blanked."""
    trajectory = result.trajectory
    calls = [c["argv"] for c in trajectory.calls]
    data = {
        "entries": [
            {
                **{k: v for k, v in entry.items() if k != "calls"},
                "calls": sorted(calls[entry["calls"][0] : entry["calls"][1]]),
            }
            for entry in trajectory.entries
        ],
        "messages": trajectory.messages,
        "final_state": {k: v for k, v in trajectory.final_state.items() if not k.endswith("_at")},
        "node_steps": result.node_steps,
        "failures": result.failures,
    }
    text = USER_CODE.sub("CODE", json.dumps(data, ensure_ascii=False))
    return json.loads(WORLD_DIR.sub("okx-eval-WORLD", text))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario_sync_matches_async(
    scenario: Scenario,
    runner: tuple[InProcessRunner, asyncio.Runner],
    sync_runner: tuple[InProcessRunner, asyncio.Runner],
) -> None:
    """``graph.stream`` plays every scenario exactly as ``graph.astream`` does."""
    engine, loop = sync_runner
    result = loop.run(engine.run(scenario, history=False))
    expected = ASYNC_RESULTS.get(scenario.id) or loop.run(runner[0].run(scenario))
    assert result.failures == []
    assert comparable(result) == comparable(expected)


def _expects(key: str) -> set[str]:
    return {
        str(getattr(step.expect, key))
        for s in SCENARIOS
        for step in s.steps
        if step.expect is not None and key in step.expect.model_fields_set
    }


def test_suite_size_and_unique_ids() -> None:
    assert len(SCENARIOS) >= 80
    assert len({s.id for s in SCENARIOS}) == len(SCENARIOS)


def test_suite_covers_routes_outcomes_and_questions() -> None:
    assert _expects("route") >= ROUTES
    assert _expects("outcome") >= {
        "logged_in",
        "api_key_configured",
        "no_auth_needed",
        "logged_out",
        "retry_declined",
        "binary_ready",
        "needs_user_action",
        "status_reported",
        "cancelled",
        "failed",
    }
    assert _expects("interrupt") >= {
        "choose_site",
        "await_authorization",
        "confirm_retry",
        "choose_api_key_fix",
        "await_profile_removal",
        "confirm_remove_binary",
    }


def test_suite_covers_both_languages_and_every_template() -> None:
    requests = [s.input.request for s in SCENARIOS]
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in r) for r in requests)
    assert any(r.isascii() for r in requests)
    text = json.dumps([s.model_dump() for s in SCENARIOS], ensure_ascii=False)
    prompts = SUITE.parents[1] / "prompts"
    for marker in (
        (prompts / "site_menu.zh.txt").read_text(encoding="utf-8"),
        "已配置 API key (profile: demo)",
        "请在浏览器中打开下面的链接并输入验证码完成授权:",
        "Please open the link below in your browser and enter the verification code",
        "登录成功。",
        "Login successful.",
        (prompts / "session_lifetime.en.txt").read_text(encoding="utf-8"),
    ):
        assert json.dumps(marker, ensure_ascii=False)[1:-1] in text, marker


def test_suite_has_the_spec_anti_patterns() -> None:
    by_id = {s.id: s for s in SCENARIOS}
    upstream = by_id["upstream-placeholder-global"]
    assert upstream.input.upstream_status == {"status": "not_logged_in", "site": "global"}
    assert upstream.steps[0].expect is not None
    assert upstream.steps[0].expect.interrupt == "choose_site"
    pending = [s for s in SCENARIOS if s.okx.auth.status == "pending"]
    assert any(s.cli_calls and ["auth", "login"] in s.cli_calls.exclude_prefix for s in pending)
    api_key = [s for s in SCENARIOS if s.okx.secrets()]
    assert any(s.cli_calls and ["auth", "login"] in s.cli_calls.exclude_prefix for s in api_key)
