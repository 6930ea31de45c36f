"""The LangChain tools keep the spec's rules whatever the model does (in-process emulator)."""

from __future__ import annotations

import asyncio
import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage

from okx_auth_graph.core.login_lock import LOCK_NAME, MARKER_NAME
from okx_auth_graph.doors.tools import make_tools, run_okx_command
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.testing import OkxEmulator
from tests.apps.agents import (
    ToolCallingFakeModel,
    argvs,
    build_agent,
    build_tool_graph,
    tools_agent,
)
from tests.spec_texts import MENU, project_text, spec_text


def hint_text(language: str) -> str:
    """The menu's re-ask hint, as docs/spec.md quotes it (D4)."""
    return spec_text(f"site_menu_hint.{language}")


PREFLIGHT = sorted([["config", "show", "--json"], ["auth", "status", "--json"]])


def call(name: str, call_id: str = "c1", **args: Any) -> AIMessage:
    return AIMessage("", tool_calls=[{"name": name, "args": args, "id": call_id}])


async def run_tool(cli: OkxCli, messages: list[AnyMessage]) -> dict[str, Any]:
    """Run the last message's tool call through ToolNode; return its parsed result."""
    result = await build_tool_graph(make_tools(cli)).ainvoke({"messages": messages})
    tool_message = result["messages"][-1]
    assert isinstance(tool_message, ToolMessage)
    data = json.loads(str(tool_message.content))
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("mode", ["ainvoke", "invoke"])
async def test_fake_model_agent_logs_in_through_the_tools(
    cli: OkxCli, emulator: OkxEmulator, mode: str
) -> None:
    model = ToolCallingFakeModel(
        messages=iter(
            [
                call("okx_auth_status", "s1"),
                call("okx_start_login", "l1", site="eea"),
                call("okx_check_login", "k1"),
            ]
        )
    )
    agent = build_agent(model, make_tools(cli))
    config = {"configurable": {"thread_id": "t"}}

    async def send(entry: dict[str, Any], config: Any) -> dict[str, Any]:
        if mode == "invoke":  # a synchronous caller, in a thread of its own
            return await asyncio.to_thread(agent.invoke, entry, config)
        return await agent.ainvoke(entry, config)

    first = await send({"messages": [HumanMessage("Please log me in to OKX")]}, config)
    assert first["messages"][-1].content == MENU
    status = json.loads(first["messages"][-2].content)
    assert status["next"] == "show_site_menu"
    assert sorted(argvs(emulator)) == PREFLIGHT

    second = await send({"messages": [HumanMessage("2")]}, config)
    issued = json.loads(second["messages"][-2].content)
    assert issued["status"] == "code_issued"
    assert issued["site"] == "eea"
    reply = second["messages"][-1].content
    assert reply == spec_text("login_challenge.en").format(
        site="eea",
        verificationUri=issued["verificationUri"],
        userCode=issued["userCode"],
        expires_minutes=issued["expiresIn"] // 60,
    )
    assert argvs(emulator)[-1] == ["auth", "login", "--manual", "--site", "eea"]

    emulator.approve(scopes=["live:read", "live:trade"])
    third = await send({"messages": [HumanMessage("done")]}, config)
    assert (
        third["messages"][-1].content
        == "Login successful.\nSite: eea\nScopes: live:read, live:trade"
    )
    calls = argvs(emulator)
    assert len(calls) == 6
    assert sorted(calls[2:4]) == PREFLIGHT
    assert calls[4:] == [
        ["auth", "login", "--manual", "--site", "eea"],
        ["auth", "status", "--json"],
    ]


async def test_start_login_refuses_without_the_menu(cli: OkxCli, emulator: OkxEmulator) -> None:
    result = await run_tool(
        cli, [HumanMessage("log me in"), HumanMessage("2"), call("okx_start_login", site="eea")]
    )
    assert result["status"] == "refused"
    assert result["message"] == MENU
    assert argvs(emulator) == []


async def test_upstream_not_logged_in_global_is_not_a_site_choice(
    cli: OkxCli, emulator: OkxEmulator
) -> None:
    upstream = AIMessage('okx-cex-portfolio: {"status":"not_logged_in","site":"global"}')
    result = await run_tool(
        cli,
        [HumanMessage("check my balance"), upstream, call("okx_start_login", site="global")],
    )
    assert result["status"] == "refused"
    assert argvs(emulator) == []


