"""Threads paused by release 0.1.0 resume on today's code (issue 20: nothing breaks for users).

``fixtures/paused_threads_0.1.0.sqlite`` was written by :mod:`tests.compat.make_paused_threads`
on the code before the one-core refactor; each test copies it, opens it with the project's SQLite
checkpointer and answers the pending question as the user would, on a fresh emulator world.
A renamed node or a changed interrupt type strands these threads, and fails here.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from langgraph.types import Command

from okx_auth_graph import Context, OkxCli, build_graph
from okx_auth_graph.persistence import INTERRUPT_DURABILITY, async_sqlite_checkpointer
from okx_auth_graph.testing import OkxEmulator
from tests.compat.make_paused_threads import EXPECTED_PAUSE, FIXTURE

LOGIN = ["auth", "login", "--manual", "--site", "global"]
STATUS = ["auth", "status", "--json"]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    copy = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURE, copy)
    return copy


async def _resume(
    db: Path, emulator: OkxEmulator, thread: str, replies: list[str]
) -> tuple[dict[str, Any], Any]:
    """Check the thread is paused where release 0.1.0 left it, then answer with ``replies``."""
    config: Any = {"configurable": {"thread_id": thread}}
    async with async_sqlite_checkpointer(db, keep_entries=None) as saver:
        graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=saver)
        before = await graph.aget_state(config)
        assert [t.name for t in before.tasks if t.interrupts] == [EXPECTED_PAUSE[thread]]
        result: dict[str, Any] = {}
        for reply in replies:
            result = await graph.ainvoke(
                Command(resume=reply),
                config,
                context=Context(),
                durability=INTERRUPT_DURABILITY,
            )
        return result, await graph.aget_state(config)


def _pending_type(snapshot: Any) -> str | None:
    interrupts = [i for t in snapshot.tasks for i in t.interrupts]
    return interrupts[0].value["type"] if interrupts else None


@pytest.mark.parametrize("thread", ["at-site-menu", "at-login-site-menu"])
async def test_a_thread_paused_at_the_site_menu_logs_in_on_the_site_chosen(
    db: Path, tmp_path: Path, thread: str
) -> None:
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    _, snapshot = await _resume(db, emulator, thread, ["1"])
    assert _pending_type(snapshot) == "await_authorization"
    assert [c["argv"] for c in emulator.calls()][-1] == LOGIN
    assert emulator.world()["auth"] == "pending"
    emulator.approve()
    result, snapshot = await _resume_more(db, emulator, thread)
    assert result["outcome"] == "logged_in"
    assert result["site"] == "global"
    assert not snapshot.tasks


async def _resume_more(db: Path, emulator: OkxEmulator, thread: str) -> tuple[dict[str, Any], Any]:
    config: Any = {"configurable": {"thread_id": thread}}
    async with async_sqlite_checkpointer(db, keep_entries=None) as saver:
        graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=saver)
        result = await graph.ainvoke(Command(resume="done"), config, context=Context())
        return result, await graph.aget_state(config)


async def test_a_thread_paused_at_the_wait_for_the_signal_checks_once_and_logs_in(
    db: Path, tmp_path: Path
) -> None:
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(auth="pending", site="global")
    emulator.approve()
    result, snapshot = await _resume(db, emulator, "at-await-signal", ["done"])
    assert [c["argv"] for c in emulator.calls()] == [STATUS]
    assert result["outcome"] == "logged_in"
    assert not snapshot.tasks
    replies = [m.text for m in result["messages"] if isinstance(m, AIMessage)]
    assert "global" in replies[-1]
