"""The questions of the auth graph, how to reach each, and the okx argv the graph may run.

``REACH`` / :func:`reach` bring a fresh conversation (``tests.conversation.converse_on``) to a
given interrupt type; ``argv_allowed`` is the closed set of okx invocations of the adapter,
where the only variable position is a validated site id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from okx_auth_graph.okx.sites import SITE_IDS as SITES
from okx_auth_graph.testing import OkxEmulator
from tests.conversation import Conversation, Exchange

FIXED_ARGV = {
    ("config", "show", "--json"),
    ("auth", "status", "--json"),
    ("auth", "logout"),
    ("auth", "install", "--json"),
    ("auth", "install-status", "--json"),
    ("auth", "remove", "--force", "--json"),
    ("--version",),
}
INTERRUPT_TYPES = {
    "choose_site",
    "await_authorization",
    "confirm_retry",
    "choose_api_key_fix",
    "await_profile_removal",
    "confirm_remove_binary",
    "clarify_request",
    "confirm_switch_site",
    "confirm_start_over",
}
API_KEY_CONFIG: dict[str, Any] = {
    "default_profile": "live",
    "profiles": {
        "live": {
            "api_key": "key-aaaa-0000",
            "secret_key": "sk-bbbb-0000",
            "passphrase": "pp-cccc-0000",
            "site": "eea",
        }
    },
}
INVALID_KEY_FAILURE = {
    "argv": ["account", "balance", "--json"],
    "error": "Error: HTTP 401 from OKX: Invalid OK-ACCESS-KEY",
}


def argv_allowed(argv: list[str]) -> bool:
    """Whether ``argv`` is one of the adapter's fixed commands or a login with a site id."""
    if tuple(argv) in FIXED_ARGV:
        return True
    if argv[:4] == ["auth", "login", "--manual", "--site"] and len(argv) == 5:
        return argv[4] in SITES
    if argv[:3] == ["auth", "login", "--site"] and len(argv) == 4:
        return argv[3] in SITES
    return False


async def _to_site(chat: Conversation) -> Exchange:
    return await chat.start("log in to okx")


async def _to_await(chat: Conversation) -> Exchange:
    await chat.start("log in to okx")
    return await chat.reply("2")


async def _to_retry(chat: Conversation) -> Exchange:
    await _to_await(chat)
    assert isinstance(chat.okx, OkxEmulator)
    chat.okx.deny()
    return await chat.reply("done")


async def _to_key_fix(chat: Conversation) -> Exchange:
    return await chat.start("my balance call failed", failed_command=INVALID_KEY_FAILURE)


async def _to_removal(chat: Conversation) -> Exchange:
    await _to_key_fix(chat)
    return await chat.reply("2")


async def _to_remove_binary(chat: Conversation) -> Exchange:
    return await chat.start("please remove the okx-auth binary")


REACH: dict[str, tuple[dict[str, Any], Callable[[Conversation], Awaitable[Exchange]]]] = {
    "choose_site": ({}, _to_site),
    "await_authorization": ({}, _to_await),
    "confirm_retry": ({}, _to_retry),
    "choose_api_key_fix": ({"config": API_KEY_CONFIG}, _to_key_fix),
    "await_profile_removal": ({"config": API_KEY_CONFIG}, _to_removal),
    "confirm_remove_binary": ({}, _to_remove_binary),
}


async def reach(chat: Conversation, interrupt_type: str) -> dict[str, Any]:
    """Drive ``chat`` (whose world was made with ``REACH[type][0]``) to that question."""
    _, drive = REACH[interrupt_type]
    result = await drive(chat)
    payload = result.interrupt
    assert payload is not None, f"expected {interrupt_type}, got {result.state!r:.500}"
    assert payload["type"] == interrupt_type, payload
    return payload
