"""The LangChain tools keep the spec's rules whatever the model does (in-process emulator)."""

from __future__ import annotations

import asyncio
import errno
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import pytest
from filelock import FileLock
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode
from pydantic import BaseModel

from okx_auth_graph.context import Context
from okx_auth_graph.core.login_lock import LOCK_NAME, MARKER_NAME
from okx_auth_graph.doors.tools import make_tools, run_okx_command
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.process import RawResult
from okx_auth_graph.testing import OkxEmulator
from okx_auth_graph.testing.shim import write_shim
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
    assert result["reason"] == (
        "The site menu was not shown before the user's latest message. Show this menu verbatim"
        " and wait for the user's choice."
    )
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
    assert not_a_choice["reason"] == (
        "The user's latest message is not a site choice. Show this message (the menu again,"
        " with a hint under it) verbatim and wait."
    )
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
    assert again == {
        "status": "refused",
        "reason": "A login was already started for this site choice. Wait for the user.",
    }
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
    assert polling == {
        "status": "refused",
        "reason": "Already checked since the user's latest message. Do not poll: wait for the"
        " user to say they are done.",
    }
    assert argvs(emulator) == []
    not_done = await run_tool(cli, [*base, HumanMessage("not yet"), call("okx_check_login", "k3")])
    assert not_done == {
        "status": "refused",
        "reason": "The user has not said they are done. Wait for their signal.",
    }
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
        # The model is told why and what to do instead (mutmut: tools.x_make_tools__mutmut_8).
        assert refused == {
            "status": "refused",
            "reason": "A login is waiting for the user to authorise in the browser. Run no okx"
            " command now: wait for the user's next message, then call okx_check_login.",
        }, name
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
    assert login == {"status": "api_key_configured", "message": status["message"]}
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


@pytest.mark.parametrize(("request_text", "language"), [("log me in", "en"), ("帮我登录", "zh")])
async def test_pending_login_is_never_restarted(
    isolated_home: Path, world: Path, request_text: str, language: str
) -> None:
    emulator = OkxEmulator(world)
    emulator.init_world(auth="pending", site="eea")
    cli = OkxCli(runner=emulator)
    status = await run_tool(cli, [HumanMessage(request_text), call("okx_auth_status")])
    assert status["next"] == "wait_for_user"
    assert status["message"] == project_text(f"login_pending.{language}", site="eea")
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


# --- Each tool's answers, key by key (issue 22: the mutmut survivors of doors/tools.py). ---

SUCCESS_EEA = spec_text("login_success.en", site="eea", scopes="live:read, live:trade")
"""docs/spec.md's success text for a session on eea with the emulator's default scopes."""
MENU_THEN: list[AnyMessage] = [HumanMessage("log in"), AIMessage(MENU)]
"""The menu shown before the user's reply (the pre-login gate's condition 1)."""


def error_reply(error: dict[str, Any], language: str = "en") -> str:
    """The reply to an okx error that is not a missing or too-old okx: its message and action."""
    return project_text(f"error_with_action.{language}", **error)


class Meanwhile:
    """The emulator, with ``meanwhile`` run once at a chosen moment of this adapter's calls.

    A faithful okx (every call is the emulator's, in the emulator's world, where the login lock
    lives too); only the moment something else happens in that world is chosen, as another
    door or the user's own terminal may act: right after this door's pre-flight read
    ``auth status`` (``after_status``), or right before its ``okx auth login`` runs
    (``before_login``).
    """

    def __init__(self, emulator: Any, meanwhile: Any, *, when: str) -> None:
        self.emulator = emulator
        self.meanwhile = meanwhile
        self.when = when

    @property
    def state_dir(self) -> Path:
        """The emulator's world folder (the okx state; the login lock lives there)."""
        return Path(self.emulator.state_dir)

    async def __call__(
        self, argv: Any, *, timeout: float, stdin: bytes | None = None, on_stdout: Any = None
    ) -> RawResult:
        if self.when == "before_login" and list(argv[:2]) == ["auth", "login"]:
            await self.run_meanwhile()
        raw: RawResult = await self.emulator(
            argv, timeout=timeout, stdin=stdin, on_stdout=on_stdout
        )
        if self.when == "after_status" and list(argv[:2]) == ["auth", "status"]:
            await self.run_meanwhile()
        return raw

    async def run_meanwhile(self) -> None:
        if self.meanwhile is not None:
            meanwhile, self.meanwhile = self.meanwhile, None
            await meanwhile()