async def test_start_login_refuses_a_site_the_user_did_not_choose(
    cli: OkxCli, emulator: OkxEmulator
) -> None:
    history: list[AnyMessage] = [HumanMessage("log in"), AIMessage(MENU), HumanMessage(" 3。")]
    refused = await run_tool(cli, [*history, call("okx_start_login", site="global")])
    assert refused["status"] == "refused"
    assert "'us'" in refused["reason"]
    not_a_choice = await run_tool(
        cli,
        [
            HumanMessage("log in"),
            AIMessage(MENU),
            HumanMessage("whatever you think"),
            call("okx_start_login", site="global"),
        ],
    )
    assert not_a_choice["status"] == "refused"
    assert not_a_choice["message"] == f"{MENU}\n\n{hint_text('en')}"  # the menu, a hint under
    assert argvs(emulator) == []
    accepted = await run_tool(cli, [*history, call("okx_start_login", site="us")])
    assert accepted["status"] == "code_issued"
    assert argvs(emulator)[-1] == ["auth", "login", "--manual", "--site", "us"]


@pytest.mark.parametrize(
    ("request_text", "reply", "language"),
    [("log in", "Europe please", "en"), ("帮我登录", "欧洲", "zh"), ("帮我登录", "4", "zh")],
)
async def test_a_reply_that_is_no_site_choice_gets_the_menu_with_a_hint_in_the_users_language(
    cli: OkxCli, emulator: OkxEmulator, request_text: str, reply: str, language: str
) -> None:
    history: list[AnyMessage] = [HumanMessage(request_text), AIMessage(MENU), HumanMessage(reply)]
    refused = await run_tool(cli, [*history, call("okx_start_login", site="eea")])
    assert refused["status"] == "refused"
    assert refused["message"] == f"{MENU}\n\n{hint_text(language)}"
    assert argvs(emulator) == []


async def test_menu_in_a_tool_result_is_not_shown_to_the_user(
    cli: OkxCli, emulator: OkxEmulator
) -> None:
    hidden = ToolMessage(MENU, tool_call_id="x", name="okx_auth_status")
    messages: list[AnyMessage] = [
        HumanMessage("log in"),
        call("okx_auth_status", "x"),
        hidden,
        HumanMessage("1"),
        call("okx_start_login", site="global"),
    ]
    assert (await run_tool(cli, messages))["status"] == "refused"
    assert argvs(emulator) == []


async def test_one_login_per_site_choice(cli: OkxCli, emulator: OkxEmulator) -> None:
    history: list[AnyMessage] = [HumanMessage("log in"), AIMessage(MENU), HumanMessage("1")]
    first = await run_tool(cli, [*history, call("okx_start_login", "a", site="global")])
    assert first["status"] == "code_issued"
    done = ToolMessage(json.dumps(first), tool_call_id="a", name="okx_start_login")
    again = await run_tool(
        cli,
        [
            *history,
            call("okx_start_login", "a", site="global"),
            done,
            call("okx_start_login", "b", site="global"),
        ],
    )
    assert again["status"] == "refused"
    logins = [a for a in argvs(emulator) if a[:2] == ["auth", "login"]]
    assert logins == [["auth", "login", "--manual", "--site", "global"]]


async def test_a_login_lock_that_cannot_be_used_gets_its_fix_and_no_login(
    cli: OkxCli, emulator: OkxEmulator
) -> None:
    """The lock lives in the emulator's world (docs/security.md); a directory in its place."""
    folder = emulator.state_dir
    (folder / LOCK_NAME).mkdir()
    history: list[AnyMessage] = [HumanMessage("log in"), AIMessage(MENU), HumanMessage("2")]
    result = await run_tool(cli, [*history, call("okx_start_login", site="eea")])
    action = project_text("login_lock_fault.en", folder=folder, lock=LOCK_NAME, marker=MARKER_NAME)
    fault = f"[Errno {errno.EISDIR}] {os.strerror(errno.EISDIR)}: '{folder / LOCK_NAME}'"
    error = {"kind": "login_lock", "message": f"login lock in {folder}: {fault}", "action": action}
    assert result == {"status": "error", "error": error, "message": action}
    assert sorted(argvs(emulator)) == PREFLIGHT, "no login"


async def test_check_login_needs_a_new_user_message(cli: OkxCli, emulator: OkxEmulator) -> None:
    checked = ToolMessage('{"status": "pending"}', tool_call_id="k1", name="okx_check_login")
    base: list[AnyMessage] = [HumanMessage("done"), call("okx_check_login", "k1"), checked]
    polling = await run_tool(cli, [*base, call("okx_check_login", "k2")])
    assert polling["status"] == "refused"
    assert argvs(emulator) == []
    not_done = await run_tool(cli, [*base, HumanMessage("not yet"), call("okx_check_login", "k3")])
    assert not_done["status"] == "refused"
    assert argvs(emulator) == []
    after_signal = await run_tool(cli, [*base, HumanMessage("好了"), call("okx_check_login", "k4")])
    assert after_signal["status"] == "not_logged_in"
    assert argvs(emulator) == [["auth", "status", "--json"]]


