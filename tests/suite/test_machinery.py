"""The suite's own machinery (tests/conftest.py), run by pytest on tiny generated test files.

- a skipped test fails under CI (``CI`` set) and stays a skip, with its reason, elsewhere;
- the header prints the seed of the run; passing ``--randomly-seed`` replays the same order and
  the same generated examples; without pytest-randomly the seed is 0;
- tests marked ``long`` run first, in their random order;
- what the generated runs reached is summed over shards and pytest-xdist workers in the summary.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SKIPPING = """
import pytest


def test_needs_something():
    pytest.skip("nothing here; run it with `make test`")


@pytest.mark.xfail(reason="a known bug", strict=True)
def test_known_bug():
    raise AssertionError
"""
ORDERED = """
import pytest
from hypothesis import given, seed, settings, strategies as st

SEEN = []


@pytest.mark.parametrize("n", range(6))
def test_short(n):
    pass


@pytest.mark.long
@pytest.mark.parametrize("n", range(3))
def test_long(n):
    pass


def test_drawn(run_seed, capsys):
    @seed(run_seed)
    @settings(max_examples=5, database=None)
    @given(st.integers())
    def draw(n):
        SEEN.append(n)

    draw()
    with capsys.disabled():
        print(f"drawn: {SEEN}")
"""
REACHING = """
import pytest


@pytest.mark.parametrize("shard", range(4))
def test_shard(shard, reach):
    run = {"shards": 4, "minimum": {"even": 0.6, "any": 0.9}}
    counter = reach("tiny generator", {"even": 0.1}, run=run)
    for n in range(10):
        counter.example("any", *(["even"] if (n + shard) % 2 == 0 else []))
    counter.check()
"""


NO_LANGSMITH = ["-p", "no:langsmith_plugin"]
"""As the project's addopts (pyproject.toml), which ``-c`` replaces: langsmith's pytest plugin
costs ~2 CPU-s a run (and a run per pytest-xdist worker) and nothing here uses it."""


def run_pytest(tmp_path: Path, source: str, *args: str, env: dict[str, str] | None = None) -> str:
    """pytest with the suite's conftest as a plugin on one generated test file; its output."""
    (tmp_path / "test_generated.py").write_text(source, encoding="utf-8")
    ini = "[pytest]\nasyncio_default_fixture_loop_scope = function\nmarkers =\n    long: long\n"
    (tmp_path / "pytest.ini").write_text(ini, encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "tests.conftest",
        "-c",
        str(tmp_path / "pytest.ini"),
        *NO_LANGSMITH,
    ]
    command += ["--rootdir", str(tmp_path), "-p", "no:cacheprovider", "-v", *args, str(tmp_path)]
    base = {k: v for k, v in os.environ.items() if k != "CI"}
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=180, env={**base, **(env or {})}
    )
    return done.stdout + done.stderr + f"\nexit status {done.returncode}\n"


def test_a_skip_fails_under_ci_and_stays_a_skip_with_its_reason_elsewhere(tmp_path: Path) -> None:
    here = run_pytest(tmp_path, SKIPPING, "-rs", "-p", "no:randomly")
    assert "1 skipped, 1 xfailed" in here, here
    assert "run it with `make test`" in here
    assert "generated runs: seed 0" in here  # without pytest-randomly: the same examples
    under_ci = run_pytest(tmp_path, SKIPPING, env={"CI": "true"})
    assert "1 failed, 1 xfailed" in under_ci, under_ci
    assert "skipped under CI, where every test must run" in under_ci
    assert "run it with `make test`" in under_ci


def order_and_draws(output: str) -> tuple[list[str], str]:
    order = re.findall(r"test_generated\.py::(test_\w+\[\d+\]) PASSED", output)
    drawn = re.search(r"drawn: (\[.*?\])", output)
    assert drawn, output
    return order, drawn.group(1)


def test_the_seed_is_printed_and_replays_the_order_and_the_draws_long_tests_first(
    tmp_path: Path,
) -> None:
    first = run_pytest(tmp_path, ORDERED)
    seed = re.search(r"Using --randomly-seed=(\d+)", first)
    assert seed, first
    assert f"generated runs: seed {seed.group(1)}" in first
    order, _ = order_and_draws(first)
    assert sorted(order[:3]) == ["test_long[0]", "test_long[1]", "test_long[2]"], order
    assert len(order) == 9, order
    again = run_pytest(tmp_path, ORDERED, f"--randomly-seed={seed.group(1)}")
    assert order_and_draws(again) == order_and_draws(first)
    other = run_pytest(tmp_path, ORDERED, f"--randomly-seed={int(seed.group(1)) + 1}")
    assert order_and_draws(other)[1] != order_and_draws(first)[1]  # a new seed, new examples


def test_what_shards_reached_is_summed_over_xdist_workers(tmp_path: Path) -> None:
    output = run_pytest(tmp_path, REACHING, "-n", "2")
    assert "4 passed" in output, output
    assert "what the generated runs reached" in output
    assert "tiny generator: even: 20/40 examples (50%)" in output
    # each shard passed its own floor (10%), but the run's, over the four shards, is missed
    assert "FAILED (a run's reach floor): tiny generator: even: 20/40 < 60% over the run" in output
    assert "any: 40/40" in output
    assert "< 90% over the run" not in output
    assert "exit status 1" in output
    alone = run_pytest(tmp_path, REACHING, "-k", "shard and 0")  # one shard: no run to judge
    assert "1 passed" in alone, alone
    assert "over the run" not in alone
    assert "exit status 0" in alone