async def test_a_session_in_place_is_reported_and_never_logged_in_again(
    isolated_home: Path, world: Path
) -> None:
    emulator = OkxEmulator(world)
    emulator.init_world(auth="logged_in", site="eea")
    cli = OkxCli(runner=emulator)
    status = await run_tool(cli, [HumanMessage("am I logged in"), call("okx_auth_status")])
    assert status == {
        "api_key_profile": None,
        "site": "eea",
        "status": "logged_in",
        "scopes": ["live:read", "live:trade"],
        "next": "logged_in",
        "message": SUCCESS_EEA,
    }
    login = await run_tool(
        cli, [*MENU_THEN, HumanMessage("2"), call("okx_start_login", site="eea")]
    )
    assert login == {"status": "logged_in", "message": SUCCESS_EEA}
    assert not any(a[:2] == ["auth", "login"] for a in argvs(emulator))


@pytest.mark.parametrize(
    ("request_text", "reply", "language"), [("log in", "2", "en"), ("帮我登录", "2", "zh")]
)
async def test_a_failed_preflight_is_the_answer_with_no_login(
    isolated_home: Path, world: Path, request_text: str, reply: str, language: str
) -> None:
    """okx-auth missing: ``auth status`` fails, so no login starts; its error is the reply."""
    emulator = OkxEmulator(world)
    emulator.init_world(binary="missing")
    cli = OkxCli(runner=emulator)
    history: list[AnyMessage] = [HumanMessage(request_text), AIMessage(MENU), HumanMessage(reply)]
    login = await run_tool(cli, [*history, call("okx_start_login", site="eea")])
    assert login["status"] == "error"
    error = login["error"]
    assert set(error) == {"kind", "message", "action"}
    assert error["kind"] == "failed_to_spawn"
    assert error["message"].startswith("Error: Failed to spawn okx-auth: spawn ")
    assert error["action"].startswith("okx auth install")  # docs/spec.md's error reference
    assert login["message"] == error_reply(error, language)
    assert sorted(argvs(emulator)) == PREFLIGHT
    status = await run_tool(cli, [*history, call("okx_auth_status")])
    assert status == {
        "api_key_profile": None,
        "site": None,
        "status": None,
        "scopes": [],
        "error": error,
        "next": "fix",
        "message": error_reply(error, language),
    }


async def test_a_login_okx_cannot_make_is_an_error_in_the_users_language(
    cli: OkxCli, emulator: OkxEmulator
) -> None:
    emulator.set("network", "down")
    history: list[AnyMessage] = [HumanMessage("帮我登录"), AIMessage(MENU), HumanMessage("2")]
    result = await run_tool(cli, [*history, call("okx_start_login", site="eea")])
    error = {
        "kind": "network_error",
        "message": "Network error during login: fetch failed",
        "action": result["error"]["action"],
    }
    assert "check the network" in error["action"]  # docs/spec.md: check network, confirm_retry
    assert result == {"status": "error", "error": error, "message": error_reply(error, "zh")}
    assert argvs(emulator)[-1] == ["auth", "login", "--manual", "--site", "eea"]


class ShortCodes:
    """The emulator, with a device-code server that grants ``seconds`` instead of 600.

    okx prints the ``expiresIn`` its server granted; this okx is the emulator in every other
    respect (same world, same call log), its manual login's JSON only carrying that grant.
    """

    def __init__(self, emulator: OkxEmulator, seconds: int) -> None:
        self.emulator = emulator
        self.seconds = seconds

    @property
    def state_dir(self) -> Path:
        """The emulator's world folder (the okx state; the login lock lives there)."""
        return self.emulator.state_dir

    async def __call__(
        self, argv: Any, *, timeout: float, stdin: bytes | None = None, on_stdout: Any = None
    ) -> RawResult:
        raw = await self.emulator(argv, timeout=timeout, stdin=stdin, on_stdout=on_stdout)
        if list(argv[:3]) != ["auth", "login", "--manual"] or raw.exit_code != 0:
            return raw
        challenge = json.loads(raw.stdout)
        challenge["expiresIn"] = self.seconds
        return RawResult(raw.argv, 0, json.dumps(challenge).encode(), raw.stderr)


