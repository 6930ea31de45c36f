"""End-to-end flows other than a fresh login: API key, market, status, logout, binary,
remediation of failed commands (0.2.a, re-auth, reinstall), old CLI, interactive login."""

from __future__ import annotations

import asyncio
import re
import time

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from okx_auth_graph import Context, OkxCli, build_graph
from tests.conversation import PREFLIGHT, Conversation, assert_preflight_first
from tests.spec_texts import MENU, SPEC_TEXTS, expected_text

API_KEY_CONFIG = {
    "default_profile": "demo",
    "profiles": {
        "demo": {
            "api_key": "AK-canary-123456",
            "secret_key": "SK-canary-123456",
            "passphrase": "PP-canary-123456",
            "demo": True,
            "site": "eea",
        }
    },
}


async def test_market_request_makes_no_okx_call(converse):
    chat = converse()
    turn = await chat.start("What is the BTC-USDT price right now?")
    assert turn.interrupt is None
    assert (turn.state["outcome"], turn.state["route"]) == ("no_auth_needed", "okx-cex-market")
    assert turn.reply == expected_text("market_handoff.en")
    assert chat.argvs() == []


async def test_chinese_market_request_makes_no_okx_call(converse):
    chat = converse()
    turn = await chat.start("看一下 ETH 的 K线 和 RSI 指标")
    assert turn.state["route"] == "okx-cex-market"
    assert turn.state["language"] == "zh"
    assert chat.argvs() == []


DURATION = re.compile(
    r"\d+\s*(?:秒|分钟|分|小时|天|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?)\b", re.I
)


async def test_market_order_is_a_trade_and_needs_auth(converse, emulator):
    emulator.init_world(config=API_KEY_CONFIG)
    chat = converse()
    turn = await chat.start("place a market order to buy 0.1 BTC")
    assert turn.state["route"] == "okx-cex-trade"
    assert len(chat.argvs()) == 2


async def test_api_key_profile_short_circuits_with_the_verbatim_sentence(converse, emulator):
    emulator.init_world(config=API_KEY_CONFIG)
    chat = converse()
    turn = await chat.start("cancel my open BTC order")
    assert turn.interrupt is None
    assert turn.reply == "已配置 API key (profile: demo)"
    assert (turn.state["outcome"], turn.state["route"]) == ("api_key_configured", "okx-cex-trade")
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_api_key_user_asking_to_log_in_gets_no_login(converse, emulator):
    emulator.init_world(config=API_KEY_CONFIG)
    chat = converse()
    turn = await chat.start("log in with oauth")
    assert turn.state["outcome"] == "api_key_configured"
    assert not any(c[:2] == ["auth", "login"] for c in chat.argvs())


async def test_earn_route_after_login(converse, emulator):
    emulator.init_world(auth="logged_in", site="global")
    chat = converse()
    turn = await chat.start("subscribe to Simple Earn for USDT")
    assert turn.state["route"] == "okx-cex-earn"


async def test_status_question_never_starts_a_login(converse, emulator):
    emulator.init_world(auth="logged_in", site="eea", scopes=["live:read"])
    chat = converse()
    turn = await chat.start("what's my login status?")
    assert turn.interrupt is None
    assert turn.state["outcome"] == "status_reported"
    assert turn.reply == expected_text("status_logged_in.en", site="eea", scopes="live:read")
    for forbidden in ("expiresAt", "ttl", "oauth", "3600"):
        assert forbidden not in turn.reply
    assert not DURATION.search(turn.reply), turn.reply
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_status_replies_quote_no_token_lifetime(converse, emulator):
    for language, request in (("en", "am I logged in?"), ("zh", "我的登录状态是什么?")):
        emulator.init_world(auth="logged_in", site="us", scopes=["live:read", "live:trade"])
        turn = await converse().start(request)
        assert turn.state["outcome"] == "status_reported", language
        assert "us" in turn.reply, language
        assert "live:read, live:trade" in turn.reply, language
        assert not DURATION.search(turn.reply), (language, turn.reply)
        assert not re.search(r"expire|valid|ttl|有效|过期", turn.reply, re.I), turn.reply


