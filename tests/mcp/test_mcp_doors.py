"""The other tools over MCP, and a client without elicitation, in process."""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
from mcp import ClientSession, types

from okx_auth_graph import OkxCli
from okx_auth_graph.doors.mcp import build_server, door
from tests.mcp.conftest import DECLINE, MENU, PREFLIGHT, User, accept
from tests.spec_texts import expected_text


async def test_a_client_without_elicitation_never_gets_a_login(connect, emulator):
    async with connect(None) as client:
        result = await client.data("okx_login")
        assert result["status"] == "needs_user"
        assert result["message"] == MENU + "\n\n" + expected_text("mcp_no_elicitation.en")
        assert "okx auth login --site <id>" in result["message"]
        assert client.logins() == []
        assert sorted(client.argvs()) == sorted(PREFLIGHT)
        check = await client.data("okx_check_login")
        assert check["status"] == "no_pending_login"
        again = await client.data("okx_login")  # a new entry: the menu again, still no login
        assert again["message"] == result["message"]
        assert client.logins() == []


async def test_without_elicitation_the_explanation_is_in_the_users_language(connect, emulator):
    async with connect(None) as client:
        result = await client.data("okx_login", language="zh")
        assert result["message"] == MENU + "\n\n" + expected_text("mcp_no_elicitation.zh")
        assert client.logins() == []


async def test_status_reports_site_and_scopes_only(connect, emulator):
    emulator.init_world(auth="logged_in", site="eea", scopes=["live:read"])
    async with connect(User([])) as client:
        result = await client.data("okx_auth_status")
        assert result["auth"] == {"status": "logged_in", "site": "eea", "scopes": ["live:read"]}
        assert "eea" in result["message"]
        assert "live:read" in result["message"]
        for hidden in ("expiresAt", "ttl", "profile"):
            assert hidden not in client.everything_sent()
        assert client.logins() == []


async def test_logout_with_a_session_runs_okx_auth_logout(connect, emulator):
    emulator.init_world(auth="logged_in", site="eea")
    async with connect(User([])) as client:
        result = await client.data("okx_logout")
        assert result["status"] == "logged_out"
        assert ["auth", "logout"] in client.argvs()
        assert emulator.world()["auth"] == "not_logged_in"


async def test_remove_binary_needs_the_users_yes(connect, emulator):
    user = User([DECLINE])
    async with connect(user) as client:
        declined = await client.data("okx_remove_binary")
        assert declined["status"] == "status_reported"
        assert not any(a[:2] == ["auth", "remove"] for a in client.argvs())
        user.answers.append(accept(confirm=True))
        removed = await client.data("okx_remove_binary")
        assert ["auth", "remove", "--force", "--json"] in client.argvs()
        assert removed["message"] == expected_text("binary_removed.en")
        status = await client.data("okx_binary_status")
        assert status["message"] == expected_text("binary_missing.en")


async def test_remove_binary_without_elicitation_removes_nothing(connect, emulator):
    async with connect(None) as client:
        result = await client.data("okx_remove_binary")
        assert result["status"] == "needs_user"
        assert not any(a[:2] == ["auth", "remove"] for a in client.argvs())


async def test_install_binary_sends_progress_notifications(connect, emulator):
    emulator.init_world(binary="missing")
    async with connect(User([])) as client:
        result = await client.data("okx_install_binary")
        assert ["auth", "install", "--json"] in client.argvs()
        assert "okx-auth" in result["message"]
        progress = [n for n in client.notes if "progress" in n]
        assert len(progress) >= 2
        assert progress[-1]["progress"] == progress[-1]["total"] == 1


async def test_the_allowlist_refuses_config_and_auth_with_no_okx_call(connect, emulator):
    async with connect(User([])) as client:
        for argv in (["config", "show", "--json"], ["auth", "login"], ["--profile", "x", "market"]):
            result = await client.call("okx_run_command", argv=argv)
            assert result.isError
            assert "skill" in result.content[0].text  # type: ignore[union-attr]
        assert client.argvs() == []


async def test_an_auth_failure_says_to_call_okx_login_with_the_failed_command(connect, emulator):
    user = User([accept(site="eea")])
    async with connect(user) as client:
        argv = ["account", "balance", "--json"]
        result = await client.data("okx_run_command", argv=argv)
        assert result["ok"] is False
        assert result["next"] == "okx_login"
        assert result["failed_command"]["argv"] == argv
        assert "okx account balance --json" in result["message"]
        login = await client.data("okx_login")
        assert login["site"] == "eea"


async def test_a_call_waiting_on_the_user_sends_progress_notifications(emulator, monkeypatch):
    """While a form waits for the user, the tool call keeps sending progress notifications.

    The SDK's in-memory helper has a one-message buffer (the server's notifications wait for
    the client's loop, which waits for the user); here the streams buffer like a pipe does.
    """
    monkeypatch.setattr(door, "PROGRESS_SECONDS", 0.05)
    server = build_server(OkxCli(runner=emulator))
    to_server, from_client = anyio.create_memory_object_stream[Any](1000)
    to_client, from_server = anyio.create_memory_object_stream[Any](1000)
    ticks: list[float] = []

    async def progress(done: float, total: float | None, message: str | None) -> None:
        ticks.append(done)

    async def slow_user(context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        await asyncio.sleep(1.0)  # the user reads the menu
        return accept(site="eea")

    lowlevel = server._mcp_server
    async with anyio.create_task_group() as group:
        options = lowlevel.create_initialization_options()
        group.start_soon(lambda: lowlevel.run(from_client, to_client, options))
        async with ClientSession(from_server, to_server, elicitation_callback=slow_user) as session:
            await session.initialize()
            result = await session.call_tool("okx_login", {}, progress_callback=progress)
        group.cancel_scope.cancel()
    assert result.structuredContent is not None
    assert result.structuredContent["site"] == "eea"
    assert len(ticks) >= 10  # okx's part takes a fraction of the user's second


async def test_an_okx_that_cannot_start_is_a_tool_error_with_the_graphs_text(connect, tmp_path):
    missing = OkxCli(str(tmp_path / "no-okx-here"))
    async with connect(User([]), cli=missing) as client:
        result = await client.call("okx_login")
        assert result.isError
        text = result.content[0].text  # type: ignore[union-attr]
        assert expected_text("cli_not_found.en") in text
