"""One thread of a compiled graph, driven in this process the way a user drives it.

:class:`Conversation` sends a new input (:meth:`~Conversation.start`) or an answer to the
pending question (:meth:`~Conversation.reply`) through any of the graph's four ways of running
— ``invoke``, ``ainvoke``, ``stream`` or ``astream`` — and returns an :class:`Exchange`: the
pending question, the reply text, the state, the nodes that ran and the okx calls made. The
evaluation runner's in-process session and the test suite drive conversations through it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, get_args

from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.types import Command, StateSnapshot

Mode = Literal["invoke", "ainvoke", "stream", "astream"]
"""How the graph is run: the sync ones run in a worker thread."""
MODES: tuple[Mode, ...] = get_args(Mode)


class CallLog(Protocol):
    """Where okx calls are recorded (the emulator): ``argv`` of each, oldest first."""

    def calls(self) -> Sequence[Mapping[str, Any]]:
        """Every recorded okx invocation."""
        ...


@dataclass
class Exchange:
    """What one invocation produced.

    Attributes:
        interrupt: The pending question's value (a dict with ``type`` and ``message`` for the
            auth graph), or ``None`` when the run ended.
        reply: The texts of the assistant messages this invocation added, then the pending
            question's message when the graph has not added it yet; joined by a blank line.
        state: The state values: what ``invoke``/``ainvoke`` returned (``__interrupt__``
            included), or the thread's checkpoint after ``stream``/``astream``.
        node_steps: The nodes of each superstep, names sorted (``stream``/``astream`` only).
        calls: The okx argv this invocation ran (when the conversation has a call log).
    """

    interrupt: Any
    reply: str
    state: dict[str, Any]
    node_steps: list[list[str]] = field(default_factory=list)
    calls: list[list[str]] = field(default_factory=list)

    @property
    def kind(self) -> str | None:
        """The pending question's ``type``, or ``None``."""
        if isinstance(self.interrupt, dict):
            kind = self.interrupt.get("type")
            return str(kind) if kind is not None else None
        return None

    @property
    def outcome(self) -> Any:
        """The state's ``outcome`` (``None`` while a question is pending)."""
        return self.state.get("outcome")


class Conversation:
    """One thread of ``graph`` (compiled with a checkpointer), driven like a user.

    Args:
        graph: A compiled graph.
        context: The runtime context passed to every invocation.
        mode: ``invoke``, ``ainvoke``, ``stream`` or ``astream``.
        thread_id: The thread (a fresh one by default).
        okx: Where okx calls are recorded (an :class:`~okx_auth_graph.testing.OkxEmulator`),
            for :meth:`argvs` and :attr:`Exchange.calls`.
        recursion_limit: Supersteps allowed per invocation (LangGraph's default if ``None``).

    Attributes:
        exchanges: Every exchange so far, oldest first.
    """

    def __init__(
        self,
        graph: Any,
        *,
        context: Any = None,
        mode: Mode = "ainvoke",
        thread_id: str | None = None,
        okx: CallLog | None = None,
        recursion_limit: int | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.graph = graph
        self.context = context
        self.mode = mode
        self.okx = okx
        self.config: RunnableConfig = {"configurable": {"thread_id": thread_id or uuid.uuid4().hex}}
        if recursion_limit is not None:
            self.config["recursion_limit"] = recursion_limit
        self.exchanges: list[Exchange] = []
        self._seen: set[str] = set()
        self._calls_seen = 0

    async def start(self, request: str, **extra: Any) -> Exchange:
        """A new input: ``request`` as the user's message, ``extra`` as other input fields."""
        return await self.send({"messages": [HumanMessage(request)], **extra})

    async def reply(self, answer: object) -> Exchange:
        """Answer the pending question (any JSON value a client may send)."""
        return await self.send(Command(resume=answer))

    async def send(self, payload: Any) -> Exchange:
        """Run the graph once on ``payload`` (an input or a ``Command``)."""
        node_steps: list[list[str]] = []
        if self.mode in ("invoke", "ainvoke"):
            if self.mode == "invoke":
                result = await asyncio.to_thread(
                    self.graph.invoke, payload, self.config, context=self.context
                )
            else:
                result = await self.graph.ainvoke(payload, self.config, context=self.context)
            state = dict(result)
            pending = [i.value for i in state.get("__interrupt__") or []]
        else:
            events, snapshot = await self._stream(payload)
            steps: dict[int, list[str]] = {}
            for event in events:
                if event["type"] == "task":
                    steps.setdefault(event["step"], []).append(event["payload"]["name"])
            node_steps = [sorted(steps[step]) for step in sorted(steps)]
            state = dict(snapshot.values)
            pending = [i.value for i in snapshot.interrupts]
        if len(pending) > 1:
            raise RuntimeError(f"one pending interrupt at a time, not {len(pending)}: {pending!r}")
        question = pending[0] if pending else None
        exchange = Exchange(
            interrupt=question,
            reply=self._reply(state.get("messages") or [], question),
            state=state,
            node_steps=node_steps,
            calls=self._new_calls(),
        )
        self.exchanges.append(exchange)
        return exchange

    async def _stream(self, payload: Any) -> tuple[list[Any], StateSnapshot]:
        if self.mode == "stream":

            def run() -> tuple[list[Any], StateSnapshot]:
                events = list(
                    self.graph.stream(
                        payload, self.config, context=self.context, stream_mode="debug"
                    )
                )
                return events, self.graph.get_state(self.config)

            return await asyncio.to_thread(run)
        events = [
            event
            async for event in self.graph.astream(
                payload, self.config, context=self.context, stream_mode="debug"
            )
        ]
        return events, await self.graph.aget_state(self.config)

    def _reply(self, messages: Sequence[Any], question: Any) -> str:
        texts = [
            str(m.text) for m in messages if isinstance(m, AIMessage) and m.id not in self._seen
        ]
        self._seen.update(str(m.id) for m in messages)
        if isinstance(question, dict):
            message = question.get("message")
            if isinstance(message, str) and message not in texts:
                texts.append(message)
        return "\n\n".join(texts)

    def _new_calls(self) -> list[list[str]]:
        calls = self.argvs()
        new, self._calls_seen = calls[self._calls_seen :], len(calls)
        return new

    def argvs(self) -> list[list[str]]:
        """Every okx argv the call log holds, oldest first (none without a call log)."""
        if self.okx is None:
            return []
        return [list(call["argv"]) for call in self.okx.calls()]

    async def state(self) -> StateSnapshot:
        """The thread's current checkpoint."""
        if self.mode in ("invoke", "stream"):
            return await asyncio.to_thread(self.graph.get_state, self.config)
        snapshot: StateSnapshot = await self.graph.aget_state(self.config)
        return snapshot

    async def history(self) -> list[StateSnapshot]:
        """Every checkpoint of the thread, newest first."""
        if self.mode in ("invoke", "stream"):
            return await asyncio.to_thread(lambda: list(self.graph.get_state_history(self.config)))
        return [snapshot async for snapshot in self.graph.aget_state_history(self.config)]
