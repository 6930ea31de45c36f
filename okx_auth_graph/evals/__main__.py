"""``okx-auth-graph eval`` / ``python -m okx_auth_graph.evals``: run scenario suites.

Runs every scenario under the given paths (default ``evals/scenarios``) in this process on
the emulator, or with ``--url`` against a LangGraph server whose ``okx`` is the emulator with
its world in ``OKX_EMULATOR_STATE``. Prints a table, writes a JSON + markdown report with
``--report``, and exits 1 when any scenario fails or breaks an invariant (2 for bad input).
On a terminal a progress bar shows the scenario in flight and the running pass count
(``--quiet``: none).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from okx_auth_graph.evals.progress import run_progress
from okx_auth_graph.evals.report import print_results, write_reports
from okx_auth_graph.evals.runner import ScenarioResult
from okx_auth_graph.evals.scenario import Scenario, ScenarioError, load_scenarios
from okx_auth_graph.extras import extra_needed

with extra_needed("evals", "okx-auth-graph eval"):
    from rich.console import Console

DEFAULT_SUITE = Path("evals/scenarios")
DEFAULT_ASSISTANT = "okx_auth"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="okx-auth-graph eval", description="Run okx auth graph scenario suites."
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="scenario files or directories (default: evals/scenarios)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no progress bar (none without a terminal either)"
    )
    parser.add_argument("--report", type=Path, help="write the JSON report here (+ .md beside it)")
    parser.add_argument("--url", help="a LangGraph server to run the scenarios against")
    parser.add_argument(
        "--sync",
        action="store_true",
        help="in process: drive the graph with stream/get_state instead of astream/aget_state",
    )
    parser.add_argument(
        "--assistant", default=DEFAULT_ASSISTANT, help="graph id on the server (default okx_auth)"
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        help="the server's emulator world directory (default: $OKX_EMULATOR_STATE)",
    )
    parser.add_argument(
        "--understanding",
        action="store_true",
        help="score the reading corpora instead of running scenarios (its own options: "
        "okx-auth-graph eval --understanding --help)",
    )
    return parser


async def _run(
    args: argparse.Namespace, scenarios: list[Scenario], console: Console
) -> list[ScenarioResult]:
    runner: Any
    if args.url:
        from okx_auth_graph.evals.remote import RemoteRunner

        state_dir = args.state_dir or os.environ.get("OKX_EMULATOR_STATE")
        if not state_dir:
            raise ScenarioError(
                "--url needs the server's emulator world: --state-dir or OKX_EMULATOR_STATE"
            )
        runner = RemoteRunner(args.url, Path(state_dir), assistant_id=args.assistant)
    else:
        from okx_auth_graph.evals.runner import InProcessRunner

        runner = InProcessRunner(sync=args.sync)
    results: list[ScenarioResult] = []
    with run_progress(console, len(scenarios), quiet=args.quiet) as progress:
        for scenario in scenarios:  # one at a time: a server's scenarios share its world
            progress.start(scenario.id)
            result = await runner.run(scenario)
            progress.finish(result.passed)
            results.append(result)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suites; 0 when every scenario passes, 1 otherwise, 2 for bad input.

    ``--understanding [FILE...]`` scores the reading corpora instead (see
    :mod:`okx_auth_graph.evals.reading_scores`).
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    if "--understanding" in arguments:
        from okx_auth_graph.evals.reading_scores import main as understanding_main

        arguments.remove("--understanding")
        return understanding_main(arguments)
    args = _parser().parse_args(arguments)
    console = Console()
    paths = list(args.paths) or [DEFAULT_SUITE]
    if not args.paths and not DEFAULT_SUITE.is_dir():
        console.print(
            f"[red]error:[/red] no {DEFAULT_SUITE}/ in {Path.cwd()}: run from the repository root"
            " or name the scenario files",
            highlight=False,
        )
        return 2
    try:
        scenarios = load_scenarios(paths)
    except ScenarioError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        return 2
    if not scenarios:
        console.print(f"[red]error:[/red] no scenarios under {', '.join(map(str, paths))}")
        return 2
    try:
        results = asyncio.run(_run(args, scenarios, console))
    except ScenarioError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        return 2
    engine = args.url or "in-process"
    print_results(results, engine, console)
    if args.report:
        json_path, md_path = write_reports(results, engine, args.report)
        console.print(f"reports: {json_path} {md_path}", highlight=False)
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
