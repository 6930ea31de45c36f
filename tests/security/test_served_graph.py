"""The served graph in process: a run's context cannot choose the program run as okx.

The same graph object ``langgraph.json`` names (``okx_auth_graph.graph.served``), given the attack of
issue 19: ``/bin/bash`` as okx with a ``BASH_ENV`` payload that would write a canary file. The
run is refused before any node runs; the canary never appears and the operator's okx (the
emulator shim from the environment) records no call. A run with only user-level context uses
the operator's okx.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph.context import OperatorSettingError
from okx_auth_graph.graph import build_graph
from tests.rigs.servers import emulator_env, run_emulator_cli

REQUEST: dict[str, Any] = {"messages": [{"type": "human", "content": "log in to okx"}]}


@pytest.fixture
def operator_okx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The operator's environment: ``OKX_EXECUTABLE`` is the emulator shim on a fresh world."""
    env = emulator_env(tmp_path / "world", tmp_path / "okx-home")
    run_emulator_cli(["shim", str(tmp_path / "bin")], env=env)
    run_emulator_cli(["world", "init", "--auth", "not_logged_in"], env=env)
    monkeypatch.setenv("OKX_EMULATOR_STATE", env["OKX_EMULATOR_STATE"])
    monkeypatch.setenv("OKX_EXECUTABLE", str(tmp_path / "bin" / "okx"))
    return env


def calls(env: dict[str, str]) -> list[Any]:
    return list(json.loads(run_emulator_cli(["calls"], env=env).stdout))


def attack(canary: Path) -> dict[str, Any]:
    return {"okx_executable": "/bin/bash", "okx_env": {"BASH_ENV": f"$(id > {canary})"}}


@pytest.mark.parametrize("how", ["invoke", "ainvoke", "stream", "astream"])
async def test_a_served_run_cannot_choose_the_program(
    operator_okx: dict[str, str], tmp_path: Path, how: str
) -> None:
    from okx_auth_graph.graph.served import graph as served

    graph: Any = served.copy(update={"checkpointer": InMemorySaver()})
    canary = tmp_path / "canary"
    config: Any = {"configurable": {"thread_id": how}}

    async def run() -> None:
        if how == "invoke":
            graph.invoke(REQUEST, config, context=attack(canary))
        elif how == "ainvoke":
            await graph.ainvoke(REQUEST, config, context=attack(canary))
        elif how == "stream":
            list(graph.stream(REQUEST, config, context=attack(canary)))
        else:
            [_ async for _ in graph.astream(REQUEST, config, context=attack(canary))]

    with pytest.raises(OperatorSettingError, match="okx_executable, okx_env"):
        await run()
    assert not canary.exists()
    assert calls(operator_okx) == [], "not even the operator's okx ran for a refused run"
    assert graph.get_state(config).values == {}, "nothing of the refused run was kept"


async def test_a_served_run_with_user_settings_uses_the_operators_okx(
    operator_okx: dict[str, str],
) -> None:
    graph: Any = build_graph(served=True, checkpointer=InMemorySaver())
    config: Any = {"configurable": {"thread_id": "zh"}}
    result = await graph.ainvoke(REQUEST, config, context={"language": "zh", "message_window": 2})
    [question] = result["__interrupt__"]
    assert question.value["type"] == "choose_site"
    assert "请选择" in question.value["message"] or "站点" in question.value["message"]
    argvs = [call["argv"] for call in calls(operator_okx)]
    assert sorted(argvs) == sorted([["config", "show", "--json"], ["auth", "status", "--json"]])
    assert os.environ["OKX_EXECUTABLE"].endswith("/bin/okx")
