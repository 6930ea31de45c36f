"""The graph is its code: typed nodes, drawn edges, Studio schemas, both sync and async.

- every node takes ``state: AuthState`` and returns ``Command[Literal[...]]`` (the fan-out
  pre-flight nodes return a partial ``AuthState``); no node module imports another;
- docs/architecture.md holds the drawing generated from the compiled graph;
- ``get_input_jsonschema`` / ``get_output_jsonschema`` / ``get_context_jsonschema`` work (Studio
  on Python 3.11); the first two carry the ``Outcome`` / ``Route`` literals;
- ``invoke``, ``stream``, ``ainvoke`` and ``astream`` run the same conversation, and the two
  pre-flight calls overlap in time in both modes.
"""

from __future__ import annotations

import ast
import asyncio
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from okx_auth_graph import OkxCli, build_graph
from okx_auth_graph.graph import node_functions
from okx_auth_graph.graph.served import graph as served_graph
from okx_auth_graph.state import AuthState, Outcome, Route
from okx_auth_graph.testing import OkxEmulator
from tests.conversation import MODES, Conversation, Mode, conversation_graph
from tests.graph.drawing import PAGE, mermaid, render
from tests.sources import parsed

PACKAGE = Path(__file__).resolve().parents[2] / "okx_auth_graph"
NODE_MODULES = ("preflight", "login_flow", "maintenance")
FAN_OUT = {"preflight_config_show", "preflight_auth_status"}


def _nodes() -> dict[str, Any]:
    return node_functions()


def test_every_node_is_typed_with_auth_state_and_its_destinations() -> None:
    nodes = _nodes()
    assert len(nodes) >= 30
    for name, node in nodes.items():
        hints = get_type_hints(node)
        assert hints["state"] is AuthState, name
        returns = hints["return"]
        if name in FAN_OUT:
            assert returns is AuthState, name
            continue
        assert get_origin(returns) is Command, name
        (goto,) = get_args(returns)
        assert get_origin(goto) is Literal, name
        drawn = {e.target for e in served_graph.get_graph().edges if e.source == name}
        assert drawn == set(get_args(goto)), name


def test_no_node_module_imports_another() -> None:
    for module in NODE_MODULES:
        tree = parsed((PACKAGE / "graph" / f"{module}.py").read_text(encoding="utf-8"))
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module is not None
        }
        others = {f"okx_auth_graph.graph.{m}" for m in NODE_MODULES if m != module}
        assert not imported & others, f"{module} imports {imported & others}"


def test_architecture_page_holds_the_current_drawing() -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert render(page) == page, "docs/architecture.md is stale: run `make docs-graph`"
    drawing = mermaid()
    assert "remediate_failed_command -.-> offer_api_key_fix" in drawing
    assert "receive_request -.-> preflight_config_show" in drawing


def test_studio_schemas_carry_the_literals() -> None:
    inputs = served_graph.get_input_jsonschema()
    outputs = served_graph.get_output_jsonschema()
    assert {"messages", "upstream_status", "failed_command"} <= set(inputs["properties"])
    assert set(outputs["properties"]) == {
        "messages",
        "route",
        "outcome",
        "site",
        "language",
        "retry_command",
    }

    def enum(prop: dict[str, Any]) -> set[str]:
        return {v for option in prop["anyOf"] for v in option.get("enum", [])}

    assert enum(outputs["properties"]["outcome"]) == set(get_args(Outcome))
    assert enum(outputs["properties"]["route"]) == set(get_args(Route))
    context = served_graph.get_context_jsonschema()
    assert context is not None
    assert set(context["properties"]) == {  # the Context of the README's graph contract
        "okx_executable",
        "okx_home",
        "okx_env",
        "timeout",
        "login_timeout",
        "chat_model",
        "language",
        "interactive_login",
        "message_window",
    }


