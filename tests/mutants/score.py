"""The mutation score of the rule modules, measured by mutmut (``make mutation-score``).

Usage::

    python -m tests.mutants.score                        # every rule module, sampled
    python -m tests.mutants.score --modules gate redact  # some of them
    python -m tests.mutants.score --sample 0             # every mutant (hours here)
    python -m tests.mutants.score --json out.json --docs docs/testing.md
    python -m tests.mutants.score --workdir DIR --keep-killed  # after adding tests: survivors only
    python -m tests.mutants.score --modules gate --json out.json --docs docs/testing.md  # one row anew

mutmut 3 rewrites each function of the modules named in ``[tool.mutmut] only_mutate``
(pyproject.toml) into many machine-made mutants (an operator, a constant, a string, a
keyword argument changed) and runs, against each, the fast-suite tests that reached that
function on the clean code, in a ``mutants/`` copy of the project. This runner makes that copy
inside a temporary copy of the repository, so the working tree is never touched, and runs one
module at a time at low priority, each under a time limit.

The modules hold thousands of such mutants, too many for a shared machine: by default a
seeded, reproducible random sample of ``--sample`` mutants per module is run, and the score is
an estimate (its 95 % interval is reported). Per module: *killed* (a test failed), *timeout*
(counted as killed, as mutmut does), *survived* (every test that reaches the function passed),
*no tests* (no fast test reaches the function: not caught either) and *not checked* (the time
limit ended the run first; left out of the score and reported).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

from tests.mutants.docs_block import replace_block
from tests.mutants.patching import copy_project, project_files

REPO = Path(__file__).resolve().parents[2]
DOCS_BLOCK = "mutation-score"
"""The name of the generated block in docs/testing.md."""
_PREPARE = "__no_such_mutant__"
"""A pattern that matches no mutant: ``mutmut run`` then only generates mutants and collects
which tests reach which function (mutmut has no separate command for that), and stops."""
CAUGHT = frozenset({"killed", "timeout", "caught by type check", "segfault"})
NOT_CAUGHT = frozenset({"survived", "no tests", "suspicious", "skipped"})


def rule_modules(repo: Path = REPO) -> dict[str, str]:
    """The modules mutmut mutates (``[tool.mutmut] only_mutate``), by short name."""
    config = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))
    paths: list[str] = config["tool"]["mutmut"]["only_mutate"]
    return {Path(p).stem: p for p in paths}


def _mutmut(project: Path, names: list[str], timeout: float, log: Path) -> tuple[int | None, float]:
    """Run ``mutmut run`` on ``names`` in ``project`` at low priority: (exit status, seconds).

    The status is ``None`` when the time limit stopped it (its process group is ended; the
    results mutmut saved until then stay).
    """
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    env |= {"HYPOTHESIS_PROFILE": "dev", "PYTHONDONTWRITEBYTECODE": "1"}
    mutmut = Path(sys.executable).with_name("mutmut")
    command = ["nice", "-n", "10", str(mutmut), "run", "--max-children", "1", *names]
    started = time.monotonic()
    with log.open("a", encoding="utf-8") as out:
        process = subprocess.Popen(
            command, cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            status: int | None = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            status = None
    return status, time.monotonic() - started


def _exit_codes(project: Path, module: str) -> dict[str, int | None]:
    """mutmut's saved exit code per mutant of ``module`` (``None``: not run yet)."""
    meta = project / "mutants" / f"{module}.meta"
    if not meta.is_file():
        raise SystemExit(f"mutmut made no mutants for {module} (see the log)")
    codes: dict[str, int | None] = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    return codes


def interval(caught: int, total: int) -> tuple[float, float]:
    """The 95 % Wilson interval of the share ``caught / total`` (a sample's score)."""
    if total == 0:
        return 0.0, 0.0
    z, share = 1.96, caught / total
    centre = (share + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total))
    half /= 1 + z * z / total
    return max(0.0, centre - half), min(1.0, centre + half)


def summarize(
    name: str, path: str, codes: dict[str, int | None], sample: list[str]
) -> dict[str, Any]:
    """Counts, score and survivors of one module from mutmut's exit codes of its sample."""
    from mutmut.stats import status_by_exit_code  # the tool's own reading of its exit codes

    status = {key: status_by_exit_code[codes[key]] for key in sample}
    counts: dict[str, int] = {}
    for value in status.values():
        counts[value] = counts.get(value, 0) + 1
    caught = sum(n for s, n in counts.items() if s in CAUGHT)
    scored = caught + sum(n for s, n in counts.items() if s in NOT_CAUGHT)
    low, high = interval(caught, scored)
    return {
        "module": name,
        "path": path,
        "mutants": len(codes),
        "sampled": len(sample),
        "checked": scored,
        "caught": caught,
        "counts": dict(sorted(counts.items())),
        "score": round(caught / scored, 3) if scored else None,
        "interval_95": [round(low, 3), round(high, 3)],
        "not_caught": sorted(k for k, s in status.items() if s in NOT_CAUGHT),
    }


