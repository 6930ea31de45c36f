"""History retention of the SQLite helpers: the step-by-step checkpoints of the latest
``keep_entries`` entries stay, older entries' checkpoints and writes go; the thread still works."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.types import Command

from okx_auth_graph import OkxCli, build_graph
from okx_auth_graph.persistence import (
    async_sqlite_checkpointer,
    postgres_checkpointer,
    sqlite_checkpointer,
)
from okx_auth_graph.testing import OkxEmulator

STATUS = "what is my okx login status?"


def _rows(db: Path) -> tuple[int, int, int]:
    with sqlite3.connect(db) as conn:
        inputs = conn.execute(
            "SELECT count(*) FROM checkpoints"
            " WHERE json_extract(CAST(metadata AS TEXT), '$.source') = 'input'"
        ).fetchone()[0]
        checkpoints = conn.execute("SELECT count(*) FROM checkpoints").fetchone()[0]
        writes = conn.execute("SELECT count(*) FROM writes").fetchone()[0]
    return inputs, checkpoints, writes


@pytest.mark.parametrize("keep", [1, 3, None])
async def test_async_helper_keeps_the_latest_entries_history(tmp_path: Path, keep) -> None:
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(auth="logged_in", site="eea")
    db = tmp_path / "threads.sqlite"
    config: RunnableConfig = {"configurable": {"thread_id": "long"}}
    other: RunnableConfig = {"configurable": {"thread_id": "other"}}
    async with async_sqlite_checkpointer(db, keep_entries=keep) as saver:
        graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=saver)
        await graph.ainvoke({"messages": [HumanMessage(STATUS)]}, other)
        sizes = []
        for _ in range(6):
            await graph.ainvoke({"messages": [HumanMessage(STATUS)]}, config)
            sizes.append(_rows(db)[1])
        # a question left pending survives the pruning of the entries before it
        emulator.init_world()
        asked = await graph.ainvoke({"messages": [HumanMessage("log in")]}, config)
        assert asked["__interrupt__"][0].value["type"] == "choose_site"
        waiting = await graph.ainvoke(Command(resume="2"), config)
        assert waiting["__interrupt__"][0].value["type"] == "await_authorization"
        emulator.approve()
        done = await graph.ainvoke(Command(resume="done"), config)
        assert done["outcome"] == "logged_in"
        history = [s async for s in graph.aget_state_history(config)]
        other_history = [s async for s in graph.aget_state_history(other)]
    inputs = sum(1 for s in history if s.metadata and s.metadata.get("source") == "input")
    print(f"keep_entries={keep}: checkpoints after each entry {sizes}; inputs kept {inputs}")
    assert inputs == (7 if keep is None else min(keep, 7))
    assert len(other_history) == 6  # another thread's history is never touched
    if keep is not None:
        assert sizes[-1] == sizes[keep - 1] if keep > 1 else len(set(sizes)) == 1
    else:
        assert sizes == sorted(set(sizes))


def test_sync_helper_prunes_and_the_thread_resumes(tmp_path: Path) -> None:
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(auth="logged_in", site="eea")
    db = tmp_path / "threads.sqlite"
    config: RunnableConfig = {"configurable": {"thread_id": "long"}}
    with sqlite_checkpointer(db, keep_entries=2) as saver:
        graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=saver)
        for _ in range(5):
            result = graph.invoke({"messages": [HumanMessage(STATUS)]}, config)
            assert result["outcome"] == "status_reported"
    inputs, checkpoints, writes = _rows(db)
    assert inputs == 2
    with sqlite_checkpointer(db, keep_entries=2) as saver:
        graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=saver)
        assert graph.get_state(config).values["outcome"] == "status_reported"
        graph.invoke({"messages": [HumanMessage(STATUS)]}, config)
    assert _rows(db) == (inputs, checkpoints, writes)


def test_keep_entries_must_keep_the_current_entry(tmp_path: Path) -> None:
    with (
        pytest.raises(ValueError, match="at least 1"),
        sqlite_checkpointer(tmp_path / "x.sqlite", keep_entries=0),
    ):
        pass


@pytest.mark.server
async def test_postgres_helper_prunes_checkpoints_writes_and_blobs(
    postgres_dsn: str, tmp_path: Path
) -> None:
    import psycopg

    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(auth="logged_in", site="eea")
    config: RunnableConfig = {"configurable": {"thread_id": "pg-retention"}}

    async def counts() -> tuple[int, ...]:
        async with await psycopg.AsyncConnection.connect(postgres_dsn) as conn:
            found = []
            for table in ("checkpoints", "checkpoint_writes", "checkpoint_blobs"):
                cursor = await conn.execute(
                    f"SELECT count(*) FROM {table} WHERE thread_id = %s",
                    ("pg-retention",),
                )
                row = await cursor.fetchone()
                assert row is not None
                found.append(row[0])
            return tuple(found)

    seen = []
    async with postgres_checkpointer(postgres_dsn, keep_entries=2) as saver:
        graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=saver)
        for _ in range(6):
            await graph.ainvoke({"messages": [HumanMessage(STATUS)]}, config)
            seen.append(await counts())
        emulator.init_world()
        await graph.ainvoke({"messages": [HumanMessage("log in")]}, config)
        await graph.ainvoke(Command(resume="1"), config)
        emulator.approve()
        done = await graph.ainvoke(Command(resume="done"), config)
        state = await graph.aget_state(config)
    print(f"rows (checkpoints, writes, blobs) after each entry: {seen}")
    assert done["outcome"] == "logged_in"
    assert len(set(seen[3:])) == 1  # bounded: the rows stop growing
    assert seen[-1][0] == 2 * seen[0][0]  # two entries' checkpoints
    assert [m.type for m in state.values["messages"]][-6:] == [
        "human",
        "ai",
        "human",
        "ai",
        "human",
        "ai",
    ]
