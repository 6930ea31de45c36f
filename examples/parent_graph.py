"""A parent graph that embeds the auth graph as a subgraph and routes to the five OKX skills.

The auth graph, built with ``handoff_to_parent=True``, runs as the ``okx_auth`` node. Its
questions (site menu, verification code, …) surface as interrupts of the parent; when the user is
authenticated (or the request needs no authentication, like market data) it hands off with
``Command(graph=Command.PARENT, goto=route)`` to one of the skill nodes below. A skill node either
only acknowledges the hand-off or runs an okx command with
:func:`okx_auth_graph.doors.tools.run_okx_command`; an authentication failure goes back to ``okx_auth``
as its ``failed_command`` (once), so the auth graph remediates it. When the auth graph reinstalled
okx-auth for that command it hands back with outcome ``binary_ready`` and ``retry_command``: the
skill runs that argv once more.

Run it against the bundled emulator::

    python examples/parent_graph.py
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from typing_extensions import TypedDict

from okx_auth_graph import build_graph
from okx_auth_graph.doors.tools import run_okx_command
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.reading.window import window_update

SKILLS = ("okx-cex-trade", "okx-cex-portfolio", "okx-cex-earn", "okx-cex-bot", "okx-cex-market")
AUTH_NODE = "okx_auth"
MESSAGE_WINDOW = 1


class ParentState(TypedDict, total=False):
    """The parent's state: the dialogue plus what the auth graph reports when it hands off."""

    messages: Annotated[list[AnyMessage], add_messages]
    route: str | None
    outcome: str | None
    site: str | None
    language: str
    failed_command: dict[str, Any] | None
    retry_command: list[str] | None
    request: str
    sent_back: bool
    handled_by: str
    result: Any
    entry_starts: list[str]


async def new_request(state: ParentState) -> dict[str, Any]:
    """An entry: remember the user's request and drop what a previous request left behind.

    The parent's ``messages`` is bounded like the auth graph's: the current entry plus one
    earlier entry (see ``docs/messages.md``).
    """
    messages = state.get("messages", [])
    humans = [m for m in messages if isinstance(m, HumanMessage)]
    request = humans[-1].text if humans else ""
    window = window_update(messages, state.get("entry_starts"), MESSAGE_WINDOW)
    reset = {"failed_command": None, "retry_command": None, "sent_back": False}
    return {"request": request, **reset, **window}


def skill_node(name: str, *, cli: OkxCli | None, command: list[str] | None) -> Any:
    """A node standing for skill ``name``.

    Without ``command`` it only records that it took over the request. With one it runs that
    okx command; an authentication failure goes back to the auth graph once, as its
    ``failed_command`` (e.g. an invalid API key → the two neutral options of step 0.2.a).
    """

    async def run_skill(state: ParentState) -> dict[str, Any] | Command[str]:
        taken_over = AIMessage(f"[{name}] takes over: {state.get('request', '')}", name=name)
        if command is None:
            return {"handled_by": name, "messages": [taken_over]}
        argv = state.get("retry_command") or command
        result = await run_okx_command(cli or OkxCli(), argv)
        if result.get("next") == AUTH_NODE and not state.get("sent_back"):
            return Command(
                goto=AUTH_NODE,
                update={"failed_command": result["failed_command"], "sent_back": True},
            )
        if not result["ok"]:
            failure = result.get("error") or {"message": result["failed_command"]["error"]}
            text = f"[{name}] okx failed: {failure['message']}"
            return {"handled_by": name, "messages": [AIMessage(text, name=name)]}
        return {"handled_by": name, "result": result["json"], "messages": [taken_over]}

    run_skill.__name__ = name.replace("-", "_")
    return run_skill


def build_parent_graph(
    *,
    cli: OkxCli | None = None,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    commands: Mapping[str, list[str]] | None = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Compile the parent graph: ``START → new_request → okx_auth → <skill>``.

    Args:
        cli: The okx adapter for the auth graph and the skills (e.g.
            ``OkxCli(runner=OkxEmulator(...))``); ``None`` runs ``okx`` from ``PATH``.
        checkpointer: Needed for the auth graph's interrupts; ``InMemorySaver`` if omitted.
        commands: Per skill, an okx command it runs (e.g. ``{"okx-cex-portfolio":
            ["account", "balance", "--json"]}``); skills without one only take over.

    Returns:
        The compiled parent graph.
    """
    auth = build_graph(cli=cli, handoff_to_parent=True)
    builder = StateGraph(ParentState)
    builder.add_node("new_request", new_request)
    builder.add_node(AUTH_NODE, auth, destinations=SKILLS)
    for name in SKILLS:
        command = (commands or {}).get(name)
        builder.add_node(
            name,
            skill_node(name, cli=cli, command=command),
            destinations=(AUTH_NODE,) if command else (),
        )
    builder.add_edge(START, "new_request")
    builder.add_edge("new_request", AUTH_NODE)
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
