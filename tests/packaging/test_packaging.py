"""The runtime package stands apart from the test rigs and from its optional extras.

* No module of ``okx_auth_graph`` imports test code (``tests``, ``benchmarks``, test libraries),
  neither by an import statement nor when it is imported.
* With every package of the optional extras made unimportable (the ones the runtime
  dependencies do not pull in themselves), every module outside the extras' features imports
  and a graph run on the emulator (which writes a TOML config) works.
* A missing extra fails with an error that names the extra to install.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "okx_auth_graph"
TEST_CODE = {
    "tests",
    "benchmarks",
    "training",
    "sklearn",
    "conftest",
    "pytest",
    "hypothesis",
    "respx",
    "pexpect",
}
EXTRA_FEATURES = {
    # module -> the extra it needs (these modules may not import without it)
    "okx_auth_graph.doors.chat": "chat",
    "okx_auth_graph.chat": "chat",  # the deprecated alias of doors.chat
    "okx_auth_graph.evals.__main__": "evals",
    "okx_auth_graph.evals.progress": "evals",
    "okx_auth_graph.evals.report": "evals",
    "okx_auth_graph.evals.remote": "evals",
    "okx_auth_graph.evals.runner": "evals",
    "okx_auth_graph.evals.scenario": "evals",
    "okx_auth_graph.doors.mcp": "mcp",
    "okx_auth_graph.doors.mcp.asking": "mcp",
    "okx_auth_graph.doors.mcp.door": "mcp",
    "okx_auth_graph.doors.mcp.main": "mcp",
    "okx_auth_graph.doors.mcp.server": "mcp",
}

# A meta-path finder that makes the named top-level modules unimportable, then the payload.
BLOCKER = """
import importlib.abc, sys
BLOCKED = set({blocked!r})
class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED or name in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}} (blocked)", name=name)
        return None
sys.meta_path.insert(0, Blocker())
"""


def package_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


def test_no_product_module_has_an_import_of_test_code():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            offenders += [
                f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in TEST_CODE
            ]
    assert offenders == []


def test_every_package_module_imports_with_test_code_unimportable():
    modules = package_modules()
    code = BLOCKER.format(blocked=sorted(TEST_CODE)) + (
        "import importlib\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in BLOCKED)\n"
        "print(len({modules!r}), leaked)\n".replace("{modules!r}", repr(modules))
    )
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(len(modules)), "[]"]
    assert len(modules) > 30  # the whole package was walked


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _closure(names: set[str]) -> set[str]:
    """The installed distributions these need, transitively (markers and extras ignored)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        todo += [_requirement_name(r) for r in requires if "extra ==" not in r]
    return seen


def extras_only_modules() -> list[str]:
    """Top-level modules of the extras' distributions that the runtime does not pull in."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = _closure({_requirement_name(r) for r in project["dependencies"]})
    extras = project["optional-dependencies"]
    optional = {
        _requirement_name(r)
        for extra in ("chat", "evals", "postgres", "llm", "mcp")
        for r in extras[extra]
    }
    blocked_dists = _closure(optional) - runtime
    modules = {
        module
        for module, dists in importlib.metadata.packages_distributions().items()
        if {d.lower().replace("_", "-") for d in dists} <= blocked_dists
    }
    # ``langgraph`` is a namespace shared with the runtime: block the postgres saver by name.
    return sorted(modules | {"langgraph.checkpoint.postgres"})


def test_the_runtime_works_without_any_optional_extra(tmp_path):
    blocked = extras_only_modules()
    assert {"rich", "tomli_w", "psycopg"} <= set(
        blocked
    )  # pyyaml, langgraph-sdk: pulled in by langgraph
    assert "langgraph" not in blocked
    runtime_modules = [m for m in package_modules() if m not in EXTRA_FEATURES]
    code = (
        BLOCKER.format(blocked=blocked)
        + f"""
import asyncio, importlib, json
for name in {runtime_modules!r}:
    importlib.import_module(name)
from langchain_core.messages import HumanMessage
from okx_auth_graph import OkxCli, build_graph
from okx_auth_graph.testing import OkxEmulator
emulator = OkxEmulator({str(tmp_path / "world")!r})
emulator.init_world({{"default_profile": "main", "profiles": {{"main": {{"api_key": "k", "secret_key": "s", "passphrase": "p", "site": "eea"}}}}}})
graph = build_graph(cli=OkxCli(runner=emulator))
result = asyncio.run(graph.ainvoke({{"messages": [HumanMessage("show my balance")]}}))
leaked = sorted(m for m in sys.modules if m.split('.')[0] in BLOCKED)
print(json.dumps([result["outcome"], leaked]))
"""
    )
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == ["api_key_configured", []]


def test_a_missing_extra_is_named_by_the_error():
    code = (
        BLOCKER.format(blocked=["rich", "yaml", "mcp"])
        + """
import io, contextlib
from okx_auth_graph.__main__ import main
for command, extra in (("chat", "chat"), ("eval", "evals"), ("mcp", "mcp")):
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main([command])
    print(code, extra, f"pip install 'okx-auth-graph[{extra}]'" in err.getvalue())
try:
    import okx_auth_graph.evals.scenario
except ModuleNotFoundError as exc:
    print("scenario", exc.name, "okx-auth-graph[evals]" in str(exc))
"""
    )
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "2 chat True",
        "2 evals True",
        "2 mcp True",
        "scenario yaml True",
    ]


def test_the_wheel_ships_the_product_and_no_test_rig(tmp_path):
    import zipfile

    from hatchling.builders.wheel import WheelBuilder

    wheel = Path(
        next(WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))
    )
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = next(
            archive.read(n).decode() for n in names if n.endswith(".dist-info/METADATA")
        )
    assert all(name.startswith(("okx_auth_graph/", "okx_auth_graph-")) for name in names)
    assert "okx_auth_graph/testing/emulator.py" in names  # the emulator is part of the product
    assert "okx_auth_graph/testing/downstream.py" in names  # it answers skill commands
    assert "okx_auth_graph/reading/learned_reader.json" in names  # the learned reader's weights
    assert not [n for n in names if n.endswith(("/servers.py", "/rest.py", "/bench.py"))]
    plain = [
        line.split(":", 1)[1].strip()
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]
    assert sorted(_requirement_name(r) for r in plain) == [
        "aiosqlite",
        "filelock",
        "langchain-core",
        "langgraph",
        "langgraph-checkpoint-sqlite",
        "pydantic",
        "typing-extensions",
    ]
