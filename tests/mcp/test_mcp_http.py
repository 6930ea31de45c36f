"""Streamable HTTP: ``okx-auth-graph mcp --http --port P --demo`` listens on 127.0.0.1 only and
refuses a request whose ``Host`` or ``Origin`` is not this machine's (DNS rebinding); a real
client session on 127.0.0.1 works.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from okx_auth_graph.testing import OkxEmulator
from tests.mcp.conftest import MENU, User, accept
from tests.rigs.servers import free_port, log_tail, stop_process_group

pytestmark = pytest.mark.server

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "probe", "version": "0"},
    },
}
HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


@pytest.fixture(scope="module")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """One server for the module (it starts in seconds, not milliseconds)."""
    folder = tmp_path_factory.mktemp("mcp-http")
    port = free_port()
    world = folder / "world"
    log = folder / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "okx_auth_graph",
                "mcp",
                "--http",
                "--port",
                str(port),
                "--demo",
                "--world",
                str(world),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log_tail(log)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, log_tail(log)
                time.sleep(0.2)
        yield port, world
    finally:
        stop_process_group(proc)


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on ``port`` (from /proc/net/tcp*)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_it_listens_on_127_0_0_1_only(http_server: tuple[int, Path]) -> None:
    port, _ = http_server
    assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, little-endian hex


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Host": "attacker.example"}, 421),
        ({"Host": "attacker.example:{port}"}, 421),
        ({"Origin": "http://attacker.example"}, 403),
        ({"Origin": "http://127.0.0.1.attacker.example:{port}"}, 403),
        ({"Origin": "null"}, 403),
    ],
)
def test_a_foreign_host_or_origin_is_refused(
    http_server: tuple[int, Path], headers: dict[str, str], status: int
) -> None:
    port, world = http_server
    sent = {**HEADERS, **{k: v.format(port=port) for k, v in headers.items()}}
    before = len(OkxEmulator(world).calls())
    with httpx.Client(trust_env=False) as client:
        refused = client.post(f"http://127.0.0.1:{port}/mcp", json=INITIALIZE, headers=sent)
        assert refused.status_code == status
        own = {**HEADERS, "Origin": f"http://localhost:{port}"}
        accepted = client.post(f"http://127.0.0.1:{port}/mcp", json=INITIALIZE, headers=own)
        assert accepted.status_code == 200
    assert len(OkxEmulator(world).calls()) == before  # initialize alone runs no okx


async def test_a_client_on_127_0_0_1_logs_in_with_the_users_site(
    http_server: tuple[int, Path],
) -> None:
    port, world = http_server
    user = User([accept(site="global")])
    async with (
        streamable_http_client(f"http://127.0.0.1:{port}/mcp") as (read, write, _),
        ClientSession(read, write, elicitation_callback=user) as session,
    ):
        await session.initialize()
        result = await session.call_tool("okx_login", {})
        assert result.structuredContent is not None
        assert result.structuredContent["site"] == "global"
    assert user.questions()[0][0] == MENU
    logins = [c["argv"] for c in OkxEmulator(world).calls() if c["argv"][:2] == ["auth", "login"]]
    assert logins[-1:] == [["auth", "login", "--manual", "--site", "global"]]
