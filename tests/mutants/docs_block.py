"""Write a generated block into a docs page, between ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->``.

The runners (``python -m tests.mutants``, ``python -m tests.mutants.score``) render their
results as Markdown and put them in docs/testing.md with :func:`replace_block`; the text
between the markers is never edited by hand.
"""

from __future__ import annotations

from pathlib import Path


def markers(name: str) -> tuple[str, str]:
    """The begin and end marker lines of block ``name``."""
    return f"<!-- {name}:begin (generated, do not edit) -->", f"<!-- {name}:end -->"


def read_block(page: Path, name: str) -> str:
    """The text between the markers of block ``name`` in ``page``.

    Raises:
        ValueError: If the page does not hold the block exactly once.
    """
    text = page.read_text(encoding="utf-8")
    begin, end = markers(name)
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        raise ValueError(f"{page}: needs exactly one {begin!r} … {end!r} block")
    return text[text.index(begin) + len(begin) : text.index(end)].strip("\n")


def replace_block(page: Path, name: str, body: str) -> None:
    """Replace the text between the markers of block ``name`` in ``page`` by ``body``."""
    read_block(page, name)  # checks that the markers are there, once
    text = page.read_text(encoding="utf-8")
    begin, end = markers(name)
    head, tail = text[: text.index(begin) + len(begin)], text[text.index(end) :]
    page.write_text(f"{head}\n{body.strip(chr(10))}\n{tail}", encoding="utf-8")
