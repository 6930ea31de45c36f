"""Several worker processes on one PostgreSQL: concurrent fresh logins whose turns change worker.

The driver starts ``workers`` processes; each opens :func:`okx_auth_graph.persistence.postgres_checkpointer`
on the same database and serves turns from its own queue, several at once. Login ``i`` sends its
request to worker ``i % n``, the site reply to worker ``(i + 1) % n`` and the completion signal to
worker ``(i + 2) % n``, so the menu, the site reply and the signal each run in a different process
that only shares the database (runs use ``durability=INTERRUPT_DURABILITY``: a turn's checkpoints
are committed before its answer goes back). Every login has its own emulator world (its own okx
home on disk); the driver plays the browser approval.

Reported: logins per second, p50 / p95 turn latency (driver round trip), lost turns (no answer,
an error, or not the expected question), duplicated turns (a thread whose final dialogue is not
its six messages, each once) and ``auth login`` calls per world (exactly 1), beside the same
logins on a single worker process.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import queue
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

JOB_TIMEOUT = 300.0
EXPECTED_ROLES = ["human", "ai", "human", "ai", "human", "ai"]


def _serve(index: int, dsn: str, inbox: Any, outbox: Any) -> None:
    """A worker process: answer turns from ``inbox`` until ``None`` arrives."""
    asyncio.run(_serve_async(index, dsn, inbox, outbox))


async def _serve_async(index: int, dsn: str, inbox: Any, outbox: Any) -> None:
    from langchain_core.messages import HumanMessage
    from langgraph.types import Command

    from benchmarks.runners import ACTIVE_RUNNER, ContextRunner
    from okx_auth_graph import Context, OkxCli, build_graph
    from okx_auth_graph.persistence import INTERRUPT_DURABILITY, postgres_checkpointer
    from okx_auth_graph.testing import OkxEmulator

    loop = asyncio.get_running_loop()
    async with postgres_checkpointer(dsn) as saver:
        graph = build_graph(cli=OkxCli(runner=ContextRunner()), checkpointer=saver)
        outbox.put(("ready", index))

        async def answer(job: dict[str, Any]) -> None:
            ACTIVE_RUNNER.set(OkxEmulator(Path(job["world"])))
            payload: Any = (
                {"messages": [HumanMessage(job["text"])]}
                if job["kind"] == "input"
                else Command(resume=job["text"])
            )
            config: Any = {"configurable": {"thread_id": job["thread"]}}
            reply: dict[str, Any] = {"job": job["id"], "worker": index}
            try:
                result = await graph.ainvoke(
                    payload, config, context=Context(), durability=INTERRUPT_DURABILITY
                )
                pending = result.get("__interrupt__") or []
                reply["question"] = pending[0].value.get("type") if pending else None
                reply["outcome"] = result.get("outcome")
                if job.get("final"):
                    reply["roles"] = [m.type for m in result.get("messages", [])]
                    reply["texts"] = [m.text for m in result.get("messages", [])]
            except Exception as exc:
                reply["error"] = f"{type(exc).__name__}: {exc}"[:300]
            outbox.put(("done", reply))

        tasks: set[asyncio.Task[None]] = set()
        while True:
            job = await loop.run_in_executor(None, inbox.get)
            if job is None:
                break
            task = asyncio.create_task(answer(job))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)


WORKER_MODULES = (
    "langchain_core.messages",
    "langgraph.types",
    "langgraph.checkpoint.postgres.aio",
    "benchmarks.runners",
    "okx_auth_graph",
    "okx_auth_graph.persistence",
    "okx_auth_graph.testing",
)
"""What a worker imports, loaded once by the fork server instead of once per worker."""


def _forkserver() -> Any:
    """The ``forkserver`` context, its server preloading what a worker imports.

    Every worker is a fresh process forked from one server process that has no threads and no
    connections (unlike the driver), so it shares nothing with the others but the database;
    the imports (~2 CPU-s a process with ``spawn``) are paid once, not once per worker. A worker
    also re-runs the driver's main module (``python -m benchmarks.bench``): the modules it takes
    names from are preloaded too, not the module itself (run twice, runpy warns).
    """
    context = multiprocessing.get_context("forkserver")
    module = sys.modules["__main__"]
    main = vars(module).values()
    itself = getattr(getattr(module, "__spec__", None), "name", None)
    used = {getattr(value, "__module__", None) for value in main}
    used |= {value.__name__ for value in main if isinstance(value, ModuleType)}
    loaded = sorted(
        name
        for name in used
        if isinstance(name, str)
        and name in sys.modules
        and name != itself
        and name.rpartition(".")[2] != "__main__"
    )
    context.set_forkserver_preload([*WORKER_MODULES, *loaded])
    return context


@dataclass
class Pool:
    """The worker processes and the driver's side of their queues."""

    dsn: str
    size: int
    context: Any = field(default_factory=lambda: _forkserver())
    inboxes: list[Any] = field(default_factory=list)
    processes: list[Any] = field(default_factory=list)
    outbox: Any = None
    futures: dict[int, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    ids: Any = field(default_factory=itertools.count)

    def start(self, startup_timeout: float = 120.0) -> None:
        """Start the processes and wait until each has its checkpointer open."""
        self.outbox = self.context.Queue()
        for index in range(self.size):
            inbox = self.context.Queue()
            process = self.context.Process(
                target=_serve, args=(index, self.dsn, inbox, self.outbox), daemon=True
            )
            process.start()
            self.inboxes.append(inbox)
            self.processes.append(process)
        ready: set[int] = set()
        deadline = time.monotonic() + startup_timeout
        while len(ready) < self.size:
            if time.monotonic() > deadline or not all(p.is_alive() for p in self.processes):
                self.stop()
                raise RuntimeError(f"{self.size - len(ready)} worker(s) did not start")
            try:
                kind, index = self.outbox.get(timeout=1.0)
            except queue.Empty:
                continue
            if kind == "ready":
                ready.add(index)

    def stop(self) -> None:
        """Ask every worker to finish, then wait for (or end) each process."""
        for inbox in self.inboxes:
            inbox.put(None)
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
                process.join(timeout=10)

    def listen(self, loop: asyncio.AbstractEventLoop) -> threading.Thread:
        """A thread handing each answer to the future that waits for it."""

        def run() -> None:
            while True:
                try:
                    kind, reply = self.outbox.get(timeout=1.0)
                except queue.Empty:
                    if loop.is_closed() or not any(p.is_alive() for p in self.processes):
                        return
                    continue
                if kind == "stop":
                    return
                future = self.futures.pop(reply["job"], None)
                if future is not None:
                    loop.call_soon_threadsafe(_settle, future, reply)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    async def turn(self, worker: int, job: dict[str, Any]) -> dict[str, Any]:
        """Send one turn to ``worker`` and wait for its answer."""
        job_id = next(self.ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.futures[job_id] = future
        self.inboxes[worker].put({**job, "id": job_id})
        return await asyncio.wait_for(future, JOB_TIMEOUT)


def _settle(future: asyncio.Future[dict[str, Any]], reply: dict[str, Any]) -> None:
    if not future.done():
        future.set_result(reply)


async def _login(pool: Pool, index: int, world: Path, tag: str) -> dict[str, Any]:
    """One fresh login whose three turns go to three different workers (when there are)."""
    from okx_auth_graph.testing import OkxEmulator

    thread = f"{tag}-{index}"
    steps = [
        ("input", "log in to okx", "choose_site"),
        ("resume", "1", "await_authorization"),
        ("resume", "done", None),
    ]
    record: dict[str, Any] = {"latencies": [], "lost": 0, "workers": [], "reply": None}
    for turn, (kind, text, expected) in enumerate(steps):
        if turn == 2:
            await asyncio.to_thread(OkxEmulator(world).approve)
        worker = (index + turn) % pool.size
        job: dict[str, Any] = {"thread": thread, "world": str(world), "kind": kind}
        job.update(text=text, final=turn == 2)
        start = time.perf_counter()
        try:
            reply = await pool.turn(worker, job)
        except TimeoutError:
            record["lost"] += 3 - turn
            return record
        record["latencies"].append(time.perf_counter() - start)
        record["workers"].append(reply["worker"])
        if reply.get("error") or reply.get("question") != expected:
            record["lost"] += 3 - turn
            record["error"] = reply.get("error") or f"turn {turn}: {reply!r:.200}"
            return record
        record["reply"] = reply
    return record


async def run_logins(pool: Pool, root: Path, logins: int, tag: str) -> dict[str, Any]:
    """``logins`` fresh logins at once on ``pool``; the figures of the run."""
    from okx_auth_graph.testing import OkxEmulator

    worlds = []
    for index in range(logins):
        emulator = OkxEmulator(root / f"{tag}-world-{index}")
        emulator.init_world()
        worlds.append(emulator)
    listener = pool.listen(asyncio.get_running_loop())
    start = time.perf_counter()
    records = await asyncio.gather(
        *(_login(pool, i, e.state_dir, tag) for i, e in enumerate(worlds)),
        return_exceptions=True,
    )
    wall = time.perf_counter() - start
    pool.outbox.put(("stop", None))
    listener.join(timeout=5)
    latencies: list[float] = []
    lost = duplicated = spread = 0
    errors: list[str] = []
    for record in records:
        if isinstance(record, BaseException):
            lost += 3
            errors.append(repr(record)[:200])
            continue
        latencies += record["latencies"]
        lost += record["lost"]
        if "error" in record:
            errors.append(record["error"])
        reply = record["reply"]
        if reply is not None:
            roles, texts = reply["roles"], reply["texts"]
            duplicated += roles != EXPECTED_ROLES or len(set(texts)) != len(texts)
        spread += len(set(record["workers"])) == min(3, pool.size)
    logins_per_world = [
        sum(1 for c in e.calls() if list(c["argv"][:2]) == ["auth", "login"]) for e in worlds
    ]
    ordered = sorted(latencies)
    return {
        "workers": pool.size,
        "logins": logins,
        "logins_per_s": logins / wall,
        "p50_ms": 1000 * statistics.median(ordered) if ordered else None,
        "p95_ms": 1000 * ordered[int(0.95 * (len(ordered) - 1))] if ordered else None,
        "turns": len(latencies),
        "lost_turns": lost,
        "duplicated_turns": duplicated,
        "logins_on_distinct_workers": spread,
        "worlds_without_exactly_one_auth_login": sum(1 for n in logins_per_world if n != 1),
        "auth_login_calls": sorted(set(logins_per_world)),
        "first_errors": errors[:3],
    }


async def workers_bench(dsn: str, root: Path, logins: int, sizes: Sequence[int] = (4, 1)) -> Any:
    """Run the logins on pools of each size (fresh threads each time); figures per size.

    The tables are created here first: workers opening a fresh database at once would race on
    the saver's migrations.
    """
    from benchmarks.threads import fresh_database
    from okx_auth_graph.persistence import postgres_checkpointer

    dsn = await fresh_database(dsn, "workers")
    async with postgres_checkpointer(dsn):
        pass
    results = {}
    for size in sizes:
        pool = Pool(dsn, size)
        await asyncio.to_thread(pool.start)
        try:
            results[size] = await run_logins(pool, root / f"pool-{size}", logins, f"w{size}")
        finally:
            await asyncio.to_thread(pool.stop)
    return results
