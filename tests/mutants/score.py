"""The mutation score of the rule modules, measured by mutmut (``make mutation-score``).

Usage::

    python -m tests.mutants.score                        # every rule module, 200 mutants each
    python -m tests.mutants.score --modules gate redact  # some of them
    python -m tests.mutants.score --sample 0             # every mutant (days here)
    python -m tests.mutants.score --json out.json --docs docs/testing.md
    python -m tests.mutants.score --workdir DIR --keep-killed  # after adding tests: survivors only
    python -m tests.mutants.score --workdir DIR --first 100   # a random half of each sample...
    python -m tests.mutants.score --workdir DIR --resume      # ... then the rest
    python -m tests.mutants.score --tests tests/unit tests/graph --sample 10  # a quick look
    python -m tests.mutants.score --from-json out.json --docs docs/testing.md  # an earlier table

The rule modules are the package's modules that ``[tool.mutmut]`` (pyproject.toml) mutates:
``only_mutate`` minus ``do_not_mutate``, expanded over the files that exist, so a module added
or moved into a folder is measured unless it is excluded by role. mutmut 3 rewrites each of
their functions into many machine-made mutants (an operator, a constant, a string, a keyword
argument changed) and runs, against each, the tests that reached that function on the clean
code — by default every test CI runs (``pytest_add_cli_args_test_selection = ["tests"]``), in
a ``mutants/`` copy of the project. A test reaches a function when it calls it in the pytest
process (mutmut's trampoline records it); code reached only in a subprocess (the console
script, a served graph) does not count. This runner makes that copy inside a temporary copy of
the repository, so the working tree is never touched, and runs one module at a time at
``nice -n 19``, each under a time limit: an offline command (hours), not part of ``make test``.

The modules hold thousands of such mutants: a seeded, reproducible random sample of
``--sample`` mutants per module is run, and the score is an estimate (its 95 % interval is
reported; the target is a score of at least 85 % with a lower bound of at least 75 %). Per
module: *killed* (a test failed), *timeout* (counted as killed, as mutmut does), *survived*
(every test that reaches the function passed), *no tests* (no test reaches the function: not
caught either) and *not checked* (the time limit ended the run first; left out of the score).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import math
import os
import random
import re
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


TARGET = (0.85, 0.75)
"""The per-module target: a point estimate of at least 85 % and a 95 % lower bound of 75 %."""


def _config(repo: Path) -> dict[str, Any]:
    config: dict[str, Any] = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))
    mutmut: dict[str, Any] = config["tool"]["mutmut"]
    return mutmut


def rule_modules(repo: Path = REPO) -> dict[str, str]:
    """The modules mutmut mutates, by dotted name inside the package (``gate``, ``core.gate``).

    The package's ``.py`` files that match ``[tool.mutmut] only_mutate`` and no
    ``do_not_mutate`` pattern (fnmatch, as mutmut matches them: ``*`` spans folders).
    """
    config = _config(repo)
    only: list[str] = config.get("only_mutate", [])
    skip: list[str] = config.get("do_not_mutate", [])
    found: dict[str, str] = {}
    for source in config["source_paths"]:
        root = repo / source
        for path in sorted(root.rglob("*.py")):
            name = path.relative_to(repo).as_posix()
            if only and not any(fnmatch.fnmatch(name, p) for p in only):
                continue
            if any(fnmatch.fnmatch(name, p) for p in skip):
                continue
            found[".".join(path.relative_to(root).with_suffix("").parts)] = name
    return found


def configured_tests(repo: Path = REPO) -> list[str]:
    """The tests mutmut runs (``pytest_add_cli_args_test_selection``); all tests when empty."""
    return list(_config(repo).get("pytest_add_cli_args_test_selection", [])) or ["tests"]


def _select_tests(project: Path, tests: list[str]) -> None:
    """Make the copy's mutmut run ``tests`` instead of the configured selection."""
    config = project / "pyproject.toml"
    text = config.read_text(encoding="utf-8")
    line = re.compile(r"^pytest_add_cli_args_test_selection = .*$", re.MULTILINE)
    if len(line.findall(text)) != 1:
        raise SystemExit("pyproject.toml: no single pytest_add_cli_args_test_selection line")
    config.write_text(
        line.sub(lambda _: f"pytest_add_cli_args_test_selection = {json.dumps(tests)}", text),
        encoding="utf-8",
    )


