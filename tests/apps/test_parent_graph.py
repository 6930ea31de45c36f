"""The example parent graph: the auth graph as a subgraph hands off to the right skill node."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.testing import OkxEmulator
from tests.apps.agents import argvs, load_example
from tests.conversation import Conversation
from tests.rigs.rest import BALANCE_PATH, OkxRestEmulator
from tests.spec_texts import MENU


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
    chat = Conversation(parent, thread_id="p1")

    first = (await chat.start("What is my balance?")).state
    menu = question(first)
    assert menu["type"] == "choose_site"
    assert menu["message"] == MENU

    second = (await chat.reply("2")).state
    code = question(second)
    assert code["type"] == "await_authorization"
    assert code["site"] == "eea"
    assert code["userCode"] in code["message"]

    emulator.approve(scopes=["live:read"])
    final = (await chat.reply("done")).state
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
    final = (await Conversation(parent, thread_id="p2").start("What is the BTC-USDT price?")).state
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
    example: ModuleType, isolated_home: Path, world: Path, request_text: str, skill: str
) -> None:
    emulator = OkxEmulator(world)
    emulator.init_world(auth="logged_in", site="global")
    parent = example.build_parent_graph(cli=OkxCli(runner=emulator))
    final = (await Conversation(parent, thread_id="p3").start(request_text)).state
    assert final["handled_by"] == skill
    assert not any(a[:2] == ["auth", "login"] for a in argvs(emulator))
    assert sorted(argvs(emulator)) == sorted(
        [["config", "show", "--json"], ["auth", "status", "--json"]]
    )


def test_parent_graph_draws_every_skill(example: ModuleType, cli: OkxCli) -> None:
    mermaid = example.build_parent_graph(cli=cli).get_graph().draw_mermaid()
    for skill in example.SKILLS:
        assert skill in mermaid


API_KEY_CONFIG = {
    "default_profile": "live",
    "profiles": {
        "live": {"api_key": "AK-parent-1", "secret_key": "SK-parent-2", "passphrase": "PP-3"}
        | {"site": "eea"}
    },
}
BALANCE = ["account", "balance", "--json"]


async def test_skill_command_runs_after_the_api_key_short_circuit(
    example: ModuleType, isolated_home: Path, world: Path
) -> None:
    with OkxRestEmulator() as rest:
        emulator = OkxEmulator(world, env={"OKX_API_BASE_URL": rest.url})
        emulator.init_world(config=API_KEY_CONFIG)
        parent = example.build_parent_graph(
            cli=OkxCli(runner=emulator), commands={"okx-cex-portfolio": BALANCE}
        )
        final = (await Conversation(parent, thread_id="p4").start("What is my balance?")).state
    assert "__interrupt__" not in final
    assert final["outcome"] == "api_key_configured"
    assert "已配置 API key (profile: live)" in [m.content for m in final["messages"]]
    assert final["handled_by"] == "okx-cex-portfolio"
    assert isinstance(final["result"], list)
    assert final["result"]
    assert argvs(emulator)[-1] == BALANCE


async def test_invalid_api_key_goes_back_to_the_auth_graph_once(
    example: ModuleType, isolated_home: Path, world: Path
) -> None:
    with OkxRestEmulator() as rest:
        rest.script(BALANCE_PATH, "invalid_key_401")
        emulator = OkxEmulator(world, env={"OKX_API_BASE_URL": rest.url})
        emulator.init_world(config=API_KEY_CONFIG)
        parent = example.build_parent_graph(
            cli=OkxCli(runner=emulator), commands={"okx-cex-portfolio": BALANCE}
        )
        chat = Conversation(parent, thread_id="p5")
        first = (await chat.start("What is my balance?")).state
        fix = question(first)
        assert fix["type"] == "choose_api_key_fix"
        assert "https://my.okx.com/account/my-api" in fix["message"]
        final = (await chat.reply("1")).state
    assert final["outcome"] == "needs_user_action"
    assert [a for a in argvs(emulator) if a == BALANCE] == [BALANCE]
    assert not any(a[:2] == ["auth", "login"] for a in argvs(emulator))
    dumped = repr(final)
    assert "AK-parent-1" not in dumped
    assert "SK-parent-2" not in dumped
    calls_before = len(argvs(emulator))
    later = (await chat.start("BTC-USDT price?")).state
    assert "__interrupt__" not in later
    assert later["handled_by"] == "okx-cex-market"
    assert later["failed_command"] is None
    assert len(argvs(emulator)) == calls_before


async def test_the_parent_keeps_a_bounded_window_of_entries(
    example: ModuleType, cli: OkxCli, emulator: OkxEmulator
) -> None:
    parent = example.build_parent_graph(cli=cli)
    chat = Conversation(parent, thread_id="window")
    requests = [f"what is the price of coin {i}?" for i in range(5)]
    for request in requests:
        result = (await chat.start(request)).state
        assert result["handled_by"] == "okx-cex-market"
    humans = [m.content for m in result["messages"] if isinstance(m, HumanMessage)]
    assert humans == requests[-1 - example.MESSAGE_WINDOW :]
    # each entry: the request, the auth graph's market hand-off text, the skill's reply
    assert len(result["messages"]) == 3 * (1 + example.MESSAGE_WINDOW)
    assert result["messages"][-1].content == f"[okx-cex-market] takes over: {requests[-1]}"


class BinaryBreaksBeforeTheSkill:
    """The emulator, except that okx-auth breaks just before the skill's first command."""

    def __init__(self, emulator: OkxEmulator) -> None:
        self.emulator = emulator
        self.broken = False

    async def __call__(self, argv: Any, *, timeout: float, stdin: bytes | None = None) -> Any:
        if list(argv) == BALANCE and not self.broken:
            self.broken = True
            self.emulator.set("binary", "corrupt")
        return await self.emulator(argv, timeout=timeout, stdin=stdin)


async def test_skill_command_that_failed_to_spawn_okx_auth_runs_once_more(
    example: ModuleType, isolated_home: Path, world: Path
) -> None:
    with OkxRestEmulator() as rest:
        emulator = OkxEmulator(world, env={"OKX_API_BASE_URL": rest.url})
        emulator.init_world(auth="logged_in", site="eea", scopes=["live:read"])
        parent = example.build_parent_graph(
            cli=OkxCli(runner=BinaryBreaksBeforeTheSkill(emulator)),
            commands={"okx-cex-portfolio": BALANCE},
        )
        chat = Conversation(parent, thread_id="p6")
        final = (await chat.start("What is my balance?")).state
    assert "__interrupt__" not in final
    assert final["outcome"] == "binary_ready"
    assert final["retry_command"] == BALANCE
    assert final["route"] == "okx-cex-portfolio"
    assert final["handled_by"] == "okx-cex-portfolio"
    assert isinstance(final["result"], list)
    calls = argvs(emulator)
    assert [a for a in calls if a == BALANCE] == [BALANCE, BALANCE]
    assert calls[-3:] == [
        ["auth", "install", "--json"],
        ["auth", "install-status", "--json"],
        BALANCE,
    ]


def test_the_parent_graph_has_studio_schemas(example: ModuleType, cli: OkxCli) -> None:
    """Its state is a ``typing_extensions.TypedDict``: pydantic reads it on Python 3.11."""
    parent = example.build_parent_graph(cli=cli)
    inputs = parent.get_input_jsonschema()
    outputs = parent.get_output_jsonschema()
    assert {"messages", "route", "outcome"} <= set(inputs["properties"])
    assert {"messages", "route", "outcome"} <= set(outputs["properties"])