@pytest.mark.parametrize(("seconds", "minutes"), [(45, 1), (120, 2)])
async def test_the_codes_validity_is_whole_minutes_at_least_one(
    emulator: OkxEmulator, seconds: int, minutes: int
) -> None:
    """docs/spec.md D9: ``expires_minutes`` is ``expiresIn / 60`` rounded down, at least 1."""
    cli = OkxCli(runner=ShortCodes(emulator, seconds))
    history: list[AnyMessage] = [*MENU_THEN, HumanMessage("3")]
    result = await run_tool(cli, [*history, call("okx_start_login", site="us")])
    code = result["userCode"]
    uri = result["verificationUri"]
    assert result == {
        "status": "code_issued",
        "site": "us",
        "verificationUri": uri,
        "userCode": code,
        "expiresIn": seconds,
        "message": spec_text(
            "login_challenge.en",
            site="us",
            verificationUri=uri,
            userCode=code,
            expires_minutes=minutes,
        ),
    }
    assert uri.startswith("https://app.okx.com/")  # the us site's web host (docs/spec.md)


async def test_a_chinese_conversations_code_comes_with_the_chinese_text(
    cli: OkxCli, emulator: OkxEmulator
) -> None:
    history: list[AnyMessage] = [HumanMessage("帮我登录"), AIMessage(MENU), HumanMessage("2")]
    result = await run_tool(cli, [*history, call("okx_start_login", site="eea")])
    assert result["status"] == "code_issued"
    assert result["message"] == spec_text(
        "login_challenge.zh",
        site="eea",
        verificationUri=result["verificationUri"],
        userCode=result["userCode"],
        expires_minutes=int(result["expiresIn"]) // 60,
    )


@pytest.mark.parametrize(
    ("approved", "request_text", "language"),
    [(True, "log in", "en"), (True, "帮我登录", "zh"), (False, "log in", "en")],
)
async def test_a_login_another_door_made_meanwhile_is_taken_not_doubled(
    emulator: OkxEmulator, approved: bool, request_text: str, language: str
) -> None:
    """Another conversation logs in on the same okx home between this pre-flight and login.

    docs/security.md, the login lock: the count moved, so ``auth status`` is read again and
    its answer is the reply, in this conversation's language: the session, or the other login
    still waiting (no second code).
    """
    other_history: list[AnyMessage] = [*MENU_THEN, HumanMessage("2")]

    async def other_door_logs_in() -> None:
        other = await run_tool(
            OkxCli(runner=emulator), [*other_history, call("okx_start_login", site="eea")]
        )
        assert other["status"] == "code_issued"
        if approved:
            emulator.approve()

    cli = OkxCli(runner=Meanwhile(emulator, other_door_logs_in, when="after_status"))
    history: list[AnyMessage] = [HumanMessage(request_text), AIMessage(MENU), HumanMessage("2")]
    result = await run_tool(cli, [*history, call("okx_start_login", site="eea")])
    if approved:
        success = spec_text(f"login_success.{language}", site="eea", scopes="live:read, live:trade")
        assert result == {"status": "logged_in", "message": success}
    else:
        assert result["status"] == "refused"
        assert result["auth_status"] == "pending"
        assert "already in progress" in result["reason"]
        assert "okx_check_login" in result["reason"]
    calls = argvs(emulator)
    assert [a for a in calls if a[:2] == ["auth", "login"]] == [
        ["auth", "login", "--manual", "--site", "eea"]
    ]
    assert calls[-1] == ["auth", "status", "--json"]


async def test_a_login_lock_held_elsewhere_means_a_login_in_progress(
    emulator: OkxEmulator,
) -> None:
    cli = OkxCli(runner=emulator, timeout=0.5)
    with FileLock(str(emulator.state_dir / LOCK_NAME)).acquire(timeout=5):
        result = await run_tool(
            cli, [*MENU_THEN, HumanMessage("1"), call("okx_start_login", site="global")]
        )
    assert result["status"] == "refused"
    assert result["auth_status"] == "pending"
    assert "already in progress" in result["reason"]
    assert not any(a[:2] == ["auth", "login"] for a in argvs(emulator))


API_KEY_CONFIG = (
    'default_profile = "live"\n\n[profiles.live]\napi_key = "AK-written-meanwhile-1234"\n'
    'secret_key = "SK-written-meanwhile-5678"\npassphrase = "PP-meanwhile-9"\nsite = "eea"\n'
)


