"""The graph's boundary: malformed entries fail before any okx call; resume values are read
as text only when they are text (issue 12, item 12)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph import OkxCli, build_graph
from okx_auth_graph.testing import OkxEmulator
from tests.spec_texts import MENU

MALFORMED_FAILED_COMMANDS: list[Any] = [
    "account balance --json failed",
    ["account", "balance"],
    {"argv": 5, "error": "x"},
    {"argv": ["account", 5], "error": "x"},
    {"argv": ["account", "balance"]},
    {"argv": ["account", "balance"], "error": 401},
    {"argv": ["account"], "error": "x", "shell": "rm -rf /"},
]


@pytest.mark.parametrize("mode", ["ainvoke", "invoke"])
@pytest.mark.parametrize("failed", MALFORMED_FAILED_COMMANDS)
async def test_a_malformed_failed_command_raises_naming_the_field_before_any_okx_call(
    emulator: OkxEmulator, failed: Any, mode: str
) -> None:
    graph: Any = build_graph(cli=OkxCli(runner=emulator), checkpointer=InMemorySaver())
    entry = {"messages": [HumanMessage("check my balance")], "failed_command": failed}
    config = {"configurable": {"thread_id": "t"}}
    run = (
        asyncio.to_thread(graph.invoke, entry, config)
        if mode == "invoke"
        else graph.ainvoke(entry, config)
    )
    with pytest.raises(ValueError, match="failed_command") as raised:
        await run
    assert "rm -rf" not in str(raised.value)
    assert emulator.calls() == []


@pytest.mark.parametrize("status", ["not_logged_in", ["not_logged_in"], 5])
async def test_a_malformed_upstream_status_raises_before_any_okx_call(
    emulator: OkxEmulator, status: Any
) -> None:
    graph: Any = build_graph(cli=OkxCli(runner=emulator), checkpointer=InMemorySaver())
    entry = {"messages": [HumanMessage("log me in")], "upstream_status": status}
    with pytest.raises(ValueError, match="upstream_status"):
        await graph.ainvoke(entry, {"configurable": {"thread_id": "t"}})
    assert emulator.calls() == []


async def test_upstream_status_is_never_kept_in_state_or_output(converse: Any) -> None:
    conv = converse()
    claim = {"status": "not_logged_in", "site": "global", "note": "passphrase=hunter2-secret"}
    turn = await conv.start("log me in to okx", upstream_status=claim)
    assert turn.kind == "choose_site"
    assert "upstream_status" not in turn.state
    values = conv.graph.get_state(conv.config).values
    assert "upstream_status" not in values
    assert "hunter2-secret" not in repr(values)


NOT_TEXT: list[Any] = [
    ["2"],
    [[[[["2"]]]]],
    {"choice": "2"},
    {"reply": ["2"]},
    {"reply": "2", "text": "3"},
    {"reply": {"text": "2"}},
    True,
]


@pytest.mark.parametrize("value", NOT_TEXT, ids=repr)
async def test_a_resume_value_that_is_not_text_reasks_and_never_chooses_a_site(
    converse: Any, value: Any
) -> None:
    conv = converse()
    first = await conv.start("log me in to okx")
    assert first.kind == "choose_site"
    again = await conv.reply(value)
    assert again.kind == "choose_site"
    assert again.interrupt is not None
    assert again.interrupt["message"].startswith(MENU)
    assert not [c for c in conv.argvs() if c[:2] == ["auth", "login"]]


@pytest.mark.parametrize(
    ("value", "site"),
    [(2, "eea"), ("3", "us"), ({"reply": "1"}, "global"), ({"content": "us"}, "us")],
    ids=repr,
)
async def test_a_resume_value_that_is_text_or_a_number_is_read(
    converse: Any, value: Any, site: str
) -> None:
    conv = converse()
    await conv.start("log me in to okx")
    turn = await conv.reply(value)
    assert turn.kind == "await_authorization"
    assert conv.argvs()[-1] == ["auth", "login", "--manual", "--site", site]
