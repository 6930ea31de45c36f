"""Reports of an eval run: the printed table (rich), a JSON report and a markdown report."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from okx_auth_graph.evals.runner import ScenarioResult
from okx_auth_graph.extras import extra_needed

with extra_needed("evals", "the evaluation reports"):
    from rich.console import Console
    from rich.table import Table


def summary(results: Sequence[ScenarioResult], engine: str) -> dict[str, Any]:
    """Counts of a run: scenarios, passed, failed, violations, okx calls, turns."""
    return {
        "engine": engine,
        "scenarios": len(results),
        "passed": sum(r.passed for r in results),
        "failed": sum(not r.passed for r in results),
        "violations": sum(len(r.violations) for r in results),
        "okx_calls": sum(r.okx_calls for r in results),
        "turns": sum(r.turns for r in results),
        "seconds": round(sum(r.seconds for r in results), 3),
    }


def table(results: Sequence[ScenarioResult]) -> Table:
    """The results as a rich table: scenario, pass, okx calls, turns, violations."""
    grid = Table(title="okx auth graph evals")
    grid.add_column("scenario")
    grid.add_column("pass", justify="center")
    grid.add_column("okx calls", justify="right")
    grid.add_column("turns", justify="right")
    grid.add_column("violations", justify="right")
    for result in results:
        grid.add_row(
            result.id,
            "[green]yes[/green]" if result.passed else "[red]NO[/red]",
            str(result.okx_calls),
            str(result.turns),
            str(len(result.violations)),
        )
    return grid


def print_results(results: Sequence[ScenarioResult], engine: str, console: Console) -> None:
    """Print the table, then every failure and violation, then the totals."""
    console.print(table(results))
    for result in results:
        for failure in result.failures:
            console.print(f"[red]FAIL[/red] {failure}", markup=True, highlight=False)
        for violation in result.violations:
            console.print(
                f"[red]VIOLATION[/red] {result.id}: {violation['invariant']}: "
                f"{violation['detail']}",
                highlight=False,
            )
    counts = summary(results, engine)
    console.print(
        f"{counts['passed']}/{counts['scenarios']} scenarios passed, "
        f"{counts['violations']} invariant violations, {counts['okx_calls']} okx calls, "
        f"{counts['turns']} turns ({engine})",
        highlight=False,
    )


def markdown(results: Sequence[ScenarioResult], engine: str) -> str:
    """The markdown report: totals, the table, then the failures and violations."""
    counts = summary(results, engine)
    lines = [
        "# okx auth graph evals",
        "",
        f"Engine: {engine}. {counts['passed']}/{counts['scenarios']} scenarios passed, "
        f"{counts['violations']} invariant violations, {counts['okx_calls']} okx calls, "
        f"{counts['turns']} turns.",
        "",
        "| scenario | pass | okx calls | turns | violations |",
        "|---|---|---|---|---|",
    ]
    lines.extend(
        f"| {_cell(r.id)} | {'yes' if r.passed else 'NO'} | {r.okx_calls} | {r.turns} | "
        f"{len(r.violations)} |"
        for r in results
    )
    problems = [
        f"- `{r.id}`: {_cell(text)}"
        for r in results
        for text in [*r.failures, *(f"{v['invariant']}: {v['detail']}" for v in r.violations)]
    ]
    if problems:
        lines += ["", "## Failures and violations", "", *problems]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_reports(results: Sequence[ScenarioResult], engine: str, path: Path) -> tuple[Path, Path]:
    """Write the JSON report to ``path`` and the markdown report beside it (``.md``).

    Returns:
        The two paths written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    json_path = path if path.suffix == ".json" else path.with_suffix(path.suffix + ".json")
    md_path = json_path.with_suffix(".md")
    document = {
        "summary": summary(results, engine),
        "results": [r.to_dict() for r in results],
    }
    json_path.write_text(
        json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    md_path.write_text(markdown(results, engine), encoding="utf-8")
    return json_path, md_path
