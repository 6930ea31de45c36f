"""A login lock or marker file that cannot be used gets a clear reply, never a raw OSError.

Each fault is real (a directory or a symbolic-link loop in the file's place) or, for a full
disk, a write that fails with ``ENOSPC``. The fault is there before the entry starts: the
pre-flight must not trip over it, and the login node answers with the fixed text naming the
folder and what to do (``needs_user_action``), without running ``okx auth login``. Both
``invoke`` and ``ainvoke``, in English and in Chinese.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from okx_auth_graph import OkxCli, build_graph
from okx_auth_graph.core.login_lock import LOCK_NAME, MARKER_NAME
from okx_auth_graph.testing import OkxEmulator
from tests.conversation import Conversation, Mode


def directory_at(name: str) -> Callable[[Path, pytest.MonkeyPatch], None]:
    def make(world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        (world / name).mkdir()

    return make


def symlink_loop_at(name: str) -> Callable[[Path, pytest.MonkeyPatch], None]:
    def make(world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        (world / name).symlink_to(world / name)

    return make


def full_disk(world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing the marker (its temporary file) fails as on a full disk; other files still work.

    The temporary file is created as usual, but its descriptor is one of ``/dev/full``, where
    every write fails with ``ENOSPC``.
    """
    mkstemp = tempfile.mkstemp

    def full(*args: Any, **kwargs: Any) -> tuple[int, str]:
        fd, path = mkstemp(*args, **kwargs)
        if Path(path).name.startswith(MARKER_NAME):
            os.close(fd)
            fd = os.open("/dev/full", os.O_WRONLY)
        return fd, path

    monkeypatch.setattr(tempfile, "mkstemp", full)


FAULTS = {
    "lock-is-a-directory": directory_at(LOCK_NAME),
    "marker-is-a-directory": directory_at(MARKER_NAME),
    "lock-symlink-loop": symlink_loop_at(LOCK_NAME),
    "marker-symlink-loop": symlink_loop_at(MARKER_NAME),
    "full-disk": full_disk,
}
REQUESTS = {"en": ("log in to okx", "cannot be used"), "zh": ("登录 okx", "无法使用")}


@pytest.mark.parametrize("language", sorted(REQUESTS))
@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_lock_file_fault_gets_a_clear_reply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str, mode: Mode, language: str
) -> None:
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=InMemorySaver())
    chat = Conversation(graph, mode=mode)
    FAULTS[fault](emulator.state_dir, monkeypatch)

    def run(payload: Any) -> dict[str, Any]:
        return asyncio.run(chat.send(payload)).state

    request, phrase = REQUESTS[language]
    asked = run({"messages": [HumanMessage(request)]})
    assert asked["__interrupt__"][0].value["type"] == "choose_site"
    result = run(Command(resume="2"))

    assert "__interrupt__" not in result
    assert result["outcome"] == "needs_user_action"
    reply = result["messages"][-1].content
    assert phrase in reply
    assert str(emulator.state_dir) in reply
    assert LOCK_NAME in reply
    assert MARKER_NAME in reply
    logins = [c["argv"] for c in emulator.calls() if c["argv"][:2] == ["auth", "login"]]
    assert logins == []
