"""The login over MCP, in process: the SDK's client session, a user answering elicitations.

The site comes only from the user's answer to a form whose message is the verbatim menu; the
completion signal only from an elicitation; each accepted signal makes one ``auth status``.
"""

from __future__ import annotations

import asyncio

import pytest
from mcp import types

from okx_auth_graph import OkxCli
from okx_auth_graph.okx.sites import SITE_IDS
from okx_auth_graph.testing import OkxEmulator
from tests.mcp.conftest import (
    CANCEL,
    CHALLENGE_EN,
    CHALLENGE_ZH,
    DECLINE,
    MENU,
    PREFLIGHT,
    STATUS,
    SUCCESS_EN,
    SUCCESS_ZH,
    User,
    accept,
)

LOGIN = ["auth", "login", "--manual", "--site"]


def approved(emulator: OkxEmulator, **content: object):
    """An answer given once the user approved in the (emulated) browser."""

    def answer():
        emulator.approve(scopes=["live:read", "live:trade"])
        return accept(**content)

    return answer


@pytest.mark.parametrize("site", SITE_IDS)
async def test_fresh_login_takes_the_site_from_the_elicited_menu_in_four_okx_calls(
    connect, emulator, site
):
    user = User([accept(site=site)])
    async with connect(user) as client:
        result = await client.data("okx_login")
        [(message, schema)] = user.questions()
        assert message == MENU
        assert list(schema["properties"]) == ["site"]
        assert schema["properties"]["site"]["enum"] == list(SITE_IDS)
        assert schema["required"] == ["site"]
        assert result["status"] == "waiting_for_user"
        assert result["site"] == site
        assert result["message"] == CHALLENGE_EN.format(
            site=site,
            verificationUri=result["verificationUri"],
            userCode=result["userCode"],
            expires_minutes=result["expiresIn"] // 60,
        )
        assert "exactly as written" in result["instruction"]
        assert sorted(client.argvs()[:2]) == sorted(PREFLIGHT)
        assert client.argvs()[2:] == [[*LOGIN, site]]

        user.answers.append(approved(emulator, done=True))
        done = await client.data("okx_check_login")
        assert done["status"] == "logged_in"
        assert done["message"] == SUCCESS_EN.format(site=site, scopes="live:read, live:trade")
        signal = user.asked[1]  # the client opens the verification page (URL mode)
        assert isinstance(signal, types.ElicitRequestURLParams)
        assert signal.url == result["verificationUri"]
        assert signal.message == result["message"]
        assert client.argvs()[3:] == [STATUS]
        assert len(client.argvs()) == 4


async def test_chinese_texts_when_the_call_names_zh(connect, emulator):
    user = User([accept(site="eea"), approved(emulator, done=True)])
    async with connect(user) as client:
        result = await client.data("okx_login", language="zh")
        assert result["message"].startswith(CHALLENGE_ZH.split("\n")[0])
        assert user.questions()[0][0] == MENU  # the menu is Chinese in every language
        done = await client.data("okx_check_login", language="zh")
        assert done["message"] == SUCCESS_ZH.format(site="eea", scopes="live:read, live:trade")


async def test_the_servers_default_language_holds_when_a_call_names_none(connect, emulator):
    user = User([accept(site="us")])
    async with connect(user, language="zh") as client:
        result = await client.data("okx_login")
        assert result["message"].startswith(CHALLENGE_ZH.split("\n")[0])


async def test_an_api_key_user_gets_no_login_and_no_question(connect, emulator):
    emulator.init_world(
        config={
            "default_profile": "live",
            "profiles": {
                "live": {"site": "eea", "api_key": "AK", "secret_key": "SK", "passphrase": "PP"}
            },
        }
    )
    user = User([])
    async with connect(user) as client:
        result = await client.data("okx_login")
        assert result["status"] == "api_key_configured"
        assert result["message"] == "已配置 API key (profile: live)"
        assert user.asked == []
        assert client.logins() == []
        assert len(client.argvs()) == 2