def _mutate_only(project: Path, paths: list[str]) -> None:
    """Make the copy's mutmut mutate only ``paths`` (the modules this run measures).

    mutmut makes the mutants of every file ``only_mutate`` matches before it runs any, many
    minutes for the whole package on a shared machine; a module's mutants are the same whichever
    other files are mutated. A copy narrowed so serves only its modules: another module's
    file there stays unmutated, and the runner then stops ("mutmut made no mutants").
    """
    config = project / "pyproject.toml"
    text = config.read_text(encoding="utf-8")
    line = re.compile(r"^only_mutate = .*$", re.MULTILINE)
    if len(line.findall(text)) != 1:
        raise SystemExit("pyproject.toml: no single only_mutate line")
    config.write_text(line.sub(lambda _: f"only_mutate = {json.dumps(paths)}", text), "utf-8")


def _timeout_constant(project: Path, seconds: float) -> None:
    """Set the copy's mutmut ``timeout_constant``: seconds added to a mutant's tests' time.

    mutmut ends a mutant's run after ``(recorded test time + timeout_constant) * 15`` seconds of
    wall time and counts it caught (a timeout). Its default, 1 s, ends the run of a mutant whose
    few fast tests a forked child needs many seconds to collect on a loaded machine: a timeout
    that says nothing. mutmut resets a copy's timeouts when this value changes.
    """
    config = project / "pyproject.toml"
    text = config.read_text(encoding="utf-8")
    line = re.compile(r"^timeout_constant = .*\n", re.MULTILINE)
    text = line.sub("", text)
    if text.count("[tool.mutmut]\n") != 1:
        raise SystemExit("pyproject.toml: no single [tool.mutmut] table")
    setting = f"[tool.mutmut]\ntimeout_constant = {float(seconds)}\n"
    config.write_text(text.replace("[tool.mutmut]\n", setting), encoding="utf-8")


FAST_FIRST = "tests.mutants.fast_first"
"""The pytest plugin that runs each mutant's tests fastest first (see its docstring)."""


def plugins(current: str) -> str:
    """``PYTEST_PLUGINS`` for mutmut's runs: ``current`` plus :data:`FAST_FIRST`.

    mutmut passes a mutant's tests in a set's order and stops at the first failure; fastest
    first, a mutant a cheap test kills no longer waits for slow tests first (mutmut imports the
    plugin from its copy, ``mutants/tests/mutants/fast_first.py``, which its ``sys.path`` holds).
    """
    names = [name for name in current.split(",") if name.strip()]
    return ",".join([*names, FAST_FIRST] if FAST_FIRST not in names else names)


