"""Readings through the graph: the clarifying question for requests nothing places."""

from __future__ import annotations

import re
import time

import pytest

from tests.conversation import PREFLIGHT, assert_preflight_first
from tests.spec_texts import MENU, expected_text

CLARIFY_EN = expected_text("clarify_request.en")


@pytest.mark.parametrize("request_text", ["hello", "help", "cancel", "你好", "tell me a joke"])
async def test_an_unclear_request_is_asked_about_before_any_okx_call(converse, request_text):
    chat = converse()
    turn = await chat.start(request_text)
    assert turn.kind == "clarify_request"
    assert chat.argvs() == []
    assert "1." in turn.reply
    assert "4." in turn.reply
    # The options a UI shows are numbered as the reply reader counts them: 1 to 4, in order.
    numbers = [option.split(".")[0] for option in turn.interrupt["options"]]
    assert numbers == ["1", "2", "3", "4"]


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
    assert_preflight_first(chat.argvs())


async def test_each_of_the_four_options_is_its_action_and_a_fifth_is_asked_again(
    converse, emulator
):
    # The spec's D2 options, in order: log in, login status, log out, set up an API key.
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    await chat.start("hello")
    assert (await chat.reply("2")).state["outcome"] == "status_reported"
    chat = converse()
    await chat.start("hello")
    assert (await chat.reply("3")).state["outcome"] == "logged_out"
    assert chat.argvs()[-1] == ["auth", "logout"]
    for answer in ("4", "option 4", "four"):
        chat = converse()
        await chat.start("hello")
        turn = await chat.reply(answer)
        assert turn.state["outcome"] == "needs_user_action", answer
        assert "okx config init" in turn.reply, answer
    chat = converse()
    await chat.start("hello")
    before = len(chat.argvs())
    for answer in ("5", "0"):
        turn = await chat.reply(answer)
        assert turn.kind == "clarify_request", answer
    assert chat.argvs()[before:] == []


async def test_words_in_the_answer_are_read_as_a_new_request(converse, emulator):
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    await chat.start("hi")
    turn = await chat.reply("am I logged in?")
    assert turn.state["outcome"] == "status_reported"
    assert chat.argvs() == PREFLIGHT or sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_cancel_at_the_clarifying_question_makes_no_okx_call(converse):
    chat = converse()
    await chat.start("help")
    turn = await chat.reply("never mind")
    assert turn.state["outcome"] == "cancelled"
    assert chat.argvs() == []


async def test_an_answer_still_unclear_asks_again(converse):
    chat = converse()
    await chat.start("hello")
    turn = await chat.reply("banana")
    assert turn.kind == "clarify_request"
    assert chat.argvs() == []


async def test_a_negated_logout_never_logs_out(converse, emulator):
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    turn = await chat.start("don't log me out")
    assert turn.kind == "clarify_request"
    assert not any(c[:2] == ["auth", "logout"] for c in chat.argvs())


@pytest.mark.parametrize(
    "request_text",
    [
        "you shouldn't log me out",
        "I won't log out",
        "you mustn't log me out",
        "should I log out?",
        "do I need to log out?",
        "要退出登录吗",
        "will logging out cancel my orders?",
        "do not buy btc for me",
        "never place orders for me",
    ],
)
async def test_a_negated_or_asked_about_act_runs_nothing_and_hands_off_nowhere(
    converse, emulator, request_text
):
    """D21: no logout, no login and no hand-off for a negated act or a logout asked about."""
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    turn = await chat.start(request_text)
    assert turn.kind == "clarify_request", request_text
    assert chat.argvs() == [], request_text
    assert turn.state.get("route") is None, request_text


async def test_the_code_is_shown_again_on_request_without_an_okx_call(converse):
    chat = converse()
    await chat.start("log in")
    first = await chat.reply("2")
    calls = len(chat.argvs())
    turn = await chat.reply("what's the code again?")
    assert turn.kind == "await_authorization"
    assert first.interrupt["userCode"] in turn.reply
    assert first.interrupt["verificationUri"] in turn.reply
    assert len(chat.argvs()) == calls