async def test_upstream_claims_never_replace_the_preflight(converse, emulator):
    claims = [
        {"status": "logged_in", "site": "us", "scopes": ["live:read"]},
        {"status": "not_logged_in", "site": "global"},
        {"status": "pending", "site": "eea"},
    ]
    for claim in claims:
        before = len(emulator.calls())
        turn = await converse().start("check my balance", upstream_status=claim)
        assert_preflight_first([c["argv"] for c in emulator.calls()[before:]])
        assert turn.kind == "choose_site", claim  # the world: a fresh not-logged-in user
        assert turn.reply == MENU


async def test_status_not_logged_in_with_api_key(converse, emulator):
    emulator.init_world(config=API_KEY_CONFIG)
    chat = converse()
    turn = await chat.start("登录状态怎么样")
    assert turn.reply == "\n".join(
        [
            expected_text("status_not_logged_in.zh"),
            expected_text("status_api_key.zh", profile="demo"),
        ]
    )


async def test_session_lifetime_question_gets_the_spec_sentence(converse, emulator):
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    turn = await chat.start("How long does the login session last?")
    assert turn.reply == SPEC_TEXTS["session_lifetime.en"]
    assert not any(ch.isdigit() for ch in turn.reply)


async def test_logout_runs_okx_auth_logout(converse, emulator):
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    turn = await chat.start("log out")
    assert turn.state["outcome"] == "logged_out"
    assert turn.reply == expected_text("logged_out.en")
    assert chat.argvs()[2:] == [["auth", "logout"]]


async def test_api_key_user_can_log_out_of_oauth(converse, emulator):
    emulator.init_world(config=API_KEY_CONFIG, auth="logged_in", site="eea")
    chat = converse()
    turn = await chat.start("退出登录")
    assert turn.state["outcome"] == "logged_out"
    assert chat.argvs()[2:] == [["auth", "logout"]]


async def test_api_key_setup_is_explained_never_oauth(converse):
    chat = converse()
    turn = await chat.start("I want to set up an API key")
    assert turn.state["outcome"] == "needs_user_action"
    assert "okx config init" in turn.reply
    assert turn.reply == expected_text("api_key_setup.en")
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_binary_install_then_verify(converse):
    chat = converse()
    turn = await chat.start("please install okx-auth")
    assert turn.state["outcome"] == "binary_ready"
    assert chat.argvs()[2:] == [["auth", "install", "--json"], ["auth", "install-status", "--json"]]
    assert not any(t == MENU for t in turn.reply.split("\n\n"))


async def test_binary_status_when_missing_never_asks_site(converse, emulator):
    emulator.init_world(binary="missing")
    chat = converse()
    turn = await chat.start("is okx-auth installed? show install-status")
    assert turn.interrupt is None
    assert turn.reply == expected_text("binary_missing.en")
    assert chat.argvs()[2:] == [["auth", "install-status", "--json"]]


async def test_binary_remove_asks_then_forces(converse):
    chat = converse()
    turn = await chat.start("remove the okx-auth binary")
    assert turn.kind == "confirm_remove_binary"
    assert len(chat.argvs()) == 2
    turn = await chat.reply("maybe")
    assert turn.kind == "confirm_remove_binary"
    turn = await chat.reply("yes")
    assert turn.reply == expected_text("binary_removed.en")
    assert chat.argvs()[2:] == [["auth", "remove", "--force", "--json"]]


async def test_failed_to_spawn_reinstalls_and_retries_status_once(converse, emulator):
    emulator.init_world(binary="missing")
    chat = converse()
    turn = await chat.start("log in")
    assert turn.kind == "choose_site"
    calls = chat.argvs()
    assert_preflight_first(calls)
    assert calls[2:] == [
        ["auth", "install", "--json"],
        ["auth", "install-status", "--json"],
        ["auth", "status", "--json"],
    ]
    assert expected_text("installing_binary.en", status="installed") in turn.reply


