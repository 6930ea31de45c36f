"""Over stdio, as a real client starts it: ``okx-auth-graph mcp --demo --world DIR`` in a subprocess.

The client is the SDK's ``stdio_client``; the user plays the browser through the emulator's
world folder (what ``okx-emulator world approve`` does from another terminal).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client

from okx_auth_graph.testing import OkxEmulator
from tests.mcp.conftest import MENU, PREFLIGHT, STATUS, SUCCESS_EN, User, accept


def server_params(world: Path, *extra: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "okx_auth_graph", "mcp", "--demo", "--world", str(world), *extra],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


async def test_a_fresh_login_through_the_stdio_server_makes_the_graphs_four_calls(
    tmp_path: Path,
) -> None:
    world = tmp_path / "world"
    browser = OkxEmulator(world)

    def approve() -> types.ElicitResult:
        browser.approve(scopes=["live:read"])
        return accept(done=True)

    user = User([accept(site="us"), approve])
    async with (
        stdio_client(server_params(world)) as (read, write),
        ClientSession(read, write, elicitation_callback=user) as session,
    ):
        await session.initialize()
        login = await session.call_tool("okx_login", {})
        assert not login.isError, login.content
        assert login.structuredContent is not None
        assert login.structuredContent["site"] == "us"
        done = await session.call_tool("okx_check_login", {})
        assert done.structuredContent is not None
        assert done.structuredContent["message"] == SUCCESS_EN.format(site="us", scopes="live:read")
    assert user.questions()[0][0] == MENU
    argvs = [list(c["argv"]) for c in browser.calls()]
    assert sorted(argvs[:2]) == sorted(PREFLIGHT)
    assert argvs[2:] == [["auth", "login", "--manual", "--site", "us"], STATUS]


async def test_a_stdio_client_without_elicitation_makes_no_login_call(tmp_path: Path) -> None:
    world = tmp_path / "world"
    async with (
        stdio_client(server_params(world)) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        result = await session.call_tool("okx_login", {"language": "zh"})
        assert result.structuredContent is not None
        assert result.structuredContent["message"].startswith(MENU)
    argvs = [list(c["argv"]) for c in OkxEmulator(world).calls()]
    assert sorted(argvs) == sorted(PREFLIGHT)
