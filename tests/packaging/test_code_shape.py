"""The package's shape: no function over 80 lines, and few repeated blocks, each with a reason."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.reads_source  # the source as written (not mutmut's rewrite)

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "okx_auth_graph"
MAX_FUNCTION_LINES = 80
MAX_REPEATED_BLOCKS = 3


def test_no_function_spans_more_than_80_lines() -> None:
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                span = (node.end_lineno or node.lineno) - node.lineno + 1  # docstring included
                if span > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({span})")
    assert long == []


BLOCK = re.compile(r"R0801: Similar lines in \d+ files\n((?:==\S+:\[\d+:\d+\]\n)+)")
PLACE = re.compile(r"==(\S+):\[(\d+):(\d+)\]")


def _has_reason(module: str, start: int) -> bool:
    """A comment saying why, in the lines just above the block (or in it)."""
    path = ROOT / (module.replace(".", "/") + ".py")
    lines = path.read_text(encoding="utf-8").splitlines()
    around = lines[max(0, start - 6) : start + 3]
    return any("duplicate-code" in line and line.lstrip().startswith("#") for line in around)


def test_repeated_blocks_are_few_and_each_says_why() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pylint",
            "--disable=all",
            "--enable=duplicate-code",
            "--min-similarity-lines=6",
            "okx_auth_graph",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert "R0801" in done.stdout or done.returncode == 0, done.stdout + done.stderr
    blocks = [PLACE.findall(match) for match in BLOCK.findall(done.stdout)]
    assert len(blocks) <= MAX_REPEATED_BLOCKS, done.stdout
    for places in blocks:
        assert any(_has_reason(module, int(start)) for module, start, _ in places), places
