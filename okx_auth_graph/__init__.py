"""okx_auth_graph: the OKX CLI authentication procedure as a LangGraph graph.

``build_graph`` compiles the graph (you choose the checkpointer), ``graph`` is the compiled
graph that ``langgraph.json`` serves, ``Context`` configures a run, and ``OkxCli`` is the only
code that runs okx. Names are imported on first use, so ``okx-emulator`` and the ``okx`` shim
start without loading LangGraph. ``okx_auth_graph.graph`` is always the compiled graph, even
after the submodule of the same name was imported (its module stays importable by name).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from okx_auth_graph.cli import OkxCli
    from okx_auth_graph.context import Context
    from okx_auth_graph.errors import OkxCliError
    from okx_auth_graph.graph import build_builder, build_graph, graph

__all__ = ["Context", "OkxCli", "OkxCliError", "build_builder", "build_graph", "graph"]

_HOMES = {
    "Context": "okx_auth_graph.context",
    "OkxCli": "okx_auth_graph.cli",
    "OkxCliError": "okx_auth_graph.errors",
    "build_builder": "okx_auth_graph.graph",
    "build_graph": "okx_auth_graph.graph",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'okx_auth_graph' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """The package module, whose ``graph`` attribute is the compiled graph."""

    @property
    def graph(self) -> Any:
        return importlib.import_module("okx_auth_graph.graph").graph

    @graph.setter
    def graph(self, _submodule: Any) -> None:
        """The import system binds the submodule here; the compiled graph keeps the name."""


sys.modules[__name__].__class__ = _Package
