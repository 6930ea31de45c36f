"""The model path: a configured chat model reads first; its failures fall back to the rules."""

from __future__ import annotations

import sys

import pytest
from langchain_core.messages import HumanMessage
from pydantic import ValidationError

from okx_auth_graph import Context
from okx_auth_graph.reading.chat_model import (
    RequestLabels,
    read_reply_with_model,
    read_request_with_model,
)
from tests.conversation import PREFLIGHT
from tests.graph.scripted_model import ScriptedChatModel
from tests.spec_texts import MENU


def _logged_in(emulator):
    emulator.init_world(auth="logged_in", site="eea")


async def test_the_model_is_the_primary_reader_of_requests(converse, emulator):
    _logged_in(emulator)
    model = ScriptedChatModel(script=[{"intent": "skill", "route": "okx-cex-portfolio"}])
    chat = converse(chat_model=model)
    turn = await chat.start("do it")
    assert turn.state["route"] == "okx-cex-portfolio"
    assert turn.state["outcome"] == "logged_in"
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)
    assert model.schemas == ["RequestLabels"]
    assert "do it" in model.prompts[0]


async def test_the_model_overrules_the_rules_on_a_request(converse, emulator):
    _logged_in(emulator)
    model = ScriptedChatModel(script=[{"intent": "status"}])
    turn = await converse(chat_model=model).start("what about my account")
    assert turn.state["outcome"] == "status_reported"


@pytest.mark.parametrize("text", ["log in", "log me out of okx", "remove the okx-auth binary"])
async def test_a_definite_rule_reading_of_a_side_effecting_act_wins(converse, emulator, text):
    """D21: the model is not asked when the rules read a login, logout, install or removal."""
    _logged_in(emulator)
    model = ScriptedChatModel(script=[{"intent": "status"}])
    turn = await converse(chat_model=model).start(text)
    assert turn.state.get("outcome") != "status_reported"
    assert model.prompts == []


@pytest.mark.parametrize("intent", ["logout", "binary_install", "binary_remove", "switch_site"])
async def test_an_act_only_the_model_reads_is_asked_about_first(converse, emulator, intent):
    _logged_in(emulator)
    chat = converse(chat_model=ScriptedChatModel(script=[{"intent": intent}]))
    turn = await chat.start("do the thing with okx")
    assert turn.kind == "clarify_request"
    assert chat.argvs() == []


async def test_a_logout_the_rules_confirm_runs(converse, emulator):
    _logged_in(emulator)
    chat = converse(chat_model=ScriptedChatModel(script=[{"intent": "logout"}]))
    turn = await chat.start("log me out of okx")
    assert turn.state["outcome"] == "logged_out"


@pytest.mark.parametrize(
    "failure",
    [
        {"intent": "logout please"},
        {"route": "okx-cex-everything", "intent": "login"},
        RuntimeError("provider down"),
        ValueError("bad json"),
    ],
)
async def test_a_failing_model_falls_back_to_the_rules(converse, emulator, failure):
    _logged_in(emulator)
    chat = converse(chat_model=ScriptedChatModel(script=[failure]))
    turn = await chat.start("am I still logged in?")
    assert turn.state["outcome"] == "status_reported"


def test_a_fallback_is_visible_on_the_reading():
    garbage = read_request_with_model(
        ScriptedChatModel(script=[{"intent": "?"}]), "am I logged in", timeout=5
    )
    assert (garbage.source, garbage.intent) == ("rules", "status")
    assert garbage.fallback == "model answer invalid; rules used"
    broken = read_request_with_model(
        ScriptedChatModel(script=[RuntimeError("x")]), "am I logged in", timeout=5
    )
    assert broken.source == "rules"
    assert broken.fallback == "model failed (RuntimeError); rules used"
    fine = read_request_with_model(
        ScriptedChatModel(script=[{"intent": "status"}]), "hi", timeout=5
    )
    assert (fine.source, fine.intent, fine.rules_intent, fine.fallback) == (
        "model",
        "status",
        "unclear",
        None,
    )


def test_a_model_that_hangs_is_cut_off_at_the_timeout():
    reading = read_request_with_model(
        ScriptedChatModel(script=[2.0]), "am I logged in", timeout=0.1
    )
    assert reading.source == "rules"
    assert reading.fallback == "model failed (TimeoutError); rules used"


async def test_a_model_timeout_in_the_graph_uses_the_rules(converse, emulator):
    _logged_in(emulator)
    chat = converse(Context(timeout=0.1), chat_model=ScriptedChatModel(script=[1.0]))
    turn = await chat.start("am I still logged in?")
    assert turn.state["outcome"] == "status_reported"


def test_the_model_never_picks_a_site():
    model = ScriptedChatModel(script=[{"label": "site"}, {"label": "site"}])
    vague = read_reply_with_model(model, "choose_site", "the usual one", timeout=5)
    assert (vague.label, vague.site) == ("unclear", None)
    chosen = read_reply_with_model(model, "choose_site", "2", timeout=5)
    assert (chosen.label, chosen.site, chosen.source) == ("site", "eea", "model")


async def test_the_site_menu_answer_is_never_sent_to_the_model(converse):
    model = ScriptedChatModel(script=[{"intent": "login"}])
    chat = converse(chat_model=model)
    assert (await chat.start("I'd like to get into my okx")).reply == MENU
    turn = await chat.reply("the usual one, you pick")
    assert turn.kind == "choose_site"
    assert model.schemas == ["RequestLabels"]  # the request only
    assert not any(c[:2] == ["auth", "login"] for c in chat.argvs())


def test_a_reply_label_the_question_does_not_allow_is_invalid():
    model = ScriptedChatModel(script=[{"label": "yes"}, {"label": "option", "option": 7}])
    wrong = read_reply_with_model(model, "await_authorization", "done", timeout=5)
    assert (wrong.source, wrong.label, wrong.fallback) == (
        "rules",
        "signal",
        "model answer invalid; rules used",
    )
    out_of_range = read_reply_with_model(model, "choose_api_key_fix", "1", timeout=5)
    assert (out_of_range.source, out_of_range.option) == ("rules", 1)


async def test_the_model_reads_the_wait_reply(converse):
    model = ScriptedChatModel(script=[{"intent": "login"}, {"label": "signal"}])
    chat = converse(chat_model=model)
    await chat.start("I'd like to get into my okx")
    await chat.reply("2")
    before = len(chat.argvs())
    await chat.reply("ok the thing is sorted I reckon")
    assert chat.argvs()[before:] == [["auth", "status", "--json"]]
    assert model.schemas == ["RequestLabels", "ReplyLabels"]


async def test_a_named_model_without_langchain_names_the_extra(converse, monkeypatch):
    monkeypatch.setitem(sys.modules, "langchain", None)
    monkeypatch.setitem(sys.modules, "langchain.chat_models", None)
    chat = converse(Context(chat_model="openai:gpt-4.1-mini"))
    with pytest.raises(ImportError, match=r"pip install 'okx-auth-graph\[llm\]'"):
        await chat.start("log in")
    assert chat.argvs() == []


def test_the_scripted_model_validates_like_a_real_one():
    model = ScriptedChatModel(script=[{"intent": "nope"}])
    with pytest.raises(ValidationError):
        model.with_structured_output(RequestLabels).invoke([HumanMessage("x")])
