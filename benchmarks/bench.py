"""Benchmarks of the auth graph: okx call counts, pre-flight concurrency, overhead, throughput.

Run ``python -m benchmarks.bench`` (``make bench``) for the full run, ``--smoke`` for the
short CI run (exits non-zero when an okx call count is off or a flow fails), ``--out FILE`` to
write the figures as JSON. Every okx call goes to the in-process emulator
(:class:`okx_auth_graph.testing.OkxEmulator`) through :class:`TimedRunner`, which can add a
fixed latency per command and records each call's interval, so okx time and graph time are
measured separately. Figures:

- okx calls for a fresh OAuth login, an API-key user, a logged-in user and a market request;
- pre-flight wall time (first call start to last call end) ÷ the slower of its two calls, with a
  fake okx of fixed latency (``config show`` 150 ms, ``auth status`` 100 ms);
- graph overhead per user turn (turn wall time minus okx busy time) ÷ okx busy time at 170 ms per
  call, the median turn (and the mean), with ``InMemorySaver`` and ``AsyncSqliteSaver`` on a file;
- fresh-login flows per second (latency 0) beside a bare LangGraph skeleton of the same shape
  (same interrupts, same emulator calls, same node executions per turn, nothing else);
- many concurrent threads: errors and per-flow cost against the single-thread cost;
- bytes per finished thread in SQLite (file growth after ``VACUUM`` ÷ threads) and peak RSS;
- one long thread (many entries) in SQLite: file size and the last turn's time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Command
from rich.console import Console
from rich.table import Table

from benchmarks.runners import ACTIVE_RUNNER, ContextRunner, InstantOkx, TimedRunner
from benchmarks.skeleton import build_skeleton
from okx_auth_graph import Context, build_graph
from okx_auth_graph.cli import OkxCli
from okx_auth_graph.persistence import async_sqlite_checkpointer
from okx_auth_graph.process import OkxRunner
from okx_auth_graph.testing import OkxEmulator

LOGIN_REQUEST = "log in to okx"
SKILL_REQUEST = "show my account balance"
MARKET_REQUEST = "what is the BTC-USDT price?"
SITE_REPLY = "1"
DONE_REPLY = "done"
API_KEY_CONFIG: dict[str, Any] = {
    "default_profile": "live",
    "profiles": {
        "live": {
            "api_key": "bench-api-key-0000",
            "secret_key": "bench-secret-key-0000",
            "passphrase": "bench-passphrase-0000",
            "site": "global",
        }
    },
}
EXPECTED_CALLS = {"fresh_oauth_login": 4, "api_key_user": 2, "logged_in_user": 2, "market": 0}
TARGETS = {
    "preflight_ratio": 1.15,
    "overhead_ratio": 0.05,
    "throughput_ratio": 0.7,
    "concurrent_cost_ratio": 1.2,
    "sqlite_bytes_per_thread": 64 * 1024,
}

Graph = Any


def _interrupt_type(output: Any) -> str | None:
    pending = output.get("__interrupt__") if isinstance(output, dict) else None
    if not pending:
        return None
    value = pending[0].value
    return str(value.get("type")) if isinstance(value, dict) else None


@dataclass
class Flow:
    """One conversation driven through a graph, turn by turn."""

    graph: Graph
    thread_id: str
    context: Any
    durability: str | None = None
    turn_times: list[tuple[float, float]] = field(default_factory=list)
    last: Any = None

    async def send(self, message: Any) -> Any:
        """Send a new input (a string) or a resume (a :class:`Command`); time the turn."""
        payload = {"messages": [HumanMessage(message)]} if isinstance(message, str) else message
        start = time.perf_counter()
        kwargs: dict[str, Any] = {"context": self.context} if self.context is not None else {}
        if self.durability is not None:
            kwargs["durability"] = self.durability
        self.last = await self.graph.ainvoke(
            payload, {"configurable": {"thread_id": self.thread_id}}, **kwargs
        )
        self.turn_times.append((start, time.perf_counter()))
        return self.last


async def fresh_login(flow: Flow, emulator: OkxEmulator | InstantOkx) -> None:
    """Drive a fresh OAuth login: request, site reply, browser approval, completion signal.

    Raises:
        RuntimeError: If the graph does not ask, or does not end logged in.
    """
    if _interrupt_type(await flow.send(LOGIN_REQUEST)) != "choose_site":
        raise RuntimeError(f"expected the site menu, got {flow.last!r:.300}")
    if _interrupt_type(await flow.send(Command(resume=SITE_REPLY))) != "await_authorization":
        raise RuntimeError(f"expected await_authorization, got {flow.last!r:.300}")
    await asyncio.to_thread(emulator.approve)
    final = await flow.send(Command(resume=DONE_REPLY))
    outcome = final.get("outcome") if isinstance(final, dict) else None
    if outcome not in ("logged_in", None) or _interrupt_type(final) is not None:
        raise RuntimeError(f"expected logged_in, got {final!r:.300}")


def _world(root: Path, name: str, **world: Any) -> OkxEmulator:
    emulator = OkxEmulator(root / name)
    emulator.init_world(**world)
    return emulator


@dataclass
class Bench:
    """Runs the measurements and collects the figures."""

    root: Path
    smoke: bool
    console: Console
    figures: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def _graph(self, runner: OkxRunner, checkpointer: BaseCheckpointSaver[Any] | None) -> Graph:
        saver = checkpointer if checkpointer is not None else InMemorySaver()
        return build_graph(cli=OkxCli(runner=runner), checkpointer=saver)

    def _flow(self, graph: Graph, thread_id: str) -> Flow:
        return Flow(graph, thread_id, Context())

    async def call_counts(self) -> None:
        """Okx calls per scenario, against the floors of the spec."""
        counts: dict[str, Any] = {}
        cases: list[tuple[str, dict[str, Any], Callable[[Flow, OkxEmulator], Awaitable[Any]]]] = [
            ("fresh_oauth_login", {}, fresh_login),
            ("api_key_user", {"config": API_KEY_CONFIG}, lambda f, e: f.send(SKILL_REQUEST)),
            (
                "logged_in_user",
                {"auth": "logged_in", "site": "eea"},
                lambda f, e: f.send(SKILL_REQUEST),
            ),
            ("market", {}, lambda f, e: f.send(MARKET_REQUEST)),
        ]
        for name, world, drive in cases:
            emulator = _world(self.root, f"count-{name}", **world)
            runner = TimedRunner(emulator)
            flow = self._flow(self._graph(runner, None), f"count-{name}")
            await drive(flow, emulator)
            argvs = [" ".join(c.argv) for c in runner.calls]
            counts[name] = {"calls": len(argvs), "target": EXPECTED_CALLS[name], "argv": argvs}
            if len(argvs) != EXPECTED_CALLS[name]:
                self.failures.append(
                    f"{name}: {len(argvs)} okx calls, expected {EXPECTED_CALLS[name]}: {argvs}"
                )
        self.figures["okx_calls"] = counts

    async def preflight(self) -> None:
        """Pre-flight wall time ÷ the slower call, with 150 ms / 100 ms per command."""
        latencies = {"config": 0.150, "auth": 0.100}
        emulator = _world(self.root, "preflight", auth="logged_in", site="global")
        runner = TimedRunner(emulator, lambda argv: latencies.get(argv[0], 0.0))
        graph = self._graph(runner, None)
        ratios, turn_ratios = [], []
        for i in range(2 if self.smoke else 10):
            runner.calls.clear()
            flow = self._flow(graph, f"preflight-{i}")
            await flow.send(SKILL_REQUEST)
            first = runner.calls[:2]
            slower = max(c.end - c.start for c in first)
            ratios.append((max(c.end for c in first) - min(c.start for c in first)) / slower)
            start, end = flow.turn_times[0]
            turn_ratios.append((end - start) / slower)
        self.figures["preflight_ratio"] = {
            "value": sorted(ratios)[len(ratios) // 2],
            "target": TARGETS["preflight_ratio"],
            "samples": len(ratios),
            "whole_turn": sorted(turn_ratios)[len(turn_ratios) // 2],
        }

    async def overhead(self) -> None:
        """Graph time per user turn ÷ okx time at 170 ms per call, InMemory and SQLite."""
        results: dict[str, Any] = {}
        flows = 1 if self.smoke else 10
        for saver_name in ("inmemory", "sqlite", "sqlite_durability_exit"):
            durability = "exit" if saver_name.endswith("exit") else None
            async with AsyncExitStack() as stack:
                checkpointer: BaseCheckpointSaver[Any]
                if saver_name.startswith("sqlite"):
                    path = self.root / f"overhead-{saver_name}.sqlite"
                    checkpointer = await stack.enter_async_context(
                        AsyncSqliteSaver.from_conn_string(str(path))
                    )
                else:
                    checkpointer = InMemorySaver()
                graph_times: list[float] = []
                okx_times: list[float] = []
                for i in range(flows + 1):
                    emulator = _world(self.root, f"overhead-{saver_name}-{i}")
                    runner = TimedRunner(emulator, 0.170)
                    flow = self._flow(self._graph(runner, checkpointer), f"overhead-{i}")
                    flow.durability = durability
                    await fresh_login(flow, emulator)
                    if i == 0:
                        continue
                    for start, end in flow.turn_times:
                        busy = runner.busy_time(start, end)
                        graph_times.append(end - start - busy)
                        okx_times.append(busy)
                graph_median = statistics.median(graph_times)
                okx_median = statistics.median(okx_times)
                results[saver_name] = {
                    "value": graph_median / okx_median,
                    "mean_ratio": sum(graph_times) / sum(okx_times),
                    "target": TARGETS["overhead_ratio"],
                    "graph_ms_per_turn": 1000 * graph_median,
                    "okx_ms_per_turn": 1000 * okx_median,
                    "turns": len(graph_times),
                }
        self.figures["overhead_ratio"] = results

    async def _node_counts(self) -> list[int]:
        """Node executions per turn of a fresh login in the real graph."""
        emulator = _world(self.root, "shape")
        graph = self._graph(emulator, None)
        config: Any = {"configurable": {"thread_id": "shape"}}
        counts = []
        inputs: list[Any] = [
            {"messages": [HumanMessage(LOGIN_REQUEST)]},
            Command(resume=SITE_REPLY),
            Command(resume=DONE_REPLY),
        ]
        for turn, payload in enumerate(inputs):
            if turn == 2:
                emulator.approve()
            executed = 0
            async for chunk in graph.astream(
                payload, config, context=Context(), stream_mode="updates"
            ):
                executed += sum(1 for key in chunk if key != "__interrupt__")
            counts.append(executed)
        return counts

    async def _throughput(
        self, make: Callable[[OkxRunner], Graph], count: int, *, instant: bool = False
    ) -> float:
        graph = make(ContextRunner())
        emulators: Sequence[OkxEmulator | InstantOkx] = (
            [InstantOkx(self.root / f"instant-{id(graph)}-{i}") for i in range(count + 1)]
            if instant
            else [_world(self.root, f"tp-{id(graph)}-{i}") for i in range(count + 1)]
        )
        start = 0.0
        for i, emulator in enumerate(emulators):
            if i == 1:
                start = time.perf_counter()
            ACTIVE_RUNNER.set(emulator)
            await fresh_login(Flow(graph, f"tp-{i}", Context()), emulator)
        return count / (time.perf_counter() - start)

    async def throughput(self) -> None:
        """Fresh-login flows per second: the real graph beside the skeleton of the same shape."""
        counts = await self._node_counts()
        extra = (counts[0] - 1, counts[1] - 2, counts[2] - 2)
        count = 5 if self.smoke else 200
        best = {"graph": 0.0, "skeleton": 0.0, "graph_instant": 0.0, "skeleton_instant": 0.0}
        makers: dict[str, Callable[[OkxRunner], Graph]] = {
            "graph": lambda r: self._graph(r, None),
            "skeleton": lambda r: build_skeleton(r, extra),
        }
        for _ in range(1 if self.smoke else 3):
            for name in best:
                make = makers[name.removesuffix("_instant")]
                rate = await self._throughput(make, count, instant=name.endswith("_instant"))
                best[name] = max(best[name], rate)
        self.figures["throughput"] = {
            "graph_flows_per_s": best["graph"],
            "skeleton_flows_per_s": best["skeleton"],
            "value": best["graph"] / best["skeleton"],
            "target": TARGETS["throughput_ratio"],
            "instant_okx": {
                "graph_flows_per_s": best["graph_instant"],
                "skeleton_flows_per_s": best["skeleton_instant"],
                "value": best["graph_instant"] / best["skeleton_instant"],
            },
            "nodes_per_turn": counts,
            "flows": count,
        }

    async def concurrency(self) -> None:
        """Many threads at once on one graph: errors and per-flow cost vs one at a time."""
        count = 20 if self.smoke else 1000
        graph = self._graph(ContextRunner(), None)
        sequential_count = 10 if self.smoke else 100
        warm = [_world(self.root, f"seq-{i}") for i in range(sequential_count)]
        start = time.perf_counter()
        for i, emulator in enumerate(warm):
            ACTIVE_RUNNER.set(emulator)
            await fresh_login(Flow(graph, f"seq-{i}", Context()), emulator)
        sequential = sequential_count / (time.perf_counter() - start)
        emulators = [_world(self.root, f"cc-{i}") for i in range(count)]

        async def one(i: int, emulator: OkxEmulator) -> None:
            ACTIVE_RUNNER.set(emulator)
            await fresh_login(Flow(graph, f"cc-{i}", Context()), emulator)

        start = time.perf_counter()
        results = await asyncio.gather(
            *(one(i, e) for i, e in enumerate(emulators)), return_exceptions=True
        )
        wall = time.perf_counter() - start
        errors = [repr(r)[:200] for r in results if isinstance(r, BaseException)]
        wrong_calls = sum(1 for e in emulators if len(e.calls()) != 4)
        per_flow = wall / count
        self.figures["concurrency"] = {
            "threads": count,
            "errors": len(errors),
            "first_errors": errors[:3],
            "flows_with_wrong_call_count": wrong_calls,
            "per_flow_ms": 1000 * per_flow,
            "single_thread_per_flow_ms": 1000 / sequential,
            "value": per_flow * sequential,
            "target": TARGETS["concurrent_cost_ratio"],
        }
        if errors or wrong_calls:
            self.failures.append(f"concurrency: {len(errors)} errors, {wrong_calls} bad call logs")

    async def storage(self) -> None:
        """Bytes per finished thread in a SQLite checkpointer file, after VACUUM."""
        count = 5 if self.smoke else 200
        default = await self._bytes_per_thread(count, None)
        at_exit = await self._bytes_per_thread(count, "exit")
        uncompressed = await self._bytes_per_thread(count, None, compress=False)
        self.figures["sqlite_bytes_per_thread"] = {
            "value": default,
            "target": TARGETS["sqlite_bytes_per_thread"],
            "threads": count,
            "durability_exit": at_exit,
            "uncompressed": uncompressed,
        }

    async def _bytes_per_thread(
        self, count: int, durability: str | None, *, compress: bool = True
    ) -> float:
        path = self.root / f"storage-{durability}-{compress}.sqlite"
        async with async_sqlite_checkpointer(path, compress=compress):
            pass
        before = _vacuumed_size(path)
        async with async_sqlite_checkpointer(path, compress=compress) as saver:
            graph = self._graph(ContextRunner(), saver)
            for i in range(count):
                emulator = _world(self.root, f"st-{durability}-{i}")
                ACTIVE_RUNNER.set(emulator)
                flow = Flow(graph, f"st-{i}", Context(), durability)
                await fresh_login(flow, emulator)
        after = _vacuumed_size(path)
        return (after - before) / count

    async def long_thread(self) -> None:
        """One thread with many entries (status questions) in SQLite: file size and turn time."""
        count = 10 if self.smoke else 100
        results: dict[str, Any] = {"entries": count}
        for durability in (None, "exit"):
            emulator = _world(self.root, f"long-{durability}", auth="logged_in", site="eea")
            path = self.root / f"long-{durability}.sqlite"
            async with AsyncSqliteSaver.from_conn_string(str(path)) as saver:
                flow = Flow(self._graph(emulator, saver), "long", Context(), durability)
                for _ in range(count):
                    await flow.send("what is my okx login status?")
            last_start, last_end = flow.turn_times[-1]
            results["durability_exit" if durability else "default"] = {
                "bytes": _vacuumed_size(path),
                "last_turn_ms": 1000 * (last_end - last_start),
            }
        self.figures["long_thread"] = results

    async def run(self) -> None:
        """Every measurement, in order; a failing one is recorded, the rest still run."""
        steps: list[Callable[[], Awaitable[None]]] = [
            self.call_counts,
            self.preflight,
            self.overhead,
            self.throughput,
            self.concurrency,
            self.storage,
            self.long_thread,
        ]
        for step in steps:
            name = step.__name__
            self.console.log(f"bench: {name}")
            try:
                await step()
            except Exception as exc:
                self.failures.append(f"{name}: {type(exc).__name__}: {exc}"[:500])
        self.figures["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.figures["nproc"] = os.cpu_count()
        self.figures["load_average"] = list(os.getloadavg())
        self.figures["smoke"] = self.smoke
        self.figures["failures"] = self.failures


def _vacuumed_size(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        connection.execute("VACUUM")
    finally:
        connection.close()
    return path.stat().st_size


def _check(value: float, target: float, *, at_least: bool = False) -> str:
    ok = value >= target if at_least else value <= target
    return "[green]ok[/green]" if ok else "[red]missed[/red]"


def render(figures: dict[str, Any], console: Console) -> None:
    """Print the figures as a table."""
    table = Table(title=f"okx_auth_graph bench ({figures.get('nproc')} cores)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_column("")
    for name, entry in figures.get("okx_calls", {}).items():
        ok = entry["calls"] == entry["target"]
        verdict = "[green]ok[/green]" if ok else "[red]off[/red]"
        table.add_row(f"okx calls: {name}", str(entry["calls"]), str(entry["target"]), verdict)
    if "preflight_ratio" in figures:
        entry = figures["preflight_ratio"]
        table.add_row(
            "pre-flight wall ÷ slower call (150/100 ms)",
            f"{entry['value']:.3f}",
            f"≤ {entry['target']}",
            _check(entry["value"], entry["target"]),
        )
        table.add_row(
            "  whole turn (graph included) ÷ slower call", f"{entry['whole_turn']:.3f}", "", ""
        )
    for saver, entry in figures.get("overhead_ratio", {}).items():
        informative = saver.endswith("exit")
        table.add_row(
            f"graph overhead ÷ okx time per turn ({saver}, 170 ms)",
            f"{entry['value']:.4f} ({entry['graph_ms_per_turn']:.1f} ms/turn)"
            f" mean {entry['mean_ratio']:.3f}",
            "" if informative else f"≤ {entry['target']}",
            "" if informative else _check(entry["value"], entry["target"]),
        )
    if "throughput" in figures:
        entry = figures["throughput"]
        table.add_row(
            "fresh-login flows/s: graph / skeleton",
            f"{entry['graph_flows_per_s']:.1f} / {entry['skeleton_flows_per_s']:.1f}"
            f" = {entry['value']:.2f}",
            f"≥ {entry['target']}",
            _check(entry["value"], entry["target"], at_least=True),
        )
        instant = entry["instant_okx"]
        table.add_row(
            "  same, instant in-memory fake okx (no emulator I/O)",
            f"{instant['graph_flows_per_s']:.1f} / {instant['skeleton_flows_per_s']:.1f}"
            f" = {instant['value']:.2f}",
            "",
            "",
        )
    if "concurrency" in figures:
        entry = figures["concurrency"]
        table.add_row(
            f"{entry['threads']} concurrent threads: per-flow cost ÷ single-thread",
            f"{entry['value']:.2f} ({entry['errors']} errors)",
            f"≤ {entry['target']}, 0 errors",
            _check(entry["value"], entry["target"]) if not entry["errors"] else "[red]errors[/red]",
        )
    if "sqlite_bytes_per_thread" in figures:
        entry = figures["sqlite_bytes_per_thread"]
        table.add_row(
            "SQLite bytes per finished thread (async_sqlite_checkpointer, compressed)",
            f"{entry['value']:.0f}",
            f"≤ {entry['target']}",
            _check(entry["value"], entry["target"]),
        )
        table.add_row("  same, with durability='exit'", f"{entry['durability_exit']:.0f}", "", "")
        table.add_row("  same, uncompressed", f"{entry['uncompressed']:.0f}", "", "")
    if "long_thread" in figures:
        entry = figures["long_thread"]
        for mode in ("default", "durability_exit"):
            table.add_row(
                f"one thread, {entry['entries']} entries, SQLite ({mode}): bytes; last turn",
                f"{entry[mode]['bytes']:,}; {entry[mode]['last_turn_ms']:.0f} ms",
                "",
                "",
            )
    table.add_row("peak RSS (MiB)", f"{figures.get('peak_rss_mib', 0):.0f}", "", "")
    console.print(table)
    for failure in figures.get("failures", []):
        console.print(f"[red]failure:[/red] {failure}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return 1 if a call count is off or a measurement failed."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--out", type=Path, help="write the figures as JSON to this file")
    args = parser.parse_args(argv)
    console = Console(width=110)
    with tempfile.TemporaryDirectory(prefix="okx-bench-") as directory:
        bench = Bench(Path(directory), args.smoke, console)
        asyncio.run(bench.run())
    render(bench.figures, console)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(bench.figures, indent=2) + "\n")
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main())
