"""End-to-end login flows through the in-process emulator: texts, interrupts, outcomes, argv."""

from __future__ import annotations

import pytest

from tests.conversation import PREFLIGHT, assert_preflight_first, assert_preflight_overlaps
from tests.spec_texts import MENU, expected_text

LOGIN = ["auth", "login", "--manual", "--site"]
STATUS = ["auth", "status", "--json"]


async def test_fresh_login_zh_portfolio_makes_exactly_four_calls(converse, emulator):
    chat = converse()
    turn = await chat.start("帮我查一下账户余额")
    assert turn.kind == "choose_site"
    assert turn.reply == MENU
    assert turn.interrupt["message"] == MENU
    turn = await chat.reply("2")
    assert turn.kind == "await_authorization"
    challenge = {k: turn.interrupt[k] for k in ("verificationUri", "userCode", "expiresIn")}
    assert turn.reply == expected_text(
        "login_challenge.zh",
        site="eea",
        verificationUri=challenge["verificationUri"],
        userCode=challenge["userCode"],
        expires_minutes=challenge["expiresIn"] // 60,
    )
    assert turn.interrupt["site"] == "eea"
    emulator.approve(scopes=["live:read", "live:trade"])
    turn = await chat.reply("好了")
    assert turn.interrupt is None
    assert turn.reply == expected_text(
        "login_success.zh", site="eea", scopes="live:read, live:trade"
    )
    assert turn.state["outcome"] == "logged_in"
    assert turn.state["route"] == "okx-cex-portfolio"
    assert turn.state["site"] == "eea"
    assert turn.state["language"] == "zh"
    calls = chat.argvs()
    assert_preflight_first(calls)
    assert calls[2:] == [[*LOGIN, "eea"], STATUS]
    assert len(calls) == 4


async def test_fresh_login_en_uses_english_templates(converse, emulator):
    chat = converse()
    turn = await chat.start("Please log me in to OKX")
    assert turn.reply == MENU
    turn = await chat.reply("us")
    assert turn.reply.startswith("Please open the link below in your browser")
    assert "Site: us\n" in turn.reply
    assert "(Valid for 10 minutes)" in turn.reply
    emulator.approve(scopes=["live:read"])
    turn = await chat.reply("done")
    assert turn.reply == expected_text("login_success.en", site="us", scopes="live:read")
    assert (turn.state["outcome"], turn.state["route"], turn.state["language"]) == (
        "logged_in",
        None,
        "en",
    )


async def test_upstream_claims_not_logged_in_global_still_shows_menu(converse, emulator):
    chat = converse()
    turn = await chat.start(
        "check my balance", upstream_status={"status": "not_logged_in", "site": "global"}
    )
    assert turn.kind == "choose_site"
    assert turn.reply == MENU
    assert not any(c[:2] == ["auth", "login"] for c in chat.argvs())
    turn = await chat.reply("2")
    assert [*LOGIN, "eea"] in chat.argvs()
    assert [*LOGIN, "global"] not in chat.argvs()


async def test_menu_replies_are_normalised_and_anything_else_reasks(converse):
    chat = converse()
    await chat.start("log in")
    again = MENU + "\n\n" + expected_text("site_menu_hint.en")
    for bad in ("4", "europe", "1 or 2", ""):
        turn = await chat.reply(bad)
        assert turn.kind == "choose_site"
        assert turn.reply == again  # the unchanged menu, a hint under it
        assert turn.interrupt["message"] == again
    assert len(chat.argvs()) == 2
    turn = await chat.reply("  ２。")
    assert turn.kind == "await_authorization"
    assert chat.argvs()[-1] == [*LOGIN, "eea"]


async def test_menu_reask_hint_follows_the_users_language(converse):
    chat = converse()
    await chat.start("登录")
    turn = await chat.reply("欧洲")
    assert turn.reply == MENU + "\n\n" + expected_text("site_menu_hint.zh")
    turn = await chat.reply("3")
    assert turn.kind == "await_authorization"
    assert chat.argvs()[-1] == [*LOGIN, "us"]


async def test_site_words_any_case_and_punctuation(converse):
    chat = converse()
    await chat.start("login")
    turn = await chat.reply(" EEA! ")
    assert turn.kind == "await_authorization"
    assert chat.argvs()[-1] == [*LOGIN, "eea"]


