"""A login survives a SIGKILL: SQLite checkpoints written with durability "sync" carry the thread.

Process 1 starts a fresh login on a SQLite file, picks a site and reaches ``await_authorization``,
then dies by SIGKILL while waiting. The user approves in the (emulated) browser; process 2 opens
the same file and thread, sends "done", and finishes the login without a second ``auth login``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from okx_auth_graph import build_graph
from okx_auth_graph.persistence import sqlite_checkpointer
from tests.rigs.servers import emulator_env, run_emulator_cli
from tests.server.login_expectations import (
    REQUEST,
    SCOPES,
    SITE_REPLY,
    assert_authorization_question,
    assert_final_state,
    assert_fresh_login_calls,
    assert_site_question,
)

CHILD = Path(__file__).with_name("sqlite_login_child.py")
LINE_TIMEOUT = 120.0


@pytest.fixture
def world_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose ``okx`` is the emulator shim, on a fresh not-logged-in world."""
    env = emulator_env(tmp_path / "world", tmp_path / "child-home")
    run_emulator_cli(["shim", str(tmp_path / "bin")], env=env)
    env["PATH"] = os.pathsep.join([str(tmp_path / "bin"), env["PATH"]])
    run_emulator_cli(["world", "init", "--auth", "not_logged_in"], env=env)
    return env


async def start_child(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(CHILD),
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )


async def read_json_line(proc: asyncio.subprocess.Process) -> dict[str, Any]:
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), LINE_TIMEOUT)
    if not line:
        assert proc.stderr is not None
        stderr = await proc.stderr.read()
        pytest.fail(f"child exited without output: {stderr.decode(errors='replace')[-4000:]}")
    parsed: dict[str, Any] = json.loads(line)
    return parsed


def recorded_argvs(env: dict[str, str]) -> list[list[str]]:
    return [c["argv"] for c in json.loads(run_emulator_cli(["calls"], env=env).stdout)]


async def test_login_resumes_after_sigkill(tmp_path: Path, world_env: dict[str, str]) -> None:
    db, thread = str(tmp_path / "threads.sqlite"), "crash-1"

    first = await start_child(
        world_env, db, thread, "--request", REQUEST, "--resume", SITE_REPLY, "--hold"
    )
    try:
        assert_site_question((await read_json_line(first))["interrupt"])
        challenge = (await read_json_line(first))["interrupt"]
        assert_authorization_question(challenge)
        assert first.returncode is None, "the first process is still waiting for its user"
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        await first.wait()
    assert first.returncode == -signal.SIGKILL

    with sqlite_checkpointer(db) as saver:
        pending = build_graph(checkpointer=saver).get_state({"configurable": {"thread_id": thread}})
    assert [i.value for i in pending.interrupts] == [challenge]

    run_emulator_cli(["world", "approve", "--scopes", ",".join(SCOPES)], env=world_env)

    second = await start_child(world_env, db, thread, "--resume", "done")
    final = (await read_json_line(second))["final"]
    assert await asyncio.wait_for(second.wait(), LINE_TIMEOUT) == 0

    assert_final_state(final, challenge)
    assert_fresh_login_calls(recorded_argvs(world_env))
