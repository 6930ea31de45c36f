"""The auth graph: every step of the OKX CLI authentication procedure as a node.

``build_graph(...)`` compiles it (pick your checkpointer); ``build_builder(...)`` returns the
uncompiled :class:`~langgraph.graph.StateGraph`; :data:`okx_auth_graph.graph.graph` is the default
compiled graph (no checkpointer), built on first access by :func:`default_graph`, never at import
(``langgraph.json`` serves :mod:`okx_auth_graph.graph.served`).

Ends of the graph and their outcome:

| end                                                        | outcome             | route        |
|------------------------------------------------------------|---------------------|--------------|
| market-only request (no okx call)                          | no_auth_needed      | okx-cex-market |
| 0.2: an API-key profile exists (also a ``skipped`` login)   | api_key_configured  | the skill    |
| 0.3 logged_in, or a login completed                        | logged_in           | the skill    |
| logout                                                     | logged_out          | null         |
| the user declines a retry                                  | retry_declined      | null         |
| okx-auth installed / updated (asked for)                   | binary_ready        | null         |
| okx-auth reinstalled for a failed skill command (``retry_command`` = its argv) | binary_ready | the skill |
| status question, session-lifetime question, install-status, binary removal (or kept) | status_reported | null |
| API-key set-up explained; 0.2.a option 1; a downstream error whose fix is the user's; CLI too old; a login lock file that cannot be used; a request too long to read | needs_user_action | null |
| "cancel" / "取消" at any question                           | cancelled           | null         |
| an okx failure with no remedy in the graph                 | failed              | null         |
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from typing import Any, Literal, get_args, get_origin, get_type_hints

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable, RunnableLambda
from langgraph.graph import START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import get_runtime
from langgraph.types import Checkpointer, Command, Send

from okx_auth_graph.context import Context, ServedContext
from okx_auth_graph.graph import login_flow, maintenance, preflight
from okx_auth_graph.graph.entry import bounded
from okx_auth_graph.graph.node_kit import NODE_MARK
from okx_auth_graph.graph.services import Services, language_of
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.state import AuthState, InputState, OutputState
from okx_auth_graph.syncio import blocking

GRAPH_NAME = "okx_auth"
NODE_MODULES = (preflight, login_flow, maintenance)
"""The modules whose :func:`~okx_auth_graph.graph.node_kit.node` functions are the graph's steps."""


def node_functions() -> dict[str, Callable[..., Any]]:
    """Every step node by name: the module-level functions its node modules mark as nodes."""
    return {
        name: function
        for module in NODE_MODULES
        for name, function in vars(module).items()
        if getattr(function, NODE_MARK, False) and function.__module__ == module.__name__
    }


def hand_off(state: AuthState, *, services: Services) -> Command[Literal["__end__"]]:
    """Continue with the routed skill: in a parent graph, hand off to its node."""
    route = state.get("route")
    if services.handoff_to_parent and route:
        to_parent: Command[Any] = Command(
            graph=Command.PARENT,
            goto=route,
            update={
                "messages": state.get("messages", []),
                "route": route,
                "outcome": state.get("outcome"),
                "site": state.get("site"),
                "language": language_of(state),
                "retry_command": state.get("retry_command"),
            },
        )
        return to_parent
    return Command(goto="__end__")


@functools.cache  # a node's annotation is fixed: read it once per process, not per graph built
def destinations(node: Callable[..., Any]) -> tuple[str, ...] | None:
    """The nodes a node may go to, read from its ``Command[Literal[...]]`` return annotation.

    LangGraph reads the annotation itself when given a function; :func:`both_ways` gives it a
    runnable instead, so the drawn edges still come from the code.
    """
    returns = get_type_hints(node).get("return")
    if get_origin(returns) is not Command:
        return None
    (goto,) = get_args(returns)
    return get_args(goto) if get_origin(goto) is Literal else None


def goes_where_it_says(result: Any, name: str, allowed: tuple[str, ...] | None) -> Any:
    """A node's ``result``, once its ``goto`` is checked against the node's declared destinations.

    LangGraph drops a ``Command(goto=...)`` to a node the graph lacks without a word, and the run
    ends there as if it had finished: a misspelt destination would end a login half way. A node
    may go only where its ``Command[Literal[...]]`` annotation (the drawn graph) says; anything
    else is a :class:`RuntimeError` naming the node. A command for the parent graph (the
    hand-off) is the parent's to check.
    """
    if allowed is None or not isinstance(result, Command) or result.graph is not None:
        return result
    gotos = result.goto if isinstance(result.goto, (list, tuple)) else (result.goto,)
    for goto in gotos:
        target = goto.node if isinstance(goto, Send) else goto
        if target not in allowed:
            raise RuntimeError(f"node {name!r} went to {target!r}, not one of {allowed!r}")
    return result


def both_ways(
    node: Callable[..., Coroutine[Any, Any, Any]],
    name: str,
    allowed: tuple[str, ...] | None = None,
) -> Runnable[Any, Any]:
    """An async node that also runs under ``invoke`` / ``stream``: one implementation, two bodies.

    A :class:`~langchain_core.runnables.RunnableLambda` with a sync and an async body (public
    API only). ``ainvoke`` awaits the coroutine on the caller's loop. The sync body runs the
    same coroutine on a private event loop in a worker thread (so it works even when the
    calling thread has a running loop, e.g. in a notebook), with the caller's context variables
    copied, so ``interrupt()``, the run's config and its runtime reach it. The node reads its
    :class:`~langgraph.runtime.Runtime` with :func:`~langgraph.runtime.get_runtime`. With
    ``allowed``, its ``goto`` is checked (:func:`goes_where_it_says`).
    """

    async def run_async(state: Any) -> Any:
        return goes_where_it_says(await node(state, get_runtime(Context)), name, allowed)

    # Both bodies as partials: LangGraph and LangChain read a plain function's source and
    # bytecode for subgraphs each time a graph is compiled (over half the time of
    # build_graph); a partial is opaque to that search, and no node holds a subgraph.
    return RunnableLambda(
        functools.partial(blocking(run_async)), afunc=functools.partial(run_async), name=name
    )


