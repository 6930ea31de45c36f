"""A pytest plugin for mutmut's test runs: the tests that reach a mutant run fastest first.

mutmut runs each mutant's tests with ``-x`` (the first failure ends the run) but passes them in
the order of a set, so a mutant the first cheap unit test kills often waited for many slow graph
tests first. This plugin sorts the collected tests by the call time mutmut recorded for each in
its stats run (``mutmut-stats.json`` in the working folder, where mutmut runs pytest), fastest
first, tests without a figure last. Which tests run is unchanged, so is each mutant's verdict,
unless a test depends on the order of others (every test must pass alone and in any order; the
clean run mutmut does before the mutants runs in this order too). ``tests/mutants/score.py``
loads it through ``PYTEST_PLUGINS`` (no change to mutmut's configuration, whose fingerprint would
reset the stats).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

STATS = "mutmut-stats.json"


def durations(folder: Path) -> dict[str, float]:
    """The call time mutmut recorded per test node id, or nothing without its stats file."""
    try:
        stats = json.loads((folder / STATS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    recorded = stats.get("duration_by_test", {})
    return {str(k): float(v) for k, v in recorded.items()} if isinstance(recorded, dict) else {}


def fastest_first(node_ids: list[str], recorded: dict[str, float]) -> list[str]:
    """``node_ids`` by recorded time, fastest first; unknown tests last, ties as given."""
    unknown = float("inf")
    return sorted(node_ids, key=lambda node: recorded.get(node, unknown))


@pytest.hookimpl(hookwrapper=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> Iterator[None]:
    yield  # after every other reordering (the suite's conftest puts `long` tests first)
    recorded = durations(Path.cwd())
    if not recorded:
        return
    order = {node: i for i, node in enumerate(fastest_first([i.nodeid for i in items], recorded))}
    items.sort(key=lambda item: order[item.nodeid])
