"""One set of rules: the graph and the LangChain tools share the gate and the pre-flight summary.

The two cases where earlier copies drifted apart (docs/spec.md, decisions D3 and D8):
- [menu, "which is for Europe?", "EEA is option 2.", "2"] passes the gate as ``eea``;
- with profiles ``a`` (us) and ``b`` (eea, the default), the site reported is ``eea``.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage

from okx_auth_graph.context import Context
from okx_auth_graph.core.gate import gate_site
from okx_auth_graph.doors.tools import make_tools
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.testing import OkxEmulator
from tests.apps.agents import build_tool_graph
from tests.sources import parsed
from tests.spec_texts import MENU

PACKAGE = Path(__file__).resolve().parents[2] / "okx_auth_graph"
SIDE_QUESTION: list[AnyMessage] = [
    AIMessage(MENU),
    HumanMessage("which is for Europe?"),
    AIMessage("EEA is option 2."),
    HumanMessage("2"),
]
TWO_PROFILES = {
    "default_profile": "b",
    "profiles": {"a": {"site": "us"}, "b": {"site": "eea"}},
}


async def run_tool(cli: OkxCli, messages: list[AnyMessage], name: str, **args: Any) -> Any:
    call = AIMessage("", tool_calls=[{"name": name, "args": args, "id": "c1"}])
    result = await build_tool_graph(make_tools(cli)).ainvoke({"messages": [*messages, call]})
    tool_message = result["messages"][-1]
    assert isinstance(tool_message, ToolMessage)
    return json.loads(str(tool_message.content))


async def test_a_side_question_between_menu_and_choice_passes_the_gate(
    emulator: OkxEmulator,
) -> None:
    assert gate_site(SIDE_QUESTION) == "eea"
    result = await run_tool(OkxCli(runner=emulator), SIDE_QUESTION, "okx_start_login", site="eea")
    assert result["status"] == "code_issued", result
    assert emulator.calls()[-1]["argv"] == ["auth", "login", "--manual", "--site", "eea"]


async def test_the_gate_still_refuses_without_menu_or_choice(emulator: OkxEmulator) -> None:
    cli = OkxCli(runner=emulator)
    no_menu: list[AnyMessage] = [AIMessage("Which site? 1, 2 or 3"), HumanMessage("2")]
    not_a_choice: list[AnyMessage] = [*SIDE_QUESTION[:3], HumanMessage("EEA please, I think")]
    other_site = SIDE_QUESTION
    for messages, site in ((no_menu, "eea"), (not_a_choice, "eea"), (other_site, "us")):
        result = await run_tool(cli, messages, "okx_start_login", site=site)
        assert result["status"] == "refused", (messages, result)
    assert gate_site(no_menu) is None
    assert gate_site(not_a_choice) is None
    assert not [c for c in emulator.calls() if c["argv"][:2] == ["auth", "login"]]


async def test_graph_and_tools_report_the_default_profiles_site(
    emulator: OkxEmulator, converse: Any
) -> None:
    emulator.init_world(TWO_PROFILES)
    status = await run_tool(OkxCli(runner=emulator), [HumanMessage("status?")], "okx_auth_status")
    assert status["site"] == "eea"
    turn = await converse().start("log me in to okx")
    assert turn.state["site"] == "eea"


def test_tools_define_no_rule_of_their_own() -> None:
    tree = parsed((PACKAGE / "doors" / "tools.py").read_text(encoding="utf-8"))
    defined = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    assert not defined & {
        "menu_shown_before",
        "FailedCommand",
        "cli_from_context",
        "SiteId",
        "step0",
        "log_in",
        "run_okx_command",
    }
    imported = {
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    core = "okx_auth_graph.core"
    assert {(core, "log_in"), (core, "read_preflight"), (core, "check_login")} <= imported
    assert ("okx_auth_graph.core.gate", "gate_site") in imported


def test_one_adapter_factory_and_a_declared_lock_folder(
    emulator: OkxEmulator, tmp_path: Path
) -> None:
    context = Context(okx_executable="my-okx", okx_home=str(tmp_path), timeout=7.0)
    cli = OkxCli.from_context(context)
    assert (cli.executable, cli.home, cli.timeout) == ("my-okx", str(tmp_path), 7.0)
    assert cli.login_lock_dir == tmp_path / ".okx"
    assert OkxCli(runner=emulator).login_lock_dir == emulator.state_dir
    for module in PACKAGE.rglob("*.py"):
        if module.relative_to(PACKAGE).as_posix() == "okx/adapter.py":
            continue
        for node in ast.walk(parsed(module.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "OkxCli"
                and not any(k.arg == "runner" for k in node.keywords)
            ):
                raise AssertionError(f"{module.name}:{node.lineno} builds OkxCli by hand")