async def test_other_okx_tools_wait_for_the_users_signal(
    cli: OkxCli, emulator: OkxEmulator
) -> None:
    issued = ToolMessage('{"status": "code_issued"}', tool_call_id="l1", name="okx_start_login")
    waiting: list[AnyMessage] = [
        HumanMessage("log in"),
        AIMessage(MENU),
        HumanMessage("1"),
        call("okx_start_login", "l1", site="global"),
        issued,
    ]
    for name in ("okx_auth_status", "okx_logout", "okx_binary_status", "okx_install_binary"):
        refused = await run_tool(cli, [*waiting, call(name)])
        assert refused["status"] == "refused"
        # The model is told why and what to do instead (mutmut: tools.x_make_tools__mutmut_8).
        assert "okx_check_login" in refused["reason"], name
        assert "wait" in refused["reason"], name
    run = await run_tool(cli, [*waiting, call("okx_run_command", argv=["market", "ticker"])])
    assert run["status"] == "refused"
    assert argvs(emulator) == []
    cancelled = await run_tool(cli, [*waiting, HumanMessage("取消"), call("okx_binary_status")])
    assert cancelled["installed"] is True
    assert argvs(emulator) == [["auth", "install-status", "--json"]]


async def test_a_pending_check_does_not_end_the_wait(cli: OkxCli, emulator: OkxEmulator) -> None:
    issued = ToolMessage('{"status": "code_issued"}', tool_call_id="l1", name="okx_start_login")
    pending = ToolMessage('{"status": "pending"}', tool_call_id="k1", name="okx_check_login")
    waiting: list[AnyMessage] = [
        HumanMessage("log in"),
        AIMessage(MENU),
        HumanMessage("1"),
        call("okx_start_login", "l1", site="global"),
        issued,
        HumanMessage("done"),
        call("okx_check_login", "k1"),
        pending,
        HumanMessage("log me out and show my balance"),
    ]
    for name in ("okx_auth_status", "okx_logout", "okx_binary_status", "okx_install_binary"):
        assert (await run_tool(cli, [*waiting, call(name)]))["status"] == "refused", name
    run = await run_tool(cli, [*waiting, call("okx_run_command", argv=["account", "balance"])])
    assert run["status"] == "refused"
    assert argvs(emulator) == []
    # A check that found the login finished (or lapsed) does end it.
    for status in ("logged_in", "not_logged_in"):
        ended = ToolMessage(f'{{"status": "{status}"}}', tool_call_id="k2", name="okx_check_login")
        after = [*waiting[:-1], HumanMessage("done"), call("okx_check_login", "k2"), ended]
        result = await run_tool(cli, [*after, call("okx_binary_status", "b1")])
        assert result["installed"] is True, status


async def test_only_the_whole_menu_lets_a_login_start(cli: OkxCli, emulator: OkxEmulator) -> None:
    lines = MENU.split("\n")
    for partial in (lines[0], "\n".join(lines[:3])):
        history: list[AnyMessage] = [HumanMessage("log in"), AIMessage(partial), HumanMessage("2")]
        result = await run_tool(cli, [*history, call("okx_start_login", site="eea")])
        assert result["status"] == "refused", partial
    assert not [a for a in argvs(emulator) if a[:2] == ["auth", "login"]]
    whole: list[AnyMessage] = [HumanMessage("log in"), AIMessage(MENU), HumanMessage("2")]
    accepted = await run_tool(cli, [*whole, call("okx_start_login", site="eea")])
    assert accepted["status"] == "code_issued"


async def test_api_key_user_gets_the_sentence_and_no_secret(isolated_home: Any, world: Any) -> None:
    emulator = OkxEmulator(world)
    emulator.init_world(
        config={
            "default_profile": "live",
            "profiles": {
                "live": {
                    "api_key": "AK-very-secret-1234",
                    "secret_key": "SK-very-secret-5678",
                    "passphrase": "PP-very-secret-9",
                    "site": "eea",
                }
            },
        }
    )
    cli = OkxCli(runner=emulator)
    status = await run_tool(cli, [HumanMessage("am i logged in"), call("okx_auth_status")])
    assert status["next"] == "use_api_key"
    assert status["message"] == "已配置 API key (profile: live)"
    history: list[AnyMessage] = [HumanMessage("log in"), AIMessage(MENU), HumanMessage("2")]
    login = await run_tool(cli, [*history, call("okx_start_login", site="eea")])
    assert login["status"] == "api_key_configured"
    dumped = json.dumps([status, login])
    for secret in ("AK-very-secret-1234", "SK-very-secret-5678", "PP-very-secret-9"):
        assert secret not in dumped
    assert not any(a[:2] == ["auth", "login"] for a in argvs(emulator))