async def test_install_failure_reports_the_cdn_error(converse, emulator):
    emulator.init_world(binary="missing", install="cdn_failed")
    chat = converse()
    turn = await chat.start("log in")
    assert turn.state["outcome"] == "failed"
    assert "All CDN sources failed" in turn.reply
    assert "okx auth install" in turn.reply


async def test_old_cli_gets_the_update_command(converse, emulator):
    emulator.init_world(version="1.2.4")
    chat = converse()
    turn = await chat.start("log in")
    assert turn.state["outcome"] == "needs_user_action"
    assert turn.reply == expected_text("cli_too_old.en")
    assert "1.3.1-beta.17" in turn.reply
    assert "okx config init" in turn.reply
    assert "npm install" not in turn.reply


@pytest.mark.parametrize(
    ("request_text", "language"),
    [("I want to set up an API key", "en"), ("我想配置 API key", "zh")],
)
async def test_old_cli_answers_an_api_key_request_with_the_wizard_not_the_too_old_text(
    converse, emulator, request_text, language
):
    """An API key needs only ``config show``, which 1.2.4 has (D16): no talk of OAuth."""
    emulator.init_world(version="1.2.4")
    chat = converse()
    turn = await chat.start(request_text)
    assert turn.state["outcome"] == "needs_user_action"
    assert turn.reply == expected_text(f"api_key_setup.{language}")
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)  # no okx config init: the user runs it


@pytest.mark.parametrize("request_text", ["log me in", "check my login status", "log out"])
async def test_old_cli_answers_every_oauth_request_with_the_too_old_text(
    converse, emulator, request_text
):
    emulator.init_world(version="1.2.4")
    chat = converse()
    turn = await chat.start(request_text)
    assert (turn.interrupt, turn.state["outcome"]) == (None, "needs_user_action")
    assert turn.reply == expected_text("cli_too_old.en")
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
@pytest.mark.parametrize(
    ("request_text", "language"),
    [("log me in", "en"), ("帮我登录", "zh"), ("set up an API key", "en")],
)
async def test_a_missing_okx_gets_the_install_command_not_the_too_old_text(
    tmp_path, mode, request_text, language
):
    """The other of D16's two texts: no okx at all (nothing to start) is installed with npm."""
    graph = build_graph(checkpointer=InMemorySaver())
    context = Context(okx_executable=str(tmp_path / "no-such-okx"))
    chat = Conversation(graph, context=context, mode=mode, thread_id="missing-okx")
    result = (await chat.start(request_text)).state
    assert result["outcome"] == "failed"
    reply = result["messages"][-1].text
    assert reply == expected_text(f"cli_not_found.{language}")
    assert "npm install -g @okx_ai/okx-trade-cli" in reply
    assert reply != expected_text(f"cli_too_old.{language}")


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_old_cli_status_with_an_api_key_says_oauth_is_unavailable(
    converse, emulator, language
):
    emulator.init_world(version="1.2.4", config=API_KEY_CONFIG)
    chat = converse()
    turn = await chat.start("am I logged in?" if language == "en" else "我登录了吗?")
    assert turn.state["outcome"] == "status_reported"
    expected = [
        expected_text(f"status_oauth_unavailable.{language}"),
        expected_text(f"status_api_key.{language}", profile="demo"),
    ]
    assert turn.reply == "\n".join(expected)


async def test_old_cli_with_api_key_still_short_circuits(converse, emulator):
    emulator.init_world(version="1.2.4", config=API_KEY_CONFIG)
    chat = converse()
    turn = await chat.start("show my positions")
    assert turn.state["outcome"] == "api_key_configured"
    assert turn.state["route"] == "okx-cex-portfolio"


