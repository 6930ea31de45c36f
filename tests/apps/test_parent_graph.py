"""The example parent graph: the auth graph as a subgraph hands off to the right skill node."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.types import Command

from okx_auth_graph.cli import OkxCli
from okx_auth_graph.prompts import template
from okx_auth_graph.testing import OkxEmulator
from tests.apps.agents import argvs, load_example


@pytest.fixture(scope="module")
def example() -> ModuleType:
    return load_example("parent_graph")


def question(result: dict[str, Any]) -> dict[str, Any]:
    interrupts = result["__interrupt__"]
    assert len(interrupts) == 1
    value = interrupts[0].value
    assert isinstance(value, dict)
    return value


async def test_login_through_both_interrupts_ends_in_the_portfolio_skill(
    example: ModuleType, cli: OkxCli, emulator: OkxEmulator
) -> None:
    parent = example.build_parent_graph(cli=cli)
    config = {"configurable": {"thread_id": "p1"}}

    first = await parent.ainvoke({"messages": [HumanMessage("What is my balance?")]}, config)
    menu = question(first)
    assert menu["type"] == "choose_site"
    assert menu["message"] == template("site_menu", "zh")

    second = await parent.ainvoke(Command(resume="2"), config)
    code = question(second)
    assert code["type"] == "await_authorization"
    assert code["site"] == "eea"
    assert code["userCode"] in code["message"]

    emulator.approve(scopes=["live:read"])
    final = await parent.ainvoke(Command(resume="done"), config)
    assert "__interrupt__" not in final
    assert final["handled_by"] == "okx-cex-portfolio"
    assert final["route"] == "okx-cex-portfolio"
    assert final["outcome"] == "logged_in"
    texts = [m.content for m in final["messages"]]
    assert "Login successful.\nSite: eea\nScopes: live:read" in texts
    assert texts[-1] == "[okx-cex-portfolio] takes over: What is my balance?"
    calls = argvs(emulator)
    assert len(calls) == 4
    assert calls[2:] == [
        ["auth", "login", "--manual", "--site", "eea"],
        ["auth", "status", "--json"],
    ]


async def test_market_request_goes_straight_to_the_market_skill(
    example: ModuleType, cli: OkxCli, emulator: OkxEmulator
) -> None:
    parent = example.build_parent_graph(cli=cli)
    final = await parent.ainvoke(
        {"messages": [HumanMessage("What is the BTC-USDT price?")]},
        {"configurable": {"thread_id": "p2"}},
    )
    assert "__interrupt__" not in final
    assert final["handled_by"] == "okx-cex-market"
    assert argvs(emulator) == []


@pytest.mark.parametrize(
    ("request_text", "skill"),
    [
        ("buy 0.1 BTC at market", "okx-cex-trade"),
        ("subscribe to Simple Earn", "okx-cex-earn"),
        ("start a grid bot", "okx-cex-bot"),
    ],
)
async def test_logged_in_user_is_routed_without_a_login(
    example: ModuleType, home: Path, world: Path, request_text: str, skill: str
) -> None:
    emulator = OkxEmulator(world)
    emulator.init_world(auth="logged_in", site="global")
    parent = example.build_parent_graph(cli=OkxCli(runner=emulator))
    final = await parent.ainvoke(
        {"messages": [HumanMessage(request_text)]}, {"configurable": {"thread_id": "p3"}}
    )
    assert final["handled_by"] == skill
    assert not any(a[:2] == ["auth", "login"] for a in argvs(emulator))
    assert sorted(argvs(emulator)) == sorted(
        [["config", "show", "--json"], ["auth", "status", "--json"]]
    )


def test_parent_graph_draws_every_skill(example: ModuleType, cli: OkxCli) -> None:
    mermaid = example.build_parent_graph(cli=cli).get_graph().draw_mermaid()
    for skill in example.SKILLS:
        assert skill in mermaid