class ConfigShowTimesOut:
    """The emulator, whose ``config show`` takes longer than the adapter allows once armed.

    ``TimeoutError`` is what a runner raises for a call that outlived its timeout (the
    subprocess runner's contract); every other call is the emulator's.
    """

    def __init__(self, emulator: OkxEmulator) -> None:
        self.emulator = emulator
        self.armed = False

    @property
    def state_dir(self) -> Path:
        """The emulator's world folder (the okx state; the login lock lives there)."""
        return self.emulator.state_dir

    async def __call__(
        self, argv: Any, *, timeout: float, stdin: bytes | None = None, on_stdout: Any = None
    ) -> RawResult:
        if self.armed and list(argv[:2]) == ["config", "show"]:
            raise TimeoutError
        if list(argv[:2]) == ["auth", "login"]:
            self.armed = True
        return await self.emulator(argv, timeout=timeout, stdin=stdin, on_stdout=on_stdout)


@pytest.mark.parametrize("config_show", ["answers", "times_out"])
async def test_an_api_key_written_before_the_login_skips_it_and_names_the_profile(
    emulator: OkxEmulator, config_show: str
) -> None:
    """The user's ``okx config init`` ended between the pre-flight and the login: okx skips
    the OAuth login (``status: skipped``); the reply is docs/spec.md's API-key sentence with
    the profile ``config show`` names now, else the one okx's skipped answer names."""

    async def config_init_finished() -> None:
        emulator.config_path.parent.mkdir(parents=True, exist_ok=True)
        emulator.config_path.write_text(API_KEY_CONFIG, encoding="utf-8")

    runner: Any = emulator if config_show == "answers" else ConfigShowTimesOut(emulator)
    cli = OkxCli(runner=Meanwhile(runner, config_init_finished, when="before_login"))
    result = await run_tool(
        cli, [*MENU_THEN, HumanMessage("2"), call("okx_start_login", site="eea")]
    )
    assert result == {
        "status": "api_key_configured",
        "message": spec_text("api_key_configured.zh", profile="live"),
    }
    assert "meanwhile" not in json.dumps(result)
    calls = argvs(emulator)
    assert calls[2] == ["auth", "login", "--manual", "--site", "eea"]
    expected_after = [["config", "show", "--json"]] if config_show == "answers" else []
    assert calls[3:] == expected_after


async def test_check_login_answers_each_status_with_its_text(emulator: OkxEmulator) -> None:
    cli = OkxCli(runner=emulator)
    nobody = await run_tool(cli, [call("okx_check_login", "k0")])
    assert nobody["status"] == "refused", "no user message yet: nothing to answer"
    assert "wait" in nobody["reason"]
    assert argvs(emulator) == []
    emulator.init_world(auth="pending", site="eea")
    pending = await run_tool(cli, [HumanMessage("done"), call("okx_check_login")])
    assert pending == {"status": "pending", "message": project_text("login_not_done_yet.en")}
    emulator.init_world(auth="logged_in", site="eea")
    done = await run_tool(cli, [HumanMessage("done"), call("okx_check_login")])
    assert done == {"status": "logged_in", "message": SUCCESS_EEA}
    emulator.init_world()
    lapsed = await run_tool(cli, [HumanMessage("好了"), call("okx_check_login")])
    assert lapsed["status"] == "not_logged_in"
    assert lapsed["message"] == project_text("confirm_retry.zh")
    assert "site menu" in lapsed["next"]
    assert argvs(emulator) == [["auth", "status", "--json"]]


@pytest.mark.parametrize(("reply", "language"), [("done", "en"), ("好了", "zh")])
async def test_tools_on_an_okx_without_okx_auth_answer_the_too_old_text(
    isolated_home: Path, world: Path, reply: str, language: str
) -> None:
    """okx 1.2.4 has no ``okx auth`` (docs/spec.md D16): each tool's error is the too-old text."""
    emulator = OkxEmulator(world)
    emulator.init_world(version="1.2.4")
    cli = OkxCli(runner=emulator)
    for name in ("okx_check_login", "okx_binary_status", "okx_install_binary", "okx_logout"):
        result = await run_tool(cli, [HumanMessage(reply), call(name)])
        assert result["status"] == "error", name
        assert result["error"]["kind"] == "cli_too_old", name
        assert set(result["error"]) == {"kind", "message", "action"}, name
        assert result["message"] == spec_text(f"cli_too_old.{language}"), name