async def test_run_command_refuses_config_and_auth(cli: OkxCli, emulator: OkxEmulator) -> None:
    refused = (
        ["config", "show", "--json"],
        ["auth", "login", "--manual"],
        ["--help"],
        ["--profile", "live", "account", "balance"],
        ["config", "show", "account"],
        ["setup", "account"],
    )
    for argv in refused:
        result = await run_okx_command(cli, argv)
        assert result["ok"] is False
        assert result["error"]["kind"] == "refused"
    assert argvs(emulator) == []


async def test_logout_and_binary_tools(cli: OkxCli, emulator: OkxEmulator) -> None:
    status = await run_tool(cli, [HumanMessage("is okx-auth installed"), call("okx_binary_status")])
    assert status["installed"] is True
    nothing = await run_tool(cli, [HumanMessage("log out"), call("okx_logout")])
    assert nothing["status"] == "not_logged_in"  # the graph's rule: no OAuth state, no logout
    assert nothing["message"] == project_text("logout_not_logged_in.en")
    install = await run_tool(cli, [HumanMessage("update okx-auth"), call("okx_install_binary")])
    assert install["status"] in {"installed", "up-to-date"}
    assert install["installed"] is True
    assert argvs(emulator) == [
        ["auth", "install-status", "--json"],
        ["auth", "status", "--json"],
        ["auth", "install", "--json"],
        ["auth", "install-status", "--json"],
    ]
    for auth in ("logged_in", "pending"):
        emulator.init_world(auth=auth, site="eea")
        logout = await run_tool(cli, [HumanMessage("log out"), call("okx_logout")])
        assert logout["status"] == "logged_out"
        assert argvs(emulator) == [["auth", "status", "--json"], ["auth", "logout"]]


async def test_tools_agent_example_runs(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await tools_agent.demo()
    out = capsys.readouterr().out
    assert "assistant: Login successful.\nSite: eea" in out
    assert "'auth login --manual --site eea', 'auth status --json']" in out


async def test_pending_login_is_never_restarted(isolated_home: Path, world: Path) -> None:
    emulator = OkxEmulator(world)
    emulator.init_world(auth="pending", site="eea")
    cli = OkxCli(runner=emulator)
    status = await run_tool(cli, [HumanMessage("log me in"), call("okx_auth_status")])
    assert status["next"] == "wait_for_user"
    assert status["message"] == project_text("login_pending.en", site="eea")
    history: list[AnyMessage] = [HumanMessage("log in"), AIMessage(MENU), HumanMessage("2")]
    login = await run_tool(cli, [*history, call("okx_start_login", site="eea")])
    assert login["status"] == "refused"
    assert not any(a[:2] == ["auth", "login"] for a in argvs(emulator))


async def test_okx_too_old_or_broken_gets_the_fix_not_a_crash(
    isolated_home: Path, world: Path
) -> None:
    emulator = OkxEmulator(world)
    emulator.init_world(version="1.2.4")
    status = await run_tool(
        OkxCli(runner=emulator), [HumanMessage("am I logged in"), call("okx_auth_status")]
    )
    assert status["next"] == "fix"
    assert status["message"] == spec_text("cli_too_old.en")
    emulator.init_world(binary="missing")
    logout = await run_tool(OkxCli(runner=emulator), [HumanMessage("log out"), call("okx_logout")])
    assert logout["status"] == "error"
    assert logout["error"]["kind"] == "failed_to_spawn"
    assert "okx auth install" in logout["message"]


@pytest.mark.parametrize("tool_call", [call("okx_auth_status"), call("okx_start_login", site="us")])
async def test_the_tools_preflight_calls_overlap_in_time(
    cli: OkxCli, emulator: OkxEmulator, tool_call: AIMessage
) -> None:
    emulator.init_world(latency=0.05)
    await run_tool(cli, [HumanMessage("log in"), AIMessage(MENU), HumanMessage("3"), tool_call])
    first, second = emulator.calls()[:2]
    assert sorted([first["argv"], second["argv"]]) == PREFLIGHT
    assert max(first["started"], second["started"]) < min(first["ended"], second["ended"])


async def test_install_binary_gives_back_the_command_to_run_once_more(
    cli: OkxCli, emulator: OkxEmulator
) -> None:
    failed = ["account", "balance", "--json"]
    request = call("okx_install_binary", retry_command=failed)
    result = await run_tool(cli, [HumanMessage("balance"), request])
    assert result["installed"] is True
    assert result["retry_command"] == failed
    plain = await run_tool(cli, [HumanMessage("update okx-auth"), call("okx_install_binary")])
    assert "retry_command" not in plain
