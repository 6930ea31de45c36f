"""Conversations with the auth graph on an emulated okx, for the tests.

Every test that plays a user drives the graph through the one driver,
:class:`okx_auth_graph.evals.conversation.Conversation` (the evaluation runner's in-process
session uses it too); :func:`converse_on` builds one on an emulator. The pre-flight helpers
check the two okx calls every new input starts with.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph.state import CompiledStateGraph

from okx_auth_graph import Context, OkxCli, build_graph
from okx_auth_graph.evals.conversation import MODES, Conversation, Exchange, Mode
from okx_auth_graph.graph.builder import hand_off, node_functions
from okx_auth_graph.graph.entry import BoundedGraph
from okx_auth_graph.testing import OkxEmulator

__all__ = [
    "MODES",
    "PREFLIGHT",
    "Conversation",
    "ConversationGraph",
    "Exchange",
    "Mode",
    "assert_preflight_first",
    "assert_preflight_overlaps",
    "conversation_graph",
    "converse_on",
]

PREFLIGHT = [["config", "show", "--json"], ["auth", "status", "--json"]]
"""The pre-flight pair (Step 0), run at the same time at the start of every new input."""


def converse_on(
    emulator: OkxEmulator,
    *,
    graph: Any = None,
    context: Context | None = None,
    mode: Mode = "ainvoke",
    thread_id: str | None = None,
    **graph_options: Any,
) -> Conversation:
    """A conversation on a new thread whose okx calls ``emulator`` records.

    ``graph``: a compiled graph (by default one built on ``emulator`` with an in-memory
    checkpointer and ``graph_options``); ``context``: the runtime context (``None``: the
    defaults of :class:`Context`). Without ``graph_options`` and a chat model named by the
    context, the conversation's graph is a :class:`ConversationGraph`: the graph as built, with
    its own adapter and checkpointer (see :func:`conversation_graph`).
    """
    if graph is None:
        if graph_options or getattr(context, "chat_model", None):
            graph = build_graph(
                cli=OkxCli(runner=emulator), checkpointer=InMemorySaver(), **graph_options
            )
        else:
            graph = conversation_graph(OkxCli(runner=emulator))
    elif graph_options:
        raise TypeError(f"graph options {sorted(graph_options)} with a graph already built")
    return Conversation(graph, context=context, mode=mode, thread_id=thread_id, okx=emulator)


def assert_preflight_first(calls: list[list[str]]) -> None:
    """The first two okx calls are the pre-flight pair, in either order."""
    assert sorted(calls[:2]) == sorted(PREFLIGHT), calls


def assert_preflight_overlaps(calls: list[dict[str, Any]]) -> None:
    """The first two recorded calls are the pre-flight pair and overlap in time."""
    first, second = calls[:2]
    assert sorted([first["argv"], second["argv"]]) == sorted(PREFLIGHT), calls[:2]
    assert max(first["started"], second["started"]) < min(first["ended"], second["ended"]), (
        "the pre-flight calls ran one after the other",
        calls[:2],
    )


_ADAPTER: ContextVar[OkxCli] = ContextVar("conversation_adapter")
"""The adapter of the conversation whose run is going on (see :class:`ConversationGraph`)."""


class _RunsAdapter(OkxCli):
    """The shared graph's adapter: every attribute is the running conversation's adapter's."""

    def __init__(self) -> None:  # no state of its own
        pass

    def __getattribute__(self, name: str) -> Any:
        return getattr(_ADAPTER.get(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(_ADAPTER.get(), name, value)


class ConversationGraph(BoundedGraph):
    """One conversation's graph: the shared compiled graph (the same nodes and channels) with
    its own checkpointer, whose runs use its own :class:`OkxCli` (``okx_adapter``).

    Building the graph took ~10 ms of CPU per conversation, a tenth of a typical graph test;
    a copy takes 0.2 ms. Nothing of one conversation stays in the shared graph: its threads are
    in its own checkpointer, and every okx call of its runs (``invoke``/``ainvoke`` run through
    ``stream``/``astream``, and each of their nodes, in tasks or worker threads, sees the context
    they set) goes to its own adapter, which learns its secrets as a graph of its own did. The
    graph's other state (:class:`~okx_auth_graph.graph.services.Services`' chat models, built
    for a context naming one) is never shared: :func:`converse_on` builds those graphs anew.
    """

    okx_adapter: OkxCli

    def copy(self, update: dict[str, Any] | None = None) -> ConversationGraph:
        attrs = {k: v for k, v in vars(self).items() if k not in ("__orig_class__", "okx_adapter")}
        copied = type(self)(**{**attrs, **(update or {})})
        copied.okx_adapter = self.okx_adapter
        return copied

    def stream(self, input: Any, config: Any = None, **kwargs: Any) -> Iterator[Any]:
        # The adapter is set only while the run makes progress (inside each next()), never
        # across a yield: two conversations streamed in turns in one thread keep their own.
        chunks = cast(Generator[Any, None, None], super().stream(input, config, **kwargs))
        try:
            while True:
                with _running(self.okx_adapter):
                    chunk = next(chunks, _DONE)
                if chunk is _DONE:
                    return
                yield chunk
        finally:
            with _running(self.okx_adapter):
                chunks.close()

    async def astream(self, input: Any, config: Any = None, **kwargs: Any) -> AsyncIterator[Any]:
        chunks = cast(AsyncGenerator[Any, None], super().astream(input, config, **kwargs))
        try:
            while True:
                with _running(self.okx_adapter):
                    chunk = await anext(chunks, _DONE)
                if chunk is _DONE:
                    return
                yield chunk
        finally:
            with _running(self.okx_adapter):
                await chunks.aclose()


_DONE = object()
"""The end of a run's chunks."""


@contextmanager
def _running(adapter: OkxCli) -> Iterator[None]:
    """``adapter`` as the running conversation's while the block runs (tasks it starts keep it)."""
    token = _ADAPTER.set(adapter)
    try:
        yield
    finally:
        _ADAPTER.reset(token)


_SHARED: dict[tuple[Any, ...], CompiledStateGraph[Any, Any, Any, Any]] = {}


def conversation_graph(adapter: OkxCli) -> ConversationGraph:
    """A :class:`ConversationGraph` on ``adapter`` with a new in-memory checkpointer.

    The shared graph is built once per process for each set of node functions (a test that
    replaces a node function gets a graph of its own), with no checkpointer and the adapter
    of whichever conversation runs.
    """
    key = (*node_functions().items(), hand_off)
    shared = _SHARED.get(key)
    if shared is None:
        shared = _SHARED[key] = build_graph(cli=_RunsAdapter())
    attrs = {k: v for k, v in vars(shared).items() if k != "__orig_class__"}
    graph = ConversationGraph(**{**attrs, "checkpointer": InMemorySaver()})
    graph.okx_adapter = adapter
    return graph
