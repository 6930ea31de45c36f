"""okx_auth_graph: the OKX CLI authentication procedure as a LangGraph graph.

``build_graph`` compiles the graph (you choose the checkpointer), ``build_builder`` returns it
uncompiled, ``graph`` is a default compiled graph (no checkpointer), ``Context``
configures a run, and ``OkxCli`` is the only code that runs okx.

Importing the package imports none of them: each name is imported on first access, so a
program that needs one folder only (the okx emulator, the console script's ``--help``) starts
without LangGraph and LangChain, which take about two seconds to import.

``okx_auth_graph.graph`` is the compiled graph, built on first access (importing the package
compiles nothing): the package's ``__getattr__`` answers for the name, which the subpackage
``okx_auth_graph/graph/`` would otherwise take. Import the subpackage's other names with
``from okx_auth_graph.graph import ...``.

The package's folders are its roles (docs/architecture.md): :mod:`.core` (every decision that
leads to an okx side effect), :mod:`.okx` (the okx adapter), :mod:`.reading` (reading people),
:mod:`.graph` (the graph), :mod:`.doors` (tools, terminal chat, MCP server), :mod:`.testing`
(the okx emulator) and :mod:`.evals` (the evaluation harness).
"""

import importlib
from typing import TYPE_CHECKING, Any

# The subpackage ``graph`` imports nothing heavy itself (its names are imported on first access);
# importing it here binds its name now, and the line after gives the name to the compiled graph.
import okx_auth_graph.graph  # noqa: F401

del globals()["graph"]

if TYPE_CHECKING:
    from okx_auth_graph.context import Context
    from okx_auth_graph.graph import build_builder, build_graph
    from okx_auth_graph.okx.adapter import OkxCli
    from okx_auth_graph.okx.errors import OkxCliError

__all__ = ["Context", "OkxCli", "OkxCliError", "build_builder", "build_graph", "graph"]

_HOMES = {
    "Context": "okx_auth_graph.context",
    "OkxCli": "okx_auth_graph.okx.adapter",
    "OkxCliError": "okx_auth_graph.okx.errors",
    "build_builder": "okx_auth_graph.graph",
    "build_graph": "okx_auth_graph.graph",
}
"""Where each public name lives, imported on first access."""


def __getattr__(name: str) -> Any:
    """A public name, imported on first access; ``graph`` is the default compiled graph."""
    if name == "graph":
        return importlib.import_module(f"{__name__}.graph").__getattr__("graph")
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
