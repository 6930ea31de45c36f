"""Drives the auth graph to each of its questions, and the set of okx argv the graph may run.

``Chat`` plays the user on one thread; ``reach`` brings a fresh conversation to a given
interrupt type; ``argv_allowed`` is the closed set of okx invocations of the adapter, where
the only variable position is a validated site id.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from okx_auth_graph import Context, OkxCli, build_graph
from okx_auth_graph.sites import SITE_IDS as SITES
from okx_auth_graph.testing import OkxEmulator

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


def interrupt_of(result: Any) -> Any:
    """The pending interrupt's payload (a dict), or None if the run ended without a question."""
    pending = result.get("__interrupt__") or []
    assert len(pending) <= 1, "one pending interrupt at a time"
    return pending[0].value if pending else None


class Chat:
    """One thread of the graph, driven like a user."""

    def __init__(
        self,
        emulator: OkxEmulator,
        *,
        graph: Any = None,
        checkpointer: Any = None,
        context: Context | None = None,
        thread_id: str | None = None,
    ) -> None:
        self.emulator = emulator
        self.graph = graph or build_graph(
            cli=OkxCli(runner=emulator), checkpointer=checkpointer or InMemorySaver()
        )
        self.context = context or Context()
        self.config: RunnableConfig = {
            "configurable": {"thread_id": thread_id or str(uuid.uuid4())}
        }
        self.results: list[Any] = []

    async def _run(self, payload: Any) -> Any:
        result = await self.graph.ainvoke(payload, self.config, context=self.context)
        self.results.append(result)
        return result

    async def start(self, text: str, **extra: Any) -> Any:
        """A new input (an entry)."""
        return await self._run({"messages": [HumanMessage(text)], **extra})

    async def reply(self, text: str) -> Any:
        """Answer the pending question."""
        return await self._run(Command(resume=text))

    def argvs(self) -> list[list[str]]:
        """Every okx argv the emulator saw."""
        return [list(c["argv"]) for c in self.emulator.calls()]


async def _to_site(chat: Chat) -> Any:
    return await chat.start("log in to okx")


async def _to_await(chat: Chat) -> Any:
    await chat.start("log in to okx")
    return await chat.reply("2")


async def _to_retry(chat: Chat) -> Any:
    await _to_await(chat)
    chat.emulator.deny()
    return await chat.reply("done")


async def _to_key_fix(chat: Chat) -> Any:
    return await chat.start("my balance call failed", failed_command=INVALID_KEY_FAILURE)


async def _to_removal(chat: Chat) -> Any:
    await _to_key_fix(chat)
    return await chat.reply("2")


async def _to_remove_binary(chat: Chat) -> Any:
    return await chat.start("please remove the okx-auth binary")


REACH: dict[str, tuple[dict[str, Any], Callable[[Chat], Awaitable[Any]]]] = {
    "choose_site": ({}, _to_site),
    "await_authorization": ({}, _to_await),
    "confirm_retry": ({}, _to_retry),
    "choose_api_key_fix": ({"config": API_KEY_CONFIG}, _to_key_fix),
    "await_profile_removal": ({"config": API_KEY_CONFIG}, _to_removal),
    "confirm_remove_binary": ({}, _to_remove_binary),
}


async def reach(chat: Chat, interrupt_type: str) -> dict[str, Any]:
    """Drive ``chat`` (whose world was made with ``REACH[type][0]``) to that question."""
    _, drive = REACH[interrupt_type]
    result = await drive(chat)
    payload = interrupt_of(result)
    assert payload is not None, f"expected {interrupt_type}, got {result!r:.500}"
    assert payload["type"] == interrupt_type, payload
    return payload