def _checked_with_runtime(
    state: Any, runtime: Any, *, step: Callable[..., Any], label: str, allowed: tuple[str, ...]
) -> Any:
    return goes_where_it_says(step(state, runtime), label, allowed)


def _checked(state: Any, *, step: Callable[..., Any], label: str, allowed: tuple[str, ...]) -> Any:
    return goes_where_it_says(step(state), label, allowed)


def _bound(node: Callable[..., Any], services: Services, name: str) -> Callable[..., Any]:
    """``node`` with this graph's :class:`~.services.Services` bound, when it takes them.

    Always a partial: LangGraph reads a plain function's bytecode for subgraphs each time a
    graph is compiled (most of the time of :func:`build_graph`); a partial is opaque to that
    search, and no node holds a subgraph. A sync node's ``goto`` is checked
    (:func:`goes_where_it_says`); :func:`both_ways` checks an async node's.
    """
    parameters = inspect.signature(node).parameters
    step = functools.partial(node, services=services) if "services" in parameters else node
    allowed = destinations(node)
    if inspect.iscoroutinefunction(node) or allowed is None:
        return functools.partial(step)
    checked = _checked_with_runtime if "runtime" in parameters else _checked
    return functools.partial(checked, step=step, label=name, allowed=allowed)


def build_builder(
    *,
    cli: OkxCli | None = None,
    handoff_to_parent: bool = False,
    chat_model: BaseChatModel | None = None,
    served: bool = False,
) -> StateGraph[AuthState, Context, InputState, OutputState]:
    """The auth graph, uncompiled.

    Args:
        cli: The okx adapter; wins over the context's executable settings. Tests pass
            ``OkxCli(runner=OkxEmulator(...))``.
        handoff_to_parent: Used as a subgraph: after success, hand off to the routed skill's
            node in the parent graph with ``Command(graph=Command.PARENT, goto=route)``.
        chat_model: A chat model that helps place requests and replies the rules cannot;
            wins over ``Context.chat_model``.
        served: For a graph served over a network (``langgraph dev``, a LangGraph server): its
            runs take :class:`~okx_auth_graph.context.ServedContext` (the client's language and
            message window only), refuse a context naming an operator setting before anything
            runs, and take the operator settings from this process's environment.

    Returns:
        The :class:`StateGraph`; compile it with the checkpointer of your choice.
    """
    if cli is not None and not isinstance(cli, OkxCli):
        raise TypeError(f"cli must be an OkxCli adapter, not {type(cli).__name__}")
    if chat_model is not None and not isinstance(chat_model, BaseChatModel):
        raise TypeError(f"chat_model must be a BaseChatModel, not {type(chat_model).__name__}")
    services = Services(cli=cli, chat_model=chat_model, handoff_to_parent=handoff_to_parent)
    # a served graph's runs coerce their context into ServedContext (Services.context reads both)
    context_schema: Any = ServedContext if served else Context
    builder: StateGraph[AuthState, Context, InputState, OutputState] = StateGraph(
        AuthState, context_schema=context_schema, input_schema=InputState, output_schema=OutputState
    )
    for name, node in {**node_functions(), "hand_off": hand_off}.items():
        bound = _bound(node, services, name)
        goes_to = destinations(node)
        # Every node reads AuthState (tests/graph/test_graph_shape.py): saying so spares LangGraph
        # reading each node's annotations again for every graph built.
        action = both_ways(bound, name, goes_to) if inspect.iscoroutinefunction(node) else bound
        builder.add_node(name, action, destinations=goes_to, input_schema=AuthState)
    builder.add_edge(START, "receive_request")
    builder.add_edge(["preflight_config_show", "preflight_auth_status"], "dispatch_after_preflight")
    return builder


def build_graph(
    *,
    cli: OkxCli | None = None,
    checkpointer: Checkpointer = None,
    handoff_to_parent: bool = False,
    chat_model: BaseChatModel | None = None,
    name: str = GRAPH_NAME,
    served: bool = False,
) -> CompiledStateGraph[AuthState, Context, InputState, OutputState]:
    """Compile the auth graph.

    Args:
        cli: The okx adapter (see :func:`build_builder`).
        checkpointer: Where threads are kept; interrupts need one (``InMemorySaver`` in tests,
            SQLite or Postgres for anything that outlives the process). ``None`` for a server
            that brings its own.
        handoff_to_parent: See :func:`build_builder`.
        chat_model: See :func:`build_builder`.
        name: The compiled graph's name.
        served: See :func:`build_builder`; :mod:`okx_auth_graph.graph.served` sets it.

    Returns:
        The compiled graph.
    """
    builder = build_builder(
        cli=cli, handoff_to_parent=handoff_to_parent, chat_model=chat_model, served=served
    )
    return bounded(builder.compile(checkpointer=checkpointer, name=name))


@functools.cache
def default_graph() -> CompiledStateGraph[AuthState, Context, InputState, OutputState]:
    """The default compiled graph (no checkpointer): :data:`okx_auth_graph.graph.graph`."""
    return build_graph()
