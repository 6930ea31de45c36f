"""The auth graph: its builder, its nodes and what they share.

- :mod:`.builder`: :func:`build_graph` compiles the graph (pick your checkpointer),
  :func:`build_builder` returns it uncompiled.
- The node modules (no node module imports another): :mod:`.preflight` (entry, pre-flight,
  steps 0.1–0.3), :mod:`.login_flow` (site menu, pre-login gate, login, wait, check, retry) and
  :mod:`.maintenance` (status, logout, the okx-auth binary, API-key set-up, remediation).
- What the nodes share: :mod:`.node_kit` (ending an entry, yes/no questions, the site menu),
  :mod:`.questions` (every interrupt the graph raises), :mod:`.services` (a run's okx adapter,
  chat model and texts) and :mod:`.entry` (what an entry may carry, checked before any okx call).
- :mod:`.served`: the graph ``langgraph.json`` names.

``graph`` is the default compiled graph (no checkpointer), built on first access: importing
this package compiles nothing, and imports :mod:`.builder` (and LangGraph) only when one of its
names is first read.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from okx_auth_graph.graph.builder import (
        GRAPH_NAME,
        NODE_MODULES,
        both_ways,
        build_builder,
        build_graph,
        destinations,
        hand_off,
        node_functions,
    )

__all__ = [
    "GRAPH_NAME",
    "NODE_MODULES",
    "both_ways",
    "build_builder",
    "build_graph",
    "destinations",
    "graph",
    "hand_off",
    "node_functions",
]


def __getattr__(name: str) -> Any:
    """A name of :mod:`.builder`, imported on first access; ``graph``: the compiled graph.

    Importing this package imports no LangGraph; ``graph`` is the default compiled graph (no
    checkpointer), built on first access.
    """
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    builder = importlib.import_module(f"{__name__}.builder")
    if name == "graph":
        return builder.default_graph()
    value = getattr(builder, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
