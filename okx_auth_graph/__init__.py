"""okx_auth_graph: the OKX CLI authentication procedure as a LangGraph graph.

``build_graph`` compiles the graph (you choose the checkpointer), ``build_builder`` returns it
uncompiled, ``graph`` is a default compiled graph (no checkpointer), ``Context``
configures a run, and ``OkxCli`` is the only code that runs okx.

``okx_auth_graph.graph`` is the compiled graph, built on first access (importing the package
compiles nothing): the package's ``__getattr__`` answers for the name, which the subpackage
``okx_auth_graph/graph/`` would otherwise take. Import the subpackage's other names with
``from okx_auth_graph.graph import ...``.

The package's folders are its roles (docs/architecture.md): :mod:`.core` (every decision that
leads to an okx side effect), :mod:`.okx` (the okx adapter), :mod:`.reading` (reading people),
:mod:`.graph` (the graph), :mod:`.doors` (tools, terminal chat, MCP server), :mod:`.testing`
(the okx emulator) and :mod:`.evals` (the evaluation harness).
"""

import sys
from typing import Any

from okx_auth_graph.context import Context
from okx_auth_graph.graph import build_builder, build_graph
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.errors import OkxCliError

# The subpackage import above bound ``graph`` to the subpackage; the name is the compiled graph.
del globals()["graph"]

__all__ = ["Context", "OkxCli", "OkxCliError", "build_builder", "build_graph", "graph"]


def __getattr__(name: str) -> Any:
    """``graph``: the default compiled graph, built on first access."""
    if name == "graph":
        return sys.modules[f"{__name__}.graph"].__getattr__("graph")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
