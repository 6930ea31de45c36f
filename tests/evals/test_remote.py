"""``eval --url``: the remote runner against a LangGraph server's HTTP API, mocked with respx.

The mocked server is a faithful stand-in for the endpoints the runner uses (create a thread,
wait for a run, read the state and the history): it runs the real graph in this process on
an emulator world in a directory shared with the runner, as ``langgraph dev`` does with
``OKX_EMULATOR_STATE``. The same scenarios run against a real ``langgraph dev`` in
``test_remote_server.py``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
import respx
from langchain_core.messages import BaseMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from okx_auth_graph import Context, OkxCli, build_graph
from okx_auth_graph.evals.__main__ import main
from okx_auth_graph.evals.remote import RemoteRunner
from okx_auth_graph.evals.scenario import load_scenarios
from okx_auth_graph.testing import OkxEmulator

URL = "http://127.0.0.1:2024"
SUITE = Path(__file__).resolve().parents[2] / "evals" / "scenarios"
REMOTE_SCENARIOS = [
    "upstream-placeholder-global",
    "apikey-configured-zh",
    "route-market-en",
    "login-denied-retry-declined",
    "oauth-pending-signal-approved",
    "cancel-at-menu",
]


def message_json(message: BaseMessage) -> dict[str, Any]:
    return {"type": message.type, "content": message.content, "id": message.id}


class FakeServer:
    """The LangGraph server endpoints the runner uses, backed by the real graph in-process."""

    def __init__(self, state_dir: Path) -> None:
        self.emulator = OkxEmulator(state_dir, latency=0.002)
        self.graph = build_graph(cli=OkxCli(runner=self.emulator), checkpointer=InMemorySaver())
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.fail_threads = False

    def config(self, thread_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": thread_id}}

    async def state(self, thread_id: str) -> dict[str, Any]:
        snapshot = await self.graph.aget_state(self.config(thread_id))
        return self._state_json(snapshot)

    def _state_json(self, snapshot: Any) -> dict[str, Any]:
        values = dict(snapshot.values)
        values["messages"] = [message_json(m) for m in values.get("messages", [])]
        return {
            "values": values,
            "next": list(snapshot.next),
            "tasks": [],
            "interrupts": [{"value": i.value, "id": i.id} for i in snapshot.interrupts],
            "checkpoint": {"thread_id": snapshot.config["configurable"]["thread_id"]},
        }

    def create_thread(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(("create", json.loads(request.content or b"{}")))
        if self.fail_threads:
            return httpx.Response(500, json={"detail": "database is down"})
        return httpx.Response(200, json={"thread_id": str(uuid.uuid4()), "metadata": {}})

    async def wait(self, request: httpx.Request, thread_id: str) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(("wait", body))
        if body.get("input") is not None:
            payload: Any = dict(body["input"])
            payload["messages"] = [HumanMessage(m["content"]) for m in payload["messages"]]
        else:
            payload = Command(resume=body["command"]["resume"])
        config = cast(RunnableConfig, {**self.config(thread_id), **(body.get("config") or {})})
        context = Context(**(body.get("context") or {}))
        try:
            await self.graph.ainvoke(payload, config, context=context)
        except Exception as exc:  # the server reports a failed run in the body
            return httpx.Response(
                200, json={"__error__": {"error": type(exc).__name__, "message": str(exc)}}
            )
        return httpx.Response(200, json=(await self.state(thread_id))["values"])

    async def get_state(self, request: httpx.Request, thread_id: str) -> httpx.Response:
        self.requests.append(("state", {}))
        return httpx.Response(200, json=await self.state(thread_id))

    async def history(self, request: httpx.Request, thread_id: str) -> httpx.Response:
        states = [
            self._state_json(s) async for s in self.graph.aget_state_history(self.config(thread_id))
        ]
        return httpx.Response(200, json=states)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[FakeServer]:
    fake = FakeServer(tmp_path / "world")
    with respx.mock(base_url=URL, assert_all_called=False) as mock:
        mock.post("/threads").mock(side_effect=fake.create_thread)
        mock.post(path__regex=r"/threads/(?P<thread_id>[^/]+)/runs/wait").mock(
            side_effect=fake.wait
        )
        mock.get(path__regex=r"/threads/(?P<thread_id>[^/]+)/state").mock(
            side_effect=fake.get_state
        )
        mock.post(path__regex=r"/threads/(?P<thread_id>[^/]+)/history").mock(
            side_effect=fake.history
        )
        yield fake


def scenarios(names: list[str]) -> list[Any]:
    by_id = {s.id: s for s in load_scenarios([SUITE])}
    return [by_id[name] for name in names]


async def test_remote_runner_passes_public_scenarios(server: FakeServer, tmp_path: Path) -> None:
    runner = RemoteRunner(URL, tmp_path / "world")
    results = await runner.run_all(scenarios(REMOTE_SCENARIOS))
    for result in results:
        assert result.passed, result.failures + [v["detail"] for v in result.violations]
    first = next(r for r in results if r.id == "upstream-placeholder-global")
    assert first.okx_calls == 4
    assert first.turns == 3
    waits = [body for kind, body in server.requests if kind == "wait"]
    assert waits[0]["assistant_id"] == "okx_auth"
    assert waits[0]["input"]["messages"] == [{"type": "human", "content": "帮我查一下账户余额"}]
    assert waits[0]["input"]["upstream_status"] == {"status": "not_logged_in", "site": "global"}
    assert waits[1]["command"] == {"resume": "2"}
    assert waits[1]["config"]["recursion_limit"] > 0


async def test_remote_world_is_reset_between_scenarios(server: FakeServer, tmp_path: Path) -> None:
    runner = RemoteRunner(URL, tmp_path / "world")
    logged_in, fresh = await runner.run_all(
        scenarios(["route-trade-logged-in-zh", "menu-reply-digit-us"])
    )
    assert logged_in.passed
    assert fresh.passed, fresh.failures
    assert [c["argv"][:2] for c in fresh.trajectory.calls].count(["auth", "login"]) == 1


async def test_remote_thread_failure_names_the_scenario(server: FakeServer, tmp_path: Path) -> None:
    server.fail_threads = True
    result = await RemoteRunner(URL, tmp_path / "world").run(scenarios(["route-market-en"])[0])
    assert not result.passed
    assert result.failures[0].startswith("route-market-en: server: cannot create a thread")


async def test_remote_run_error_names_the_step(server: FakeServer, tmp_path: Path) -> None:
    scenario = scenarios(["cancel-at-menu"])[0]
    broken = scenario.model_copy(
        update={
            "steps": [
                scenario.steps[0],
                scenario.steps[0].model_copy(update={"expect": None, "user": "x"}),
            ]
        }
    )
    original = server.graph.ainvoke

    async def failing(payload: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(payload, Command):
            raise RuntimeError("node exploded")
        return await original(payload, *args, **kwargs)

    server.graph.ainvoke = failing  # type: ignore[method-assign, assignment]
    result = await RemoteRunner(URL, tmp_path / "world").run(broken)
    assert any(
        f.startswith("cancel-at-menu: steps[1] (user): the graph raised") and "node exploded" in f
        for f in result.failures
    )


def test_eval_url_needs_the_world_directory(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OKX_EMULATOR_STATE", raising=False)
    assert main([str(SUITE / "route-market-en.yaml"), "--url", URL]) == 2
    assert "OKX_EMULATOR_STATE" in capsys.readouterr().out


def test_eval_url_command(
    server: FakeServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OKX_EMULATOR_STATE", str(tmp_path / "world"))
    report = tmp_path / "remote.json"
    code = main([str(SUITE / "apikey-configured-zh.yaml"), "--url", URL, "--report", str(report)])
    assert code == 0, capsys.readouterr().out
    summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    assert summary["engine"] == URL
    assert summary["passed"] == 1
