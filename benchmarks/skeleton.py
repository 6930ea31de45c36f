"""The same-shape skeleton: a bare LangGraph graph making a fresh login's okx calls, nothing else.

It is what LangGraph itself costs for the auth graph's shape (same interrupts, same okx calls,
as many node executions per turn), so a benchmark row can show our time ÷ the skeleton's.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Sequence
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt
from typing_extensions import TypedDict

from okx_auth_graph.okx.process import OkxRunner

Graph = Any


class SkeletonState(TypedDict):
    """State of the bare skeleton: only what its nodes pass on."""

    site: str | None
    outcome: str | None


def build_skeleton(
    runner: OkxRunner,
    extra_nodes: Sequence[int] = (0, 0, 0),
    checkpointer: BaseCheckpointSaver[Any] | None = None,
) -> Graph:
    """A bare LangGraph graph of the fresh-login shape, with ``InMemorySaver``.

    Turn 1 runs the two pre-flight calls concurrently and asks the site; turn 2 takes the reply,
    runs ``auth login --manual --site`` and asks for the signal; turn 3 runs ``auth status``.
    ``extra_nodes`` adds pass-through nodes per turn so that each turn executes as many nodes
    as the real graph does.

    Args:
        runner: Where the okx calls go.
        extra_nodes: Pass-through nodes to add to turns 1, 2 and 3.
        checkpointer: Default ``InMemorySaver``.

    Returns:
        The compiled skeleton.
    """

    async def preflight(state: SkeletonState) -> dict[str, Any]:
        await asyncio.gather(
            runner(["config", "show", "--json"], timeout=30),
            runner(["auth", "status", "--json"], timeout=30),
        )
        return {"outcome": None}

    def ask_site(state: SkeletonState) -> dict[str, Any]:
        reply = interrupt({"type": "choose_site", "message": "site?"})
        return {"site": {"1": "global", "2": "eea", "3": "us"}.get(str(reply).strip(), "global")}

    async def login(state: SkeletonState) -> dict[str, Any]:
        await runner(["auth", "login", "--manual", "--site", state["site"] or "global"], timeout=30)
        return {"outcome": None}

    def await_signal(state: SkeletonState) -> dict[str, Any]:
        interrupt({"type": "await_authorization", "message": "tell me when done"})
        return {"outcome": None}

    async def check(state: SkeletonState) -> dict[str, Any]:
        await runner(["auth", "status", "--json"], timeout=30)
        return {"outcome": "logged_in"}

    def pass_through(state: SkeletonState) -> dict[str, Any]:
        return {}

    builder: StateGraph[SkeletonState, None, SkeletonState, SkeletonState] = StateGraph(
        SkeletonState
    )
    chain: list[str] = []
    turns: list[list[tuple[str, Callable[..., Any]]]] = [
        [("preflight", preflight)],
        [("login", login)],
        [("check", check)],
    ]
    for turn, count in enumerate(extra_nodes):
        turns[turn] += [(f"pad_{turn + 1}_{i}", pass_through) for i in range(max(count, 0))]
    turns[0].append(("ask_site", ask_site))
    turns[1].append(("await_signal", await_signal))
    for nodes in turns:
        for name, function in nodes:
            builder.add_node(name, function)
            chain.append(name)
    builder.add_edge(START, chain[0])
    for first, second in itertools.pairwise(chain):
        builder.add_edge(first, second)
    builder.add_edge(chain[-1], END)
    return builder.compile(checkpointer=checkpointer or InMemorySaver())
