"""The checkpointer helpers: where the SQLite file goes and how it is opened."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import empty_checkpoint

from okx_auth_graph.persistence import (
    INTERRUPT_DURABILITY,
    async_sqlite_checkpointer,
    sqlite_checkpointer,
    sqlite_path,
)


def test_sqlite_path_expands_home_and_creates_the_folder(isolated_home: Path) -> None:
    path = sqlite_path("~/nested/dir/threads.sqlite")
    assert path == isolated_home / "nested" / "dir" / "threads.sqlite"
    assert path.parent.is_dir()
    assert not path.exists()
    assert sqlite_path(":memory:") == Path(":memory:")


def test_default_sqlite_file_follows_xdg_state_home(
    isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    expected = isolated_home / ".local" / "state" / "okx-auth-graph" / "threads.sqlite"
    assert sqlite_path() == expected
    assert expected.parent.is_dir()
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert sqlite_path(None) == tmp_path / "state" / "okx-auth-graph" / "threads.sqlite"
    assert INTERRUPT_DURABILITY == "sync"


async def test_async_sqlite_file_is_shared_with_a_second_reader(tmp_path: Path) -> None:
    db = tmp_path / "deep" / "threads.sqlite"
    config: RunnableConfig = {"configurable": {"thread_id": "t", "checkpoint_ns": ""}}
    checkpoint = empty_checkpoint()
    async with async_sqlite_checkpointer(db) as writer:
        await writer.aput(config, checkpoint, {"source": "input", "step": -1}, {})
        with sqlite_checkpointer(db) as reader:
            stored = reader.get_tuple(config)
        assert stored is not None
        assert stored.checkpoint["id"] == checkpoint["id"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