class SlowRecorder:
    """A runner around the emulator that records when each okx call starts and ends."""

    def __init__(self, emulator: OkxEmulator) -> None:
        self.emulator = emulator
        self.spans: list[tuple[tuple[str, ...], float, float]] = []
        self._lock = threading.Lock()

    @property
    def state_dir(self) -> Path:
        return self.emulator.state_dir

    async def __call__(
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> Any:
        started = time.perf_counter()
        result = await self.emulator(argv, timeout=timeout, stdin=stdin)
        with self._lock:
            self.spans.append((tuple(argv), started, time.perf_counter()))
        return result


def _preflight_overlaps(spans: list[tuple[tuple[str, ...], float, float]]) -> bool:
    first = {argv[:2]: (start, end) for argv, start, end in spans[:2]}
    (a_start, a_end), (b_start, b_end) = first[("config", "show")], first[("auth", "status")]
    return a_start < b_end and b_start < a_end


CONVERSATION = ("log me in to okx", "2", "done")


@pytest.mark.parametrize("mode", MODES)
async def test_every_mode_runs_the_same_login_with_a_parallel_preflight(
    mode: Mode, tmp_path: Path
) -> None:
    emulator = OkxEmulator(tmp_path / "world", latency=0.1)
    emulator.init_world()
    recorder = SlowRecorder(emulator)
    graph = build_graph(cli=OkxCli(runner=recorder), checkpointer=InMemorySaver())
    chat = Conversation(graph, mode=mode)
    await chat.start(CONVERSATION[0])
    for reply in CONVERSATION[1:]:
        await chat.reply(reply)
    state = await chat.state()
    # The user said "done" before approving: one check, then the same wait again.
    assert state.interrupts[0].value["type"] == "await_authorization"
    assert [argv for argv, _, _ in recorder.spans][2:] == [
        ("auth", "login", "--manual", "--site", "eea"),
        ("auth", "status", "--json"),
    ]
    assert _preflight_overlaps(recorder.spans), recorder.spans


def _nowhere(*_args: Any, **_kwargs: Any) -> Command[Any]:
    return Command(goto="nowhere")


@pytest.mark.parametrize(
    ("module", "helper", "node", "replies"),
    [
        # a sync node of the state alone (no persisted site: the menu is asked next)
        ("preflight", "ask_next", "site_check", ()),
        # a sync node with the runtime (a request over the reading limit)
        ("preflight", "_too_long_to_read", "receive_request", ()),
        # an async node (the manual login, once the menu is answered)
        ("login_flow", "_logged_in_or_waiting", "login_manual", ("2",)),
    ],
)
async def test_a_node_going_where_its_annotation_does_not_say_is_an_error(
    converse, emulator, monkeypatch, module, helper, node, replies
) -> None:
    """LangGraph ends a run without a word at a goto to no node; the graph names the node instead.

    Each kind of node (sync, sync with the runtime, async) has its ``goto`` checked against
    its ``Command[Literal[...]]``: a misspelt destination cannot end a login half way.
    """
    import importlib

    from okx_auth_graph.reading.rules import READ_LIMIT

    monkeypatch.setattr(importlib.import_module(f"okx_auth_graph.graph.{module}"), helper, _nowhere)
    emulator.init_world()
    chat = converse()
    request = "log me in " * (READ_LIMIT // 10 + 1) if node == "receive_request" else "log me in"
    if replies:
        await chat.start(request)
    with pytest.raises(RuntimeError, match=rf"^node '{node}' went to 'nowhere', not one of "):
        await (chat.reply(replies[0]) if replies else chat.start(request))


def test_two_conversations_streamed_in_turns_keep_their_own_okx(tmp_path: Path) -> None:
    """tests/conversation.py's shared graph: each run's okx calls go to its own emulator, also
    when two runs are streamed in turns in one thread (sync) or one task (async)."""
    request = {"messages": [HumanMessage("check my okx login status")]}
    config: RunnableConfig = {"configurable": {"thread_id": "t"}}
    worlds: dict[str, dict[str, Any]] = {"in": {"auth": "logged_in"}, "out": {}}

    def emulators(prefix: str) -> dict[str, OkxEmulator]:
        made = {name: OkxEmulator(tmp_path / f"{prefix}-{name}") for name in worlds}
        for name, emulator in made.items():
            emulator.init_world(**worlds[name])
        return made

    def argvs(emulator: OkxEmulator) -> list[list[str]]:
        return sorted(list(call["argv"]) for call in emulator.calls())  # pre-flight: parallel

    alone = emulators("alone")
    for emulator in alone.values():
        list(conversation_graph(OkxCli(runner=emulator)).stream(request, config))
    expected = {name: argvs(emulator) for name, emulator in alone.items()}
    assert all(expected.values())  # each run calls okx; a run on the other's okx doubles it

    turns = emulators("sync")
    a, b = (
        conversation_graph(OkxCli(runner=e)).stream(request, config, stream_mode="debug")
        for e in turns.values()
    )
    next(a)
    next(b)
    list(a)
    list(b)
    assert {name: argvs(e) for name, e in turns.items()} == expected

    async def in_turns() -> dict[str, list[list[str]]]:
        made = emulators("async")
        c, d = (
            conversation_graph(OkxCli(runner=e)).astream(request, config, stream_mode="debug")
            for e in made.values()
        )
        await anext(c)
        await anext(d)
        _ = [chunk async for chunk in c]
        _ = [chunk async for chunk in d]
        return {name: argvs(e) for name, e in made.items()}

    assert asyncio.run(in_turns()) == expected
