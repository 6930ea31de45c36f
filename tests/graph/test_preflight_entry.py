"""The entry (graph/preflight.py): what it writes and asks for over-long requests, caller hints,
a reply to a menu an upstream agent showed, a failed command, the clarifying question and an okx
that answers ``config show`` with "No config found".

Each test checks what a user of the graph sees: the returned state or the thread's checkpoint,
the question asked, the okx calls run and the outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph import Context, OkxCli, build_graph
from okx_auth_graph.reading.rules import READ_LIMIT
from okx_auth_graph.state import Language
from okx_auth_graph.testing import OkxEmulator
from tests.conversation import PREFLIGHT, Conversation, converse_on
from tests.graph.scripted_model import ScriptedChatModel
from tests.no_config_okx import NoConfigFound
from tests.spec_texts import MENU, expected_text

Converse = Callable[..., Conversation]

UNREAD = {"intent": "unclear", "route": None}
"""The reading an over-long request leaves: nothing read, no skill."""

SESSION_EXPIRED = {
    "argv": ["account", "balance", "--json"],
    "error": "Error: Session expired — run okx auth login again",
}


def _over_limit(unit: str) -> str:
    text = unit * (READ_LIMIT // len(unit) + 1)
    assert len(text) > READ_LIMIT
    return text


async def _values(chat: Conversation) -> dict[str, Any]:
    """The thread's checkpoint (it holds the keys the graph's output leaves out)."""
    return dict((await chat.state()).values)


def _texts(messages: Sequence[Any]) -> list[tuple[str, str]]:
    return [(m.type, str(m.text)) for m in messages]


# --------------------------------------------------------------------------- over the limit


@pytest.mark.parametrize(
    ("unit", "fixed", "language"),
    [("okx login ", None, "en"), ("帮我登录", None, "zh"), ("okx login ", "zh", "zh")],
)
async def test_a_request_over_the_reading_limit_is_recorded_as_unread(
    converse: Converse, emulator: OkxEmulator, unit: str, fixed: Language | None, language: str
) -> None:
    """D21: nothing of it is read, the caller's hints included; its language (or
    Context.language) is that of the answer and of the thread."""
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse(Context(language=fixed) if fixed else None)
    turn = await chat.start(_over_limit(unit), intent="login", route="okx-cex-trade")
    assert chat.argvs() == []
    assert turn.outcome == "needs_user_action"
    assert turn.state["route"] is None
    assert turn.state["language"] == language
    answer = expected_text(f"message_too_long.{language}", limit=f"{READ_LIMIT:,}")
    assert turn.reply == answer
    assert isinstance(turn.state["messages"][-1], AIMessage)
    assert turn.state["messages"][-1].text == answer
    values = await _values(chat)
    assert values["intent"] == "unclear"
    assert values["route"] is None
    assert values["last_reading"] == UNREAD
    assert values["language"] == language
    assert values["language_fixed"] is (fixed is not None)
    assert values["language_held"] is True  # the message's words decided a language


async def test_hints_sent_with_an_unread_request_do_not_act_on_the_next_request(
    converse: Converse, emulator: OkxEmulator
) -> None:
    """The hints came with a request the graph did not read: a next input that brings none is
    read on its own ("hello": the clarifying question), not logged out nor routed."""
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    await chat.start(_over_limit("okx login "), intent="logout", route="okx-cex-trade")
    turn = await chat.start("hello")
    assert turn.kind == "clarify_request"
    assert turn.reply == expected_text("clarify_request.en")
    assert chat.argvs() == []
    assert turn.state["route"] is None
    assert emulator.world()["auth"] == "logged_in"


async def test_after_an_unread_request_a_clear_one_is_read_as_usual(
    converse: Converse, emulator: OkxEmulator
) -> None:
    """The unread request's "unclear" is the graph's own reading, not a hint for the next input."""
    chat = converse()
    await chat.start(_over_limit("okx login "))
    turn = await chat.start("log me in")
    assert turn.kind == "choose_site"
    assert turn.reply == MENU
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)
    assert (await _values(chat))["last_reading"] == {"intent": "login", "route": None}


async def test_an_unread_request_without_letters_holds_no_language(converse: Converse) -> None:
    """D22: digits decide no language, so the default English is not held and a short Chinese
    message after it decides Chinese."""
    chat = converse()
    turn = await chat.start(_over_limit("1234567890"))
    assert turn.reply == expected_text("message_too_long.en", limit=f"{READ_LIMIT:,}")
    values = await _values(chat)
    assert (values["language"], values["language_held"]) == ("en", False)
    turn = await chat.start("你好")
    assert turn.kind == "clarify_request"
    assert turn.reply == expected_text("clarify_request.zh")


async def test_an_unread_request_still_drops_the_messages_that_left_the_window(
    converse: Converse, emulator: OkxEmulator
) -> None:
    """The message window (one earlier entry by default) holds at an over-long request too."""
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    first = await chat.start("am I logged in?")
    second = await chat.start("what is my okx login status?")
    assert (first.outcome, second.outcome) == ("status_reported", "status_reported")
    text = _over_limit("okx login ")
    turn = await chat.start(text)
    answer = expected_text("message_too_long.en", limit=f"{READ_LIMIT:,}")
    assert _texts(turn.state["messages"]) == [
        ("human", "what is my okx login status?"),
        ("ai", second.reply),
        ("human", text),
        ("ai", answer),
    ]


# --------------------------------------------------------------------------- caller hints


async def test_a_route_hint_on_an_unclear_request_is_that_skills_request(
    converse: Converse, emulator: OkxEmulator
) -> None:
    """The hint says which skill the request is for: auth runs, no clarifying question, and the
    hand-off goes to the hinted skill."""
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    turn = await chat.start("hmm", route="okx-cex-trade")
    assert turn.kind is None
    assert turn.outcome == "logged_in"
    assert turn.state["route"] == "okx-cex-trade"
    assert sorted(turn.calls) == sorted(PREFLIGHT)
    assert (await _values(chat))["intent"] == "skill"


async def test_a_market_route_hint_on_an_unclear_request_needs_no_auth(
    converse: Converse, emulator: OkxEmulator
) -> None:
    chat = converse()
    turn = await chat.start("hmm", route="okx-cex-market")
    assert turn.outcome == "no_auth_needed"
    assert turn.reply == expected_text("market_handoff.en")
    assert turn.state["route"] == "okx-cex-market"
    assert chat.argvs() == []


@pytest.mark.parametrize(
    ("text", "intent", "outcome", "last_call"),
    [
        ("am I logged in?", "status", "status_reported", None),
        ("log me out of okx", "logout", "logged_out", ["auth", "logout"]),
        ("log me in", "login", "logged_in", None),
    ],
)
async def test_a_route_hint_keeps_what_a_clear_request_asks_for(
    converse: Converse,
    emulator: OkxEmulator,
    text: str,
    intent: str,
    outcome: str,
    last_call: list[str] | None,
) -> None:
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    turn = await chat.start(text, route="okx-cex-trade")
    assert turn.outcome == outcome
    # a login hands off to the skill; a status answer or a logout ends the entry (no route)
    assert turn.state["route"] == ("okx-cex-trade" if intent == "login" else None)
    values = await _values(chat)
    assert values["intent"] == intent
    assert values["last_reading"] == {"intent": intent, "route": "okx-cex-trade"}
    if last_call is not None:
        assert chat.argvs()[-1] == last_call
    else:
        assert sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_a_hinted_logout_is_trusted_over_a_model_that_reads_something_else(
    converse: Converse, emulator: OkxEmulator
) -> None:
    """A caller's intent is not a model's guess (D2): no confirmation question, the logout runs.
    Without the hint, an act only the model reads is asked about first
    (tests/graph/test_model_reading.py)."""
    emulator.init_world(auth="logged_in", site="eea")
    model = ScriptedChatModel(script=[{"intent": "status"}])
    chat = converse(chat_model=model)
    turn = await chat.start("do the thing with okx", intent="logout")
    assert model.schemas == ["RequestLabels"]  # the model did read it (as a status question)
    assert turn.kind is None
    assert turn.outcome == "logged_out"
    assert chat.argvs()[-1] == ["auth", "logout"]
    assert emulator.world()["auth"] != "logged_in"


# --------------------------------------------------------------------------- the site menu


async def test_a_reply_to_a_menu_an_upstream_agent_showed_goes_to_the_gate(
    converse: Converse,
) -> None:
    """The thread's first message is the menu (an upstream agent showed it): the user's unclear
    reply is an answer to it, so the gate decides (here: the menu again), not the clarifying
    question."""
    chat = converse()
    turn = await chat.send({"messages": [AIMessage(MENU), HumanMessage("hmm")]})
    assert turn.kind == "choose_site"
    assert turn.interrupt["message"] == MENU
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)
    assert (await _values(chat))["intent"] == "login"


async def test_a_menu_after_the_request_is_not_what_it_answers(converse: Converse) -> None:
    """Only the message before the request counts: a menu after it (the request is the thread's
    first message) does not make "hmm" a menu answer."""
    chat = converse()
    turn = await chat.send({"messages": [HumanMessage("hmm"), AIMessage(MENU)]})
    assert turn.kind == "clarify_request"
    assert turn.interrupt["message"] == expected_text("clarify_request.en")
    assert chat.argvs() == []


async def test_an_entry_with_no_message_gets_the_clarifying_question(converse: Converse) -> None:
    chat = converse()
    turn = await chat.send({"upstream_status": {"skill": "okx-cex-trade"}})
    assert turn.kind == "clarify_request"
    assert chat.argvs() == []


# --------------------------------------------------------------------------- the entry


async def test_an_unclear_request_with_a_failed_command_is_remediated_not_asked_about(
    converse: Converse,
) -> None:
    """The failed command says what is wrong: the session lapsed, so the notice and the menu."""
    chat = converse()
    turn = await chat.start("hmm", failed_command=SESSION_EXPIRED)
    assert turn.kind == "choose_site"
    assert turn.reply == "\n\n".join([expected_text("session_expired_notice.en"), MENU])
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)
    # the entry is read as the login the remediation leads to, not left unclear
    values = await _values(chat)
    assert values["intent"] == "login"
    assert values["last_reading"] == {"intent": "login", "route": None}


async def test_a_market_request_with_a_failed_command_is_remediated_not_handed_to_the_market(
    converse: Converse,
) -> None:
    """D1 spares the pre-flight only for a market-only request: a failed command needs it."""
    chat = converse()
    turn = await chat.start("what's the BTC price?", failed_command=SESSION_EXPIRED)
    assert turn.kind == "choose_site"
    assert turn.reply == "\n\n".join([expected_text("session_expired_notice.en"), MENU])
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)
    assert turn.state.get("outcome") != "no_auth_needed"


async def test_the_clarifying_question_asked_again_keeps_the_answer_before_it(
    converse: Converse,
) -> None:
    chat = converse()
    await chat.start("hello")
    turn = await chat.reply("5")
    assert turn.kind == "clarify_request"
    question = expected_text("clarify_request.en")
    messages = _texts(turn.state["messages"])
    assert messages[:3] == [("human", "hello"), ("ai", question), ("human", "5")]
    assert messages[3][0] == "ai"
    assert messages[3][1].startswith(question)
    assert expected_text("clarify_request_hint.en") in messages[3][1]
    assert len(messages) == 4
    assert chat.argvs() == []


# --------------------------------------------------------------------------- no config


def _no_config_chat(emulator: OkxEmulator) -> Conversation:
    graph = build_graph(cli=OkxCli(runner=NoConfigFound(emulator)), checkpointer=InMemorySaver())
    return converse_on(emulator, graph=graph)


async def test_no_config_found_is_a_config_without_profiles(
    converse: Converse, emulator: OkxEmulator
) -> None:
    """D16: an OAuth flow goes on without a config. A login goes to the menu, and the thread
    holds the config summary okx 1.2.4's empty answer gives."""
    chat = _no_config_chat(emulator)
    turn = await chat.start("log me in")
    assert turn.kind == "choose_site"
    assert turn.reply == MENU
    without_file = converse()
    assert (await without_file.start("log me in")).kind == "choose_site"
    summary = (await _values(chat))["config"]
    assert summary == (await _values(without_file))["config"]
    assert summary == {"exists": False, "default_profile": None, "profiles": []}


async def test_no_config_found_leaves_the_status_answer_unchanged(emulator: OkxEmulator) -> None:
    emulator.init_world(auth="logged_in", site="eea")
    turn = await _no_config_chat(emulator).start("am I logged in?")
    assert turn.outcome == "status_reported"
    assert turn.reply == expected_text(
        "status_logged_in.en", site="eea", scopes="live:read, live:trade"
    )
