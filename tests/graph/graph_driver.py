"""A conversation driver for end-to-end graph tests, and the spec texts they compare against."""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.types import Command

from okx_auth_graph import Context
from okx_auth_graph.testing import OkxEmulator

ROOT = Path(__file__).resolve().parents[2]
PROMPTS = ROOT / "prompts"
SPEC = (ROOT / "docs" / "spec.md").read_text(encoding="utf-8")
_BLOCK_STARTS = {
    "site_menu.zh": "您需要选择要连接的 OKX 站点",
    "login_challenge.zh": "请在浏览器中打开下面的链接",
    "login_challenge.en": "Please open the link below in your browser",
    "login_success.zh": "登录成功。",
    "login_success.en": "Login successful.",
}


def _spec_texts() -> dict[str, str]:
    """The spec's verbatim texts, read from docs/spec.md (never from prompts/)."""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in SPEC.split("\n"):
        if line.startswith("```"):  # an opening fence (```, ```sh, …) or a closing one
            if current is not None:
                blocks.append("\n".join(current))
            current = [] if current is None else None
        elif current is not None:
            current.append(line)
    texts = {}
    for name, first in _BLOCK_STARTS.items():
        found = [b for b in blocks if b.startswith(first)]
        assert len(found) == 1, (name, found)
        texts[name] = found[0]
    texts["api_key_configured.zh"] = re.findall(
        r"`(已配置 API key \(profile: \{profile\}\))`", SPEC
    )[0]
    flowing = " ".join(SPEC.split())
    texts["session_lifetime.en"] = re.findall(r'"(Session stays active [^"]*)"', flowing)[0]
    return texts


SPEC_TEXTS = _spec_texts()
"""The spec's verbatim texts (the oracle the graph's replies are compared with)."""
MENU = SPEC_TEXTS["site_menu.zh"]
PREFLIGHT = [["config", "show", "--json"], ["auth", "status", "--json"]]


def prompt(name: str, **fields: Any) -> str:
    """The text the spec prescribes, filled the way it says (plain str.format on its fields).

    The spec's verbatim templates come from :data:`SPEC_TEXTS`; the project's other texts
    (notices, questions) from their prompt file.
    """
    if name in SPEC_TEXTS:
        return SPEC_TEXTS[name].format(**fields)
    return (PROMPTS / f"{name}.txt").read_text(encoding="utf-8").format(**fields)


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