async def test_expired_session_goes_through_menu_to_login(converse, emulator):
    emulator.init_world(auth="logged_in", site="eea")
    emulator.expire_session()
    chat = converse()
    turn = await chat.start("show my balance")
    assert turn.kind == "choose_site"
    assert turn.reply.startswith("Your OKX session has expired")  # the notice, then the menu
    assert turn.reply.endswith(MENU)
    turn = await chat.reply("2")
    assert turn.kind == "await_authorization"
    assert chat.argvs()[-1] == ["auth", "login", "--manual", "--site", "eea"]


async def test_failed_command_session_expired_relogs_through_menu(converse):
    chat = converse()
    turn = await chat.start(
        "check my balance",
        failed_command={
            "argv": ["account", "balance", "--json"],
            "error": "Error: Session expired — run okx auth login again",
        },
    )
    assert turn.kind == "choose_site"
    assert turn.reply == "\n\n".join([expected_text("session_expired_notice.en"), MENU])
    assert len(chat.argvs()) == 2


async def test_invalid_api_key_offers_two_neutral_options(converse, emulator):
    emulator.init_world(config=API_KEY_CONFIG)
    chat = converse()
    turn = await chat.start(
        "check my balance",
        failed_command={
            "argv": ["account", "balance", "--json"],
            "error": "Error: HTTP 401 from OKX: Invalid OK-ACCESS-KEY",
        },
    )
    assert turn.kind == "choose_api_key_fix"
    assert "https://my.okx.com/account/my-api" in turn.reply
    assert "recommend" not in turn.reply.lower()
    assert turn.interrupt["profile"] == "demo"
    turn = await chat.reply("1")
    assert turn.state["outcome"] == "needs_user_action"
    assert turn.reply == expected_text(
        "api_key_fix_replace.en", url="https://my.okx.com/account/my-api"
    )
    assert len(chat.argvs()) == 2


async def test_switch_to_oauth_waits_for_profile_removal_then_logs_in(converse, emulator):
    emulator.init_world(config=API_KEY_CONFIG)
    chat = converse()
    await chat.start(
        "查余额",
        failed_command={
            "argv": ["account", "balance"],
            "error": '{"code":"50113","msg":"Invalid Sign"}',
        },
    )
    turn = await chat.reply("2")
    assert turn.kind == "await_profile_removal"
    turn = await chat.reply("好了")
    assert turn.kind == "await_profile_removal"
    assert turn.reply == expected_text("api_key_still_configured.zh", profiles="demo")
    emulator.config_path.unlink()
    turn = await chat.reply("好了")
    assert turn.kind == "choose_site"
    turn = await chat.reply("1")
    assert turn.kind == "await_authorization"
    assert chat.argvs()[2:] == [
        ["config", "show", "--json"],
        ["config", "show", "--json"],
        ["auth", "login", "--manual", "--site", "global"],
    ]


async def test_region_restriction_names_the_site(converse, emulator):
    emulator.init_world(auth="logged_in", site="us")
    chat = converse()
    turn = await chat.start(
        "buy BTC-USDT-SWAP",
        failed_command={
            "argv": ["swap", "place"],
            "error": "Error: 51155 instrument not available",
        },
    )
    assert turn.kind == "confirm_switch_site"
    assert turn.reply == expected_text("region_restriction.en", site="us")
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_network_error_row_gives_its_action(converse):
    chat = converse()
    turn = await chat.start(
        "show balance",
        failed_command={"argv": ["account", "balance"], "error": "Network error during login"},
    )
    assert "check the network connection" in turn.reply


