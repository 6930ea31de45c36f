"""Run the mutant catalogue: each mutant on a temporary copy, the relevant tests against it.

Usage::

    python -m tests.mutants                 # every mutant (``make mutants``)
    python -m tests.mutants --list          # the catalogue
    python -m tests.mutants --check         # only check that every mutant still applies
    python -m tests.mutants --only ID ...   # some mutants
    python -m tests.mutants --rotate 4      # CI: 4 mutants, a different slice each day/run
    python -m tests.mutants --json out.json # also write the results
    python -m tests.mutants --full          # each mutant against its tests + the fast suite
    python -m tests.mutants --docs docs/testing.md  # also write the results' table there
    python -m tests.mutants --from-json out.json --docs docs/testing.md  # table of an earlier run

A mutant is *caught* when at least one of its tests fails (or the run times out); the runner
names the failing tests. It first runs the tests on an unmutated copy (the baseline must pass,
or "caught" would mean nothing). Exit status 0 only when every mutant applies and is caught.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from tests.mutants.catalogue import CATALOGUE
from tests.mutants.docs_block import replace_block
from tests.mutants.patching import (
    Mutant,
    StaleMutantError,
    apply_mutant,
    copy_project,
    project_files,
)

REPO = Path(__file__).resolve().parents[2]
_FAILED = re.compile(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", re.MULTILINE)
"""A failing test's id in pytest's short summary (parameter ids may hold spaces)."""
DOCS_BLOCK = "mutants"
"""The name of the generated block in docs/testing.md."""


def _pytest(
    root: Path, paths: tuple[str, ...], timeout: float, extra: list[str]
) -> tuple[str, list[str], float]:
    """Run pytest on ``paths`` in ``root``: (``passed``/``failed``/``timeout``, failures, secs)."""
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    command = [sys.executable, "-m", "pytest", *paths, "-x", "-q", "-rfE", "-p", "no:cacheprovider"]
    command += ["--no-header", "--hypothesis-seed=0", "-p", "no:randomly", *extra]
    started = time.monotonic()
    try:
        result = subprocess.run(
            command, cwd=root, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return "timeout", [], time.monotonic() - started
    elapsed = time.monotonic() - started
    failures = _FAILED.findall(result.stdout)
    if result.returncode == 0:
        return "passed", [], elapsed
    if not failures:
        failures = [
            f"pytest exit {result.returncode}: {result.stdout[-400:]}{result.stderr[-400:]}"
        ]
    return "failed", failures, elapsed


def render(results: list[dict[str, object]]) -> str:
    """The results of a full run as Markdown: the totals, then one row per mutant."""
    survivors = [str(r["id"]) for r in results if not r["caught"]]
    lines = [
        f"`make mutants`: {len(results)} mutants, {len(results) - len(survivors)} caught, "
        f"{len(survivors)} survived" + (f" ({', '.join(survivors)})." if survivors else "."),
        "",
        "| mutant | rule it breaks | caught by (first failing test) |",
        "| --- | --- | --- |",
    ]
    for result in results:
        tests = result["catching_tests"]
        assert isinstance(tests, list)
        by = f"`{tests[0]}`" if tests else str(result["verdict"])
        if not result["caught"]:
            by = "**SURVIVED**"
        rule = str(result["rule"]).replace("|", "\\|")
        lines.append(f"| `{result['id']}` | {rule} | {by} |")
    return "\n".join(lines)


def _select(args: argparse.Namespace) -> list[Mutant]:
    mutants = list(CATALOGUE)
    if args.only:
        unknown = set(args.only) - {m.id for m in mutants}
        if unknown:
            raise SystemExit(f"unknown mutant(s): {', '.join(sorted(unknown))}")
        mutants = [m for m in mutants if m.id in args.only]
    if args.rotate:
        run = int(os.environ.get("GITHUB_RUN_NUMBER") or date.today().toordinal())
        start = (run * args.rotate) % len(mutants)
        mutants = (mutants * 2)[start : start + args.rotate]
    return mutants


def main(argv: list[str] | None = None) -> int:
    """Run the catalogue; print one line per mutant and a summary."""
    parser = argparse.ArgumentParser(prog="python -m tests.mutants", description=__doc__)
    parser.add_argument("--list", action="store_true", help="print the catalogue and exit")
    parser.add_argument("--check", action="store_true", help="only check that mutants apply")
    parser.add_argument("--only", nargs="+", metavar="ID", help="run only these mutants")
    parser.add_argument("--rotate", type=int, metavar="N", help="run N mutants, a daily slice")
    parser.add_argument("--full", action="store_true", help="also run the whole fast suite")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated run")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per pytest run")
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    parser.add_argument(
        "--docs", type=Path, help="write the results' table into this page (a full run only)"
    )
    parser.add_argument(
        "--from-json", type=Path, help="run nothing: take the results of an earlier --json run"
    )
    parser.add_argument(
        "--pytest-arg", action="append", default=[], help="pass an argument to pytest (repeatable)"
    )
    args = parser.parse_args(argv)
    mutants = _select(args)
    if args.docs and (args.only or args.rotate):
        parser.error("--docs needs a run of the whole catalogue (no --only, no --rotate)")
    if args.from_json:
        return _from_json(args.from_json, args.docs)
    if args.list:
        for mutant in mutants:
            print(f"{mutant.id:40} {mutant.rule}")
        print(f"{len(mutants)} mutants")
        return 0
    stale: list[str] = []
    with tempfile.TemporaryDirectory(prefix="okx-mutants-") as tmp:
        # One snapshot of the repository: edits (or merges) made during a run do not leak in.
        source = Path(tmp) / "source"
        copy_project(REPO, project_files(REPO), source)
        files = project_files(source)
        for mutant in mutants:
            copy = Path(tmp) / f"check-{mutant.id}"
            copy_project(source, [f for f in files if f.parts[0] != "tests"], copy)
            try:
                apply_mutant(copy, mutant)
            except StaleMutantError as exc:
                stale.append(f"{mutant.id}: {exc}")
        if stale:
            print("STALE mutants (re-anchor them in tests/mutants/catalogue.py):")
            print("\n".join(f"  {line}" for line in stale))
            return 2
        if args.check:
            print(f"all {len(mutants)} mutants apply")
            return 0
        # The unmutated run and the mutants' runs go in parallel, one per core; the results
        # count only when the unmutated run passed.
        pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
        if not args.no_baseline:
            baseline = Path(tmp) / "baseline"
            copy_project(source, files, baseline)
            paths = tuple(dict.fromkeys(p for m in mutants for p in m.test_paths(args.full)))
            baseline_run = pool.submit(_pytest, baseline, paths, args.timeout, args.pytest_arg)
        runs = []
        for mutant in mutants:
            copy = Path(tmp) / mutant.id
            copy_project(source, files, copy)
            apply_mutant(copy, mutant)
            test_paths = mutant.test_paths(args.full)
            runs.append(pool.submit(_pytest, copy, test_paths, args.timeout, args.pytest_arg))
        if not args.no_baseline:
            verdict, failures, elapsed = baseline_run.result()
            print(f"baseline ({' '.join(paths)}): {verdict} in {elapsed:.0f}s", flush=True)
            if verdict != "passed":
                print("\n".join(f"  {f}" for f in failures))
                pool.shutdown(cancel_futures=True)
                return 3
        results = []
        for number, (mutant, run) in enumerate(zip(mutants, runs, strict=True), 1):
            verdict, failures, elapsed = run.result()
            caught = verdict != "passed"
            results.append(
                {
                    "id": mutant.id,
                    "rule": mutant.rule,
                    "caught": caught,
                    "verdict": verdict,
                    "catching_tests": failures,
                    "seconds": round(elapsed, 1),
                }
            )
            label = "caught  " if caught else "SURVIVED"
            by = (
                f" by {failures[0]}" if failures else (" (timeout)" if verdict == "timeout" else "")
            )
            print(f"[{number}/{len(mutants)}] {label} {mutant.id} ({elapsed:.0f}s){by}", flush=True)
        pool.shutdown()
    survivors = [r["id"] for r in results if not r["caught"]]
    print(
        f"{len(results)} mutants: {len(results) - len(survivors)} caught, {len(survivors)} survived"
    )
    if survivors:
        print("survivors: " + ", ".join(str(s) for s in survivors))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.docs:
        replace_block(args.docs, DOCS_BLOCK, render(results))
    return 1 if survivors else 0


def _from_json(path: Path, docs: Path | None) -> int:
    """Print (and with ``docs`` write) the table of an earlier run of the whole catalogue."""
    results = json.loads(path.read_text(encoding="utf-8"))
    ran = [r["id"] for r in results]
    if ran != [m.id for m in CATALOGUE]:
        raise SystemExit(f"{path} is not a run of the current catalogue, in order: run it again")
    table = render(results)
    print(table)
    if docs:
        replace_block(docs, DOCS_BLOCK, table)
    return 0 if all(r["caught"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