@pytest.mark.parametrize(
    ("content", "checked"),
    [
        (["not yet"], False),
        (["hmm"], True),  # an unclear reply is checked once, as a signal or a denial is
        ([{"type": "text", "text": "not yet"}], False),
        ([{"type": "text", "text": "not "}, {"type": "text", "text": "yet"}], False),
        (["还没", "好"], False),
        (["wa", "it"], False),  # "wait": the parts are joined as they are
        (["wa", {"type": "text"}, "it"], False),  # a text part without text adds nothing
        ([{"type": "text", "text": "no"}, {"type": "text", "text": "pe"}], False),
        ([{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}, "done"], True),
        # an attached text file is no part of what the user wrote
        ([{"type": "text-plain", "mime_type": "text/plain", "text": "not yet"}, "done"], True),
        ([{"type": "text", "text": "done"}], True),
    ],
)
async def test_a_reply_in_content_parts_is_read_as_its_text(
    cli: OkxCli, emulator: OkxEmulator, content: list[Any], checked: bool
) -> None:
    """A message's content may be a list of parts (LangChain): its text parts, joined, are
    what the user wrote; "not yet" allows no check (docs/spec.md: no polling)."""
    result = await run_tool(cli, [HumanMessage(content=content), call("okx_check_login")])
    if checked:
        assert result["status"] == "not_logged_in"
        assert argvs(emulator) == [["auth", "status", "--json"]]
    else:
        assert result["status"] == "refused"
        assert argvs(emulator) == []


async def test_a_chinese_reply_in_content_parts_gets_a_chinese_answer(
    cli: OkxCli, emulator: OkxEmulator
) -> None:
    parts: list[Any] = [{"type": "text", "text": "好"}, {"type": "text", "text": "了"}]
    result = await run_tool(cli, [HumanMessage(content=parts), call("okx_check_login")])
    assert result["message"] == project_text("confirm_retry.zh")


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_logout_says_it_logged_out_in_the_users_language(
    isolated_home: Path, world: Path, language: str
) -> None:
    emulator = OkxEmulator(world)
    emulator.init_world(auth="logged_in", site="us")
    text = "log me out" if language == "en" else "帮我退出登录"
    result = await run_tool(OkxCli(runner=emulator), [HumanMessage(text), call("okx_logout")])
    assert result == {"status": "logged_out", "message": project_text(f"logged_out.{language}")}


async def test_an_install_that_fails_is_an_error_and_gives_no_command_back(
    isolated_home: Path, world: Path
) -> None:
    emulator = OkxEmulator(world)
    emulator.init_world(binary="missing", install="cdn_failed")
    request = call("okx_install_binary", retry_command=["account", "balance"])
    result = await run_tool(OkxCli(runner=emulator), [HumanMessage("balance"), request])
    assert result["status"] == "error"
    error = result["error"]
    assert error["kind"] == "install_failed"
    assert error["message"] == "Installation failed: All CDN sources failed"
    assert "retry okx auth install" in error["action"]  # docs/spec.md's error reference
    assert result["message"] == error_reply(error)
    assert "retry_command" not in result


async def test_an_installed_binary_gives_the_command_back_to_run_once(
    isolated_home: Path, world: Path
) -> None:
    emulator = OkxEmulator(world)
    emulator.init_world(binary="missing")
    request = call("okx_install_binary", retry_command=["account", "balance", "--json"])
    result = await run_tool(OkxCli(runner=emulator), [HumanMessage("balance"), request])
    assert set(result) == {"status", "installed", "retry_command", "next"}
    assert (result["status"], result["installed"]) == ("installed", True)
    assert result["retry_command"] == ["account", "balance", "--json"]
    assert "okx_run_command" in result["next"]
    assert "retry_command" in result["next"]


