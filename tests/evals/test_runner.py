"""The in-process runner: replies, call checks, expectation failures, the eval command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from okx_auth_graph.evals.__main__ import main
from okx_auth_graph.evals.runner import (
    InProcessRunner,
    Turn,
    check_cli_calls,
    check_expect,
    compute_reply,
    first_difference,
)
from okx_auth_graph.evals.scenario import CliCalls, Expect, parse_scenario
from okx_auth_graph.evals.texts import site_menu
from okx_auth_graph.evals.trajectory import InterruptRecord, Message, OkxCall

CS = ["config", "show", "--json"]
AS = ["auth", "status", "--json"]
REPO = Path(__file__).resolve().parents[2]


def call(argv: list[str]) -> OkxCall:
    return {"argv": argv, "started": 0.0, "ended": 1.0, "exit_code": 0}


def test_reply_joins_new_ai_texts_and_the_pending_question_once() -> None:
    messages: list[Message] = [
        {"role": "human", "content": "log in"},
        {"role": "ai", "content": "menu"},
        {"role": "human", "content": "2"},
        {"role": "ai", "content": "notice"},
        {"role": "ai", "content": "challenge"},
    ]
    pending: InterruptRecord = {"type": "await_authorization", "payload": {"message": "challenge"}}
    assert compute_reply(messages, 2, pending, None) == "notice\n\nchallenge"
    assert compute_reply(messages, 0, None, "menu") == "notice\n\nchallenge"
    question: InterruptRecord = {"type": "choose_site", "payload": {"message": "menu"}}
    assert compute_reply(messages[:3], 2, question, "menu") == "menu"


def test_preflight_pair_in_either_order() -> None:
    assert first_difference([CS, AS, ["x"]], [AS, CS, ["x"]]) is None
    assert first_difference([CS, ["x"], AS], [AS, ["x"], CS]) == 0
    login = ["auth", "login"]
    assert first_difference([CS, AS, login, AS, CS, AS], [AS, CS, login, AS, AS, CS]) is None
    assert first_difference([CS, AS, login], [AS, CS, login, AS]) == 3
    expected = CliCalls(exact=[CS, AS, ["auth", "login"]])
    assert check_cli_calls(expected, [call(AS), call(CS), call(["auth", "login"])]) == []
    problems = check_cli_calls(expected, [call(AS), call(CS)])
    assert "differ at #2: expected auth login, got (no more calls)" in problems[0]


def test_include_exclude_and_count() -> None:
    calls = [call(CS), call(AS), call(["auth", "logout"])]
    assert check_cli_calls(CliCalls(include=[AS, CS, ["auth", "logout"]], count=3), calls) == []
    assert check_cli_calls(CliCalls(include=[CS, AS]), calls) == []
    assert check_cli_calls(CliCalls(include=[["auth", "logout"]]), calls) == []
    assert "not found" in check_cli_calls(CliCalls(include=[["auth", "logout"], CS]), calls)[0]
    assert "was called" in check_cli_calls(CliCalls(exclude_prefix=[["auth"]]), calls)[0]
    assert "expected 2 calls, got 3" in check_cli_calls(CliCalls(count=2), calls)[0]


def test_expect_reports_each_difference() -> None:
    turn = Turn(
        messages=[],
        interrupt={"type": "choose_site", "payload": {"message": "m", "site": None}},
        values={"outcome": None, "route": "okx-cex-trade"},
    )
    expect = Expect(
        interrupt="await_authorization",
        route=None,
        reply_contains=["登录成功"],
        reply_excludes=["m"],
        payload={"site": "eea"},
        okx_calls=4,
    )
    problems = check_expect(expect, turn, "m", 2)
    assert any(
        p.startswith("interrupt: expected 'await_authorization', got 'choose_site'")
        for p in problems
    )
    assert any(p.startswith("route: expected None") for p in problems)
    assert any(p.startswith("reply_contains") for p in problems)
    assert any(p.startswith("reply_excludes") for p in problems)
    assert any(p.startswith("payload.site") for p in problems)
    assert any(p.startswith("okx_calls: expected 4, got 2") for p in problems)
    assert check_expect(Expect(interrupt="choose_site", route="okx-cex-trade"), turn, "m", 2) == []


async def test_wrong_expectations_name_scenario_step_and_difference() -> None:
    scenario = parse_scenario(
        {
            "id": "wrong-on-purpose",
            "input": {"request": "log in"},
            "steps": [
                {"expect": {"interrupt": "await_authorization"}},
                {"user": "2"},
                {"expect": {"reply_contains": ["站点: us"]}},
            ],
            "cli_calls": {"exact": [CS, AS]},
        }
    )
    result = await InProcessRunner().run(scenario)
    assert not result.passed
    assert result.failures[0] == (
        "wrong-on-purpose: steps[0] (expect): interrupt: expected 'await_authorization', "
        "got 'choose_site'"
    )
    assert result.failures[1].startswith("wrong-on-purpose: steps[2] (expect): reply_contains")
    assert result.failures[2].startswith("wrong-on-purpose: cli_calls: exact: calls differ at #2")
    assert result.violations == []
    assert result.okx_calls == 3
    assert result.turns == 2


async def test_trajectory_records_entries_world_and_checkpoints() -> None:
    scenario = parse_scenario(
        {
            "id": "recorded",
            "okx": {"config": {"profiles": {"p": {"api_key": "AK-SECRET-1", "site": "eea"}}}},
            "input": {"request": "balance"},
        }
    )
    result = await InProcessRunner().run(scenario)
    assert result.passed, result.failures + [v["detail"] for v in result.violations]
    trajectory = result.trajectory
    assert trajectory.secrets == ["AK-SECRET-1"]
    entry = trajectory.entries[0]
    assert entry["kind"] == "input"
    assert entry["world"] is not None
    assert entry["world"]["api_key_profiles"] == ["p"]
    assert entry["state"]["outcome"] == "api_key_configured"
    assert {tuple(c["argv"]) for c in trajectory.calls} == {tuple(CS), tuple(AS)}
    assert trajectory.snapshots
    assert "AK-SECRET-1" not in json.dumps(trajectory.snapshots, ensure_ascii=False)
    without = await InProcessRunner().run(scenario, history=False)
    assert without.passed
    assert without.trajectory.snapshots == []


async def test_reply_without_a_question_and_bad_world_event_fail_the_scenario() -> None:
    no_question = parse_scenario(
        {"id": "q", "input": {"request": "BTC price"}, "steps": [{"user": "2"}]}
    )
    result = await InProcessRunner().run(no_question)
    assert result.failures == ["q: steps[0] (user): reply '2' but no question is pending"]
    no_code = parse_scenario(
        {"id": "b", "input": {"request": "BTC price"}, "steps": [{"browser": "approve"}]}
    )
    result = await InProcessRunner().run(no_code)
    assert result.failures[0].startswith("b: steps[0] (browser): WorldError")
    lenient = await InProcessRunner().run(no_code, lenient=True)
    assert lenient.failures == []


def test_eval_command_table_reports_and_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(
        "id: good\ninput: {request: log in}\nsteps:\n"
        f"  - expect: {{interrupt: choose_site, reply_equals: {json.dumps(site_menu())}}}\n",
        encoding="utf-8",
    )
    report = tmp_path / "out" / "evals.json"
    assert main([str(good), "--report", str(report)]) == 0
    printed = capsys.readouterr().out
    assert "good" in printed
    assert "1/1 scenarios passed" in printed
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["summary"]["passed"] == 1
    assert document["results"][0]["okx_calls"] == 2
    assert "| good | yes | 2 | 1 | 0 |" in report.with_suffix(".md").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ninput: {request: log in}\nsteps: [{expect: {done: true}}]\n")
    assert main([str(good), "--sync", "--quiet"]) == 0
    assert "1/1 scenarios passed" in capsys.readouterr().out
    assert main([str(good), str(bad)]) == 1
    assert "FAIL bad: steps[0] (expect): done" in capsys.readouterr().out
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\n")
    assert main([str(broken)]) == 2
    assert "broken.yaml" in capsys.readouterr().out.replace("\n", "")  # wrapped at 80 columns
    assert main([str(tmp_path / "empty-dir-does-not-exist")]) == 2


def test_python_dash_m_and_console_script(tmp_path: Path) -> None:
    scenario = tmp_path / "market.yaml"
    scenario.write_text(
        "id: market\ninput: {request: 'BTC price?'}\n"
        "steps: [{expect: {done: true, outcome: no_auth_needed}}]\ncli_calls: {exact: []}\n",
        encoding="utf-8",
    )
    for command in (
        [sys.executable, "-m", "okx_auth_graph.evals", str(scenario)],
        [sys.executable, "-m", "okx_auth_graph", "eval", str(scenario)],
    ):
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "1/1 scenarios passed" in done.stdout


def test_report_masks_the_canary_secrets(tmp_path: Path) -> None:
    scenario = tmp_path / "key.yaml"
    scenario.write_text(
        "id: key\nokx: {config: {profiles: {p: {api_key: AK-SHOULD-NOT-LEAK, site: eea}}}}\n"
        "input: {request: balance}\n",
        encoding="utf-8",
    )
    report = tmp_path / "r.json"
    assert main([str(scenario), "--report", str(report)]) == 0
    text = report.read_text(encoding="utf-8")
    assert "AK-SHOULD-NOT-LEAK" not in text
    assert "AK…(18 chars)" in text


async def test_a_hanging_graph_fails_the_scenario(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from okx_auth_graph.evals import runner as runner_module

    monkeypatch.setattr(runner_module, "INVOCATION_TIMEOUT", 0.05)
    engine = InProcessRunner()

    async def hang(*args: object, **kwargs: object) -> Any:
        await asyncio.sleep(10)
        yield {}

    monkeypatch.setattr(engine.graph, "astream", hang)
    result = await engine.run(parse_scenario({"id": "slow", "input": {"request": "log in"}}))
    assert result.failures == ["slow: input: the graph did not answer within 0.05 s"]


def test_eval_outside_the_repository_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no evals/scenarios here
    assert main([]) == 2
    printed = " ".join(capsys.readouterr().out.split())
    assert "no evals/scenarios/ in" in printed
    assert "run from the repository root" in printed
    monkeypatch.chdir(REPO)
    # the default corpora, found from the root (the threshold: what the run must reach)
    assert main(["--understanding", "--threshold", "0.7"]) == 0
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)
    assert main(["--understanding"]) == 2
    printed = " ".join(capsys.readouterr().out.split())
    assert "no corpus files under evals/understanding/ in" in printed
    assert "run from the repository root" in printed
