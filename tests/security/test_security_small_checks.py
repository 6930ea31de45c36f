"""The small trust checks: planted files, timeouts, stray processes, deep nesting.

* The login marker's temporary file: a symbolic link planted where it used to be written (a
  predictable name) never redirects the write; the victim file keeps its bytes.
* A lock folder others may write into is repaired (``go-w``) when it is ours, refused when not.
* ``OKX_TIMEOUT`` / ``OKX_LOGIN_TIMEOUT`` and the timeouts of ``Context`` and ``OkxCli`` must be
  finite and above 0: ``nan``, ``inf``, ``0``, ``-1`` get a clear ``ValueError``.
* An okx call returns within its timeout plus one second even when a process okx started in
  another session (``setsid``) keeps its standard output and error open; the stray process is
  killed by the test afterwards (its pid is written to a file).
* An entry whose ``upstream_status`` (or ``failed_command``) is nested hundreds of levels deep
  raises ``ValueError`` before any okx call; such a resume value gets the question again.
  ``invoke``, ``ainvoke``, ``stream`` and ``astream``, on ``InMemorySaver`` (LangGraph's own
  serializer, which fails on such values) and on the project's SQLite helper.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import signal
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from okx_auth_graph import Context, OkxCli, build_graph
from okx_auth_graph.core.login_lock import LOCK_NAME, MARKER_NAME, login_lock, read_login_count
from okx_auth_graph.graph.entry import MAX_INPUT_DEPTH, validate_entry
from okx_auth_graph.okx.process import SubprocessRunner
from okx_auth_graph.persistence import sqlite_checkpointer
from okx_auth_graph.testing import OkxEmulator
from tests.conversation import MODES, Conversation, Mode

# --- the marker's temporary file ---


async def test_a_planted_symlink_never_redirects_the_marker_write(tmp_path: Path) -> None:
    folder = tmp_path / "okx"
    folder.mkdir(mode=0o700)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    planted = folder / f"{MARKER_NAME}.{os.getpid()}.tmp"
    planted.symlink_to(victim)
    async with login_lock(folder, timeout=5) as held:
        await held.count_login()
    assert victim.read_text() == "precious"
    assert planted.is_symlink()
    assert read_login_count(folder) == 2, "the login's start and end were counted"
    leftovers = [p.name for p in folder.iterdir() if p.name.endswith(".tmp") and p != planted]
    assert leftovers == []


def test_a_login_through_the_graph_leaves_a_planted_victim_alone(tmp_path: Path) -> None:
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (emulator.state_dir / f"{MARKER_NAME}.{os.getpid()}.tmp").symlink_to(victim)
    graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=InMemorySaver())
    config: Any = {"configurable": {"thread_id": "t"}}
    graph.invoke({"messages": [HumanMessage("log in to okx")]}, config)
    result = graph.invoke(Command(resume="2"), config)
    assert result["__interrupt__"][0].value["type"] == "await_authorization"
    assert victim.read_text() == "precious"
    assert read_login_count(emulator.state_dir) == 2


# --- a lock folder others may write into ---


async def test_a_group_or_world_writable_lock_folder_of_ours_is_repaired(tmp_path: Path) -> None:
    folder = tmp_path / "okx"
    folder.mkdir()
    folder.chmod(0o777)
    async with login_lock(folder, timeout=5):
        pass
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert stat.S_IMODE((folder / LOCK_NAME).stat().st_mode) & 0o077 == 0


def test_a_writable_lock_folder_of_someone_else_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    emulator.state_dir.chmod(0o777)
    monkeypatch.setattr(os, "geteuid", lambda: emulator.state_dir.stat().st_uid + 1)
    graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=InMemorySaver())
    config: Any = {"configurable": {"thread_id": "t"}}
    graph.invoke({"messages": [HumanMessage("log in to okx")]}, config)
    result = graph.invoke(Command(resume="2"), config)
    assert result["outcome"] == "needs_user_action"
    assert str(emulator.state_dir) in result["messages"][-1].content
    assert [c for c in emulator.calls() if c["argv"][:2] == ["auth", "login"]] == []
    assert stat.S_IMODE(emulator.state_dir.stat().st_mode) == 0o777, "not ours: left as is"


# --- timeouts ---

BAD_SECONDS = ["nan", "inf", "-inf", "0", "-1", "NaN", "Infinity"]


@pytest.mark.parametrize("variable", ["OKX_TIMEOUT", "OKX_LOGIN_TIMEOUT"])
@pytest.mark.parametrize("raw", BAD_SECONDS)
def test_timeouts_from_the_environment_must_be_finite_and_positive(
    monkeypatch: pytest.MonkeyPatch, variable: str, raw: str
) -> None:
    monkeypatch.setenv(variable, raw)
    with pytest.raises(ValueError, match=f"{variable} must be a finite positive number of seconds"):
        Context()


@pytest.mark.parametrize("value", [math.nan, math.inf, 0, -5.0, True, "30"])
@pytest.mark.parametrize("field", ["timeout", "login_timeout"])
def test_timeouts_given_in_code_must_be_finite_and_positive(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=f"{field} must be a finite positive number of seconds"):
        Context(**{field: value})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=f"{field} must be a finite positive number of seconds"):
        OkxCli(runner=OkxEmulator("unused"), **{field: value})  # type: ignore[arg-type]


def test_good_timeouts_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKX_TIMEOUT", "12.5")
    assert (Context().timeout, Context(login_timeout=60).login_timeout) == (12.5, 60.0)


# --- a stray process holding the pipes ---


@contextlib.contextmanager
def okx_leaving_a_stray(folder: Path, *, hang: bool) -> Iterator[Path]:
    """An okx that starts ``sleep 60`` in a new session (stdout/stderr inherited), prints its
    answer, then exits (or hangs); the stray is killed on the way out."""
    folder.mkdir()
    pid_file = folder / "stray.pid"
    script = folder / "okx"
    script.write_text(
        "#!/bin/sh\n"
        f"setsid sleep 60 & echo $! > '{pid_file}'\n"
        "echo '1.2.4 (88fac29)'\n" + ("sleep 60\n" if hang else "") + "exit 0\n"
    )
    script.chmod(0o755)
    try:
        yield script
    finally:
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)


def test_an_okx_that_exits_is_answered_although_a_stray_holds_its_pipes(tmp_path: Path) -> None:
    with okx_leaving_a_stray(tmp_path / "bin", hang=False) as okx:
        started = time.monotonic()
        version = asyncio.run(OkxCli(str(okx), timeout=10).version())
        elapsed = time.monotonic() - started
    assert version == "1.2.4"
    assert elapsed < 10, f"waited {elapsed:.1f} s for a process that is not okx"


@pytest.mark.parametrize("timeout", [1.0, 2.0])
def test_a_hanging_okx_times_out_within_a_second_although_a_stray_holds_its_pipes(
    tmp_path: Path, timeout: float
) -> None:
    with okx_leaving_a_stray(tmp_path / "bin", hang=True) as okx:
        runner = SubprocessRunner(str(okx))
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            asyncio.run(runner(["--version"], timeout=timeout))
        elapsed = time.monotonic() - started
    assert elapsed < timeout + 1, f"returned after {elapsed:.2f} s (timeout {timeout} s)"


# --- deep nesting ---


def nested(levels: int, kind: str = "dict") -> Any:
    value: Any = "leaf"
    for _ in range(levels):
        value = {"a": value} if kind == "dict" else [value]
    return value


SAVERS_AND_MODES = [("memory", mode) for mode in MODES] + [
    ("sqlite", "invoke"),
    ("sqlite", "stream"),  # the synchronous SQLite saver has no async methods
]


@contextlib.contextmanager
def saver_of(kind: str, tmp_path: Path) -> Iterator[Any]:
    if kind == "memory":
        yield InMemorySaver()
    else:
        with sqlite_checkpointer(tmp_path / "c.sqlite") as saver:
            yield saver


@pytest.mark.parametrize(("saver", "mode"), SAVERS_AND_MODES)
@pytest.mark.parametrize("field", ["upstream_status", "failed_command"])
def test_an_entry_nested_hundreds_deep_is_a_value_error_before_any_okx_call(
    tmp_path: Path, mode: Mode, saver: str, field: str
) -> None:
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    with saver_of(saver, tmp_path) as checkpointer:
        graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=checkpointer)
        chat = Conversation(graph, mode=mode)
        entry = {"messages": [HumanMessage("log in to okx")], field: nested(600)}
        with pytest.raises(ValueError, match=f"'{field}': nested more than"):
            asyncio.run(chat.send(entry))
    assert emulator.calls() == []


@pytest.mark.parametrize(("saver", "mode"), SAVERS_AND_MODES)
@pytest.mark.parametrize(
    "value",
    [nested(600), nested(600, "list"), {"reply": nested(400, "list")}],
    ids=["dict", "list", "reply"],
)
def test_a_resume_value_nested_hundreds_deep_gets_the_question_again(
    tmp_path: Path, mode: Mode, saver: str, value: Any
) -> None:
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    with saver_of(saver, tmp_path) as checkpointer:
        graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=checkpointer)
        chat = Conversation(graph, mode=mode)
        asked = graph.invoke({"messages": [HumanMessage("log in to okx")]}, chat.config)
        assert asked["__interrupt__"][0].value["type"] == "choose_site"
        calls = len(emulator.calls())
        again = asyncio.run(chat.reply(value))
    assert again.interrupt["type"] == "choose_site"
    assert len(emulator.calls()) == calls, "no okx call for an unreadable reply"


def test_the_boundary_allows_ordinary_nesting() -> None:
    validate_entry({"upstream_status": nested(MAX_INPUT_DEPTH - 1)})
    with pytest.raises(ValueError, match="'upstream_status': nested more than"):
        validate_entry({"upstream_status": nested(MAX_INPUT_DEPTH + 1)})