async def test_persisted_profile_site_still_needs_the_menu_for_a_fresh_login(converse, emulator):
    emulator.init_world(config={"default_profile": "p", "profiles": {"p": {"site": "us"}}})
    chat = converse()
    turn = await chat.start("log in")
    assert turn.kind == "choose_site"
    assert turn.reply == MENU
    assert len(chat.argvs()) == 2


async def test_not_a_signal_gets_a_short_answer_and_no_okx_call(converse, emulator):
    chat = converse()
    await chat.start("log in")
    await chat.reply("1")
    before = len(chat.argvs())
    turn = await chat.reply("what is this code for")
    assert turn.kind == "await_authorization"
    assert turn.reply == expected_text("await_not_a_signal.en")
    assert len(chat.argvs()) == before


@pytest.mark.parametrize(
    "reply",
    [
        "the page looks broken",
        "let me think",
        "the link takes me nowhere",
        "my okx app is open",
        "the site keeps loading",
        "好像打不开",
        "页面好慢",
    ],
)
async def test_words_that_only_hold_a_signal_word_inside_them_run_no_okx_call(converse, reply):
    # "looks", "think", "okx" hold "k" or "ok"; "好像" holds "好": none of them is a signal.
    chat = converse()
    await chat.start("log in")
    await chat.reply("1")
    before = len(chat.argvs())
    turn = await chat.reply(reply)
    assert turn.kind == "await_authorization"
    assert chat.argvs()[before:] == []


async def test_signal_while_pending_says_not_done_and_one_status_per_signal(converse, emulator):
    chat = converse()
    await chat.start("log in")
    await chat.reply("1")
    turn = await chat.reply("ok")
    assert turn.kind == "await_authorization"
    assert turn.reply == expected_text("login_not_done_yet.en")
    assert chat.argvs()[-1] == STATUS
    emulator.approve()
    turn = await chat.reply("done")
    assert turn.state["outcome"] == "logged_in"
    assert chat.argvs()[3:] == [STATUS, STATUS]


async def test_already_pending_waits_for_signal_without_new_login(converse, emulator):
    emulator.init_world(auth="pending", site="eea")
    chat = converse()
    turn = await chat.start("log in")
    # A code this thread does not hold: say it is pending and offer a start-over (D7).
    assert turn.kind == "confirm_start_over"
    assert turn.reply == expected_text("start_over_question.en", site="eea")
    assert len(chat.argvs()) == 2
    emulator.approve()
    turn = await chat.reply("done")
    assert turn.state["outcome"] == "logged_in"
    assert not any(c[:2] == ["auth", "login"] for c in chat.argvs())


async def test_already_logged_in_replies_success_and_routes(converse, emulator):
    emulator.init_world(auth="logged_in", site="us", scopes=["live:read"])
    chat = converse()
    turn = await chat.start("start a grid bot on BTC-USDT")
    assert turn.reply == expected_text("login_success.en", site="us", scopes="live:read")
    assert (turn.state["outcome"], turn.state["route"]) == ("logged_in", "okx-cex-bot")
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)
    assert "ttl" not in turn.reply
    assert "expiresAt" not in turn.reply


async def test_expired_code_asks_retry_and_retry_shows_menu_again(converse, emulator):
    chat = converse()
    await chat.start("log in")
    await chat.reply("1")
    emulator.expire_code()
    turn = await chat.reply("done")
    assert turn.kind == "confirm_retry"
    assert turn.reply == expected_text("confirm_retry.en")
    turn = await chat.reply("yes")
    assert turn.kind == "choose_site"
    assert turn.reply == MENU
    turn = await chat.reply("3")
    assert turn.kind == "await_authorization"
    logins = [c for c in chat.argvs() if c[:2] == ["auth", "login"]]
    assert logins == [[*LOGIN, "global"], [*LOGIN, "us"]]


async def test_denied_then_declined_retry(converse, emulator):
    chat = converse()
    await chat.start("登录")
    await chat.reply("1")
    emulator.deny()
    turn = await chat.reply("完成了")
    assert turn.kind == "confirm_retry"
    turn = await chat.reply("不")
    assert turn.interrupt is None
    assert turn.reply == expected_text("retry_declined.zh")
    assert turn.state["outcome"] == "retry_declined"