async def test_how_long_the_code_is_valid_is_answered_without_an_okx_call(converse):
    chat = converse()
    await chat.start("log in")
    await chat.reply("2")
    calls = len(chat.argvs())
    turn = await chat.reply("how long is it valid?")
    assert turn.kind == "await_authorization"
    assert "10 more minutes" in turn.reply or "9 more minutes" in turn.reply
    assert len(chat.argvs()) == calls


async def test_the_codes_age_follows_the_clock_while_it_is_held(converse, monkeypatch):
    # expiresIn 600 s: 4 minutes later it has 6 left; 11 minutes later it is dead (D7, D12).
    chat = converse()
    await chat.start("log in")
    first = await chat.reply("2")
    assert first.interrupt["expiresIn"] == 600
    code = first.interrupt["userCode"]
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 4 * 60 + 5)
    calls = len(chat.argvs())
    turn = await chat.reply("how long is it valid?")
    assert re.search(r"\b5\b", turn.reply), turn.reply  # 600 - 245 s: 5 whole minutes
    turn = await chat.reply("what's the code again?")
    assert code in turn.reply
    assert "(Valid for 5 minutes)" in turn.reply
    monkeypatch.setattr(time, "time", lambda: real() + 9 * 60 + 30)
    turn = await chat.reply("what's the code again?")
    assert code in turn.reply
    assert "(Valid for 1 minutes)" in turn.reply  # 30 s left: at least one minute (D9)
    assert len(chat.argvs()) == calls
    monkeypatch.setattr(time, "time", lambda: real() + 11 * 60)
    for question in ("how long is it valid?", "what's the code again?"):
        turn = await chat.reply(question)
        assert code not in turn.reply, question  # a dead code is never shown as valid
        assert not re.search(r"\b(?:1[0-9]|2[0-9]) (?:more )?minutes\b", turn.reply), turn.reply
    # D12: a request for a code that lapsed offers a new one (D7's start-over question)
    assert turn.kind == "confirm_start_over"
    assert turn.reply == expected_text("start_over_question.en", site="eea")
    assert (await chat.reply("no")).kind == "await_authorization"
    assert len(chat.argvs()) == calls
    turn = await chat.start("log in")  # a new entry: the held code is dead, never shown again
    assert code not in turn.reply


async def test_a_denial_gets_exactly_one_status_check(converse, emulator):
    chat = converse()
    await chat.start("log in")
    await chat.reply("2")
    emulator.deny()
    calls = len(chat.argvs())
    turn = await chat.reply("I rejected it")
    assert chat.argvs()[calls:] == [["auth", "status", "--json"]]
    assert turn.kind == "confirm_retry"


async def test_a_caller_hint_routes_a_vague_request(converse, emulator):
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    turn = await chat.start("do it", intent="skill", route="okx-cex-portfolio")
    assert turn.state["outcome"] == "logged_in"
    assert turn.state["route"] == "okx-cex-portfolio"
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_without_the_hint_the_same_text_is_asked_about(converse, emulator):
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    assert (await chat.start("do it")).kind == "clarify_request"
    assert chat.argvs() == []


async def test_a_hint_is_for_its_own_entry_only(converse, emulator):
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    await chat.start("do it", intent="skill", route="okx-cex-portfolio")
    turn = await chat.start("hello")
    assert turn.kind == "clarify_request"
    assert turn.state.get("route") is None


async def test_a_hinted_logout_runs_without_a_question(converse, emulator):
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    turn = await chat.start("please", intent="logout")
    assert turn.state["outcome"] == "logged_out"
    assert ["auth", "logout"] in [c[:2] for c in chat.argvs()]


@pytest.mark.parametrize(
    ("field", "hints"),
    [
        ("intent", {"intent": "hack"}),
        ("intent", {"intent": "Login"}),
        ("route", {"route": "okx-cex-everything"}),
        ("route", {"intent": "login", "route": 3}),
    ],
)
async def test_a_bad_hint_raises_naming_the_field_before_any_okx_call(
    converse, emulator, field, hints
):
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    with pytest.raises(ValueError, match=rf"^{field} must be one of"):
        await chat.start("log me in", **hints)
    assert chat.argvs() == []


