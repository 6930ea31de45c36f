"""The mutation-score runner's arithmetic and its table (the runs themselves: ``make mutation-score``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.mutants.docs_block import read_block
from tests.mutants.score import DOCS_BLOCK, interval, render, rule_modules, summarize

REPO = Path(__file__).resolve().parents[2]


def test_the_rule_modules_are_the_gate_readings_preflight_login_and_masking():
    assert rule_modules() == {
        "gate": "okx_auth_graph/gate.py",
        "understanding": "okx_auth_graph/understanding.py",
        "preflight": "okx_auth_graph/preflight.py",
        "login": "okx_auth_graph/login.py",
        "redact": "okx_auth_graph/redact.py",
    }


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


def test_the_table_names_what_no_test_caught():
    row = summarize("gate", "okx_auth_graph/gate.py", {"okx_auth_graph.gate.x_f__mutmut_1": 0}, [
        "okx_auth_graph.gate.x_f__mutmut_1"
    ])  # fmt: skip
    table = render([row], sample=40, seed=15)
    assert "| `okx_auth_graph/gate.py` | — | 1 | 1 | 0 | 1 | 0 | 0 | 0% (0%–79%) |" in table
    assert table.endswith("- `gate`: `gate.x_f__mutmut_1`")


def test_the_testing_docs_show_a_score_for_every_rule_module():
    table = read_block(REPO / "docs" / "testing.md", DOCS_BLOCK)
    shown = [line.split("`")[1] for line in table.splitlines() if line.startswith("| `")]
    assert shown == list(rule_modules().values()), "run `make mutation-score` to regenerate it"
