"""The package's layout by role (docs/architecture.md, "Layers"): folders, names, imports.

- Each layer imports only from the layers below it: ``doors`` > ``graph`` > ``core`` >
  ``reading`` > ``okx`` (any import, at module level or inside a function).
- One module per name: no two modules of the package share a file name (``__init__`` and
  ``__main__`` aside; a deprecated alias *is* the module it names).
- docs/architecture.md names every module of the package by its path, and the package holds
  every module the page names.
- Every deprecated old path warns on import and gives the very module it moved to.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
import warnings
from collections import Counter
from pathlib import Path

import pytest

from tests.sources import parsed

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "okx_auth_graph"
PAGE = ROOT / "docs" / "architecture.md"
LAYERS = ("okx", "reading", "core", "graph", "doors")
"""The layers, lowest first: each may import only from those before it (and itself)."""
MOVED = {
    "okx_auth_graph.chat": "okx_auth_graph.doors.chat",
    "okx_auth_graph.cli": "okx_auth_graph.okx.adapter",
    "okx_auth_graph.entry": "okx_auth_graph.graph.entry",
    "okx_auth_graph.errors": "okx_auth_graph.okx.errors",
    "okx_auth_graph.learned": "okx_auth_graph.reading.learned",
    "okx_auth_graph.model_reading": "okx_auth_graph.reading.chat_model",
    "okx_auth_graph.redact": "okx_auth_graph.okx.redact",
    "okx_auth_graph.served": "okx_auth_graph.graph.served",
    "okx_auth_graph.tools": "okx_auth_graph.doors.tools",
    "okx_auth_graph.understanding": "okx_auth_graph.reading.rules",
    "okx_auth_graph.window": "okx_auth_graph.reading.window",
}
"""The documented import paths that moved (README, docs, examples, notebook), written out here
on purpose: a test that read them from the package would pass whatever the package dropped."""


def _is_alias(path: Path) -> bool:
    return "from okx_auth_graph._aliases import alias" in path.read_text(encoding="utf-8")


def _modules() -> dict[str, Path]:
    """Every module of the package but the deprecated aliases, by path inside the package."""
    return {
        path.relative_to(PACKAGE).as_posix(): path
        for path in sorted(PACKAGE.rglob("*.py"))
        if not _is_alias(path)
    }


def _imports(path: Path) -> set[str]:
    """The ``okx_auth_graph`` modules (or names) ``path`` imports, anywhere in it."""
    found = set()
    for node in ast.walk(parsed(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {name for name in found if name.startswith("okx_auth_graph.")}


def test_each_layer_imports_only_from_the_layers_below() -> None:
    upward = []
    for name, path in _modules().items():
        layer = name.split("/")[0]
        if layer not in LAYERS:
            continue
        for imported in _imports(path):
            target = imported.split(".")[1]
            if target in LAYERS and LAYERS.index(target) > LAYERS.index(layer):
                upward.append(f"{name} imports {imported}")
    assert upward == []


def test_the_layer_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from okx_auth_graph.graph.node_kit import node\n")
    assert _imports(module) == {"okx_auth_graph.graph.node_kit.node"}


def test_no_two_modules_share_a_name() -> None:
    names = Counter(
        Path(name).stem for name in _modules() if Path(name).stem not in ("__init__", "__main__")
    )
    assert [name for name, count in names.items() if count > 1] == []
    assert {"rules", "adapter", "login_flow", "reading_scores"} <= set(names)


def test_the_architecture_page_names_every_module() -> None:
    page = PAGE.read_text(encoding="utf-8")
    named = {m for m in _modules() if not m.endswith("__init__.py")}
    # the layers' modules and the top-level ones (the emulator and the harness as folders)
    named = {m for m in named if m.startswith(LAYERS) or "/" not in m}
    missing = sorted(m for m in named if f"`{m}`" not in page)
    assert missing == []
    mentioned = set(re.findall(r"`((?:okx|reading|core|graph|doors)/[\w/]+\.py)`", page))
    assert mentioned <= set(_modules())


def test_the_moved_documented_paths_are_the_aliases() -> None:
    aliases = {"okx_auth_graph." + path.stem for path in PACKAGE.glob("*.py") if _is_alias(path)}
    assert aliases == set(MOVED)


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_an_old_path_warns_and_gives_the_same_objects(old: str, new: str) -> None:
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=re.escape(new)) as caught:
        __import__(old)
    module = sys.modules[old]
    assert caught[0].filename == __file__  # the warning points at the importing line
    current = importlib.import_module(new)
    assert module is current
    public = [n for n in vars(current) if not n.startswith("_")]
    assert public
    assert all(getattr(module, n) is getattr(current, n) for n in public)


@pytest.mark.fresh_process
def test_the_documented_old_imports_still_work_in_a_fresh_process() -> None:
    """``from okx_auth_graph.cli import OkxCli`` and the like: one warning each, same objects."""
    script = """
import sys
import warnings
warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as caught:
    from okx_auth_graph.cli import OkxCli
    from okx_auth_graph.tools import make_tools
    from okx_auth_graph.understanding import read_reply
    from okx_auth_graph.window import window_update
    import okx_auth_graph.served
import okx_auth_graph
from okx_auth_graph.doors.tools import make_tools as new_make_tools
from okx_auth_graph.reading.rules import read_reply as new_read_reply
assert OkxCli is okx_auth_graph.OkxCli
assert make_tools is new_make_tools and read_reply is new_read_reply
assert okx_auth_graph.served.graph is sys.modules["okx_auth_graph.graph.served"].graph
print(sorted({str(w.message).split()[0] for w in caught if w.category is DeprecationWarning}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(
        sorted(f"okx_auth_graph.{m}" for m in ("cli", "served", "tools", "understanding", "window"))
    )


def test_importing_the_package_warns_of_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", "import okx_auth_graph.graph"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        importlib.import_module("okx_auth_graph.doors.tools")