def render(rows: list[dict[str, Any]], sample: int, seed: int) -> str:
    """The scores as Markdown: one row per module, then the mutants no test caught."""
    how = f"a random sample of {sample} mutants per module (seed {seed})" if sample else "all"
    lines = [
        f"`make mutation-score` (mutmut, {how}; fast suite: unit and graph tests):",
        "",
        "| module | code at | mutants | run | killed | survived | no tests | not checked | score (95 % interval) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        counts = row["counts"]
        killed = row["caught"]
        survived = counts.get("survived", 0) + counts.get("suspicious", 0)
        score = "—"
        if row["score"] is not None:
            low, high = row["interval_95"]
            score = f"{row['score']:.0%} ({low:.0%}–{high:.0%})"
        lines.append(
            f"| `{row['path']}` | {row.get('commit', '—')} | {row['mutants']} | {row['sampled']} "
            f"| {killed} | {survived} "
            f"| {counts.get('no tests', 0)} | {counts.get('not checked', 0)} | {score} |"
        )
    lines += ["", "Mutants no test caught (`mutmut show NAME` in the run's copy prints one):", ""]
    for row in rows:
        names = ", ".join(f"`{n.split('.', 1)[1]}`" for n in row["not_caught"]) or "none"
        lines.append(f"- `{row['module']}`: {names}")
    return "\n".join(lines)


def _commit() -> str:
    """The repository's commit (short), ``+`` when the working tree has changes."""

    def git(*command: str) -> str:
        done = subprocess.run(["git", *command], cwd=REPO, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+" if git("status", "--porcelain", "--untracked-files=no") else "")


def _earlier_rows(args: argparse.Namespace, modules: dict[str, str]) -> list[dict[str, Any]]:
    """The rows of the modules not run now, from ``--json``'s earlier run (for ``--docs``)."""
    missing = [name for name in modules if name not in args.modules]
    if not (args.docs and missing):
        return []
    earlier = json.loads(args.json.read_text(encoding="utf-8")) if args.json else {}
    same = (earlier.get("sample"), earlier.get("seed")) == (args.sample, args.seed)
    rows = [r for r in earlier.get("modules", []) if r["module"] in missing] if same else []
    if len(rows) != len(missing):
        raise SystemExit(
            "--docs needs every rule module: run them all, or pass the --json of an earlier run"
            f" with the same --sample and --seed holding {', '.join(missing)}"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run mutmut module by module; print and write the scores."""
    modules = rule_modules()
    parser = argparse.ArgumentParser(prog="python -m tests.mutants.score", description=__doc__)
    parser.add_argument("--modules", nargs="+", choices=sorted(modules), default=list(modules))
    parser.add_argument("--sample", type=int, default=40, help="mutants per module; 0 = all")
    parser.add_argument("--seed", type=int, default=15, help="the sample's random seed")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds per module")
    parser.add_argument("--json", type=Path, help="write the scores to this JSON file")
    parser.add_argument("--docs", type=Path, help="write the scores' table into this page")
    parser.add_argument("--workdir", type=Path, help="keep the copy here (default: temporary)")
    parser.add_argument(
        "--keep-killed",
        action="store_true",
        help="with --workdir: skip sampled mutants an earlier run there caught (right only when"
        " tests were added since, none changed; mutmut itself resets mutants of changed code)",
    )
    args = parser.parse_args(argv)
    kept = _earlier_rows(args, modules)
    with tempfile.TemporaryDirectory(prefix="okx-mutmut-") as tmp:
        work = (args.workdir or Path(tmp)).resolve()
        project = work / "project"
        copy_project(REPO, project_files(REPO), project)
        log = work / "mutmut.log"
        print(f"mutmut in {project} (log: {log}): generating mutants, collecting stats", flush=True)
        _status, elapsed = _mutmut(project, [_PREPARE], args.timeout, log)
        if not (project / "mutants" / "mutmut-stats.json").is_file():
            print(log.read_text(encoding="utf-8")[-3000:])
            raise SystemExit("mutmut did not collect its stats (see above)")
        print(f"prepared in {elapsed:.0f}s", flush=True)
        rows = []
        for name in args.modules:
            keys = sorted(_exit_codes(project, modules[name]))
            sample = keys
            if args.sample and args.sample < len(keys):
                sample = sorted(random.Random(f"{args.seed}:{name}").sample(keys, args.sample))
            to_run = sample
            if args.keep_killed:
                from mutmut.stats import status_by_exit_code

                before = _exit_codes(project, modules[name])
                to_run = [k for k in sample if status_by_exit_code[before[k]] not in CAUGHT]
            status: int | None = 0
            elapsed = 0.0
            if to_run:
                status, elapsed = _mutmut(project, to_run, args.timeout, log)
            row = summarize(name, modules[name], _exit_codes(project, modules[name]), sample)
            row["commit"] = _commit()
            rows.append(row)
            stopped = " (stopped by the time limit)" if status is None else ""
            print(
                f"{name}: {row['caught']}/{row['checked']} caught of {row['sampled']} sampled "
                f"({row['mutants']} mutants), {elapsed:.0f}s{stopped}; not caught: "
                f"{', '.join(row['not_caught']) or 'none'}",
                flush=True,
            )
    done = {row["module"]: row for row in [*kept, *rows]}
    rows = [done[name] for name in modules if name in done]
    result = {"tool": "mutmut", "sample": args.sample, "seed": args.seed, "modules": rows}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    table = render(rows, args.sample, args.seed)
    print(table)
    if args.docs:
        replace_block(args.docs, DOCS_BLOCK, table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
