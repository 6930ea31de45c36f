"""Fixtures shared by the whole suite.

* ``isolated_home`` (autouse): every test gets its own empty ``HOME`` (the real okx CLI writes
  ``~/.okx/update-check.json``; the emulator keeps its world under ``$HOME/.okx``), with no OKX
  credentials, XDG folders or emulator world inherited from the caller's environment and tracing off.
* ``langgraph_server`` (session): one ``langgraph dev`` server for the whole run, serving
  ``langgraph.json`` with the okx emulator as ``okx``; see
  :class:`tests.rigs.servers.LanggraphServer` (``.url``, ``.state_dir``,
  ``.emulator(...)``).
* ``postgres_dsn`` (session): a DSN of a throw-away PostgreSQL server on 127.0.0.1. Without server
  binaries it skips on a developer machine and FAILS when ``CI`` is set.
* ``run_seed`` (session): the seed of this run's generated conversations (see :func:`seed_of`),
  printed in the header; ``reach`` (module): counters of what a generator reached, with floors.

Every session (and every pytest-xdist worker) runs these fixtures on its own: each server
fixture starts its own server on a free port with its own folders, so workers never share one.
"""

from __future__ import annotations

import contextlib
import os
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.rigs.servers import (
    QUIET_ENV,
    SCRUBBED_ENV_VARS,
    LanggraphServer,
    PostgresUnavailableError,
    langgraph_dev_server,
    postgres_server,
)

PROJECT_DIR = Path(__file__).resolve().parents[1]
XDG_DIRS = ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")


def seed_of(config: pytest.Config) -> int:
    """The seed of this run's generated conversations and state machines.

    ``--hypothesis-seed`` when given, else pytest-randomly's ``--randomly-seed`` (a fresh one
    every run, printed in the header as ``Using --randomly-seed=N``: pass it to replay the
    order and the generated runs), else 0 (``-p no:randomly``: the same examples every time).
    """
    forced = config.getoption("hypothesis_seed", None)
    if forced is not None:
        return int(forced) if str(forced).isdigit() else zlib.crc32(str(forced).encode())
    randomly = config.getoption("randomly_seed", None)
    return randomly if isinstance(randomly, int) else 0


def pytest_report_header(config: pytest.Config) -> str:
    return f"generated runs: seed {seed_of(config)}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under CI (``CI`` set, as ``.ci/run`` does) a skipped test fails: nothing is left out
    silently there. Developer machines keep the skip and its reason (how to run the test)."""
    outcome: Any = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, where every test must run: {reason}"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``long`` first, each group in the (random) order it had: with pytest-xdist
    the workers then end together instead of one waiting on a long test picked up last."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
    if config.getoption("loadgroup", False):
        for item in items:  # one worker starts the session's langgraph dev server, not each
            if "langgraph_server" in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.xdist_group("langgraph-server"))
        keep_xdist_groups(items)


def keep_xdist_groups(items: list[pytest.Item]) -> None:
    """Name each ``xdist_group`` test ``NODEID@GROUP``, which ``--dist loadgroup`` sends to one worker.

    pytest-xdist 3.8 does it by setting ``item._nodeid``, which pytest 9 no longer reads (its
    ``nodeid`` comes from ``item._id``): without this, the tests of a group were spread over the
    workers and each ran the group's expensive module fixture again.
    """
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # pytest < 9: pytest-xdist's own renaming works
        return
    for item in items:
        names = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        suffix = "@" + "_".join(sorted(names))
        if names and hasattr(item, "_id") and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)


@pytest.fixture(scope="session")
def run_seed(pytestconfig: pytest.Config) -> int:
    """See :func:`seed_of`."""
    return seed_of(pytestconfig)


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """This test's HOME: an empty folder of its own, set as ``HOME`` (the developer's okx and
    XDG variables removed). The one fixture meaning "the test's home"; a folder given to an okx
    as its own HOME has its own name (``seeded_home`` in tests/adapter)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name in (*SCRUBBED_ENV_VARS, *XDG_DIRS, "OKX_EMULATOR_STATE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in QUIET_ENV.items():
        monkeypatch.setenv(name, value)
    return home


@pytest.fixture(scope="session")
def warm_cli() -> Iterator[Path]:
    """A warm interpreter (tests/rigs/warm.py) that imported LangGraph's heavy dependencies:
    ``okx-auth-graph chat`` or ``eval`` started through :func:`tests.rigs.warm.command` forks
    from it instead of importing them again (~1 of ~2 CPU-s a run)."""
    from tests.rigs.warm import PRELOADED, socket_path, warm_interpreter

    with warm_interpreter(PRELOADED, socket_path("cli")) as path:
        yield path


@pytest.fixture(scope="session")
def langgraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LanggraphServer]:
    with langgraph_dev_server(PROJECT_DIR, tmp_path_factory.mktemp("langgraph-dev")) as server:
        yield server


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(postgres_server())
        except PostgresUnavailableError as exc:
            if os.environ.get("CI"):
                pytest.fail(f"PostgreSQL is required under CI: {exc}", pytrace=False)
            pytest.skip(f"PostgreSQL server binaries unavailable: {exc}")
        yield server.dsn


