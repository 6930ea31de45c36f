"""okx_auth_graph: the OKX CLI authentication procedure as a LangGraph graph.

``build_graph`` compiles the graph (you choose the checkpointer), ``build_builder`` returns it
uncompiled, ``graph`` is a default compiled graph (no checkpointer), ``Context``
configures a run, and ``OkxCli`` is the only code that runs okx.

``okx_auth_graph.graph`` is the compiled graph, built on first access (importing the package
compiles nothing): the package's ``__getattr__`` answers for the name, which the module
``okx_auth_graph/graph.py`` would otherwise take. Import the module's other names with
``from okx_auth_graph.graph import ...``.
"""

import sys
from typing import Any

from okx_auth_graph.cli import OkxCli
from okx_auth_graph.context import Context
from okx_auth_graph.errors import OkxCliError
from okx_auth_graph.graph import build_builder, build_graph

# The submodule import above bound ``graph`` to the module; the name is the compiled graph.
del globals()["graph"]

__all__ = ["Context", "OkxCli", "OkxCliError", "build_builder", "build_graph", "graph"]


def __getattr__(name: str) -> Any:
    """``graph``: the default compiled graph, built on first access."""
    if name == "graph":
        return sys.modules[f"{__name__}.graph"].__getattr__("graph")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
