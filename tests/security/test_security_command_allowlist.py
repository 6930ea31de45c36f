"""``okx_run_command`` / ``run_okx_command`` run the skill modules of ``okx --help`` only.

A prompt-injected model must not reach ``okx setup`` (it writes MCP servers into other AI
clients), ``config`` (prints secrets), ``auth``, ``diagnose``, an option before the module or a
module okx does not have: each is refused with no okx call at all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from okx_auth_graph.doors.tools import SKILL_MODULES, make_tools, run_okx_command
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.process import RawResult
from tests.apps.agents import build_tool_graph


class RecordingRunner:
    """Answers every okx call with ``[]`` on stdout and records its argv."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    async def __call__(
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> RawResult:
        self.calls.append(list(argv))
        return RawResult(tuple(argv), 0, b"[]\n", b"")


REFUSED: list[Any] = [
    ["setup", "--client", "cursor", "--profile", "main"],
    ["setup", "--client", "claude-code"],
    ["config", "show", "--json"],
    ["auth", "login", "--manual", "--site", "eea"],
    ["diagnose"],
    ["--profile", "live", "account", "balance"],
    ["--help"],
    ["-h"],
    ["--demo", "market", "ticker", "BTC-USDT"],
    ["unknownmodule", "x"],
    ["Market", "ticker"],
    [" market", "ticker"],
    [],
    "market ticker BTC-USDT",
    ["market", 5],
]


@pytest.mark.parametrize("argv", REFUSED, ids=[repr(a)[:40] for a in REFUSED])
async def test_run_okx_command_refuses_everything_but_skill_modules(argv: Any) -> None:
    runner = RecordingRunner()
    result = await run_okx_command(OkxCli(runner=runner), argv)
    assert result["ok"] is False
    assert result["error"]["kind"] == "refused"
    assert "market, account, spot, swap, futures, option, earn, bot" in result["error"]["message"]
    assert runner.calls == []


@pytest.mark.parametrize("module", SKILL_MODULES)
async def test_run_okx_command_runs_each_skill_module(module: str) -> None:
    runner = RecordingRunner()
    result = await run_okx_command(OkxCli(runner=runner), [module, "list", "--json"])
    assert result["ok"] is True
    assert runner.calls == [[module, "list", "--json"]]


def test_skill_modules_are_those_of_okx_help() -> None:
    assert set(SKILL_MODULES) == {
        "market", "account", "spot", "swap", "futures", "option", "earn", "bot"
    }  # fmt: skip


@pytest.mark.parametrize("argv", [["setup", "--client", "cursor"], ["diagnose"], ["x"]])
async def test_the_tool_refuses_without_an_okx_call(argv: list[str]) -> None:
    runner = RecordingRunner()
    call = AIMessage(
        "", tool_calls=[{"name": "okx_run_command", "args": {"argv": argv}, "id": "c1"}]
    )
    graph = build_tool_graph(make_tools(OkxCli(runner=runner)))
    result = await graph.ainvoke({"messages": [HumanMessage("set up cursor"), call]})
    message = result["messages"][-1]
    assert isinstance(message, ToolMessage)
    data = json.loads(str(message.content))
    assert data["ok"] is False
    assert data["error"]["kind"] == "refused"
    assert runner.calls == []


# --- the refusal's text: what it quotes, and input that is no argument list ---

MODULES_AND_ACTION = (
    ". It runs skill commands only; the first argument must be one of: market, account, spot, "
    "swap, futures, option, earn, bot"
)
ACTION = (
    "use the okx auth tools for authentication; config, auth, setup and diagnose are not "
    "available to the model"
)


@pytest.mark.parametrize(
    ("argv", "quoted"),
    [
        (["setup", "--client", "cursor"], "'setup'"),
        (["Market", "ticker"], "'Market'"),
        (["--profile", "live", "account"], "'--profile'"),
        ([""], "''"),
        ([], "nothing"),
        (["x" * 50, "y"], "'" + "x" * 40 + "'"),
        (["set\x1b]0;title\x07up\n"], "'set\\x1b]0;title\\x07up\\n'"),
        (("diagnose",), "'diagnose'"),
    ],
    ids=["setup", "cased", "option", "empty", "none", "long", "controls", "tuple"],
)
async def test_the_refusal_quotes_the_first_word_cut_to_40_characters(
    argv: Any, quoted: str
) -> None:
    runner = RecordingRunner()
    result = await run_okx_command(OkxCli(runner=runner), argv)
    assert result == {
        "ok": False,
        "error": {
            "kind": "refused",
            "message": f"okx_run_command refused: the first argument is {quoted}, not a skill "
            "module" + MODULES_AND_ACTION,
            "action": ACTION,
        },
    }
    assert runner.calls == []


NOT_AN_ARGUMENT_LIST: list[Any] = [
    None,
    5,
    "market ticker BTC-USDT",
    b"market ticker",
    {"market": "ticker"},
    {"market"},
    (word for word in ["market", "ticker"]),
    ["market", 5],
    ["market", None],
    ["market", b"ticker"],
]


@pytest.mark.parametrize(
    "argv", NOT_AN_ARGUMENT_LIST, ids=[type(a).__name__ for a in NOT_AN_ARGUMENT_LIST]
)
async def test_argv_that_is_no_list_of_strings_is_refused_without_a_crash(argv: Any) -> None:
    runner = RecordingRunner()
    result = await run_okx_command(OkxCli(runner=runner), argv)
    assert result == {
        "ok": False,
        "error": {
            "kind": "refused",
            "message": "okx_run_command refused: argv must be a list of strings"
            + MODULES_AND_ACTION,
            "action": ACTION,
        },
    }
    assert runner.calls == []


async def test_a_tuple_of_strings_runs_as_a_list_would() -> None:
    runner = RecordingRunner()
    result = await run_okx_command(OkxCli(runner=runner), ("market", "tickers", "SPOT"))
    assert result["ok"] is True
    assert result["argv"] == ["market", "tickers", "SPOT"]
    assert runner.calls == [["market", "tickers", "SPOT"]]