@pytest.mark.parametrize(
    ("hints", "message"),
    [
        (
            {"intent": "hack"},
            "intent must be one of login, status, logout, binary_install, binary_status, "
            "binary_remove, api_key_setup, session_lifetime, skill, unclear, switch_site, "
            "start_over, not 'hack'",
        ),
        (
            {"intent": "login", "route": "okx-cex-everything"},
            "route must be one of okx-cex-trade, okx-cex-portfolio, okx-cex-earn, okx-cex-bot, "
            "okx-cex-market or None, not 'okx-cex-everything'",
        ),
    ],
    ids=["intent", "route"],
)
async def test_a_bad_hint_names_every_value_it_may_take(converse, hints, message):
    """The error lists the Literal's values as state.py declares them (written out here)."""
    chat = converse()
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        await chat.start("log me in", **hints)
    assert str(caught.value) == message  # LangGraph's note on the task is no part of it
    assert chat.argvs() == []


async def test_a_login_hint_never_picks_a_site_nor_passes_the_gate(converse):
    chat = converse()
    turn = await chat.start("go", intent="login", route="okx-cex-trade")
    assert turn.kind == "choose_site"
    assert turn.reply == MENU
    assert not any(c[:2] == ["auth", "login"] for c in chat.argvs())
    assert_preflight_first(chat.argvs())


