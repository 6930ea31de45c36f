"""docs/mcp.md is true: its generated parts are current and its client snippets start this server."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from okx_auth_graph.doors.mcp.main import parse_args
from tests.mcp import pages
from tests.rigs.servers import venv_script

BLOCK = re.compile(r"^```json\n(.*?)^```$", re.M | re.S)


def snippets() -> list[dict[str, Any]]:
    """The server entries of every JSON block of the page (Claude/Cursor and VS Code shapes)."""
    found = []
    for text in BLOCK.findall(pages.PAGE.read_text(encoding="utf-8")):
        config = json.loads(text)
        servers = config.get("mcpServers") or config.get("servers")
        found += list(servers.values())
    return found


def test_the_generated_tools_and_transcript_are_current() -> None:
    page = pages.PAGE.read_text(encoding="utf-8")
    fresh = pages.render(page, pages.generated_parts())
    mask = pages.USER_CODE
    assert mask.sub("XXXX-XXXX", fresh) == mask.sub("XXXX-XXXX", page), (
        "docs/mcp.md is stale: run python -m tests.mcp.pages"
    )
    assert "okx auth login --manual --site eea" in page
    assert "`site`" not in page.split("tools begin")[1].split("tools end")[0]


def test_every_client_snippet_starts_this_server() -> None:
    entries = snippets()
    assert len(entries) == 4  # Claude Desktop, Claude Code, Cursor, VS Code
    for entry in entries:
        assert entry["command"] == "okx-auth-graph"
        assert entry["args"][0] == "mcp"
        parse_args(entry["args"][1:])  # exits on an option the command does not have
    assert entries[-1]["type"] == "stdio"


async def test_a_snippets_command_really_serves_the_tools(tmp_path: Path) -> None:
    entry = snippets()[0]
    params = StdioServerParameters(
        command=venv_script(entry["command"]),
        args=[*entry["args"], "--demo", "--world", str(tmp_path / "world")],
        env={**os.environ, **entry.get("env", {})},
    )
    async with (
        stdio_client(params) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        names = {tool.name for tool in (await session.list_tools()).tools}
    assert {"okx_login", "okx_check_login", "okx_run_command"} <= names
