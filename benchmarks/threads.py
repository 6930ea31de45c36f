"""One long thread: a logged-in user's status questions, a fresh login every 10th entry.

Measured in every checkpointer helper of :mod:`okx_auth_graph.persistence` with the default
durability: the storage the thread takes (SQLite: file growth after ``VACUUM``; PostgreSQL: the
three tables with their indexes after ``VACUUM FULL``) ÷ its entries, and each entry's graph
time (wall time minus the time an okx call was running), to compare the last entries with the
first ones.
"""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.types import Command

from benchmarks.flows import DONE_REPLY, LOGIN_REQUEST, SITE_REPLY, STATUS_REQUEST, world
from benchmarks.runners import TimedRunner
from okx_auth_graph import Context, OkxCli, build_graph
from okx_auth_graph.persistence import (
    DEFAULT_KEEP_ENTRIES,
    async_sqlite_checkpointer,
    postgres_checkpointer,
    sqlite_checkpointer,
)

LOGIN_EVERY = 10
TABLES = ("checkpoints", "checkpoint_writes", "checkpoint_blobs")


def vacuumed_size(path: Path) -> int:
    """The size of a SQLite file after ``VACUUM``."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("VACUUM")
    finally:
        connection.close()
    return path.stat().st_size


async def postgres_bytes(dsn: str) -> int:
    """Bytes of the checkpointer's tables (with indexes and TOAST) after ``VACUUM FULL``."""
    import psycopg

    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        total = 0
        for table in TABLES:
            await conn.execute(f"VACUUM FULL {table}")
            cursor = await conn.execute("SELECT pg_total_relation_size(%s)", (table,))
            row = await cursor.fetchone()
            total += int(row[0]) if row else 0
        return total


async def fresh_database(admin_dsn: str, name: str) -> str:
    """Create database ``name`` on the server of ``admin_dsn``; return its DSN."""
    import psycopg

    async with await psycopg.AsyncConnection.connect(admin_dsn, autocommit=True) as conn:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    return admin_dsn.rsplit("/", 1)[0] + "/" + name


class _Driver:
    """Sends one thread's inputs through a graph, with ``invoke`` or ``ainvoke``."""

    def __init__(self, graph: Any, *, sync: bool) -> None:
        self.graph = graph
        self.sync = sync
        self.config: Any = {"configurable": {"thread_id": "long-thread"}}
        self.context = Context()

    async def send(self, payload: Any) -> Any:
        if self.sync:
            return await asyncio.to_thread(
                self.graph.invoke, payload, self.config, context=self.context
            )
        return await self.graph.ainvoke(payload, self.config, context=self.context)


async def _entry(driver: _Driver, index: int, emulator: Any) -> None:
    if index % LOGIN_EVERY:
        result = await driver.send({"messages": [HumanMessage(STATUS_REQUEST)]})
        if result.get("outcome") != "status_reported":
            raise RuntimeError(f"entry {index}: expected a status report, got {result!r:.300}")
        return
    emulator.init_world()
    await driver.send({"messages": [HumanMessage(LOGIN_REQUEST)]})
    await driver.send(Command(resume=SITE_REPLY))
    emulator.approve()
    result = await driver.send(Command(resume=DONE_REPLY))
    if result.get("outcome") != "logged_in":
        raise RuntimeError(f"entry {index}: expected a login, got {result!r:.300}")


@asynccontextmanager
async def _sync_sqlite(path: Path, keep: int | None) -> AsyncIterator[Any]:
    with sqlite_checkpointer(path, keep_entries=keep) as saver:
        yield saver


async def long_thread(
    root: Path,
    helper: str,
    entries: int,
    *,
    keep_entries: int | None = DEFAULT_KEEP_ENTRIES,
    postgres_dsn: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Run the thread in one helper and return its figures.

    Args:
        root: A scratch folder.
        helper: ``sqlite`` (``sqlite_checkpointer`` with ``invoke``), ``async_sqlite`` or
            ``postgres`` (both with ``ainvoke``).
        entries: Entries in the thread.
        keep_entries: The helpers' history retention.
        postgres_dsn: An admin DSN of a running server (``postgres`` only).
        progress: Called with the number of entries done.

    Returns:
        ``bytes``, ``bytes_per_entry``, ``entry_ms`` (graph time per entry), the first and last
        ten entries' medians and their ratio, and the 10th and last entries' graph times.
    """
    tag = f"{helper}-{keep_entries}"
    emulator = world(root, f"long-{tag}", auth="logged_in", site="eea")
    runner = TimedRunner(emulator)
    cli = OkxCli(runner=runner)
    opener: AbstractAsyncContextManager[Any]
    path = root / f"long-{tag}.sqlite"
    if helper == "postgres":
        if postgres_dsn is None:
            raise ValueError("the postgres helper needs a server")
        dsn = await fresh_database(postgres_dsn, f"long_{keep_entries}")
        async with postgres_checkpointer(dsn, keep_entries=keep_entries):
            pass
        empty = await postgres_bytes(dsn)
        opener = postgres_checkpointer(dsn, keep_entries=keep_entries)
    elif helper == "async_sqlite":
        async with async_sqlite_checkpointer(path, keep_entries=keep_entries):
            pass
        empty = vacuumed_size(path)
        opener = async_sqlite_checkpointer(path, keep_entries=keep_entries)
    else:
        async with _sync_sqlite(path, keep_entries):
            pass
        empty = vacuumed_size(path)
        opener = _sync_sqlite(path, keep_entries)
    graph_ms: list[float] = []
    cpu_ms: list[float] = []
    async with opener as saver:
        driver = _Driver(build_graph(cli=cli, checkpointer=saver), sync=helper == "sqlite")
        for index in range(1, entries + 1):
            start, cpu = time.perf_counter(), time.process_time()
            await _entry(driver, index, emulator)
            end = time.perf_counter()
            cpu_ms.append(1000 * (time.process_time() - cpu))
            graph_ms.append(1000 * (end - start - runner.busy_time(start, end)))
            runner.calls.clear()
            if progress is not None:
                progress(index)
    stored = await postgres_bytes(dsn) if helper == "postgres" else vacuumed_size(path)
    window = max(LOGIN_EVERY, entries // 10)
    first = statistics.median(graph_ms[:window])
    last = statistics.median(graph_ms[-window:])
    first_cpu = statistics.median(cpu_ms[:window])
    last_cpu = statistics.median(cpu_ms[-window:])
    return {
        "helper": helper,
        "keep_entries": keep_entries,
        "entries": entries,
        "bytes": stored - empty,
        "bytes_per_entry": (stored - empty) / entries,
        "first_median_ms": first,
        "last_median_ms": last,
        "time_ratio": last / first,
        "first_cpu_median_ms": first_cpu,
        "last_cpu_median_ms": last_cpu,
        "cpu_ratio": last_cpu / first_cpu,
        "window": window,
        "tenth_entry_ms": graph_ms[LOGIN_EVERY - 1],
        "last_entry_ms": graph_ms[-1],
        "deciles_ms": [
            statistics.median(graph_ms[i : i + max(entries // 10, 1)])
            for i in range(0, entries, max(entries // 10, 1))
        ],
    }