@pytest.mark.parametrize(
    ("unit", "language"), [("okx login ", "en"), ("帮我登录", "zh"), ("log me out ", "en")]
)
async def test_a_message_over_the_reading_limit_is_answered_without_an_okx_call(
    converse, emulator, unit, language
):
    """docs/spec.md D21: a request longer than the limit is not read; the text says so."""
    from okx_auth_graph.reading.rules import READ_LIMIT

    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    text = unit * (READ_LIMIT // len(unit) + 1)
    assert len(text) > READ_LIMIT
    turn = await chat.start(text)
    assert chat.argvs() == []
    assert turn.interrupt is None
    assert turn.state["outcome"] == "needs_user_action"
    assert turn.reply == expected_text(f"message_too_long.{language}", limit=f"{READ_LIMIT:,}")
    # a message of exactly the limit is read as usual (here: a login or a logout)
    chat = converse()
    turn = await chat.start(text[:READ_LIMIT])
    assert turn.state["outcome"] in ("logged_in", "logged_out")
    assert chat.argvs()[:2] == PREFLIGHT or sorted(chat.argvs()[:2]) == sorted(PREFLIGHT)


@pytest.mark.parametrize("reply", ["I didn't approve it", "还没同意", "I did not authorize it yet"])
async def test_a_reply_that_says_it_is_not_approved_is_no_signal(converse, reply):
    """Issue 21: "I didn't approve it" is no completion signal: no okx call, the wait again."""
    chat = converse()
    await chat.start("log me in")
    assert (await chat.reply("2")).kind == "await_authorization"
    before = len(chat.argvs())
    turn = await chat.reply(reply)
    assert turn.kind == "await_authorization"
    assert chat.argvs()[before:] == []
    language = "zh" if reply == "还没同意" else "en"
    assert turn.reply == expected_text(f"await_not_a_signal.{language}")


@pytest.mark.parametrize(
    "request_text",
    ["I really do not want you to log me out", "不要退出", "I don't want to log out"],
)
async def test_a_negated_logout_logs_nobody_out(converse, emulator, request_text):
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    turn = await chat.start(request_text)
    assert turn.kind == "clarify_request"
    assert chat.argvs() == []


@pytest.mark.parametrize(
    ("reply", "site"),
    [
        ("2. EEA (my.okx.com)", "eea"),
        ("app.okx.com", "us"),
        ("two", "eea"),
        ("二号", "eea"),
        ("European Economic Area", "eea"),
        ("欧洲站", "eea"),
        ("美国站", "us"),
        ("国际站", "global"),
    ],
)
async def test_site_replies_people_type_log_in_on_that_site(converse, reply, site):
    """D4 (issue 21): a host, a menu line, a number word or the site's name is that site."""
    chat = converse()
    assert (await chat.start("log me in")).reply == MENU
    turn = await chat.reply(reply)
    assert turn.kind == "await_authorization"
    assert chat.argvs()[-1] == ["auth", "login", "--manual", "--site", site]


@pytest.mark.parametrize("reply", ["Europe", "the EU", "USA", "美国", "I'm in Spain", "选一个"])
async def test_a_region_or_a_country_is_no_site(converse, reply):
    chat = converse()
    await chat.start("log me in")
    turn = await chat.reply(reply)
    assert turn.kind == "choose_site"
    assert turn.reply.startswith(MENU + "\n\n")
    assert not any(call[:2] == ["auth", "login"] for call in chat.argvs())


@pytest.mark.parametrize(
    "reply",
    [
        *("done?", "is it done?", "ok?", "好了没", "好了吗", "好了？", "完成了?", "all good?"),
        *("好啦?", "同意了吗", "授权成功了吗", "k?"),
    ],
)
async def test_a_completion_word_put_as_a_question_gets_one_status_check(converse, reply):
    """D12: "done?" asks for the status check: exactly one ``auth status``."""
    chat = converse()
    await chat.start("log me in")
    await chat.reply("2")
    before = len(chat.argvs())
    await chat.reply(reply)
    assert chat.argvs()[before:] == [["auth", "status", "--json"]]


@pytest.mark.parametrize(
    "reply",
    ["code pls", "whats the link", "链接在哪", "链接呢?", "链接是什么?", "发我链接", "把链接发我"],
)
async def test_a_request_for_the_code_or_the_link_shows_them_again(converse, reply):
    chat = converse()
    await chat.start("log me in")
    first = await chat.reply("2")
    before = len(chat.argvs())
    turn = await chat.reply(reply)
    assert chat.argvs()[before:] == []
    assert first.interrupt["userCode"] in turn.reply
    assert first.interrupt["verificationUri"] in turn.reply


@pytest.mark.parametrize(
    "reply",
    [
        "should I start over?",
        "what if I restart?",
        "is it on the us site?",
        "站点是哪个?",
        "重新开始吗",
    ],
)
async def test_a_question_about_the_site_or_starting_over_restates_the_challenge(converse, reply):
    """D12, D21: a question about starting over or the site is no start-over nor switch: the
    challenge is restated (no menu, no okx call) and the held code is still shown after it."""
    chat = converse()
    await chat.start("log me in")
    first = await chat.reply("2")
    before = len(chat.argvs())
    turn = await chat.reply(reply)
    assert turn.kind == "await_authorization", reply
    assert MENU not in turn.reply
    assert chat.argvs()[before:] == []
    turn = await chat.reply("what's the code again?")
    assert first.interrupt["userCode"] in turn.reply


@pytest.mark.parametrize("reply", ["can we start over?", "能换个站点吗", "switch to the us site"])
async def test_a_start_over_asked_for_as_a_question_shows_the_menu(converse, reply):
    chat = converse()
    await chat.start("log me in")
    await chat.reply("2")
    turn = await chat.reply(reply)
    assert turn.kind == "choose_site", reply
    assert turn.reply == MENU


async def test_a_question_about_scopes_while_waiting_runs_no_okx_call(converse):
    chat = converse()
    await chat.start("log me in")
    await chat.reply("2")
    before = len(chat.argvs())
    turn = await chat.reply("what scopes will it get?")
    assert turn.kind == "await_authorization"
    assert chat.argvs()[before:] == []


@pytest.mark.parametrize("reply", ["nvm", "先不登录了", "别弄了", "I don't want to log in anymore"])
async def test_a_cancel_while_waiting_ends_the_flow(converse, reply):
    chat = converse()
    await chat.start("log me in")
    await chat.reply("2")
    before = len(chat.argvs())
    turn = await chat.reply(reply)
    assert turn.state["outcome"] == "cancelled"
    assert chat.argvs()[before:] == []


@pytest.mark.parametrize(
    "request_text", ["how often do i need to re-login", "do I have to log in every day?"]
)
async def test_a_question_about_the_session_lifetime_starts_no_login(converse, request_text):
    chat = converse()
    turn = await chat.start(request_text)
    assert expected_text("session_lifetime.en") in turn.reply
    assert not any(call[:2] == ["auth", "login"] for call in chat.argvs())


async def test_open_interest_is_market_data_with_no_okx_call(converse):
    chat = converse()
    turn = await chat.start("what's the open interest on BTC perps")
    assert turn.state["outcome"] == "no_auth_needed"
    assert chat.argvs() == []
