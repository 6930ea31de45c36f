"""Conversations the benchmarks drive: a turn-timed flow, a fresh login, emulator worlds."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.types import Command

from benchmarks.runners import InstantOkx
from okx_auth_graph.testing import OkxEmulator

Graph = Any
LOGIN_REQUEST = "log in to okx"
SKILL_REQUEST = "show my account balance"
MARKET_REQUEST = "what is the BTC-USDT price?"
SITE_REPLY = "1"
DONE_REPLY = "done"
API_KEY_CONFIG: dict[str, Any] = {
    "default_profile": "live",
    "profiles": {
        "live": {
            "api_key": "bench-api-key-0000",
            "secret_key": "bench-secret-key-0000",
            "passphrase": "bench-passphrase-0000",
            "site": "global",
        }
    },
}
STATUS_REQUEST = "what is my okx login status?"


def interrupt_type(output: Any) -> str | None:
    """The ``type`` of the question an invocation's output left pending, if any."""
    pending = output.get("__interrupt__") if isinstance(output, dict) else None
    if not pending:
        return None
    value = pending[0].value
    return str(value.get("type")) if isinstance(value, dict) else None


@dataclass
class Flow:
    """One conversation driven through a graph, turn by turn."""

    graph: Graph
    thread_id: str
    context: Any
    durability: str | None = None
    turn_times: list[tuple[float, float]] = field(default_factory=list)
    last: Any = None

    async def send(self, message: Any) -> Any:
        """Send a new input (a string) or a resume (a :class:`Command`); time the turn."""
        payload = {"messages": [HumanMessage(message)]} if isinstance(message, str) else message
        start = time.perf_counter()
        kwargs: dict[str, Any] = {"context": self.context} if self.context is not None else {}
        if self.durability is not None:
            kwargs["durability"] = self.durability
        self.last = await self.graph.ainvoke(
            payload, {"configurable": {"thread_id": self.thread_id}}, **kwargs
        )
        self.turn_times.append((start, time.perf_counter()))
        return self.last


async def fresh_login(flow: Flow, emulator: OkxEmulator | InstantOkx) -> None:
    """Drive a fresh OAuth login: request, site reply, browser approval, completion signal.

    Raises:
        RuntimeError: If the graph does not ask, or does not end logged in.
    """
    if interrupt_type(await flow.send(LOGIN_REQUEST)) != "choose_site":
        raise RuntimeError(f"expected the site menu, got {flow.last!r:.300}")
    if interrupt_type(await flow.send(Command(resume=SITE_REPLY))) != "await_authorization":
        raise RuntimeError(f"expected await_authorization, got {flow.last!r:.300}")
    await asyncio.to_thread(emulator.approve)
    final = await flow.send(Command(resume=DONE_REPLY))
    outcome = final.get("outcome") if isinstance(final, dict) else None
    if outcome not in ("logged_in", None) or interrupt_type(final) is not None:
        raise RuntimeError(f"expected logged_in, got {final!r:.300}")


def world(root: Path, name: str, **settings: Any) -> OkxEmulator:
    """A fresh emulator world in ``root / name`` (``settings`` as for ``init_world``)."""
    emulator = OkxEmulator(root / name)
    emulator.init_world(**settings)
    return emulator