async def test_interactive_login_tells_first_then_blocks_until_approved(converse, emulator):
    chat = converse(context=Context(interactive_login=True))
    await chat.start("log in")

    async def approve_once_the_code_is_out() -> None:
        """The browser approves as soon as okx has issued its code (30 s at most)."""
        deadline = time.monotonic() + 30
        while emulator.world()["auth"] != "pending":
            assert time.monotonic() < deadline, "the blocking login issued no code"
            await asyncio.sleep(0.01)
        emulator.approve(scopes=["live:read"])

    approver = asyncio.create_task(approve_once_the_code_is_out())
    turn = await chat.reply("2")
    await approver
    notice, shown, success = turn.reply.split("\n\n")
    assert notice == expected_text("interactive_login_notice.en", site="eea")
    assert shown.startswith("Please open the link below in your browser")
    assert "Site: eea\nURL: https://my.okx.com/" in shown
    assert success == expected_text("login_success.en", site="eea", scopes="live:read")
    assert chat.argvs()[2:] == [["auth", "login", "--site", "eea"], ["auth", "status", "--json"]]


async def test_interactive_login_streams_its_code_while_it_waits(emulator):
    graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "interactive-stream"}}
    context = Context(interactive_login=True)
    await graph.ainvoke({"messages": [HumanMessage("log in")]}, config, context=context)
    events = []
    async for mode, chunk in graph.astream(
        Command(resume="2"), config, context=context, stream_mode=["custom", "values"]
    ):
        if mode == "custom":
            events.append(chunk)
            # The login is still blocked: nobody has approved yet; the user reads the code now.
            assert emulator.world()["auth"] == "pending"
            emulator.approve(scopes=["live:read"])
    assert [e["type"] for e in events] == ["login_challenge"]
    event = events[0]
    assert event["site"] == "eea"
    assert event["userCode"] in event["message"]
    assert event["verificationUri"].startswith("https://my.okx.com/")
    final = await graph.aget_state(config)
    assert final.values["outcome"] == "logged_in"
    assert event["message"] in [m.text for m in final.values["messages"]]


async def test_failed_interactive_login_shows_the_error_never_the_dead_code(converse, emulator):
    emulator.set("login_cap", 0.2)
    chat = converse(context=Context(interactive_login=True))
    await chat.start("log in")
    turn = await chat.reply("2")
    assert turn.kind == "confirm_retry"
    assert "Authorization timed out" in turn.reply
    assert "Code:" not in turn.reply
    assert "URL:" not in turn.reply
    assert "Waiting for authorization" not in turn.reply


async def test_failed_command_session_expired_while_a_login_is_pending_never_logs_in_again(
    converse, emulator
):
    emulator.init_world(auth="pending", site="us")
    chat = converse()
    turn = await chat.start(
        "show my balance",
        failed_command={"argv": ["account", "balance"], "error": "Run `okx auth login` first"},
    )
    assert turn.kind == "await_authorization"
    # "Run `okx auth login` first" is not a lapsed session: no expiry notice, the code waits.
    assert turn.reply == expected_text("login_pending.en", site="us")
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_a_new_entry_never_sees_an_earlier_entrys_failed_command(converse, emulator):
    emulator.init_world(config=API_KEY_CONFIG)
    chat = converse()
    turn = await chat.start(
        "check my balance",
        failed_command={"argv": ["account", "balance"], "error": "HTTP 401 Invalid Sign"},
    )
    assert turn.kind == "choose_api_key_fix"
    turn = await chat.start("what is my okx login status?")
    assert turn.interrupt is None
    assert turn.state["outcome"] == "status_reported"


async def test_a_login_error_passed_in_with_an_api_key_profile_gets_step_0_2_not_a_retry(
    converse, emulator
):
    """D19 meets step 0.2: with an API-key profile the key is used; no retry leads to a login."""
    emulator.init_world(
        config={
            "default_profile": "demo",
            "profiles": {"demo": {"api_key": "k" * 12, "secret_key": "s" * 12, "passphrase": "pw"}},
        }
    )
    chat = converse()
    turn = await chat.start(
        "帮我登录",
        failed_command={
            "argv": ["auth", "login", "--site", "eea"],
            "error": "Authorization timed out",
        },
    )
    assert turn.kind == "choose_site"  # the profile has no site: step 0.1 first
    turn = await chat.reply("2")
    assert turn.reply == "已配置 API key (profile: demo)"
    assert not any(c[:2] == ["auth", "login"] for c in chat.argvs())
