"""A parent graph that embeds the auth graph as a subgraph and routes to the five OKX skills.

The auth graph, built with ``handoff_to_parent=True``, runs as the ``okx_auth`` node. Its
questions (site menu, verification code, …) surface as interrupts of the parent; when the user is
authenticated (or the request needs no authentication, like market data) it hands off with
``Command(graph=Command.PARENT, goto=route)`` to one of the skill nodes below. The skill nodes here
only acknowledge the hand-off: a real app would run the skill (and send a failed downstream command
back to ``okx_auth`` as ``failed_command``).

Run it against the bundled emulator::

    python examples/parent_graph.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Annotated, Any, TypedDict

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command

from okx_auth_graph import build_graph
from okx_auth_graph.cli import OkxCli

SKILLS = ("okx-cex-trade", "okx-cex-portfolio", "okx-cex-earn", "okx-cex-bot", "okx-cex-market")
AUTH_NODE = "okx_auth"


class ParentState(TypedDict, total=False):
    """The parent's state: the dialogue plus what the auth graph reports when it hands off."""

    messages: Annotated[list[AnyMessage], add_messages]
    route: str | None
    outcome: str | None
    site: str | None
    language: str
    failed_command: dict[str, Any] | None
    handled_by: str


def skill_node(name: str) -> Any:
    """A node standing for skill ``name``: it records that it took over the request."""

    async def run_skill(state: ParentState) -> dict[str, Any]:
        requests = [m for m in state.get("messages", []) if isinstance(m, HumanMessage)]
        request = requests[0].content if requests else ""
        return {
            "handled_by": name,
            "messages": [AIMessage(f"[{name}] takes over: {request}", name=name)],
        }

    run_skill.__name__ = name.replace("-", "_")
    return run_skill


def build_parent_graph(
    *, cli: OkxCli | None = None, checkpointer: BaseCheckpointSaver[Any] | None = None
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Compile the parent graph: ``START → okx_auth → <skill>``.

    Args:
        cli: The okx adapter for the auth graph (e.g. ``OkxCli(runner=OkxEmulator(...))``).
        checkpointer: Needed for the auth graph's interrupts; ``InMemorySaver`` if omitted.

    Returns:
        The compiled parent graph.
    """
    auth = build_graph(cli=cli, handoff_to_parent=True)
    builder = StateGraph(ParentState)
    builder.add_node(AUTH_NODE, auth, destinations=SKILLS)
    for name in SKILLS:
        builder.add_node(name, skill_node(name))
    builder.add_edge(START, AUTH_NODE)
    return builder.compile(checkpointer=checkpointer or InMemorySaver())


async def demo() -> None:
    """Log in on the bundled emulator through the parent graph and print each step."""
    from okx_auth_graph.testing import OkxEmulator

    with tempfile.TemporaryDirectory() as world:
        emulator = OkxEmulator(Path(world))
        emulator.init_world()
        parent = build_parent_graph(cli=OkxCli(runner=emulator))
        config: dict[str, Any] = {"configurable": {"thread_id": "demo"}}
        result = await parent.ainvoke({"messages": [HumanMessage("What is my balance?")]}, config)
        print(result["__interrupt__"][0].value["message"])
        result = await parent.ainvoke(Command(resume="2"), config)
        print(result["__interrupt__"][0].value["message"])
        emulator.approve()
        result = await parent.ainvoke(Command(resume="done"), config)
        for message in result["messages"][-2:]:
            print(message.content)
        print("handled by:", result["handled_by"])


if __name__ == "__main__":
    asyncio.run(demo())