def shim_home(tmp_path: Path) -> tuple[Path, Path]:
    """The okx emulator as an executable (``okx-emulator shim``) and a HOME with an API key.

    Without ``OKX_EMULATOR_STATE`` the emulator's world is ``$HOME/.okx/emulator``, so the
    HOME the adapter gives okx decides which config and which world a call sees.
    """
    shim = write_shim(tmp_path / "bin")
    home = tmp_path / "okx-home"
    (home / ".okx").mkdir(parents=True)
    (home / ".okx" / "config.toml").write_text(
        'default_profile = "ctx"\n\n[profiles.ctx]\napi_key = "AK-context-home-4321"\n'
        'secret_key = "SK-context-home-8765"\npassphrase = "PP-context-9"\nsite = "us"\n',
        encoding="utf-8",
    )
    return shim, home


@pytest.mark.parametrize("given", ["context", "environment"])
async def test_without_an_adapter_the_tools_run_the_okx_the_run_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    """``make_tools()`` with no adapter: each call runs the okx executable and HOME the run's
    ``Context`` names, else those of ``OKX_EXECUTABLE`` / ``OKX_HOME`` (docs/security.md)."""
    shim, home = shim_home(tmp_path)
    graph = build_tool_graph(make_tools())
    entry = {"messages": [HumanMessage("am I logged in"), call("okx_auth_status")]}
    if given == "context":
        context = Context(okx_executable=str(shim), okx_home=str(home))
        result = await graph.ainvoke(entry, context=context)
    else:
        monkeypatch.setenv("OKX_EXECUTABLE", str(shim))
        monkeypatch.setenv("OKX_HOME", str(home))
        result = await graph.ainvoke(entry)
    status = json.loads(str(result["messages"][-1].content))
    assert (status["next"], status["api_key_profile"], status["site"]) == (
        "use_api_key",
        "ctx",
        "us",
    )
    assert "AK-context-home-4321" not in json.dumps(status)
    world = OkxEmulator(home / ".okx" / "emulator", home=home)
    assert sorted(argvs(world)) == PREFLIGHT


@dataclass
class AppContext:
    """An app's own run context (its graph's ``context_schema``), which is no ``Context``."""

    user_id: str


async def test_a_run_context_of_the_apps_own_leaves_the_okx_to_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``make_tools()`` in an app whose graph has a context of its own: the tools read no
    okx settings from it and run the okx ``OKX_EXECUTABLE`` / ``OKX_HOME`` name."""
    shim, home = shim_home(tmp_path)
    monkeypatch.setenv("OKX_EXECUTABLE", str(shim))
    monkeypatch.setenv("OKX_HOME", str(home))
    builder = StateGraph(MessagesState, context_schema=AppContext)
    builder.add_node("tools", ToolNode(make_tools()))
    builder.add_edge(START, "tools")
    entry: MessagesState = {"messages": [HumanMessage("am I logged in"), call("okx_auth_status")]}
    result = await builder.compile().ainvoke(entry, context=AppContext(user_id="u1"))
    status = json.loads(str(result["messages"][-1].content))
    assert (status["next"], status["api_key_profile"], status["site"]) == (
        "use_api_key",
        "ctx",
        "us",
    )
    world = OkxEmulator(home / ".okx" / "emulator", home=home)
    assert sorted(argvs(world)) == PREFLIGHT


class LoopsSeen:
    """The emulator, noting the event loop and thread each okx call of this adapter ran on."""

    def __init__(self, emulator: OkxEmulator) -> None:
        self.emulator = emulator
        self.seen: list[tuple[asyncio.AbstractEventLoop, int]] = []

    @property
    def state_dir(self) -> Path:
        """The emulator's world folder (the okx state; the login lock lives there)."""
        return self.emulator.state_dir

    async def __call__(
        self, argv: Any, *, timeout: float, stdin: bytes | None = None, on_stdout: Any = None
    ) -> RawResult:
        self.seen.append((asyncio.get_running_loop(), threading.get_ident()))
        return await self.emulator(argv, timeout=timeout, stdin=stdin, on_stdout=on_stdout)


async def test_an_async_caller_runs_the_tools_okx_calls_on_its_own_event_loop(
    emulator: OkxEmulator,
) -> None:
    """``tool.ainvoke`` (an async agent's ToolNode) awaits the tool's coroutine where it is
    called: no worker thread and no private loop, so cancelling the run reaches the okx call."""
    runner = LoopsSeen(emulator)
    messages = [*MENU_THEN, HumanMessage("2"), call("okx_start_login", site="eea")]
    result = await run_tool(OkxCli(runner=runner), messages)
    assert result["status"] == "code_issued"
    here = (asyncio.get_running_loop(), threading.get_ident())
    assert runner.seen == [here, here, here]  # config show, auth status, auth login


