"""``okx-auth-graph mcp``'s options: operator settings from options and the environment only."""

from __future__ import annotations

from pathlib import Path

import pytest

from okx_auth_graph.__main__ import main
from tests.mcp.conftest import User


@pytest.mark.parametrize(
    "argv",
    [
        ["mcp", "--okx", "okx", "--demo"],
        ["mcp", "--world", "w"],
        ["mcp", "--port", "0"],
        ["mcp", "--site", "eea"],
    ],
)
def test_a_bad_option_is_a_usage_error(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2


def test_an_okx_path_that_is_not_a_program_is_refused_before_serving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["mcp", "--okx", str(tmp_path / "missing" / "okx")]) == 2
    assert "--okx" in capsys.readouterr().err
    not_executable = tmp_path / "okx"
    not_executable.write_text("#!/bin/sh\n")
    monkeypatch.setenv("OKX_EXECUTABLE", str(not_executable))
    assert main(["mcp"]) == 2
    assert "$OKX_EXECUTABLE" in capsys.readouterr().err


async def test_no_tool_takes_a_site_or_an_operator_setting(connect) -> None:
    async with connect(User([])) as client:
        tools = (await client.session.list_tools()).tools
    arguments = {name for tool in tools for name in tool.inputSchema.get("properties", {})}
    assert arguments == {"language", "argv"}
    assert len(tools) == 8