@pytest.mark.parametrize(("reply", "language"), [("I rejected it", "en"), ("我拒绝了", "zh")])
async def test_a_denial_while_the_code_is_still_pending_offers_to_start_over(
    converse, reply, language
):
    """D12: a denial gets the one status check; ``pending`` → the start-over offer of D7."""
    chat = converse()
    await chat.start("log in" if language == "en" else "登录")
    await chat.reply("2")
    before = len(chat.argvs())
    turn = await chat.reply(reply)
    assert chat.argvs()[before:] == [["auth", "status", "--json"]]
    assert turn.kind == "confirm_start_over"
    assert turn.reply == expected_text(f"denied_start_over_question.{language}", site="eea")
    turn = await chat.reply("yes" if language == "en" else "是")
    assert turn.kind == "choose_site"
    turn = await chat.reply("3")
    assert turn.kind == "await_authorization"
    logins = [c for c in chat.argvs() if c[:2] == ["auth", "login"]]
    assert logins == [[*LOGIN, "eea"], [*LOGIN, "us"]]


async def test_a_signal_while_the_code_is_still_pending_waits_again(converse):
    chat = converse()
    await chat.start("log in")
    await chat.reply("2")
    await chat.reply("I rejected it")
    await chat.reply("no")  # keep the code
    turn = await chat.reply("done")  # a signal after the denial: pending is "not done yet"
    assert turn.kind == "await_authorization"
    assert turn.reply == expected_text("login_not_done_yet.en")


async def test_cancel_at_every_question_stops_without_okx_calls(converse):
    chat = converse()
    await chat.start("log in")
    turn = await chat.reply("cancel")
    assert turn.state["outcome"] == "cancelled"
    assert turn.reply == expected_text("cancelled.en")
    assert len(chat.argvs()) == 2
    chat = converse()
    await chat.start("登录")
    await chat.reply("2")
    calls = len(chat.argvs())
    turn = await chat.reply("取消")
    assert turn.state["outcome"] == "cancelled"
    assert turn.reply == expected_text("cancelled.zh")
    assert len(chat.argvs()) == calls


async def test_skipped_login_rereads_config_and_stops(converse, emulator):
    chat = converse()
    await chat.start("log in")
    emulator.config_path.parent.mkdir(parents=True, exist_ok=True)
    emulator.config_path.write_text(
        '[profiles.late]\napi_key = "K1234567"\nsecret_key = "S1234567"\npassphrase = "P1234567"\n'
        'site = "eea"\n'
    )
    turn = await chat.reply("2")
    assert turn.interrupt is None
    assert turn.reply == "已配置 API key (profile: late)"
    assert turn.state["outcome"] == "api_key_configured"
    assert chat.argvs()[2:] == [[*LOGIN, "eea"], ["config", "show", "--json"]]


async def test_new_input_abandons_pending_question_and_reruns_preflight(converse):
    chat = converse()
    await chat.start("log in")
    turn = await chat.start("am I logged in?")
    assert turn.interrupt is None
    assert turn.state["outcome"] == "status_reported"
    calls = chat.argvs()
    assert_preflight_first(calls)
    assert sorted(calls[2:]) == sorted(PREFLIGHT)


async def test_every_shown_text_is_in_messages_once(converse, emulator):
    chat = converse()
    await chat.start("log in")
    await chat.reply("nope")
    await chat.reply("1")
    emulator.approve()
    turn = await chat.reply("done")
    texts = [m.text for m in turn.state["messages"] if m.type == "ai"]
    assert texts[:2] == [MENU, MENU + "\n\n" + expected_text("site_menu_hint.en")]
    assert len([t for t in texts if t.startswith("Please open the link")]) == 1
    kinds = [m.type for m in turn.state["messages"]]
    assert kinds == ["human", "ai", "human", "ai", "human", "ai", "human", "ai"]


async def test_preflight_calls_overlap_in_time_on_every_entry(converse, emulator):
    emulator.init_world(latency=0.05)
    chat = converse()
    for request in ("log in", "am I logged in?", "show my balance", "log out"):
        before = len(emulator.calls())
        await chat.start(request)
        assert_preflight_overlaps(emulator.calls()[before:])
