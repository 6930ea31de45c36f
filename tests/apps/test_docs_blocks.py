"""Every Python block of the repository's markdown (README.md, docs/, evals/…) runs as written.

Each block is written to a file in a fresh temporary folder and run there by this interpreter,
with the repository on ``PYTHONPATH``, an empty ``HOME`` and nothing else — except what the
block's own text tells the reader to set up:

* ``DATABASE_URL`` in the block: a throw-away PostgreSQL server on 127.0.0.1 (its DSN);
* ``STUDIO_PORT`` in the block: the ``langgraph dev`` server that ``make studio`` would run (its
  port), with ``OKX_EMULATOR_STATE`` naming that server's emulator world;
* ``shim`` in the block (the emulator's ``okx`` first on ``PATH``): ``okx-emulator shim`` into
  the folder's ``.bin`` and a fresh world in ``.world``. Such a block runs the okx on ``PATH``,
  so it also runs with no okx at all (the graph's "not installed" answer, not a traceback) and
  with the registry's okx 1.2.4 (the too-old answer).

Every page is scanned (hidden folders aside), and each page's Python fences are also counted by
a regex of its own, so a block the parser misses fails. A block is compiled first: a top-level
``await`` (fine in a notebook, not in a script) is refused with a hint.

A ``# → text`` comment on a line that prints is the output the reader is promised: every part of
``text`` (split at ``…`` / ``...``) must appear in what the block printed. Blocks of any other
language are not run, but a block that is not tagged ``python`` and parses as Python with an
import in it fails the check (a Python block must be tagged).
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from okx_auth_graph.testing import OkxEmulator
from okx_auth_graph.testing.shim import write_shim
from tests.adapter.adapter_support import seed_home
from tests.rigs import warm
from tests.rigs.real_cli import real_okx_cli

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_FOLDERS = {"node_modules"}
"""Besides hidden folders (``.venv``, ``.okx-cli``, caches): installed packages' own pages."""


def markdown_files(root: Path) -> list[Path]:
    """Every markdown file of the repository, README.md first, outside hidden folders (not
    walked into: ``.venv`` alone holds tens of thousands of files)."""
    found: list[Path] = []
    for folder, folders, files in os.walk(root):
        folders[:] = [f for f in folders if not f.startswith(".") and f not in SKIPPED_FOLDERS]
        found.extend(Path(folder, name) for name in files if name.endswith(".md"))
    return sorted(found, key=lambda path: (path != root / "README.md", path))


DOCUMENTS = markdown_files(ROOT)
PROMISE = re.compile(r"#\s*→\s*(.+)$")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    info: str
    code: str

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def fenced_blocks(path: Path) -> list[Block]:
    """The fenced code blocks of a markdown file, with their info string and first line."""
    blocks: list[Block] = []
    lines = path.read_text(encoding="utf-8").split("\n")
    start: int | None = None
    info = ""
    for number, line in enumerate(lines, 1):
        if start is None and line.startswith("```"):
            start, info = number, line[3:].strip()
        elif start is not None and line.strip() == "```":
            blocks.append(Block(path, start, info, "\n".join(lines[start : number - 1]) + "\n"))
            start = None
    assert start is None, f"{path}:{start}: an unclosed fenced block"
    return blocks


ALL_BLOCKS = [block for path in DOCUMENTS for block in fenced_blocks(path)]
PYTHON_BLOCKS = [block for block in ALL_BLOCKS if block.info in {"python", "py"}]


def promises(code: str) -> list[list[str]]:
    """The output fragments promised by ``# → …`` comments on lines that print."""
    found = []
    for line in code.splitlines():
        match = PROMISE.search(line)
        if match and "print(" in line:
            parts = [p.strip() for p in re.split(r"…|\.\.\.", match.group(1))]
            found.append([p for p in parts if p])
    return found


