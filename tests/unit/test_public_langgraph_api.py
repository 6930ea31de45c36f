"""Only public LangGraph API, and nothing compiled as a side effect of importing the package."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sources import parsed

PACKAGE = Path(__file__).resolve().parents[2] / "okx_auth_graph"


def _private_imports(source: str) -> list[str]:
    """Modules imported from a private part of LangGraph / LangChain (a ``_name`` component)."""
    found = []
    for node in ast.walk(parsed(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] in {"langgraph", "langchain_core", "langchain"} and any(
                part.startswith("_") for part in parts[1:]
            ):
                found.append(name)
    return found


def test_no_module_imports_a_private_langgraph_module() -> None:
    offending = {
        path.relative_to(PACKAGE).as_posix(): found
        for path in PACKAGE.rglob("*.py")
        if (found := _private_imports(path.read_text(encoding="utf-8")))
    }
    assert offending == {}
    assert _private_imports("from langgraph._internal._runnable import RunnableCallable") == [
        "langgraph._internal._runnable"
    ]


COUNT_COMPILES = """
import sys
from langgraph.graph.state import CompiledStateGraph, StateGraph
compiled = []
original = StateGraph.compile
def counting(self, *args, **kwargs):
    compiled.append(1)
    return original(self, *args, **kwargs)
StateGraph.compile = counting
import okx_auth_graph, okx_auth_graph.graph, okx_auth_graph.doors.tools, okx_auth_graph.core
from okx_auth_graph import Context, OkxCli, build_builder, build_graph
assert compiled == [], "importing the package compiled a graph"
assert "okx_auth_graph.graph.served" not in sys.modules
assert "graph" not in vars(sys.modules["okx_auth_graph.graph"])
first = okx_auth_graph.graph
assert isinstance(first, CompiledStateGraph) and compiled == [1]
from okx_auth_graph import graph
assert graph is first is sys.modules["okx_auth_graph.graph"].graph and compiled == [1]
print("ok")
"""


@pytest.mark.fresh_process
def test_importing_the_package_compiles_no_graph_until_graph_is_read() -> None:
    done = subprocess.run(
        [sys.executable, "-c", COUNT_COMPILES], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip() == "ok", done.stderr