def _mutmut(
    project: Path, names: list[str], timeout: float, log: Path, children: int = 1
) -> tuple[int | None, float]:
    """Run ``mutmut run`` on ``names`` in ``project`` at low priority: (exit status, seconds).

    The status is ``None`` when the time limit stopped it (its process group is ended; the
    results mutmut saved until then stay).
    """
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    env.pop("CI", None)  # skips stay skips here (CI turns a skipped real-CLI test into a failure)
    env |= {"HYPOTHESIS_PROFILE": "dev", "PYTHONDONTWRITEBYTECODE": "1"}
    env["PYTEST_PLUGINS"] = plugins(env.get("PYTEST_PLUGINS", ""))
    real_cli = REPO / ".okx-cli" / "node_modules" / ".bin" / "okx"
    if real_cli.exists() and "OKX_REAL_CLI" not in env:
        env["OKX_REAL_CLI"] = str(real_cli)  # as `make test` sets it
    mutmut = Path(sys.executable).with_name("mutmut")
    command = ["nice", "-n", "19", str(mutmut), "run", "--max-children", str(children), *names]
    started = time.monotonic()
    with log.open("a", encoding="utf-8") as out:
        process = subprocess.Popen(
            command, cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT,
            process_group=0,  # its own group (ended as one), not its own session: where the
            # kernel groups sessions for scheduling (autogroup), a new session's nice 19 would
            # count only inside it, and mutmut would take a core from the work beside it
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


def sample_of(keys: list[str], size: int, seed: str) -> list[str]:
    """A module's sampled mutants: ``size`` of ``keys`` drawn with ``seed`` (all when 0 or more)."""
    if not size or size >= len(keys):
        return keys
    return sorted(random.Random(seed).sample(keys, size))


def first_of(sample: list[str], first: int, seed: str) -> list[str]:
    """The first ``first`` of ``sample`` in a seeded random order (all when 0 or more).

    mutmut runs mutants in its own order, and a run the time limit stops would have checked a
    biased part of the sample (the first functions of the file); a random part of a random
    sample is itself a random sample, so a score over it stays an unbiased estimate. A later run
    with a larger ``first`` goes on where this one stopped (mutmut skips mutants it has results
    for).
    """
    if not first or first >= len(sample):
        return sample
    return sorted(random.Random(f"{seed}:order").sample(sample, len(sample))[:first])


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


def meets_target(row: dict[str, Any]) -> bool:
    """Whether a measured row meets :data:`TARGET` (score and 95 % lower bound)."""
    score: float | None = row["score"]
    return score is not None and score >= TARGET[0] and row["interval_95"][0] >= TARGET[1]


def render(rows: list[dict[str, Any]], modules: dict[str, str], run: dict[str, Any]) -> str:
    """The scores as Markdown: one row per rule module, then the mutants no test caught.

    ``run`` holds the run's ``sample``, ``seed`` and ``tests``; a module without a row is shown
    as not measured.
    """
    sample, seed = run["sample"], run["seed"]
    how = f"a random sample of {sample} mutants per module (seed {seed})" if sample else "all"
    if any("part" in row for row in rows):
        how += "; where *run* is smaller, a random part of that sample was run and scored"
    low, high = TARGET
    sets = _test_sets(rows, run)
    if len(sets) == 1:
        ((tests, left_out),) = sets
        but = f" but `{' '.join(left_out)}`" if left_out else ""
        among = f"among `{' '.join(tests)}`{but}"
    else:
        among = "among the module's test set (listed under the table)"
    lines = [
        f"`make mutation-score` (mutmut, {how}; the tests that reach each mutated function"
        f" {among}; target: score ≥ {low:.0%}, 95 % lower bound ≥ {high:.0%}):",
        "",
        "| module | code at | mutants | run | killed | survived | no tests | not checked"
        " | score (95 % interval) | target |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    by_name = {row["module"]: row for row in rows}
    for name, path in modules.items():
        row = by_name.get(name)
        if row is None:
            lines.append(f"| `{path}` | — | — | — | — | — | — | — | not measured | — |")
            continue
        counts = row["counts"]
        survived = counts.get("survived", 0) + counts.get("suspicious", 0)
        score = "—"
        if row["score"] is not None:
            lo, hi = row["interval_95"]
            score = f"{row['score']:.0%} ({lo:.0%}–{hi:.0%})"
        met = "met" if meets_target(row) else "not met"
        lines.append(
            f"| `{row['path']}` | {row.get('commit', '—')} | {row['mutants']} | {row.get('part', row['sampled'])} "
            f"| {row['caught']} | {survived} | {counts.get('no tests', 0)} "
            f"| {counts.get('not checked', 0)} | {score} | {met} |"
        )
    if len(sets) > 1:
        lines += ["", "Test sets:", ""]
        for (tests, left_out), measured in sets.items():
            but = f" but `{' '.join(left_out)}`" if left_out else ""
            lines.append(f"- `{' '.join(tests)}`{but}: {', '.join(f'`{n}`' for n in measured)}")
    lines += ["", "Mutants no test caught (`mutmut show NAME` in the run's copy prints one):", ""]
    for row in rows:
        names = ", ".join(f"`{n.split('.', 1)[1]}`" for n in row["not_caught"]) or "none"
        lines.append(f"- `{row['module']}`: {names}")
    return "\n".join(lines)


def _test_sets(
    rows: list[dict[str, Any]], run: dict[str, Any]
) -> dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]]:
    """The modules measured with each test set (a row's own ``tests``, else the run's)."""
    sets: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]] = {}
    for row in rows or [{"module": None}]:
        key = (
            tuple(row.get("tests") or run["tests"]),
            tuple(row["left_out"] if "left_out" in row else run.get("left_out") or []),
        )
        sets.setdefault(key, [])
        if row["module"]:
            sets[key].append(row["module"])
    return sets


