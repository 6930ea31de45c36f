"""A conversation driver for end-to-end graph tests, and the spec texts they compare against."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.types import Command

import tests.spec_texts
from okx_auth_graph import Context
from okx_auth_graph.testing import OkxEmulator

SPEC_TEXTS = tests.spec_texts.SPEC_TEXTS
"""The spec's texts (the oracle the graph's replies are compared with; see tests/spec_texts.py)."""
MENU = tests.spec_texts.MENU
PREFLIGHT = [["config", "show", "--json"], ["auth", "status", "--json"]]


def prompt(name: str, **fields: Any) -> str:
    """The text a reply must show: the spec's when docs/spec.md fixes it, else the project's.

    Filled the way the spec says (plain str.format on its fields); see tests/spec_texts.py.
    """
    return tests.spec_texts.expected_text(name, **fields)


@dataclass
class Turn:
    """What one invocation produced."""

    interrupt: dict[str, Any] | None
    reply: str
    state: dict[str, Any]

    @property
    def kind(self) -> str | None:
        return self.interrupt["type"] if self.interrupt else None


class Conversation:
    """Drives the graph like a user: new inputs and replies on one thread."""

    def __init__(
        self,
        graph: Any,
        emulator: OkxEmulator,
        context: Context | None = None,
        *,
        mode: str = "ainvoke",
    ) -> None:
        self.graph = graph
        self.emulator = emulator
        self.context = context
        self.mode = mode  # "ainvoke", or "invoke" (the sync API, run in a worker thread)
        self.config = {"configurable": {"thread_id": str(uuid.uuid4())}}
        self.seen: set[str] = set()

    async def _run(self, payload: Any) -> Turn:
        if self.mode == "invoke":
            result = await asyncio.to_thread(
                self.graph.invoke, payload, self.config, context=self.context
            )
        else:
            result = await self.graph.ainvoke(payload, self.config, context=self.context)
        messages = result.get("messages", [])
        texts = [m.text for m in messages if isinstance(m, AIMessage) and m.id not in self.seen]
        self.seen.update(str(m.id) for m in messages)
        interrupts = result.get("__interrupt__") or []
        assert len(interrupts) <= 1, "one pending interrupt at a time"
        payload_value = interrupts[0].value if interrupts else None
        if payload_value and payload_value["message"] not in texts:
            texts.append(payload_value["message"])
        return Turn(payload_value, "\n\n".join(texts), result)

    async def start(self, request: str, **extra: Any) -> Turn:
        return await self._run({"messages": [HumanMessage(request)], **extra})

    async def reply(self, text: str) -> Turn:
        return await self._run(Command(resume=text))

    def calls(self) -> list[list[str]]:
        return [c["argv"] for c in self.emulator.calls()]


def assert_preflight_first(calls: list[list[str]]) -> None:
    assert sorted(calls[:2]) == sorted(PREFLIGHT), calls


def assert_preflight_overlaps(calls: list[dict[str, Any]]) -> None:
    """The first two recorded calls are the pre-flight pair and overlap in time."""
    first, second = calls[:2]
    assert sorted([first["argv"], second["argv"]]) == sorted(PREFLIGHT), calls[:2]
    assert max(first["started"], second["started"]) < min(first["ended"], second["ended"]), (
        "the pre-flight calls ran one after the other",
        calls[:2],
    )
