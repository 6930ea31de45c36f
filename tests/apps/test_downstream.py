"""Downstream okx commands with the real CLI 1.2.4: an auth failure says what the auth graph does.

The real CLI talks to a small local OKX REST server on 127.0.0.1 (``OKX_API_BASE_URL``): the
ticker answers 200, the balance answers 401 with code 50111, as OKX does for a bad API key.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph import build_graph
from okx_auth_graph.context import Context
from okx_auth_graph.doors.tools import make_tools, run_okx_command
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.testing import OkxEmulator
from tests.apps.agents import build_tool_graph
from tests.rigs.real_cli import real_okx_cli

pytestmark = pytest.mark.real_cli

SECRETS = {
    "OKX_API_KEY": "AK-downstream-0001",
    "OKX_SECRET_KEY": "SK-downstream-0002",
    "OKX_PASSPHRASE": "PP-downstream-0003",
}


class OkxRestHandler(BaseHTTPRequestHandler):
    """Answers like OKX's REST API: a ticker, and 401/50111 for the account balance."""

    def do_GET(self) -> None:
        if self.path.startswith("/api/v5/account/balance"):
            body: dict[str, Any] = {"code": "50111", "msg": "Invalid OK-ACCESS-KEY", "data": []}
            status = 401
        else:
            status, body = 200, {"code": "0", "msg": "", "data": [{"instId": "BTC-USDT"}]}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def real_okx() -> str:
    return str(real_okx_cli())


@pytest.fixture
def rest_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), OkxRestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def context(real_okx: str, rest_url: str, isolated_home: Path) -> Context:
    return Context(
        okx_executable=real_okx,
        okx_home=str(isolated_home),
        okx_env={"OKX_API_BASE_URL": rest_url, **SECRETS},
    )


def adapter(context: Context) -> OkxCli:
    return OkxCli(context.okx_executable, home=context.okx_home, env=context.okx_env)


async def test_success_returns_the_json(context: Context) -> None:
    result = await run_okx_command(adapter(context), ["market", "ticker", "BTC-USDT", "--json"])
    assert result["ok"] is True
    assert result["json"] == [{"instId": "BTC-USDT"}]


async def test_invalid_api_key_hands_over_to_the_auth_graph(context: Context, world: Path) -> None:
    result = await run_okx_command(adapter(context), ["account", "balance", "--json"])
    assert result["ok"] is False
    assert result["next"] == "okx_auth"
    assert result["kind"] == "invalid_api_key"
    assert result["failed_command"]["argv"] == ["account", "balance", "--json"]
    assert "HTTP 401 from OKX: Invalid OK-ACCESS-KEY" in result["failed_command"]["error"]
    assert not any(secret in json.dumps(result) for secret in SECRETS.values())

    emulator = OkxEmulator(world)
    emulator.init_world(
        config={
            "profiles": {
                "live": {"api_key": "k", "secret_key": "s", "passphrase": "p", "site": "eea"}
            }
        }
    )
    graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=InMemorySaver())
    answer = await graph.ainvoke(
        {
            "messages": [HumanMessage("check my balance")],
            "failed_command": result["failed_command"],
        },
        {"configurable": {"thread_id": "d"}},
    )
    assert answer["__interrupt__"][0].value["type"] == "choose_api_key_fix"
    assert not any(call["argv"][:2] == ["auth", "login"] for call in emulator.calls())


async def test_run_command_tool_takes_okx_from_the_runtime_context(context: Context) -> None:
    graph = build_tool_graph(make_tools())
    call = AIMessage(
        "",
        tool_calls=[
            {
                "name": "okx_run_command",
                "args": {"argv": ["account", "balance", "--json"]},
                "id": "r",
            }
        ],
    )
    result = await graph.ainvoke({"messages": [HumanMessage("my balance"), call]}, context=context)
    message = result["messages"][-1]
    assert isinstance(message, ToolMessage)
    data = json.loads(str(message.content))
    assert data["next"] == "okx_auth"
    assert data["failed_command"]["argv"] == ["account", "balance", "--json"]
