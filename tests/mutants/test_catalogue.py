"""The mutant catalogue stays applicable and complete (the runs themselves: ``make mutants``)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from okx_auth_graph.evals import INVARIANTS
from tests.mutants.__main__ import DOCS_BLOCK, render
from tests.mutants.catalogue import CATALOGUE
from tests.mutants.docs_block import markers, read_block, replace_block
from tests.mutants.patching import (
    Edit,
    Mutant,
    StaleMutantError,
    apply_mutant,
    copy_project,
    project_files,
)

REPO = Path(__file__).resolve().parents[2]


def test_at_least_25_mutants_one_per_invariant():
    assert len(CATALOGUE) >= 25
    rules = " ".join(m.rule for m in CATALOGUE)
    assert [name for name in INVARIANTS if f"({name})" not in rules] == []


@pytest.mark.parametrize("mutant", CATALOGUE, ids=[m.id for m in CATALOGUE])
def test_every_mutant_still_applies(mutant: Mutant, tmp_path: Path):
    edited = sorted({Path(e.path) for e in mutant.edits})
    copy_project(REPO, edited, tmp_path)
    before = {p: (tmp_path / p).read_text(encoding="utf-8") for p in edited}
    apply_mutant(tmp_path, mutant)
    assert any((tmp_path / p).read_text(encoding="utf-8") != before[p] for p in edited)
    for path in mutant.test_paths():
        assert (REPO / path.split("::")[0]).exists(), path


def test_a_stale_edit_fails_loudly():
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        copy_project(REPO, [Path("okx_auth_graph/core/gate.py")], root)
        for edit in (
            Edit("okx_auth_graph/core/gate.py", "no_such_function", "return", "pass"),
            Edit("okx_auth_graph/core/gate.py", "gate_site", "a snippet that is not there", "x"),
            Edit("okx_auth_graph/core/gate.py", None, "return", "pass"),  # many matches
            Edit("okx_auth_graph/nowhere.py", None, "x", "y"),
        ):
            with pytest.raises(StaleMutantError):
                apply_mutant(root, Mutant("stale", "-", (edit,)))


def test_project_files_are_the_repository_without_its_environments():
    files = {str(p) for p in project_files(REPO)}
    assert "okx_auth_graph/core/gate.py" in files
    assert not [f for f in files if f.startswith((".venv/", ".git/", ".okx-cli/"))]


def test_the_testing_docs_show_a_run_of_the_whole_catalogue_with_no_survivor():
    table = read_block(REPO / "docs" / "testing.md", DOCS_BLOCK)
    ids = re.findall(r"^\| `([^`]+)` \|", table, re.MULTILINE)
    assert ids == [m.id for m in CATALOGUE], "run `make mutants` to regenerate the table"
    assert table.startswith(f"`make mutants`: {len(CATALOGUE)} mutants, {len(CATALOGUE)} caught")
    assert "SURVIVED" not in table


def test_a_survivor_is_named_in_the_table():
    results: list[dict[str, object]] = [
        {"id": "a", "rule": "r | s", "caught": True, "verdict": "failed",
         "catching_tests": ["tests/x.py::t[a b]"]},
        {"id": "b", "rule": "q", "caught": False, "verdict": "passed", "catching_tests": []},
    ]  # fmt: skip
    lines = render(results).splitlines()
    assert lines[0] == "`make mutants`: 2 mutants, 1 caught, 1 survived (b)."
    assert lines[-2:] == [
        "| `a` | r \\| s | `tests/x.py::t[a b]` |",
        "| `b` | q | **SURVIVED** |",
    ]


def test_a_generated_block_is_replaced_between_its_markers_only(tmp_path: Path):
    page = tmp_path / "page.md"
    begin, end = markers("x")
    page.write_text(f"before\n{begin}\nold\n{end}\nafter\n", encoding="utf-8")
    replace_block(page, "x", "new\ntable")
    assert page.read_text(encoding="utf-8") == f"before\n{begin}\nnew\ntable\n{end}\nafter\n"
    assert read_block(page, "x") == "new\ntable"
    with pytest.raises(ValueError, match="exactly one"):
        replace_block(page, "y", "z")