async def test_the_runs_timeout_bounds_each_okx_call(tmp_path: Path) -> None:
    shim, home = shim_home(tmp_path)
    world = OkxEmulator(home / ".okx" / "emulator", home=home)
    world.init_world(latency=4.0)
    graph = build_tool_graph(make_tools())
    entry = {"messages": [HumanMessage("is okx-auth installed"), call("okx_binary_status")]}
    context = Context(okx_executable=str(shim), okx_home=str(home), timeout=0.5)
    result = await graph.ainvoke(entry, context=context)
    status = json.loads(str(result["messages"][-1].content))
    assert status["status"] == "error"
    assert status["error"]["kind"] == "timeout"
    assert "did not finish within 0.5 s" in status["error"]["message"]


def model_facing_schema(tool: BaseTool) -> dict[str, Any]:
    """The JSON schema of the arguments the model passes to ``tool``."""
    schema = tool.tool_call_schema
    assert isinstance(schema, type)
    assert issubclass(schema, BaseModel)
    return schema.model_json_schema()


def test_the_model_sees_each_tools_description_and_arguments_not_the_runtime() -> None:
    tools = make_tools()
    assert [t.name for t in tools] == [
        "okx_auth_status", "okx_start_login", "okx_check_login", "okx_logout",
        "okx_install_binary", "okx_binary_status", "okx_run_command",
    ]  # fmt: skip
    for tool in tools:
        schema = model_facing_schema(tool)
        assert "runtime" not in schema.get("properties", {}), tool.name
        assert "Returns:" not in tool.description, tool.name
        assert "Args:" not in tool.description, tool.name
    start = model_facing_schema(tools[1])
    assert start["required"] == ["site"]
    assert start["properties"]["site"]["enum"] == ["global", "eea", "us"]
    assert "the user chose" in start["properties"]["site"]["description"]
    assert tools[1].description.startswith("Start an OKX OAuth login")
    run = model_facing_schema(tools[6])
    assert "skill module" in run["properties"]["argv"]["description"]


async def test_start_login_with_no_user_message_shows_the_menu(
    cli: OkxCli, emulator: OkxEmulator
) -> None:
    result = await run_tool(cli, [AIMessage(MENU), call("okx_start_login", site="global")])
    assert result["status"] == "refused"
    assert result["message"] == MENU  # the menu alone: there is no reply to hint about
    assert argvs(emulator) == []


@pytest.mark.parametrize("content", ["Error: the tool raised", "[1, 2]", '"code_issued"', "{"])
async def test_a_login_result_that_is_no_json_object_starts_no_wait(
    cli: OkxCli, emulator: OkxEmulator, content: str
) -> None:
    """Only a start_login result whose ``status`` is ``code_issued`` makes the tools wait; a
    result that is no JSON object (a tool error ToolNode reported) is no issued code."""
    messages: list[AnyMessage] = [
        *MENU_THEN,
        HumanMessage("1"),
        call("okx_start_login", "l1", site="global"),
        ToolMessage(content, tool_call_id="l1", name="okx_start_login"),
        HumanMessage("is okx-auth installed"),
        call("okx_binary_status", "b1"),
    ]
    result = await run_tool(cli, messages)
    assert result["installed"] is True
    assert argvs(emulator) == [["auth", "install-status", "--json"]]


@dataclass
class DataclassState:
    """A graph state that is no dict: the tools read its ``messages`` attribute."""

    messages: Annotated[list[AnyMessage], add_messages] = field(default_factory=list)


async def test_the_tools_read_the_messages_of_a_state_that_is_no_dict(
    cli: OkxCli, emulator: OkxEmulator
) -> None:
    builder = StateGraph(DataclassState)
    builder.add_node("tools", ToolNode(make_tools(cli)))
    builder.add_edge(START, "tools")
    graph = builder.compile()
    messages = [*MENU_THEN, HumanMessage("2"), call("okx_start_login", site="eea")]
    result = await graph.ainvoke(DataclassState(messages=messages))
    issued = json.loads(str(result["messages"][-1].content))
    assert issued["status"] == "code_issued"
    assert argvs(emulator)[-1] == ["auth", "login", "--manual", "--site", "eea"]
