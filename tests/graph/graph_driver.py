"""A conversation driver for end-to-end graph tests, and the spec texts they compare against."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.types import Command

from okx_auth_graph import Context
from okx_auth_graph.testing import OkxEmulator

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
SPEC_TEXTS: dict[str, str] = {
    "site_menu.zh": (
        "您需要选择要连接的 OKX 站点:\n"
        "1. Global (www.okx.com)\n"
        "2. EEA (my.okx.com)\n"
        "3. US (app.okx.com)"
    ),
    "login_challenge.zh": (
        "请在浏览器中打开下面的链接并输入验证码完成授权:\n"
        "站点: {site}\n"
        "链接: {verificationUri}\n"
        "验证码: {userCode}\n"
        "(有效期 {expires_minutes} 分钟)\n"
        "通过链接完成授权,然后告诉我。"
    ),
    "login_challenge.en": (
        "Please open the link below in your browser and enter the verification code to authorize:\n"
        "Site: {site}\n"
        "URL: {verificationUri}\n"
        "Code: {userCode}\n"
        "(Valid for {expires_minutes} minutes)\n"
        "Please authorise current session with access to your account, tell me when you are done."
    ),
    "login_success.zh": ("登录成功。\n站点: {site}\n权限: {scopes}"),
    "login_success.en": ("Login successful.\nSite: {site}\nScopes: {scopes}"),
    "api_key_configured.zh": "已配置 API key (profile: {profile})",
    "session_lifetime.en": "Session stays active as long as you use the CLI periodically.",
}
"""The spec's verbatim texts, written out here (an oracle independent of prompts/)."""
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

    def __init__(self, graph: Any, emulator: OkxEmulator, context: Context | None = None) -> None:
        self.graph = graph
        self.emulator = emulator
        self.context = context
        self.config = {"configurable": {"thread_id": str(uuid.uuid4())}}
        self.seen = 0

    async def _run(self, payload: Any) -> Turn:
        result = await self.graph.ainvoke(payload, self.config, context=self.context)
        messages = result.get("messages", [])
        texts = [m.text for m in messages[self.seen :] if isinstance(m, AIMessage)]
        self.seen = len(messages)
        interrupts = result.get("__interrupt__") or []
        assert len(interrupts) <= 1, "one pending interrupt at a time"
        payload_value = interrupts[0].value if interrupts else None
        if payload_value and payload_value["message"] not in texts:
            texts.append(payload_value["message"])
        return Turn(payload_value, "\n\n".join(texts), result)

    async def start(self, request: str, **extra: Any) -> Turn:
        return await self._run({"messages": [HumanMessage(request)], **extra})

    async def reply(self, text: str) -> Turn:
        self.seen += 1  # the graph writes the reply into messages itself, not a caller
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