def merged(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs' results (each module from the last run that has it) as one result.

    Each row keeps the tests it was measured with; the runs must share sample and seed.
    """
    if len({(r["sample"], r["seed"]) for r in runs}) != 1:
        raise SystemExit("--from-json: the runs differ in sample or seed")
    rows: dict[str, dict[str, Any]] = {}
    for run in runs:
        for row in run["modules"]:
            rows[row["module"]] = {
                "tests": run["tests"],
                "left_out": run.get("left_out", []),
                **row,
            }
    return {**runs[0], "modules": list(rows.values())}


def _commit() -> str:
    """The repository's commit (short), ``+`` when the working tree has changes."""

    def git(*command: str) -> str:
        done = subprocess.run(["git", *command], cwd=REPO, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+" if git("status", "--porcelain", "--untracked-files=no") else "")


def _earlier_rows(args: argparse.Namespace, modules: dict[str, str]) -> list[dict[str, Any]]:
    """The rows of the modules not run now, from ``--json``'s earlier run of the same kind."""
    if not (args.json and args.json.is_file()):
        return []
    earlier = json.loads(args.json.read_text(encoding="utf-8"))
    same = (
        earlier.get("sample"),
        earlier.get("seed"),
        earlier.get("tests"),
        earlier.get("left_out", []),
    ) == (args.sample, args.seed, args.tests, args.leave_out)
    if not same:
        return []
    return [
        r
        for r in earlier.get("modules", [])
        if r["module"] in modules and r["module"] not in args.modules
    ]


def main(argv: list[str] | None = None) -> int:
    """Run mutmut module by module; print and write the scores."""
    modules = rule_modules()
    parser = argparse.ArgumentParser(prog="python -m tests.mutants.score", description=__doc__)
    parser.add_argument("--modules", nargs="+", choices=sorted(modules), default=list(modules))
    parser.add_argument("--sample", type=int, default=200, help="mutants per module; 0 = all")
    parser.add_argument("--seed", type=int, default=15, help="the sample's random seed")
    parser.add_argument(
        "--first",
        type=int,
        default=0,
        help="run only this many of each module's sample, a random part (the rest: not checked;"
        " a later run with a larger --first goes on); 0 = all",
    )
    parser.add_argument(
        "--tests",
        nargs="+",
        default=configured_tests(),
        help="the tests mutmut may run (default: every test CI runs, [tool.mutmut])",
    )
    parser.add_argument(
        "--leave-out",
        nargs="+",
        default=[],
        metavar="TEST",
        help="tests (node ids or files) not run: pytest's --deselect (e.g. a test whose own"
        " time limit a stopped process group would break)",
    )
    parser.add_argument(
        "--timeout", type=float, default=4 * 3600.0, help="seconds per module, and to prepare"
    )
    parser.add_argument(
        "--max-children",
        type=int,
        default=1,
        help="mutants run at once (mutmut's --max-children; one per spare core)",
    )
    parser.add_argument("--json", type=Path, help="write the scores to this JSON file")
    parser.add_argument("--docs", type=Path, help="write the scores' table into this page")
    parser.add_argument("--workdir", type=Path, help="keep the copy here (default: temporary)")
    parser.add_argument(
        "--keep-killed",
        action="store_true",
        help="with --workdir: skip sampled mutants an earlier run there caught (right only when"
        " tests were added since, none changed; mutmut itself resets mutants of changed code)",
    )
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="with --workdir: copy the repository's files over the copy there first (tests"
        " added since: mutmut collects their stats and resets mutants of changed code)",
    )
    parser.add_argument(
        "--mutants",
        nargs="+",
        default=[],
        metavar="NAME",
        help="with --workdir: run only these sampled mutants (e.g. survivors a new test should"
        " kill), the others keep their results",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="with --workdir: skip sampled mutants that already have a result there (a run"
        " stopped or given a larger --first goes on; mutmut re-runs any mutant it is named)",
    )
    parser.add_argument(
        "--results-only",
        action="store_true",
        help="with --workdir: run nothing, score the sample from what mutmut saved there (a run"
        " stopped early: its unrun mutants are 'not checked')",
    )
    parser.add_argument(
        "--mutate-only",
        action="store_true",
        help="make mutants of --modules only (the copy then serves only them; mutmut's"
        " making of every module's mutants takes many minutes here)",
    )
    parser.add_argument(
        "--timeout-constant",
        type=float,
        help="mutmut's timeout_constant in the copy (default 1 s): a mutant's run ends after"
        " (its tests' recorded time + this) * 15 s of wall time, a timeout counted as caught;"
        " raise it where a loaded machine makes quick runs slow (mutmut then re-runs timeouts)",
    )
    parser.add_argument(
        "--from-json",
        type=Path,
        nargs="+",
        help="run nothing: print (and with --docs write) the table of these runs (a module from"
        " the last run that has it; each keeps the tests it was measured with)",
    )
    args = parser.parse_args(argv)
    if args.from_json:
        earlier = merged([json.loads(p.read_text(encoding="utf-8")) for p in args.from_json])
        table = render(earlier["modules"], modules, earlier)
        print(table)
        if args.docs:
            replace_block(args.docs, DOCS_BLOCK, table)
        return 0
    kept = _earlier_rows(args, modules)
    rows: list[dict[str, Any]] = []

    def write() -> dict[str, Any]:
        """The run's result so far (with the kept rows), written to ``--json`` after each module."""
        done = {row["module"]: row for row in [*kept, *rows]}
        result = {
            "tool": "mutmut",
            "sample": args.sample,
            "seed": args.seed,
            "tests": args.tests,
            "left_out": args.leave_out,
            "modules": [done[name] for name in modules if name in done],
        }
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        return result

    with tempfile.TemporaryDirectory(prefix="okx-mutmut-") as tmp:
        work = (args.workdir or Path(tmp)).resolve()
        project = work / "project"
        copied_at = work / "commit"
        if args.results_only:
            if not (project / "mutants").is_dir():
                raise SystemExit(f"--results-only: no mutmut run in {work}")
        elif args.refresh or not (project / "pyproject.toml").is_file():
            copied_at.parent.mkdir(parents=True, exist_ok=True)
            copied_at.write_text(_commit() + "\n", encoding="utf-8")  # whatever changes later
            copy_project(REPO, project_files(REPO), project)
        commit = copied_at.read_text(encoding="utf-8").strip() if copied_at.is_file() else "—"
        log = work / "mutmut.log"
        if not args.results_only:
            _select_tests(project, [*args.tests, *(f"--deselect={t}" for t in args.leave_out)])
            if args.mutate_only:
                _mutate_only(project, [modules[name] for name in args.modules])
            if args.timeout_constant is not None:
                _timeout_constant(project, args.timeout_constant)
            print(f"mutmut in {project} (log: {log}): making mutants, collecting stats", flush=True)
            _status, elapsed = _mutmut(project, [_PREPARE], args.timeout, log)
            if not (project / "mutants" / "mutmut-stats.json").is_file():
                print(log.read_text(encoding="utf-8")[-3000:])
                raise SystemExit("mutmut did not collect its stats (see above)")
            print(f"prepared in {elapsed:.0f}s", flush=True)
        for name in args.modules:
            keys = sorted(_exit_codes(project, modules[name]))
            sample = sample_of(keys, args.sample, f"{args.seed}:{name}")
            part = first_of(sample, args.first, f"{args.seed}:{name}")
            to_run = [] if args.results_only else part
            if args.keep_killed or args.resume:
                from mutmut.stats import status_by_exit_code

                before = _exit_codes(project, modules[name])
                done = CAUGHT if args.keep_killed else CAUGHT | NOT_CAUGHT
                to_run = [k for k in to_run if status_by_exit_code[before[k]] not in done]
            if args.mutants:
                to_run = [k for k in to_run if k in args.mutants]
            status: int | None = 0
            elapsed = 0.0
            if to_run:
                status, elapsed = _mutmut(project, to_run, args.timeout, log, args.max_children)
            # the score counts the random part run, never results beyond it (a biased few)
            row = summarize(name, modules[name], _exit_codes(project, modules[name]), part)
            row["sampled"] = len(sample)
            if len(part) < len(sample):
                row["part"] = len(part)
            row["commit"] = commit
            if to_run:
                row["seconds"] = round(elapsed)
            rows.append(row)
            write()
            stopped = " (stopped by the time limit)" if status is None else ""
            print(
                f"{name}: {row['caught']}/{row['checked']} caught of {row['sampled']} sampled "
                f"({row['mutants']} mutants), {elapsed:.0f}s{stopped}; not caught: "
                f"{', '.join(row['not_caught']) or 'none'}",
                flush=True,
            )
    result = write()
    rows = result["modules"]
    table = render(rows, modules, result)
    print(table)
    if args.docs:
        replace_block(args.docs, DOCS_BLOCK, table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