def test_fenced_blocks_reads_info_strings_and_bodies(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("text\n```python\nprint(1)  # → 1\n```\n```sh\nmake\n```\n")
    [python, shell] = fenced_blocks(page)
    assert (python.info, python.code, python.line) == ("python", "print(1)  # → 1\n", 2)
    assert (shell.info, shell.code) == ("sh", "make\n")
    assert promises(python.code) == [["1"]]
    assert promises('print(x)  # → {"a": 1, … "b": [...]}') == [['{"a": 1,', '"b": [', "]}"]]


def test_the_docs_have_python_blocks_and_promised_outputs() -> None:
    assert any(block.path.name == "README.md" for block in PYTHON_BLOCKS)
    assert sum(len(promises(block.code)) for block in PYTHON_BLOCKS) >= len(PYTHON_BLOCKS)


def test_markdown_files_finds_every_page_but_hidden_and_installed_ones(tmp_path: Path) -> None:
    for name in ["README.md", "docs/a.md", "evals/README.md", ".venv/x.md", "n/node_modules/y.md"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("# page\n")
    found = [str(path.relative_to(tmp_path)) for path in markdown_files(tmp_path)]
    assert found == ["README.md", "docs/a.md", "evals/README.md"]
    assert {
        ROOT / "README.md",
        ROOT / "docs" / "embedding.md",
        ROOT / "evals" / "README.md",
    } <= set(DOCUMENTS)


PYTHON_OPENING = re.compile(r"^[ \t]*(?:`{3,}|~{3,})[ \t]*(?:python3?|py|pycon|ipython)\b", re.M)
"""An independent count: any fence (backticks or tildes, indented or not) tagged as Python."""


@pytest.mark.parametrize("page", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_python_block_of_a_page_is_run(page: Path) -> None:
    """The blocks run below are all the page's Python blocks: none is missed by the parser."""
    text = page.read_text(encoding="utf-8")
    run = [block for block in PYTHON_BLOCKS if block.path == page]
    assert len(run) == len(PYTHON_OPENING.findall(text)), (
        f"{page.relative_to(ROOT)}: a Python block the test would not run (use a plain "
        "```python fence at the start of a line)"
    )


@pytest.mark.parametrize(
    "block", [b for b in ALL_BLOCKS if b not in PYTHON_BLOCKS], ids=lambda b: b.name
)
def test_a_block_not_run_is_not_python(block: Block) -> None:
    try:
        tree = ast.parse(block.code)
    except SyntaxError:
        return
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert not imports, f"{block.name} is Python: tag it ```python so that it runs"


SYNC_CALL = re.compile(r"\b(graph|parent)\.invoke\(")
"""A block's call of a compiled graph (the README's quick start, the parent-graph example)."""


def _needs(block: Block) -> set[str]:
    return {word for word in ("DATABASE_URL", "STUDIO_PORT", "shim") if word in block.code}


def _param(block: Block) -> object:
    marks = [pytest.mark.server] if _needs(block) & {"DATABASE_URL", "STUDIO_PORT"} else []
    if SYNC_CALL.search(block.code):
        marks.append(pytest.mark.xdist_group(f"as-written:{block.name}"))
    return pytest.param(block, id=block.name, marks=marks)


def compile_or_fail(block: Block) -> None:
    """Fail unless the block compiles as a script (a top-level ``await`` parses but does not)."""
    try:
        compile(block.code, block.name, "exec")
    except SyntaxError as exc:
        pytest.fail(
            f"{block.name}: not a runnable script ({exc}); top-level await needs asyncio.run"
        )


def test_a_block_with_a_top_level_await_is_refused_before_it_runs() -> None:
    block = Block(ROOT / "page.md", 1, "python", "import asyncio\nawait asyncio.sleep(0)\n")
    with pytest.raises(pytest.fail.Exception, match=r"top-level await needs asyncio\.run"):
        compile_or_fail(block)
    compile_or_fail(
        Block(block.path, 1, "python", "import asyncio\nasyncio.run(asyncio.sleep(0))\n")
    )


def base_env() -> dict[str, str]:
    """This environment with the repository importable (what ``pip install -e .`` gives)."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }


def run_block(block: Block, folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Write the block to ``folder/block.py`` and run it there; it must exit 0."""
    script = folder / "block.py"
    script.write_text(block.code, encoding="utf-8")
    done = subprocess.run(
        warm.command([sys.executable, str(script)], warm.socket_path("docs")),
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{block.name} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module", autouse=True)
def warm_blocks() -> Iterator[Path]:
    """A warm interpreter (tests/rigs/warm.py) in the blocks' environment that imported
    LangGraph's heavy dependencies: each block still runs as ``python block.py`` in its folder,
    forked from it, and imports LangGraph and the package itself (a block that forgets an import
    fails as it would cold)."""
    with warm.warm_interpreter(warm.PRELOADED, warm.socket_path("docs"), base_env()) as path:
        yield path


AS_WRITTEN: dict[str, str] = {}
"""What a block that needs nothing set up printed when run as written, by block name: run once
per process, for its own test and the three call styles' (seconds each; a block's tests share an
xdist group, so they run in one worker). A test run alone runs it itself."""


def as_written_output(block: Block, folder: Path) -> str:
    """The block's output run as written in ``folder`` (once per process; see AS_WRITTEN)."""
    assert not _needs(block), "only a block that needs nothing set up prints the same anywhere"
    if block.name not in AS_WRITTEN:
        AS_WRITTEN[block.name] = run_block(block, folder, base_env()).stdout
    return AS_WRITTEN[block.name]


@pytest.mark.parametrize("block", [_param(b) for b in PYTHON_BLOCKS])
def test_python_block_runs_as_written(
    block: Block, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    compile_or_fail(block)
    env = base_env()
    needs = _needs(block)
    if "DATABASE_URL" in needs:
        env["DATABASE_URL"] = request.getfixturevalue("postgres_dsn")
    if "STUDIO_PORT" in needs:
        server = request.getfixturevalue("langgraph_server")
        env["STUDIO_PORT"] = str(urlsplit(server.url).port)
        env["OKX_EMULATOR_STATE"] = str(server.state_dir)
    if "shim" in needs:
        write_shim(tmp_path / ".bin")
        OkxEmulator(tmp_path / ".world").init_world()
        env["PATH"] = f"{tmp_path / '.bin'}{os.pathsep}{env['PATH']}"
        env["OKX_EMULATOR_STATE"] = str(tmp_path / ".world")
    stdout = (
        as_written_output(block, tmp_path) if not needs else run_block(block, tmp_path, env).stdout
    )
    for fragment in [f for fragments in promises(block.code) for f in fragments]:
        assert fragment in stdout, f"{block.name}: {fragment!r} not printed:\n{stdout}"


OKX_ON_PATH_BLOCKS = [b for b in PYTHON_BLOCKS if "shim" in _needs(b)]
"""Blocks that run the okx on ``PATH`` (the emulator's shim only if the reader puts it there)."""

INSTALL_COMMAND = "npm install -g @okx_ai/okx-trade-cli"
"""What D16 of docs/spec.md gives a user with no okx at all."""


def test_some_block_runs_the_okx_on_path() -> None:
    assert "persistence.md" in {b.path.name for b in OKX_ON_PATH_BLOCKS}


@pytest.mark.server
@pytest.mark.parametrize("block", OKX_ON_PATH_BLOCKS, ids=lambda b: b.name)
def test_a_block_without_okx_on_path_gets_the_not_installed_answer(
    block: Block, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """As the page promises: with no okx at all, the graph answers that okx is not installed."""
    env = base_env()
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"])
    assert shutil.which("okx", path=env["PATH"]) is None, "this PATH must have no okx"
    env.pop("OKX_EMULATOR_STATE", None)
    if "DATABASE_URL" in _needs(block):
        env["DATABASE_URL"] = request.getfixturevalue("postgres_dsn")
    done = run_block(block, tmp_path, env)
    assert "Traceback" not in done.stderr, done.stderr
    assert "not installed" in done.stdout, done.stdout
    assert INSTALL_COMMAND in done.stdout, done.stdout


@pytest.mark.server
@pytest.mark.real_cli
@pytest.mark.parametrize("block", OKX_ON_PATH_BLOCKS, ids=lambda b: b.name)
def test_a_block_with_the_registry_okx_gets_the_too_old_answer(
    block: Block, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """With the npm registry's okx 1.2.4 on PATH (no ``okx auth``), D16's too-old answer."""
    real = real_okx_cli()
    node = shutil.which("node")
    assert node is not None, "the real okx needs node"
    env = base_env()
    env["HOME"] = str(seed_home(tmp_path / "home"))  # 1.2.4 never asks the registry for news
    env["PATH"] = os.pathsep.join(
        [str(real.parent), str(Path(node).parent), str(Path(sys.executable).parent), "/bin"]
    )
    env.pop("OKX_EMULATOR_STATE", None)
    if "DATABASE_URL" in _needs(block):
        env["DATABASE_URL"] = request.getfixturevalue("postgres_dsn")
    done = run_block(block, tmp_path, env)
    assert "Traceback" not in done.stderr, done.stderr
    assert "1.3.1-beta.17" in done.stdout, done.stdout  # the version `okx auth` needs
    assert "okx config init" in done.stdout, done.stdout  # what works now: an API key
    assert "npm install" not in done.stdout, "never a command that reinstalls the same version"


def test_the_readme_is_short() -> None:
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 250


@pytest.mark.parametrize("page", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_lead_to_files_of_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if not re.match(r"[a-z]+:", t)]
    missing = [t for t in local if not (page.parent / t).resolve().exists()]
    outside = [t for t in local if not (page.parent / t).resolve().is_relative_to(ROOT)]
    assert (missing, outside) == ([], [])


CALL_STYLES = {
    "ainvoke": "def _call(g, *a, **k):\n    return _asyncio.run(g.ainvoke(*a, **k))\n",
    "stream": (
        "def _call(g, value, config, **k):\n"
        "    for _ in g.stream(value, config, **k):\n"
        "        pass\n"
        "    return _values(g, config)\n"
    ),
    "astream": (
        "async def _drain(g, value, config, **k):\n"
        "    async for _ in g.astream(value, config, **k):\n"
        "        pass\n"
        "def _call(g, value, config, **k):\n"
        "    _asyncio.run(_drain(g, value, config, **k))\n"
        "    return _values(g, config)\n"
    ),
}
"""Each other way to run a graph, as ``_call(graph, input, config)`` returning what invoke does."""
PRELUDE = (
    "import asyncio as _asyncio\n"
    "def _values(g, config):\n"
    "    snapshot = g.get_state(config)\n"
    "    interrupts = {'__interrupt__': list(snapshot.interrupts)} if snapshot.interrupts else {}\n"
    "    return {**snapshot.values, **interrupts}\n"
)
SYNC_BLOCKS = [b for b in PYTHON_BLOCKS if SYNC_CALL.search(b.code)]


def test_the_readme_quick_start_calls_the_graph_with_invoke() -> None:
    assert "README.md" in {b.path.name for b in SYNC_BLOCKS}


@pytest.mark.parametrize("style", sorted(CALL_STYLES))
@pytest.mark.parametrize(
    "block",
    [
        pytest.param(b, id=b.name, marks=pytest.mark.xdist_group(f"as-written:{b.name}"))
        for b in SYNC_BLOCKS
    ],
)
def test_a_block_gives_the_same_output_through_ainvoke_stream_and_astream(
    block: Block, style: str, tmp_path: Path
) -> None:
    """As the README says: ``ainvoke``, ``stream`` and ``astream`` work the same way."""
    assert not _needs(block), "this check runs blocks that need nothing set up"
    rewritten = SYNC_CALL.sub(lambda m: f"_call({m.group(1)}, ", block.code)
    assert not SYNC_CALL.search(rewritten), "every invoke call goes through the other style"
    code = PRELUDE + CALL_STYLES[style] + rewritten
    variant = Block(block.path, block.line, block.info, code)
    (tmp_path / "as_written").mkdir()
    (tmp_path / style).mkdir()
    expected = as_written_output(block, tmp_path / "as_written")
    assert expected.strip(), f"{block.name} prints nothing to compare"
    assert run_block(variant, tmp_path / style, base_env()).stdout == expected


def test_the_readme_puts_response_schema_where_langgraph_keeps_it(tmp_path: Path) -> None:
    """The README's contract says the reply's schema is ``Interrupt.response_schema``, beside
    the interrupt's value; a reader who looks for it in the value finds nothing."""
    from langchain_core.messages import HumanMessage
    from langchain_core.runnables import RunnableConfig
    from langgraph.checkpoint.memory import InMemorySaver

    from okx_auth_graph import OkxCli, build_graph

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    [questions] = [line for line in readme.split("- **") if line.startswith("Questions**")]
    assert "`Interrupt.response_schema` (not in the value)" in questions
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=InMemorySaver())
    config: RunnableConfig = {"configurable": {"thread_id": "schema"}}
    [interrupt] = graph.invoke({"messages": [HumanMessage("log me in")]}, config)["__interrupt__"]
    assert interrupt.value["type"] == "choose_site"
    assert "response_schema" not in interrupt.value
    assert interrupt.response_schema["type"] == "string"
    assert interrupt.response_schema["title"] == "choose_site"
