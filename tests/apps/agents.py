"""Test helpers: the example's tool-calling fake model and agent loop, and a ToolNode graph.

The fake model and the ReAct loop come from ``examples/tools_agent.py``, so the tests exercise
the example users copy.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from langchain_core.tools import BaseTool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode

from okx_auth_graph.context import Context
from okx_auth_graph.testing import OkxEmulator

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load_example(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` (the examples folder is not a package)."""
    module_name = f"okx_auth_graph_example_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


tools_agent = load_example("tools_agent")
ToolCallingFakeModel = tools_agent.ScriptedToolModel
build_agent = tools_agent.build_agent


def argvs(emulator: OkxEmulator) -> list[list[str]]:
    """The okx argv of every call the emulator saw, oldest first."""
    return [list(call["argv"]) for call in emulator.calls()]


def build_tool_graph(tools: Sequence[BaseTool]) -> Any:
    """A graph that only runs ToolNode: the last message's tool calls, as an agent loop would."""
    builder = StateGraph(MessagesState, context_schema=Context)
    builder.add_node("tools", ToolNode(list(tools)))
    builder.add_edge(START, "tools")
    return builder.compile()
