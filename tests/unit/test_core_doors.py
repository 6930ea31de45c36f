"""No door calls a side-effecting method of the okx adapter: every such call goes through the core.

The doors — the graph's nodes, the LangChain tools, the terminal chat, the MCP server and any
module added later — reach okx's side effects (``okx auth login``, logout, install, remove,
downstream commands, the config wizard) only through :mod:`okx_auth_graph.core`, where the
rules that guard them live once. This scans every call site of the package: only the adapter
(``okx/``, which defines them), the core and the emulator (``testing/``, which plays okx)
may call them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from okx_auth_graph.okx.adapter import OkxCli
from tests.sources import parsed

pytestmark = pytest.mark.reads_source  # the source as written (not mutmut's rewrite)

PACKAGE = Path(__file__).resolve().parents[2] / "okx_auth_graph"
SIDE_EFFECTS = frozenset(
    {
        "login_manual",
        "login_interactive",
        "logout",
        "install",
        "remove",
        "run",
        "run_raw",
        "config_init",
    }
)
"""The adapter's methods that change something (okx's state, the user's files, a market)."""
ADAPTER = re.compile(r"(?:^|[._])(?:cli|okx|adapter)\b")
"""A receiver that is the okx adapter: ``cli``, ``okx``, ``self.cli``, ``services.cli(runtime)``,
``adapter(runtime)``, ``session_cli``."""
ALLOWED = ("okx/", "core/", "testing/")


def side_effect_calls(source: str) -> list[tuple[int, str]]:
    """``(line, call)`` of each call of a side-effecting adapter method in ``source``."""
    found = []
    for node in ast.walk(parsed(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        receiver = ast.unparse(node.func.value)
        if node.func.attr in SIDE_EFFECTS and ADAPTER.search(receiver):
            found.append((node.lineno, f"{receiver}.{node.func.attr}()"))
    return found


def _modules() -> dict[str, str]:
    return {
        path.relative_to(PACKAGE).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def test_the_side_effects_listed_are_the_adapters_methods() -> None:
    assert all(callable(getattr(OkxCli, name, None)) for name in SIDE_EFFECTS)


def test_no_door_calls_a_side_effecting_adapter_method() -> None:
    modules = _modules()
    doors = {name for name in modules if not name.startswith(ALLOWED)}
    assert {
        "doors/tools.py",
        "doors/chat.py",
        "doors/mcp/door.py",
        "graph/login_flow.py",
        "graph/maintenance.py",
        "graph/preflight.py",
    } <= doors
    offending = {name: calls for name in doors if (calls := side_effect_calls(modules[name]))}
    assert offending == {}


def test_the_core_is_where_okx_logs_in() -> None:
    """The scan sees the calls where they are (so an empty result above means something)."""
    modules = _modules()
    logins = [
        (name, call)
        for name, source in modules.items()
        for _, call in side_effect_calls(source)
        if call.endswith((".login_manual()", ".login_interactive()"))
    ]
    assert logins == [
        ("core/login.py", "okx.login_interactive()"),
        ("core/login.py", "okx.login_manual()"),
    ]


def test_the_scan_flags_a_door_that_logs_out_by_itself() -> None:
    snippet = "async def node(state, runtime):\n    await services.cli(runtime).logout()\n"
    assert side_effect_calls(snippet) == [(2, "services.cli(runtime).logout()")]
    assert side_effect_calls("loop.run(main())\nitems.remove(x)\n") == []
