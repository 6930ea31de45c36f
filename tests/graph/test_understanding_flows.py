"""Readings through the graph: the clarifying question for requests nothing places."""

from __future__ import annotations

from pathlib import Path

import pytest
from graph_driver import MENU, PREFLIGHT, assert_preflight_first

CLARIFY_EN = (Path(__file__).resolve().parents[2] / "prompts" / "clarify_request.en.txt").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize("request_text", ["hello", "help", "cancel", "你好", "tell me a joke"])
async def test_an_unclear_request_is_asked_about_before_any_okx_call(converse, request_text):
    chat = converse()
    turn = await chat.start(request_text)
    assert turn.kind == "clarify_request"
    assert chat.calls() == []
    assert "1." in turn.reply
    assert "4." in turn.reply


async def test_the_clarifying_question_is_in_the_users_language(converse):
    chat = converse()
    assert (await chat.start("hello")).reply == CLARIFY_EN
    chat = converse()
    assert "登录 OKX" in (await chat.start("你好")).reply


async def test_an_option_number_then_runs_the_usual_preflight(converse):
    chat = converse()
    await chat.start("hello")
    turn = await chat.reply("1")
    assert turn.kind == "choose_site"
    assert turn.reply == MENU
    assert_preflight_first(chat.calls())


async def test_words_in_the_answer_are_read_as_a_new_request(converse, emulator):
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    await chat.start("hi")
    turn = await chat.reply("am I logged in?")
    assert turn.state["outcome"] == "status_reported"
    assert chat.calls() == PREFLIGHT or sorted(chat.calls()) == sorted(PREFLIGHT)


async def test_cancel_at_the_clarifying_question_makes_no_okx_call(converse):
    chat = converse()
    await chat.start("help")
    turn = await chat.reply("never mind")
    assert turn.state["outcome"] == "cancelled"
    assert chat.calls() == []


async def test_an_answer_still_unclear_asks_again(converse):
    chat = converse()
    await chat.start("hello")
    turn = await chat.reply("banana")
    assert turn.kind == "clarify_request"
    assert chat.calls() == []


async def test_a_negated_logout_never_logs_out(converse, emulator):
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    turn = await chat.start("don't log me out")
    assert turn.kind == "clarify_request"
    assert not any(c[:2] == ["auth", "logout"] for c in chat.calls())


async def test_the_code_is_shown_again_on_request_without_an_okx_call(converse):
    chat = converse()
    await chat.start("log in")
    first = await chat.reply("2")
    calls = len(chat.calls())
    turn = await chat.reply("what's the code again?")
    assert turn.kind == "await_authorization"
    assert first.interrupt["userCode"] in turn.reply
    assert first.interrupt["verificationUri"] in turn.reply
    assert len(chat.calls()) == calls


async def test_how_long_the_code_is_valid_is_answered_without_an_okx_call(converse):
    chat = converse()
    await chat.start("log in")
    await chat.reply("2")
    calls = len(chat.calls())
    turn = await chat.reply("how long is it valid?")
    assert turn.kind == "await_authorization"
    assert "10 more minutes" in turn.reply or "9 more minutes" in turn.reply
    assert len(chat.calls()) == calls


async def test_a_denial_gets_exactly_one_status_check(converse, emulator):
    chat = converse()
    await chat.start("log in")
    await chat.reply("2")
    emulator.deny()
    calls = len(chat.calls())
    turn = await chat.reply("I rejected it")
    assert chat.calls()[calls:] == [["auth", "status", "--json"]]
    assert turn.kind == "confirm_retry"
