"""The bounded message window: ``messages`` holds the current entry plus ``message_window`` earlier
entries, each shown text once; a thread's checkpoints stay bounded however many entries it has."""

from __future__ import annotations

import random

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph import Context, OkxCli, build_graph
from okx_auth_graph.reading.window import DEFAULT_MESSAGE_WINDOW, window_update
from okx_auth_graph.testing import OkxEmulator
from tests.conversation import Conversation

STATUS = "what is my okx login status?"
MARKET = "what is the BTC-USDT price?"


def _texts(state: dict) -> list[tuple[str, str]]:
    return [(m.type, m.text) for m in state["messages"]]


async def _entry(chat: Conversation, emulator: OkxEmulator, kind: str) -> list[tuple[str, str]]:
    """Run one entry to its end; return every message it added, in order (the oracle)."""
    before = {m.id for m in (await chat.state()).values.get("messages", [])}
    added: list[tuple[str, str]] = []
    seen: set[str] = set(before)

    def collect(result: dict) -> None:
        for m in result["messages"]:
            if m.id not in seen:
                seen.add(m.id)
                added.append((m.type, m.text))

    if kind == "login":
        emulator.init_world()
        asked = (await chat.start("log in")).state
        collect(asked)
        assert asked["__interrupt__"][0].value["type"] == "choose_site"
        collect((await chat.reply("1")).state)
        emulator.approve()
        result = (await chat.reply("done")).state
    else:
        text = STATUS if kind == "status" else MARKET
        result = (await chat.start(text)).state
    collect(result)
    assert "__interrupt__" not in result
    return added


@pytest.mark.parametrize("window", [0, 1, 3])
async def test_messages_hold_the_current_entry_and_the_window(tmp_path, window):
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(auth="logged_in", site="eea")
    graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=InMemorySaver())
    chat = Conversation(graph, context=Context(message_window=window), thread_id="t")
    rng = random.Random(window)
    entries: list[list[tuple[str, str]]] = []
    trimmed = 0
    for i in range(9):
        kind = "login" if i % 4 == 2 else rng.choice(["status", "market"])
        entries.append(await _entry(chat, emulator, kind))
        state = (await chat.state()).values
        expected = [m for entry in entries[-(window + 1) :] for m in entry]
        assert _texts(state) == expected, f"entry {i}"
        assert len(state["entry_starts"]) == min(i + 1, window + 1)
        trimmed += len(entries) > window + 1
    print(f"window {window}: {trimmed} of 9 entries trimmed earlier ones")
    assert trimmed == 9 - (window + 1)


async def test_default_window_and_the_login_keeps_its_whole_dialogue(tmp_path):
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(auth="logged_in", site="eea")
    graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=InMemorySaver())
    chat = Conversation(graph, thread_id="t")
    first = await _entry(chat, emulator, "status")
    second = await _entry(chat, emulator, "status")
    login = await _entry(chat, emulator, "login")
    assert DEFAULT_MESSAGE_WINDOW == 1
    state = (await chat.state()).values
    assert _texts(state) == second + login
    assert len(first) == 2
    # the login's dialogue: request, menu, reply, code, signal, success, in order, once each
    assert [role for role, _ in login] == ["human", "ai", "human", "ai", "human", "ai"]


async def test_the_context_and_the_environment_set_the_window(monkeypatch):
    monkeypatch.setenv("OKX_AUTH_MESSAGE_WINDOW", "4")
    assert Context().message_window == 4
    assert Context(message_window=0).message_window == 0
    monkeypatch.setenv("OKX_AUTH_MESSAGE_WINDOW", "many")
    with pytest.raises(ValueError, match="whole number"):
        Context()
    monkeypatch.delenv("OKX_AUTH_MESSAGE_WINDOW")
    with pytest.raises(ValueError, match="0 or more"):
        Context(message_window=-1)


def test_window_update_finds_the_edge_by_id_and_ignores_unknown_ids():
    messages = [
        HumanMessage("a", id="h1"),
        AIMessage("b", id="a1"),
        HumanMessage("c", id="h2"),
        AIMessage("d", id="a2"),
        HumanMessage("e", id="h3"),
    ]
    update = window_update(messages, ["gone", "h1", "h2"], 1)
    assert update["entry_starts"] == ["h2", "h3"]
    assert [m.id for m in update["messages"]] == ["h1", "a1"]
    assert [m.id for m in window_update(messages[3:], ["h1", "h2"], 0)["messages"]] == ["a2"]
    # no request found at all: keep everything rather than guess an edge
    assert "messages" not in window_update([AIMessage("x", id="a9")], ["h1"], 0)
    # a thread from before the window (no known requests) keeps its past until the window fills
    assert "messages" not in window_update(messages, [], 1)
    assert [m.id for m in window_update(messages, ["h2"], 1)["messages"]] == ["h1", "a1"]