async def test_a_logged_in_user_gets_the_success_text_and_no_login(connect, emulator):
    emulator.init_world(auth="logged_in", site="us", scopes=["live:read"])
    user = User([])
    async with connect(user) as client:
        result = await client.data("okx_login")
        assert result["message"] == SUCCESS_EN.format(site="us", scopes="live:read")
        assert user.asked == []
        assert client.logins() == []


async def test_a_declined_or_cancelled_menu_ends_with_no_okx_call_after_it(connect, emulator):
    for answer in (DECLINE, CANCEL):
        emulator.init_world()
        user = User([answer])
        async with connect(user) as client:
            result = await client.data("okx_login")
            assert result["status"] == "cancelled"
            assert result["message"] == "Cancelled. No further okx command was run."
            assert sorted(client.argvs()) == sorted(PREFLIGHT)


async def test_a_site_outside_the_menu_is_asked_again_never_logged_in(connect, emulator):
    user = User([accept(site="europe"), accept(site=2), accept(site="eea")])
    async with connect(user) as client:
        result = await client.data("okx_login")
        assert result["site"] == "eea"
        messages = [m for m, _ in user.questions()]
        assert messages[0] == MENU
        assert messages[1].startswith(MENU)
        assert messages[1] != MENU
        assert client.logins() == [[*LOGIN, "eea"]]


async def test_login_again_while_waiting_shows_the_held_code_with_no_okx_call(connect, emulator):
    user = User([accept(site="global")])
    async with connect(user) as client:
        first = await client.data("okx_login")
        calls = len(client.argvs())
        again = await client.data("okx_login")
        assert again["message"] == first["message"]
        assert again["userCode"] == first["userCode"]
        assert len(client.argvs()) == calls
        refused = await client.data("okx_auth_status")
        assert refused["status"] == "refused"
        refused = await client.data("okx_run_command", argv=["market", "ticker", "BTC-USDT"])
        assert refused["status"] == "refused"
        assert len(client.argvs()) == calls


async def test_login_again_after_not_done_yet_shows_the_held_code_not_the_wait(connect, emulator):
    user = User([accept(site="us"), accept(done=True)])
    async with connect(user, language="zh") as client:
        first = await client.data("okx_login")
        await client.data("okx_check_login")  # pending: "not done yet"
        calls = len(client.argvs())
        again = await client.data("okx_login")
        assert again["userCode"] == first["userCode"]
        assert again["message"] == CHALLENGE_ZH.format(
            site="us",
            verificationUri=first["verificationUri"],
            userCode=first["userCode"],
            expires_minutes=again["expiresIn"] // 60,
        )
        assert 0 < again["expiresIn"] <= first["expiresIn"]
        assert len(client.argvs()) == calls


async def test_not_done_yet_makes_one_status_call_per_accepted_signal(connect, emulator):
    user = User([accept(site="eea"), accept(done=True), accept(done=True)])
    async with connect(user) as client:
        await client.data("okx_login")
        result = await client.data("okx_check_login")
        assert result["status"] == "waiting_for_user"
        assert "not" in result["message"].lower()  # login_not_done_yet
        assert client.argvs()[3:] == [STATUS]
        await client.data("okx_check_login")
        assert client.argvs()[3:] == [STATUS, STATUS]


async def test_without_url_mode_the_signal_is_a_form_with_one_tick(connect, emulator, form_only):
    user = User([accept(site="global"), approved(emulator, done=True)])
    async with connect(user) as client:
        result = await client.data("okx_login")
        done = await client.data("okx_check_login")
        assert done["status"] == "logged_in"
        message, schema = user.questions()[1]
        assert message == result["message"]
        assert list(schema["properties"]) == ["done"]
        assert schema["properties"]["done"]["type"] == "boolean"
        assert client.argvs()[2:] == [[*LOGIN, "global"], STATUS]


async def test_an_unticked_signal_form_checks_nothing(connect, emulator, form_only):
    user = User([accept(site="eea"), accept(done=False)])
    async with connect(user) as client:
        first = await client.data("okx_login")
        result = await client.data("okx_check_login")
        assert result["message"] == first["message"]
        assert len(client.argvs()) == 3


