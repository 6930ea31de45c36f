"""Each node is a module-level function: importable and runnable on its own, without a graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime

from okx_auth_graph import Context, OkxCli
from okx_auth_graph.graph import node_functions
from okx_auth_graph.graph.login_flow import check_login
from okx_auth_graph.graph.preflight import site_check
from okx_auth_graph.graph.services import Services
from okx_auth_graph.testing import OkxEmulator


async def test_the_check_node_alone_makes_one_status_call(tmp_path: Path) -> None:
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(auth="logged_in", site="eea")
    services = Services(cli=OkxCli(runner=emulator), chat_model=None, handoff_to_parent=False)
    state: Any = {"messages": [HumanMessage("done")], "site": "eea"}
    command = await check_login(state, Runtime(context=Context()), services=services)
    assert command.goto == "hand_off"
    assert isinstance(command.update, dict)
    assert command.update["outcome"] == "logged_in"
    assert [c["argv"] for c in emulator.calls()] == [["auth", "status", "--json"]]


def test_a_sync_node_alone_asks_for_the_site_when_none_is_persisted() -> None:
    command = site_check({"config": None, "auth": None, "messages": []})
    assert command.goto == "ask_site"


def test_the_nodes_are_the_module_level_functions_marked_as_nodes() -> None:
    nodes = node_functions()
    assert nodes["check_login"] is check_login
    assert nodes["site_check"] is site_check
    assert all(f.__qualname__ == name for name, f in nodes.items())  # none is a closure
