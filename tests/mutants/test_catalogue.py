"""The mutant catalogue stays applicable and complete (the runs themselves: ``make mutants``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from okx_auth_graph.evals import INVARIANTS
from tests.mutants.catalogue import CATALOGUE
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
        copy_project(REPO, [Path("okx_auth_graph/gate.py")], root)
        for edit in (
            Edit("okx_auth_graph/gate.py", "no_such_function", "return", "pass"),
            Edit("okx_auth_graph/gate.py", "gate_site", "a snippet that is not there", "x"),
            Edit("okx_auth_graph/gate.py", None, "return", "pass"),  # many matches
            Edit("okx_auth_graph/nowhere.py", None, "x", "y"),
        ):
            with pytest.raises(StaleMutantError):
                apply_mutant(root, Mutant("stale", "-", (edit,)))


def test_project_files_are_the_repository_without_its_environments():
    files = {str(p) for p in project_files(REPO)}
    assert "okx_auth_graph/gate.py" in files
    assert not [f for f in files if f.startswith((".venv/", ".git/", ".okx-cli/"))]
