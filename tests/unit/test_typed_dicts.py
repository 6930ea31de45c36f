"""Every ``TypedDict`` of the project is one pydantic can read on Python 3.11.

On Python < 3.12 pydantic refuses a ``typing.TypedDict`` ("Please use
``typing_extensions.TypedDict``"): a state schema built from one leaves the LangGraph server's
``/assistants/{id}/schemas`` (Studio's input form) empty and makes ``get_input_jsonschema()``
raise. So every ``TypedDict`` the package, the benchmarks and the examples define must give a
JSON schema, and every Python block of the docs and cell of the notebook that defines one must
import it from ``typing_extensions``.
"""

from __future__ import annotations

import ast
import functools
import importlib
import pkgutil
import typing
from pathlib import Path

import nbformat
import pydantic
import pytest
from typing_extensions import is_typeddict

import benchmarks
import okx_auth_graph
from tests.apps.agents import EXAMPLES, load_example
from tests.apps.test_docs_blocks import PYTHON_BLOCKS

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def project_modules() -> list[object]:
    """The modules of the package and the benchmarks (not ``__main__``), and the examples."""
    modules: list[object] = []
    for package in (okx_auth_graph, benchmarks):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not info.name.endswith("__main__"):
                modules.append(importlib.import_module(info.name))
    modules.extend(load_example(path.stem) for path in sorted(EXAMPLES.glob("*.py")))
    return modules


@functools.cache
def project_typed_dicts() -> dict[str, type]:
    """Each ``TypedDict`` by its full name (imported once, when a test first asks: importing every
    module, the MCP door's too, at collection cost each test worker ~1.5 CPU-s)."""
    found: dict[str, type] = {}
    for module in project_modules():
        name = getattr(module, "__name__", "")
        for attribute, value in vars(module).items():
            if isinstance(value, type) and is_typeddict(value) and value.__module__ == name:
                found[f"{name}.{attribute}"] = value
    return found


def test_the_state_schemas_are_among_the_typed_dicts_checked() -> None:
    names = set(project_typed_dicts())
    assert {"okx_auth_graph.state.InputState", "okx_auth_graph.state.OutputState"} <= names
    assert "okx_auth_graph.state.AuthState" in names
    assert any(name.endswith(".ParentState") for name in names), "the example parent graph"
    assert len(names) >= 20


def test_pydantic_reads_every_typed_dict() -> None:
    unread: dict[str, str] = {}
    for name, typed_dict in sorted(project_typed_dicts().items()):
        try:
            schema = pydantic.TypeAdapter(typed_dict).json_schema()
        except pydantic.PydanticUserError as exc:
            unread[name] = str(exc).splitlines()[0]
        else:
            if schema.get("type") != "object":
                unread[name] = f"a schema of type {schema.get('type')!r}"
    assert unread == {}


def test_pydantic_refuses_typing_typed_dict_on_this_python() -> None:
    """The check above can fail: a ``typing.TypedDict`` is refused here (Python < 3.12)."""

    class Old(typing.TypedDict):
        field: int

    with pytest.raises(pydantic.PydanticUserError, match=r"typing_extensions\.TypedDict"):
        pydantic.TypeAdapter(Old).json_schema()


def typed_dict_sources(code: str) -> set[str]:
    """Where a piece of code takes ``TypedDict`` from: ``typing``, ``typing_extensions``…"""
    sources: set[str] = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.ImportFrom) and any(a.name == "TypedDict" for a in node.names):
            sources.add(node.module or "")
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "TypedDict"
            and isinstance(node.value, ast.Name)
        ):
            sources.add(node.value.id)
    return sources


def test_typed_dict_sources_reads_both_spellings() -> None:
    assert typed_dict_sources("from typing import Any, TypedDict\n") == {"typing"}
    assert typed_dict_sources("import typing\nclass S(typing.TypedDict): pass\n") == {"typing"}
    assert typed_dict_sources("from typing_extensions import TypedDict\n") == {"typing_extensions"}


def notebook_code(path: Path) -> str:
    notebook = nbformat.read(path, as_version=4)
    cells = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    # A notebook may await at the top level; wrapping keeps the cells parseable.
    return "async def cells():\n" + "\n".join(
        "    " + line for cell in cells for line in cell.splitlines()
    )


@pytest.mark.parametrize(
    ("name", "code"),
    [pytest.param(block.name, block.code, id=block.name) for block in PYTHON_BLOCKS]
    + [
        pytest.param(str(path.relative_to(ROOT)), notebook_code(path), id=path.name)
        for path in NOTEBOOKS
    ],
)
def test_documented_code_takes_typed_dict_from_typing_extensions(name: str, code: str) -> None:
    assert typed_dict_sources(code) <= {"typing_extensions"}, name
