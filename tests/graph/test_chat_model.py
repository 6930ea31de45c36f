"""The optional chat model helps place requests and unclear replies; rules still decide gates."""

from __future__ import annotations

from graph_driver import MENU
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage


def fake_model(*answers: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(a) for a in answers]))


async def test_model_places_a_request_the_rules_cannot(converse, emulator):
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse(chat_model=fake_model("okx-cex-earn"))
    turn = await chat.start("I'd like my idle USDT to work for me")
    assert turn.state["route"] == "okx-cex-earn"
    assert turn.state["outcome"] == "logged_in"


async def test_without_a_model_an_unplaceable_request_is_a_login(converse):
    chat = converse()
    turn = await chat.start("hello there")
    assert turn.kind == "choose_site"
    assert turn.reply == MENU


async def test_model_turns_an_unclear_reply_into_a_signal(converse, emulator):
    chat = converse(chat_model=fake_model("yes"))
    await chat.start("log in")
    await chat.reply("1")
    emulator.approve()
    turn = await chat.reply("the browser page says you may close this window")
    assert turn.state["outcome"] == "logged_in"


async def test_model_cannot_open_the_gate(converse):
    chat = converse(chat_model=fake_model("yes", "yes", "yes"))
    await chat.start("log in")
    turn = await chat.reply("whichever site you think is best")
    assert turn.kind == "choose_site"
    assert not any(c[:2] == ["auth", "login"] for c in chat.calls())


async def test_a_failing_model_falls_back_to_the_rules(converse):
    chat = converse(chat_model=fake_model())
    turn = await chat.start("hello there")
    assert turn.kind == "choose_site"
