"""``okx-auth-graph eval --understanding``: how well requests and replies are read.

A corpus is a TSV file in ``evals/understanding/`` (``#`` lines are comments):

- ``requests.*.tsv``: ``intent<TAB>route-or-dash<TAB>text``;
- ``replies.*.tsv``: ``question_type<TAB>label<TAB>text`` where ``label`` is a reply label,
  with its value for a site or an option (``site:eea``, ``option:2``).

Each line is read by the rules (or a given reader) and compared with its label. The report
prints the accuracy per label and a confusion table (expected → read) of the misreadings;
:func:`main` exits 1 when the accuracy of any file is under the threshold.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from okx_auth_graph.understanding import read_reply_rules, read_request_rules

if TYPE_CHECKING:
    from rich.console import Console

DEFAULT_DIR = Path("evals/understanding")
DEFAULT_THRESHOLD = 0.97


class CorpusError(ValueError):
    """A corpus file that is not in the documented format."""


@dataclass(frozen=True)
class Example:
    """One corpus line: the kind of text, its question type (replies), its label and text."""

    kind: str
    question: str
    label: str
    text: str
    line: int


@dataclass
class Score:
    """What a reader made of one corpus file."""

    path: Path
    total: int = 0
    right: int = 0
    per_label: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[tuple[Example, str]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Right readings over all lines (1.0 for an empty file)."""
        return self.right / self.total if self.total else 1.0


def corpus_kind(path: Path) -> str:
    """``requests`` or ``replies``, from the file name."""
    name = path.name.lower()
    if name.startswith("request"):
        return "requests"
    if name.startswith("repl"):
        return "replies"
    raise CorpusError(f"{path}: a corpus file name starts with 'requests' or 'replies'")


def load_corpus(path: Path) -> list[Example]:
    """Read a corpus file.

    Raises:
        CorpusError: A line without three tab-separated fields.
    """
    kind = corpus_kind(path)
    examples = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) != 3:
            raise CorpusError(f"{path}:{number}: expected 3 tab-separated fields")
        first, second, text = parts
        if kind == "requests":
            label = f"{first}/{second}"
            examples.append(Example(kind, "request", label, text, number))
        else:
            examples.append(Example(kind, first, second, text, number))
    return examples


def rules_reader(example: Example) -> str:
    """What the rules read, in the corpus's label form."""
    if example.kind == "requests":
        reading = read_request_rules(example.text)
        return f"{reading.intent}/{reading.route or '-'}"
    options = 4 if example.question == "clarify_request" else 2
    return read_reply_rules(example.question, example.text, options=options).value


def score(path: Path, reader: Callable[[Example], str] = rules_reader) -> Score:
    """Read every line of corpus ``path`` with ``reader`` and count the right ones."""
    result = Score(path)
    for example in load_corpus(path):
        got = reader(example)
        key = example.label if example.kind == "requests" else f"{example.question} {example.label}"
        counts = result.per_label[key]
        counts[1] += 1
        result.total += 1
        if got == example.label:
            result.right += 1
            counts[0] += 1
        else:
            result.confusion[(key, got)] += 1
            result.misses.append((example, got))
    return result


def print_score(result: Score, console: Console) -> None:
    """Print the accuracy per label and the confusion table of one file."""
    from rich.table import Table  # the evals extra

    table = Table(title=f"{result.path}: {result.right}/{result.total} = {result.accuracy:.1%}")
    table.add_column("label")
    table.add_column("right", justify="right")
    table.add_column("of", justify="right")
    table.add_column("accuracy", justify="right")
    for label in sorted(result.per_label):
        right, total = result.per_label[label]
        table.add_row(label, str(right), str(total), f"{right / total:.0%}")
    console.print(table)
    if result.confusion:
        confusion = Table(title="confusion (misreadings)")
        confusion.add_column("expected")
        confusion.add_column("read as")
        confusion.add_column("count", justify="right")
        for (expected, got), count in result.confusion.most_common():
            confusion.add_row(expected, got, str(count))
        console.print(confusion)
        for example, got in result.misses:
            console.print(
                f"  {result.path.name}:{example.line} {example.text!r}: "
                f"expected {example.label}, read {got}",
                highlight=False,
                markup=False,
            )


def default_files(directory: Path = DEFAULT_DIR) -> list[Path]:
    """The public ``test`` split: ``requests.test.tsv`` and ``replies.test.tsv``."""
    return sorted(directory.glob("*.test.tsv"))


def main(argv: Sequence[str] | None = None) -> int:
    """Score corpus files; 0 when each reaches the threshold, 1 otherwise, 2 for bad input."""
    parser = argparse.ArgumentParser(
        prog="okx-auth-graph eval --understanding",
        description="Accuracy of the request and reply readings on labelled TSV corpora.",
    )
    parser.add_argument("files", nargs="*", type=Path, help="corpus files (default: test split)")
    parser.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"lowest accepted accuracy per file (default {DEFAULT_THRESHOLD})",
    )
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    from rich.console import Console  # the evals extra

    console = Console()
    files = list(args.files) or default_files()
    if not files:
        console.print(
            f"error: no corpus files under {DEFAULT_DIR}/ in {Path.cwd()}: run from the"
            " repository root or name the corpus files",
            markup=False,
            highlight=False,
        )
        return 2
    try:
        results = [score(path) for path in files]
    except (CorpusError, OSError) as exc:
        console.print(f"error: {exc}", markup=False, highlight=False)
        return 2
    for result in results:
        print_score(result, console)
    low = [r for r in results if r.accuracy < args.threshold]
    for result in low:
        console.print(
            f"{result.path}: {result.accuracy:.1%} is under the threshold {args.threshold:.0%}",
            markup=False,
            highlight=False,
        )
    return 1 if low else 0
