"""The MCP door's test rig: the real server and the SDK's client session, a user who answers.

``connect(...)`` opens the SDK's ``ClientSession`` over memory streams to the real server
(:func:`okx_auth_graph.doors.mcp.build_server` over the in-process emulator). A :class:`User`
is the elicitation callback: it answers each form from a script, as a person would, and
records every question; ``User(None)`` stands for a client without elicitation (no callback,
so none is declared). Every notification the client receives is kept in ``Client.notes``.
"""

from __future__ import annotations

import contextlib
import inspect
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession, types
from mcp.shared.context import RequestContext
from mcp.shared.memory import create_connected_server_and_client_session

from okx_auth_graph import OkxCli
from okx_auth_graph.doors.mcp import build_server
from okx_auth_graph.testing import OkxEmulator

ROOT = Path(__file__).resolve().parents[2]
SPEC = (ROOT / "docs" / "spec.md").read_text(encoding="utf-8")
PREFLIGHT = [["config", "show", "--json"], ["auth", "status", "--json"]]
STATUS = ["auth", "status", "--json"]


def spec_block(first_line: str) -> str:
    """The spec's untagged fenced block that starts with ``first_line`` (the oracle)."""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in SPEC.split("\n"):
        if line.startswith("```"):  # an opening fence (```, ```sh, …) or a closing one
            if current is not None:
                blocks.append("\n".join(current))
            current = [] if current is None else None
        elif current is not None:
            current.append(line)
    [block] = [b for b in blocks if b.startswith(first_line)]
    return block


MENU = spec_block("您需要选择要连接的 OKX 站点")
CHALLENGE_EN = spec_block("Please open the link below in your browser")
CHALLENGE_ZH = spec_block("请在浏览器中打开下面的链接")
SUCCESS_EN = spec_block("Login successful.")
SUCCESS_ZH = spec_block("登录成功。")


Answer = (
    types.ElicitResult
    | Callable[[], types.ElicitResult]
    | Callable[[], Awaitable[types.ElicitResult]]
)


def accept(**content: Any) -> types.ElicitResult:
    return types.ElicitResult(action="accept", content=content)


DECLINE = types.ElicitResult(action="decline")
CANCEL = types.ElicitResult(action="cancel")


@dataclass
class User:
    """Answers elicitations from ``answers`` in order (a callable is called at that moment)."""

    answers: list[Answer] = field(default_factory=list)
    asked: list[types.ElicitRequestParams] = field(default_factory=list)

    async def __call__(
        self, context: RequestContext[ClientSession, Any], params: types.ElicitRequestParams
    ) -> types.ElicitResult:
        self.asked.append(params)
        assert self.answers, f"an unexpected question: {params.message!r}"
        answer = self.answers.pop(0)
        if not callable(answer):
            return answer
        given = answer()
        return await given if inspect.isawaitable(given) else given

    def questions(self) -> list[tuple[str, dict[str, Any]]]:
        """``(message, requested schema)`` of each question asked (form mode only)."""
        return [(p.message, dict(getattr(p, "requestedSchema", {}) or {})) for p in self.asked]


@dataclass
class Client:
    """A connected client session, the notifications it got and the emulator behind it."""

    session: ClientSession
    emulator: OkxEmulator
    notes: list[Any] = field(default_factory=list)
    results: list[types.CallToolResult] = field(default_factory=list)

    async def call(self, tool: str, **arguments: Any) -> types.CallToolResult:
        async def progress(progress: float, total: float | None, message: str | None) -> None:
            self.notes.append({"progress": progress, "total": total, "message": message})

        result = await self.session.call_tool(tool, arguments, progress_callback=progress)
        self.results.append(result)
        return result

    async def data(self, tool: str, **arguments: Any) -> dict[str, Any]:
        """A tool's structured result (the call must not be a tool error)."""
        result = await self.call(tool, **arguments)
        assert not result.isError, result.content
        assert result.structuredContent is not None
        return dict(result.structuredContent)

    def argvs(self) -> list[list[str]]:
        return [list(c["argv"]) for c in self.emulator.calls()]

    def logins(self) -> list[list[str]]:
        return [a for a in self.argvs() if a[:2] == ["auth", "login"]]

    def everything_sent(self) -> str:
        """Every byte the client received: results, notifications (for the canaries)."""
        shown = [r.model_dump_json() for r in self.results]
        return "\n".join([*shown, *(json.dumps(n, default=str) for n in self.notes)])


@pytest.fixture
def form_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clients that declare form elicitation only (the SDK's declares URL mode too)."""
    monkeypatch.setattr(types, "UrlElicitationCapability", lambda: None)


@pytest.fixture
def emulator(tmp_path: Path) -> OkxEmulator:
    emu = OkxEmulator(tmp_path / "world")
    emu.init_world()
    return emu


@pytest.fixture
def connect(emulator: OkxEmulator) -> Callable[..., contextlib.AbstractAsyncContextManager[Client]]:
    """``async with connect(user) as client``: a new server (as after a restart) and a session."""

    @contextlib.asynccontextmanager
    async def open_client(
        user: User | None, *, language: str = "en", cli: OkxCli | None = None
    ) -> AsyncIterator[Client]:
        server = build_server(cli or OkxCli(runner=emulator), language=language)  # type: ignore[arg-type]
        notes: list[Any] = []

        async def on_message(message: Any) -> None:
            if isinstance(message, types.ServerNotification):
                notes.append(message.root.model_dump(mode="json"))

        async with create_connected_server_and_client_session(
            server, elicitation_callback=user, message_handler=on_message
        ) as session:
            client = Client(session, emulator, notes)
            yield client

    return open_client
