"""A progress bar for long runs: the scenario in flight and a running pass count.

Shown on a terminal only; without one (CI logs, a pipe) or when asked to be quiet, nothing is
printed until the results.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from okx_auth_graph.extras import extra_needed

with extra_needed("evals", "the evaluation progress bar"):
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.table import Column


NAME_WIDTH = 44
"""Columns for the name in flight (a longer one ends in …), so the bar does not jump."""


@dataclass
class RunProgress:
    """Reports each scenario as it starts and ends (a no-op when the bar is hidden).

    Attributes:
        progress: The rich progress display, or ``None`` when hidden.
        task: Its one task.
        passed: Scenarios passed so far.
        done: Scenarios finished so far.
    """

    progress: Progress | None
    task: TaskID | None
    passed: int = 0
    done: int = 0

    def start(self, name: str) -> None:
        """A scenario starts: show its name."""
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, description=name)

    def finish(self, passed: bool) -> None:
        """A scenario ended: advance the bar and the pass count."""
        self.done += 1
        self.passed += int(passed)
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, advance=1, passed=f"{self.passed}/{self.done} passed")


@contextmanager
def run_progress(
    console: Console, total: int, *, label: str = "scenarios", quiet: bool = False
) -> Iterator[RunProgress]:
    """A progress bar over ``total`` items on ``console`` (hidden when quiet or not a terminal).

    The bar is transient: rich draws it only on a terminal and erases it at the end, so a
    log or a pipe gets nothing from it.

    Args:
        console: Where the bar is drawn; it must be a terminal for the bar to show.
        total: How many items the run has.
        label: What the items are (shown before the first starts).
        quiet: Never show the bar.
    """
    if quiet:
        yield RunProgress(None, None)
        return
    name_column = Column(width=NAME_WIDTH, no_wrap=True, overflow="ellipsis")
    columns: list[Any] = [
        SpinnerColumn(),
        TextColumn("[bold]{task.description}", justify="left", table_column=name_column),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[passed]}"),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=total, passed="0/0 passed")
        yield RunProgress(progress, task)
