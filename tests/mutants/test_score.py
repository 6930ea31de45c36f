"""The mutation-score runner's arithmetic and its table (the runs themselves: ``make mutation-score``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.mutants.catalogue import CATALOGUE
from tests.mutants.docs_block import read_block
from tests.mutants.fast_first import STATS, durations, fastest_first
from tests.mutants.score import (
    DOCS_BLOCK,
    configured_tests,
    first_of,
    interval,
    meets_target,
    merged,
    plugins,
    render,
    rule_modules,
    sample_of,
    summarize,
)

REPO = Path(__file__).resolve().parents[2]


def test_the_rule_modules_are_derived_from_the_package_and_hold_every_catalogued_rule():
    modules = rule_modules()
    paths = set(modules.values())
    # Every package module a hand-written mutant breaks (outside the emulator and the evals).
    catalogued = {
        edit.path
        for mutant in CATALOGUE
        for edit in mutant.edits
        if edit.path.endswith(".py") and "/testing/" not in edit.path and "/evals/" not in edit.path
    }
    assert catalogued - paths == set()
    # The roles issue 22 names: the gate, Step 0 and pre-flight, login, maintenance, reading
    # people, masking, the tools, the login lock and the okx adapter.
    stems = {Path(p).stem for p in paths}
    roles = {"gate", "preflight", "login", "login_flow", "maintenance", "rules", "redact", "tools"}
    assert roles | {"login_lock", "adapter"} <= stems
    # Not rules: the emulator, the evaluation harness, package exports.
    assert not [p for p in paths if "/testing/" in p or "/evals/" in p or p.endswith("__init__.py")]
    for name, path in modules.items():
        assert (REPO / path).is_file()
        assert path.endswith(name.replace(".", "/") + ".py")


def test_every_test_ci_runs_may_reach_a_mutant():
    assert configured_tests() == ["tests"]


def test_tests_that_read_the_source_text_are_not_run_on_mutmuts_rewrite():
    """mutmut rewrites every function of its copy (trampolines, one copy per mutant): a test
    that scans the source (the code-shape and door scans) fails there on the clean code, and
    then mutmut collects no stats and measures no module."""
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
    args = config["pytest_add_cli_args"]
    assert args[args.index("-m") + 1] == "not reads_source"
    for path in ("tests/unit/test_core_doors.py", "tests/packaging/test_code_shape.py"):
        assert "pytestmark = pytest.mark.reads_source" in (REPO / path).read_text(encoding="utf-8")


def test_mutmut_copies_every_folder_the_tests_read():
    """mutmut runs the tests in a copy (``mutants/``) holding the package, the tests and
    ``also_copy``: a folder left out (``training``, which the learned reader's tests import)
    fails its clean stats run, and no module is measured."""
    import tomllib

    from tests.mutants.patching import project_files

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
    top = {name.parts[0] for name in project_files(REPO)}
    copied = set(config["also_copy"]) | set(config["source_paths"]) | {"tests"}
    not_needed = {".gitignore", "pyproject.toml"}  # git's; mutmut writes its own pyproject copy
    assert top - not_needed - copied == set()


def test_the_interval_is_wilsons():
    # Known values of the 95 % Wilson score interval: 10 of 10 -> [0.722, 1]; 5 of 10 -> [0.237, 0.763].
    assert interval(10, 10) == (pytest.approx(0.7225, abs=1e-4), 1.0)
    assert interval(5, 10) == (pytest.approx(0.2366, abs=1e-4), pytest.approx(0.7634, abs=1e-4))
    assert interval(0, 0) == (0.0, 0.0)


def test_timeouts_count_as_caught_no_tests_as_not_caught_and_unrun_mutants_are_left_out():
    # mutmut's exit codes: 1 killed, 36 timeout, 0 survived, 33 no tests, None not run yet.
    codes = {"m.a": 1, "m.b": 0, "m.c": 33, "m.d": None, "m.e": 36, "m.f": 1}
    row = summarize("m", "m.py", codes, ["m.a", "m.b", "m.c", "m.d", "m.e"])
    assert (row["mutants"], row["sampled"], row["checked"], row["caught"]) == (6, 5, 4, 2)
    assert row["score"] == 0.5
    assert row["not_caught"] == ["m.b", "m.c"]
    assert row["counts"] == {
        "killed": 1,
        "no tests": 1,
        "not checked": 1,
        "survived": 1,
        "timeout": 1,
    }


def test_the_table_names_what_no_test_caught_and_each_module_not_measured():
    row = summarize("gate", "okx_auth_graph/core/gate.py", {"okx_auth_graph.core.gate.x_f__mutmut_1": 0}, [
        "okx_auth_graph.core.gate.x_f__mutmut_1"
    ])  # fmt: skip
    modules = {"gate": "okx_auth_graph/core/gate.py", "tools": "okx_auth_graph/doors/tools.py"}
    table = render([row], modules, {"sample": 40, "seed": 15, "tests": ["tests"]})
    assert (
        "| `okx_auth_graph/core/gate.py` | — | 1 | 1 | 0 | 1 | 0 | 0 | 0% (0%–79%) | not met |"
        in table
    )
    assert (
        "| `okx_auth_graph/doors/tools.py` | — | — | — | — | — | — | — | not measured | — |"
        in table
    )
    assert "among `tests`;" in table
    left = render([row], modules, {"sample": 40, "seed": 15, "tests": ["tests"], "left_out": ["t"]})
    assert "among `tests` but `t`;" in left
    assert table.endswith("- `gate`: `core.gate.x_f__mutmut_1`")


def test_the_target_needs_both_the_score_and_the_lower_bound():
    def row(caught: int, total: int) -> dict[str, Any]:
        codes: dict[str, int | None] = {f"m.{i}": int(i < caught) for i in range(total)}
        return summarize("m", "m.py", codes, sorted(codes))

    assert meets_target(row(200, 200))
    assert meets_target(row(180, 200))  # 90 % (85 %–93 %)
    assert not meets_target(row(9, 10))  # 90 %, but the lower bound is 60 %
    assert not meets_target(row(160, 200))  # 80 %


def test_the_testing_docs_show_a_row_for_every_rule_module():
    table = read_block(REPO / "docs" / "testing.md", DOCS_BLOCK)
    shown = [line.split("`")[1] for line in table.splitlines() if line.startswith("| `")]
    assert shown == list(rule_modules().values()), "run `make mutation-score` to regenerate it"


def test_mutmuts_runs_load_the_plugin_that_runs_each_mutants_tests_fastest_first():
    assert plugins("") == "tests.mutants.fast_first"
    assert plugins("a.b") == "a.b,tests.mutants.fast_first"
    assert plugins("tests.mutants.fast_first") == "tests.mutants.fast_first"
    recorded = {"t::slow": 9.0, "t::fast": 0.1, "t::mid": 1.0}
    assert fastest_first(["t::slow", "t::new", "t::mid", "t::fast"], recorded) == [
        "t::fast",
        "t::mid",
        "t::slow",
        "t::new",  # no figure: last
    ]


def test_the_plugin_orders_the_collected_tests_by_the_times_mutmut_recorded(tmp_path: Path):
    """As mutmut runs pytest: in the folder holding ``mutmut-stats.json``, node ids as given."""
    import json
    import os
    import subprocess
    import sys

    (tmp_path / "test_a.py").write_text(
        "def test_slow(): pass\ndef test_new(): pass\ndef test_fast(): pass\n", encoding="utf-8"
    )
    stats = {"duration_by_test": {"test_a.py::test_slow": 5.0, "test_a.py::test_fast": 0.01}}
    (tmp_path / STATS).write_text(json.dumps(stats), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "CI")}
    env |= {"PYTEST_PLUGINS": plugins(""), "PYTHONPATH": str(REPO)}
    ids = ["test_a.py::test_slow", "test_a.py::test_new", "test_a.py::test_fast"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider", "-q",
         "-p", "no:langsmith_plugin",  # as the project's addopts (seconds of import)
         "--collect-only", "--rootdir=.", *ids],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    listed = [line for line in done.stdout.splitlines() if line.startswith("test_a.py::")]
    assert listed == ["test_a.py::test_fast", "test_a.py::test_slow", "test_a.py::test_new"], (
        done.stdout + done.stderr
    )
    assert durations(tmp_path / "nowhere") == {}


def test_a_sample_is_seeded_and_a_small_module_is_measured_whole():
    keys = [f"m.x_f__mutmut_{i}" for i in range(300)]
    drawn = sample_of(keys, 200, "15:core.gate")
    assert len(set(drawn)) == 200
    assert drawn == sorted(drawn)
    assert set(drawn) <= set(keys)
    assert drawn == sample_of(keys, 200, "15:core.gate")
    assert drawn != sample_of(keys, 200, "15:core.login")
    assert sample_of(keys[:150], 200, "s") == keys[:150]
    assert sample_of(keys, 0, "s") == keys


def test_a_stopped_run_is_scored_from_what_mutmut_saved(tmp_path: Path):
    """``--results-only``: no mutmut run; the sample's unrun mutants are 'not checked', and each
    row names the commit the copy was made at."""
    import json

    from tests.mutants.score import main

    meta = tmp_path / "project" / "mutants" / "okx_auth_graph" / "core" / "gate.py.meta"
    meta.parent.mkdir(parents=True)
    codes: dict[str, int | None] = {
        "okx_auth_graph.core.gate.x_f__mutmut_1": 1,
        "okx_auth_graph.core.gate.x_f__mutmut_2": 0,
    }
    codes["okx_auth_graph.core.gate.x_f__mutmut_3"] = None
    meta.write_text(json.dumps({"exit_code_by_key": codes}), encoding="utf-8")
    (tmp_path / "commit").write_text("abc1234\n", encoding="utf-8")
    out = tmp_path / "score.json"
    argv = ["--modules", "core.gate", "--workdir", str(tmp_path), "--results-only"]
    assert main([*argv, "--sample", "0", "--tests", "tests/unit", "--json", str(out)]) == 0
    [row] = json.loads(out.read_text(encoding="utf-8"))["modules"]
    assert (row["commit"], row["sampled"], row["checked"], row["caught"]) == ("abc1234", 3, 2, 1)
    assert row["counts"]["not checked"] == 1
    assert "seconds" not in row


def test_runs_with_different_tests_merge_into_one_table_naming_each_set():
    def run(module: str, tests: list[str], caught: int) -> dict[str, Any]:
        key = f"okx_auth_graph.{module}.x_f__mutmut_1"
        row = summarize(
            module, f"okx_auth_graph/{module.replace('.', '/')}.py", {key: caught}, [key]
        )
        return {"sample": 200, "seed": 15, "tests": tests, "left_out": [], "modules": [row]}

    modules = {
        "core.gate": "okx_auth_graph/core/gate.py",
        "okx.redact": "okx_auth_graph/okx/redact.py",
    }
    result = merged([run("core.gate", ["tests/graph"], 0), run("okx.redact", ["tests/adapter"], 1)])
    table = render(result["modules"], modules, result)
    assert "among the module's test set (listed under the table)" in table
    assert "- `tests/graph`: `core.gate`" in table
    assert "- `tests/adapter`: `okx.redact`" in table
    # one test set: named in the header, no list
    single = merged([run("core.gate", ["tests/graph"], 0)])
    assert "among `tests/graph`;" in render(single["modules"], modules, single)
    assert "Test sets:" not in render(single["modules"], modules, single)
    with pytest.raises(SystemExit, match="differ in sample or seed"):
        merged([run("core.gate", ["t"], 0), {**run("okx.redact", ["t"], 0), "seed": 16}])
    # a run that left no test out shows none, whatever the first run left out
    first = {**run("core.gate", ["tests/graph"], 0), "left_out": ["tests/graph/test_slow.py"]}
    both = merged([first, run("okx.redact", ["tests/adapter"], 1)])
    table = render(both["modules"], modules, both)
    assert "- `tests/graph` but `tests/graph/test_slow.py`: `core.gate`" in table
    assert "- `tests/adapter`: `okx.redact`" in table


def test_a_first_part_of_the_sample_is_random_and_grows_into_the_whole():
    sample = [f"m.x_f{i:03d}__mutmut_1" for i in range(200)]
    part = first_of(sample, 100, "15:core.gate")
    assert len(part) == 100
    assert set(part) <= set(sample)
    assert set(first_of(sample, 150, "15:core.gate")) >= set(part)  # a later, larger run goes on
    # not the first functions of the file: both halves of the (sorted) sample are drawn from
    assert 20 < sum(name < sample[100] for name in part) < 80
    assert first_of(sample, 0, "s") == sample
    assert first_of(sample, 500, "s") == sample


def test_a_row_run_in_part_shows_the_part_and_says_so():
    row = summarize("gate", "okx_auth_graph/core/gate.py", {"m.a": 1, "m.b": 0}, ["m.a"])
    row |= {"sampled": 200, "part": 1}
    modules = {"gate": "okx_auth_graph/core/gate.py"}
    table = render([row], modules, {"sample": 200, "seed": 15, "tests": ["tests"]})
    assert "a random part of that sample was run and scored" in table
    assert (
        "| `okx_auth_graph/core/gate.py` | — | 2 | 1 | 1 | 0 | 0 | 0 | 100% (21%–100%) | not met |"
        in table
    )


def test_a_narrowed_copy_mutates_only_the_modules_run(tmp_path: Path):
    import tomllib

    from tests.mutants.score import _mutate_only

    (tmp_path / "pyproject.toml").write_text(
        (REPO / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    modules = rule_modules()
    _mutate_only(tmp_path, [modules["okx.redact"]])
    narrowed = tomllib.loads((tmp_path / "pyproject.toml").read_text(encoding="utf-8"))
    original = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert narrowed["tool"]["mutmut"]["only_mutate"] == ["okx_auth_graph/okx/redact.py"]
    narrowed["tool"]["mutmut"]["only_mutate"] = original["tool"]["mutmut"]["only_mutate"]
    assert narrowed == original


def test_the_copys_timeout_constant_is_set_once(tmp_path: Path):
    import tomllib

    from tests.mutants.score import _timeout_constant

    (tmp_path / "pyproject.toml").write_text(
        (REPO / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    _timeout_constant(tmp_path, 5)
    _timeout_constant(tmp_path, 6)
    config = tomllib.loads((tmp_path / "pyproject.toml").read_text(encoding="utf-8"))
    original = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["mutmut"].pop("timeout_constant") == 6.0
    assert config == original