async def test_a_cancelled_signal_ends_the_wait_with_no_okx_call(connect, emulator):
    for answer in (CANCEL, DECLINE):
        emulator.init_world()
        user = User([accept(site="eea"), answer])
        async with connect(user) as client:
            await client.data("okx_login")
            result = await client.data("okx_check_login")
            assert result["status"] == "cancelled"
            assert len(client.argvs()) == 3
            none = await client.data("okx_check_login")
            assert none["status"] == "no_pending_login"
            assert len(client.argvs()) == 3


@pytest.mark.parametrize("lapse", ["expire_code", "deny"])
async def test_an_expired_or_denied_code_offers_the_retry_through_the_menu(
    connect, emulator, lapse
):
    user = User([accept(site="eea")])
    async with connect(user) as client:
        await client.data("okx_login")
        getattr(emulator, lapse)()
        user.answers += [accept(done=True), accept(confirm=True), accept(site="us")]
        result = await client.data("okx_check_login")
        retry_question, menu_again = user.questions()[2:]
        assert "?" in retry_question[0] or "？" in retry_question[0]
        assert list(retry_question[1]["properties"]) == ["confirm"]
        assert menu_again[0] == MENU
        assert result["status"] == "waiting_for_user"
        assert result["site"] == "us"
        assert client.argvs()[3:] == [STATUS, [*LOGIN, "us"]]


async def test_a_declined_retry_makes_no_okx_call_after_the_check(connect, emulator):
    user = User([accept(site="eea")])
    async with connect(user) as client:
        await client.data("okx_login")
        emulator.deny()
        user.answers += [accept(done=True), DECLINE]
        result = await client.data("okx_check_login")
        assert result["status"] == "retry_declined"
        assert client.argvs()[3:] == [STATUS]


async def test_after_a_restart_a_pending_code_asks_to_start_over(connect, emulator):
    emulator.init_world(auth="pending", site="eea")
    user = User([DECLINE])
    async with connect(user) as client:
        kept = await client.data("okx_login")
        [(question, schema)] = user.questions()
        assert "eea" in question
        assert list(schema["properties"]) == ["confirm"]
        assert kept["status"] == "waiting_for_user"
        assert client.logins() == []
    user = User([accept(confirm=True), accept(site="global")])
    async with connect(user) as client:
        new = await client.data("okx_login")
        assert [m for m, _ in user.questions()][1] == MENU
        assert new["site"] == "global"
        assert client.logins() == [[*LOGIN, "global"]]


async def test_check_login_without_a_login_of_this_server_says_so_with_no_okx_call(
    connect, emulator
):
    emulator.init_world(auth="pending", site="eea")
    user = User([])
    async with connect(user) as client:
        result = await client.data("okx_check_login")
        assert result["status"] == "no_pending_login"
        assert result["message"].startswith("No login started by this server")
        assert client.argvs() == []
        assert user.asked == []


async def test_two_servers_on_one_okx_home_start_one_login_when_asked_at_once(
    connect, emulator, tmp_path
):
    """Two MCP servers (as two client apps would start them) share the graph's login lock."""

    class Chooser(User):
        async def __call__(self, context, params):  # type: ignore[no-untyped-def]
            self.asked.append(params)
            if "site" in (getattr(params, "requestedSchema", None) or {}).get("properties", {}):
                return accept(site="eea")
            return DECLINE  # a start-over question: keep the login in progress

    second = OkxCli(runner=OkxEmulator(emulator.state_dir))
    async with connect(Chooser()) as one, connect(Chooser(), cli=second) as two:
        results = await asyncio.gather(one.data("okx_login"), two.data("okx_login"))
    assert [a for a in one.argvs() if a[:2] == ["auth", "login"]] == [[*LOGIN, "eea"]]
    codes = [r.get("userCode") for r in results]
    assert sum(code is not None for code in codes) == 1  # one holds the code, one waits on it
    assert all(r["status"] == "waiting_for_user" for r in results)
