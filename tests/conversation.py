"""Conversations with the auth graph on an emulated okx, for the tests.

Every test that plays a user drives the graph through the one driver,
:class:`okx_auth_graph.evals.conversation.Conversation` (the evaluation runner's in-process
session uses it too); :func:`converse_on` builds one on an emulator. The pre-flight helpers
check the two okx calls every new input starts with.
"""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph import Context, OkxCli, build_graph
from okx_auth_graph.evals.conversation import MODES, Conversation, Exchange, Mode
from okx_auth_graph.testing import OkxEmulator

__all__ = [
    "MODES",
    "PREFLIGHT",
    "Conversation",
    "Exchange",
    "Mode",
    "assert_preflight_first",
    "assert_preflight_overlaps",
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
    defaults of :class:`Context`).
    """
    if graph is None:
        graph = build_graph(
            cli=OkxCli(runner=emulator), checkpointer=InMemorySaver(), **graph_options
        )
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
