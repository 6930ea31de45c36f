"""Canaries: no secret of the okx config reaches an MCP result, a notification or a log record.

Worlds seeded with canary credentials (an API-key profile; an OAuth profile keeping a secret
key and passphrase; a proxy password okx echoes in its error; a config file okx cannot parse,
whose error text quotes the secret lines)
are driven through every tool; everything the client received and every log record at DEBUG
is scanned for every 10-character window of every canary.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from typing import Any

import pytest

from okx_auth_graph.testing import OkxEmulator, WorldError
from tests.mcp.conftest import Client, User, accept

WINDOW = 10


def canary(kind: str) -> str:
    return f"{kind}{secrets.token_hex(12)}"


class Canaries:
    def __init__(self) -> None:
        self.api_key, self.secret_key, self.passphrase = canary("ak"), canary("sk"), canary("pp")

    def windows(self) -> set[str]:
        found: set[str] = set()
        for value in (self.api_key, self.secret_key, self.passphrase):
            found |= {value[i : i + WINDOW] for i in range(len(value) - WINDOW + 1)}
        return found

    def hits(self, text: str) -> list[str]:
        return sorted(w for w in self.windows() if w in text)


def worlds(c: Canaries) -> dict[str, Any]:
    key = {"api_key": c.api_key, "secret_key": c.secret_key, "passphrase": c.passphrase}
    return {
        "api_key": {"default_profile": "live", "profiles": {"live": {**key, "site": "eea"}}},
        "oauth_with_leftovers": {
            "default_profile": "oauth",
            "profiles": {"oauth": {"secret_key": c.secret_key, "passphrase": c.passphrase}},
        },
        "proxy_password": {
            "default_profile": "live",
            "profiles": {"live": {**key, "proxy_url": f"user:{c.passphrase}@proxy:3128"}},
        },
        "broken_toml": (
            f'default_profile = "live"\n[profiles.live]\napi_key = "{c.api_key}"\n'
            f'secret_key = """{c.secret_key}\n"""\npassphrase = p"{c.passphrase}\n'
        ),
    }


async def every_tool(client: Client, emulator: OkxEmulator, user: User) -> None:
    user.answers += [accept(site="eea"), accept(done=True), accept(confirm=False)]
    await client.call("okx_auth_status")
    await client.call("okx_login")
    with contextlib.suppress(WorldError):  # no login in this world: nothing to approve
        emulator.approve()
    await client.call("okx_check_login")
    await client.call("okx_run_command", argv=["account", "balance", "--json"])
    await client.call("okx_run_command", argv=["config", "show", "--json"])
    await client.call("okx_binary_status")
    await client.call("okx_install_binary")
    await client.call("okx_logout", language="zh")
    await client.call("okx_remove_binary")


@pytest.mark.parametrize(
    "world", ["api_key", "oauth_with_leftovers", "proxy_password", "broken_toml"]
)
async def test_no_canary_in_any_result_notification_or_log(
    connect, emulator, caplog, world
) -> None:
    c = Canaries()
    config = worlds(c)[world]
    if isinstance(config, str):  # what okx cannot parse: written as a user's editor would
        emulator.init_world(network="down")
        emulator.config_path.parent.mkdir(parents=True, exist_ok=True)
        emulator.config_path.write_text(config, encoding="utf-8")
    else:
        emulator.init_world(config=config, network="down")
    caplog.set_level(logging.DEBUG)
    user = User([])
    async with connect(user) as client:
        await every_tool(client, emulator, user)
        sent = client.everything_sent()
    assert len(client.results) == 9
    assert any(c.api_key in line or c.secret_key in line for line in _config_text(emulator))
    assert c.hits(sent) == []
    assert c.hits("\n".join(r.getMessage() for r in caplog.records)) == []
    assert c.hits("\n".join(p.message for p in user.asked)) == []


def _config_text(emulator: OkxEmulator) -> list[str]:
    """The config file's lines (the canaries are really there for okx to print)."""
    return emulator.config_path.read_text(encoding="utf-8").splitlines()
