"""Apply a mutant's edits to a copy of the repository, failing loudly when one no longer applies.

An :class:`Edit` names a file, an *anchor* (a function, class or module-level name whose
source holds the edit; ``None`` for a whole non-Python file) and an exact ``old`` snippet that
must occur exactly once inside the anchor. Anything else — the anchor gone or duplicated, the
snippet missing or ambiguous, a result that no longer compiles — raises :class:`StaleMutantError`,
so a refactor that moves the code makes the catalogue fail instead of silently testing nothing.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

FAST_SUITE: tuple[str, ...] = ("tests/unit", "tests/graph")
"""The fast suite each mutant runs by default."""

_SKIP_DIRS = frozenset({".git", ".venv", ".okx-cli", ".hypothesis", ".reports", "__pycache__"})


class StaleMutantError(RuntimeError):
    """A mutant's edit no longer applies to the code (re-anchor it in the catalogue)."""


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` by ``new`` inside ``anchor`` of ``path`` (repository-relative)."""

    path: str
    anchor: str | None
    old: str
    new: str


@dataclass(frozen=True)
class Mutant:
    """A realistic bug: the rule it breaks, its edits, and the tests that must catch it.

    ``tests`` are the relevant tests, most likely catchers first (pytest stops at the first
    failure); ``--full`` adds the whole fast suite.
    """

    id: str
    rule: str
    edits: tuple[Edit, ...]
    tests: tuple[str, ...] = FAST_SUITE

    def test_paths(self, full: bool = False) -> tuple[str, ...]:
        """The test paths the runner gives pytest for this mutant."""
        return tuple(dict.fromkeys((*self.tests, *FAST_SUITE) if full else self.tests))


def _anchor_span(source: str, anchor: str, path: str) -> tuple[int, int]:
    """Character offsets of the single definition or assignment named ``anchor``."""
    tree = ast.parse(source, filename=path)
    spans: list[tuple[int, int]] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names = [node.name]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names = [node.target.id]
        if anchor in names:
            assert isinstance(node, ast.stmt)
            assert node.end_lineno is not None
            spans.append((node.lineno, node.end_lineno))
    if len(spans) != 1:
        raise StaleMutantError(
            f"{path}: anchor {anchor!r} found {len(spans)} times (need exactly 1)"
        )
    lines = source.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: spans[0][0] - 1])
    end = sum(len(line) for line in lines[: spans[0][1]])
    return start, end


def apply_edit(root: Path, edit: Edit) -> None:
    """Apply one edit under ``root``.

    Raises:
        StaleMutantError: If the file, the anchor or exactly one ``old`` snippet is not there, or
            the edited Python file no longer parses.
    """
    target = root / edit.path
    if not target.is_file():
        raise StaleMutantError(f"{edit.path}: no such file")
    source = target.read_text(encoding="utf-8")
    start, end = (0, len(source))
    if edit.anchor is not None:
        start, end = _anchor_span(source, edit.anchor, edit.path)
    region = source[start:end]
    count = region.count(edit.old)
    if count != 1:
        where = f"{edit.path}:{edit.anchor or '<file>'}"
        raise StaleMutantError(
            f"{where}: snippet found {count} times (need exactly 1): {edit.old!r}"
        )
    mutated = source[:start] + region.replace(edit.old, edit.new) + source[end:]
    if mutated == source:
        raise StaleMutantError(f"{edit.path}: the edit changes nothing")
    if edit.path.endswith(".py"):
        try:
            ast.parse(mutated, filename=edit.path)
        except SyntaxError as exc:
            raise StaleMutantError(f"{edit.path}: the mutated file does not parse: {exc}") from None
    target.write_text(mutated, encoding="utf-8")


def apply_mutant(root: Path, mutant: Mutant) -> None:
    """Apply every edit of ``mutant`` under ``root`` (see :func:`apply_edit`)."""
    for edit in mutant.edits:
        apply_edit(root, edit)


def project_files(repo: Path) -> list[Path]:
    """The repository's files (tracked and untracked, not ignored), relative to ``repo``."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=repo,
            check=True,
            capture_output=True,
        ).stdout
        names = [Path(n) for n in out.decode().split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = [
            p.relative_to(repo)
            for p in repo.rglob("*")
            if p.is_file() and not _SKIP_DIRS.intersection(p.relative_to(repo).parts)
        ]
    return [n for n in names if (repo / n).is_file() and not _SKIP_DIRS.intersection(n.parts)]


def copy_project(repo: Path, files: list[Path], destination: Path) -> None:
    """Copy ``files`` of ``repo`` into ``destination`` (a fresh directory)."""
    for name in files:
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / name, target)