class Reach:
    """How often a generator reached the cases it exists for, printed and checked at the end.

    ``example(*cases)`` records one generated example and the cases it reached; ``minimum``
    maps a case to the share of examples (0–1) it must reach, so a generator that stops
    reaching its case fails instead of passing vacuously. Each floor is set well under the
    generator's usual share, so that with a fresh seed every run a generator that still reaches
    its case does not miss it by chance: a tenth or so of the share for Hypothesis's runs, whose
    examples are not independent draws (a shard's share strays much further than a binomial
    tail says). ``expected``: how many examples the
    run asks for (shown by the progress line), when known.
    """

    def __init__(
        self,
        name: str,
        minimum: dict[str, float],
        expected: int | None = None,
        progress: ReachProgress | None = None,
        run: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.minimum = minimum
        self.expected = expected
        self.progress = progress
        self.run = run
        self.examples = 0
        self.counts: dict[str, int] = dict.fromkeys(minimum, 0)
        self.checked = False

    def example(self, *cases: str) -> None:
        self.examples += 1
        for case in set(cases):
            self.counts[case] = self.counts.get(case, 0) + 1
        if self.progress is not None:
            self.progress.show(self)

    def lines(self) -> list[str]:
        total = max(self.examples, 1)
        return [
            f"{self.name}: {case}: {count}/{self.examples} examples ({100 * count / total:.0f}%)"
            for case, count in sorted(self.counts.items())
        ]

    def shortfalls(self) -> list[str]:
        total = max(self.examples, 1)
        return [
            f"{case}: {self.counts.get(case, 0)}/{self.examples} < {share:.0%}"
            for case, share in self.minimum.items()
            if self.counts.get(case, 0) / total < share
        ]

    def check(self) -> None:
        """Keep the counts for the run's summary and fail when a share is under its floor."""
        if self.checked or self.examples == 0:
            return
        self.checked = True
        REACHED.append(
            {"name": self.name, "examples": self.examples, "counts": self.counts, "run": self.run}
        )
        assert not self.shortfalls(), f"{self.name} rarely reaches: {self.shortfalls()}"


REACHED: list[dict[str, Any]] = []
"""This process's checked counters; the summary adds up those of one name (shards, workers)."""


def reach_lines(records: list[dict[str, Any]]) -> list[str]:
    """One line per counter name and case, summed over the records (shards and workers)."""
    totals: dict[str, Reach] = {}
    for record in records:
        total = totals.setdefault(record["name"], Reach(record["name"], {}))
        total.examples += record["examples"]
        for case, count in record["counts"].items():
            total.counts[case] = total.counts.get(case, 0) + count
    return [line for total in totals.values() for line in total.lines()]


def run_shortfalls(records: list[dict[str, Any]]) -> list[str]:
    """Cases a whole run reached less often than its run floor, summed over its shards.

    A counter made with ``run={"shards": N, "minimum": {case: share}}`` is one of N shards of a
    run; when all N ran in this session (in any workers), each case's share of the shards'
    examples together must reach its run floor. A shard's own floor (``minimum``) has to allow
    for how far one shard strays; the run's, over N times the examples, can sit much closer to
    the usual share. A session that ran only some shards checks only theirs.
    """
    runs: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        if record.get("run"):
            runs.setdefault(record["name"], []).append(record)
    out: list[str] = []
    for name, shards in runs.items():
        run = shards[0]["run"]
        if len(shards) != run["shards"]:
            continue
        examples = sum(shard["examples"] for shard in shards)
        for case, share in run["minimum"].items():
            count = sum(shard["counts"].get(case, 0) for shard in shards)
            if count < share * examples:
                out.append(f"{name}: {case}: {count}/{examples} < {share:.0%} over the run")
    return out


SHORT: list[str] = []
"""This session's run-level shortfalls (:func:`run_shortfalls`), printed in its summary."""


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: the controller prints the summary
        workeroutput["reached"] = list(REACHED)
        return
    SHORT[:] = run_shortfalls(REACHED)
    if SHORT:  # the run fails: its generator no longer reaches a case often enough
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    REACHED.extend(getattr(node, "workeroutput", {}).get("reached", []))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = reach_lines(REACHED)
    if lines:
        terminalreporter.section("what the generated runs reached")
        for line in lines:
            terminalreporter.write_line(line)
    for line in SHORT:
        terminalreporter.write_line(f"FAILED (a run's reach floor): {line}", red=True)


class ReachProgress:
    """A progress line for a long generated run (1,200 examples take a minute or more).

    Shown only when pytest writes to a terminal and is not quiet (``-q``): a line of its own,
    rewritten at most a few times a second with the example count and the time; it stays as
    the run's last count when the module ends, before the reach lines are printed.
    """

    INTERVAL = 0.25

    def __init__(self, config: pytest.Config) -> None:
        self.reporter: Any = config.pluginmanager.get_plugin("terminalreporter")
        self.capture: Any = config.pluginmanager.get_plugin("capturemanager")
        self.enabled = (
            self.reporter is not None and bool(self.reporter.isatty) and config.get_verbosity() >= 0
        )
        self.shown = False
        self.last = 0.0
        self.started = time.monotonic()

    def _terminal(self) -> contextlib.AbstractContextManager[Any]:
        """Capture suspended, so the line reaches the terminal during the test."""
        if self.capture is None:
            return contextlib.nullcontext()
        suspended: contextlib.AbstractContextManager[Any] = (
            self.capture.global_and_fixture_disabled()
        )
        return suspended

    def show(self, counter: Reach, *, final: bool = False) -> None:
        """Rewrite the line with ``counter``'s example count (throttled unless ``final``)."""
        now = time.monotonic()
        if not self.enabled or (now - self.last < self.INTERVAL and not final):
            return
        self.last = now
        done = f"{counter.examples}/{counter.expected}" if counter.expected else counter.examples
        elapsed = int(now - self.started)
        line = f"{counter.name}: {done} examples, {elapsed // 60}:{elapsed % 60:02d} elapsed"
        with self._terminal():
            if not self.shown:
                self.reporter.write_line("")  # below pytest's own line
                self.shown = True
            self.reporter.rewrite(line, erase=True)

    def close(self) -> None:
        """End the progress line."""
        if self.shown:
            with self._terminal():
                self.reporter.write_line("")


@pytest.fixture(scope="module")
def reach(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A factory of :class:`Reach` counters, checked when the module ends (or by the test,
    ``counter.check()``); the run's summary prints what they reached, summed by name.

    While the module runs, a progress line counts the examples on a terminal (not under ``-q``).
    """
    made: list[Reach] = []
    progress = ReachProgress(request.config)

    def make(
        name: str,
        minimum: dict[str, float],
        expected: int | None = None,
        run: dict[str, Any] | None = None,
    ) -> Reach:
        made.append(Reach(name, minimum, expected, progress, run))
        return made[-1]

    yield make
    for counter in made:
        if counter.examples:
            progress.show(counter, final=True)
    progress.close()
    for counter in made:
        counter.check()
