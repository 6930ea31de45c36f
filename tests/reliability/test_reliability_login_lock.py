"""One login at a time per okx home: concurrent conversations make one ``okx auth login``.

Two conversations on the same okx home (the same emulator world) reach the login node at the
same moment — as two asyncio tasks, as two OS threads with their own event loops, and as two
processes. Exactly one ``okx auth login`` is made; the other conversation takes the pending
branch (it waits for the user's signal) and both end logged in after one approval.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock
from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph import Context, OkxCli, build_graph
from okx_auth_graph.core.login_lock import LOCK_NAME
from okx_auth_graph.testing import OkxEmulator
from tests.conversation import converse_on

LOGIN = ["auth", "login", "--manual", "--site", "eea"]


def _logins(emulator: OkxEmulator) -> list[list[str]]:
    return [c["argv"] for c in emulator.calls() if c["argv"][:2] == ["auth", "login"]]


def _check_one_login(emulator: OkxEmulator, questions: list[dict[str, Any]]) -> None:
    assert _logins(emulator) == [LOGIN]
    assert [q["type"] for q in questions] == ["await_authorization"] * 2
    with_code = [q for q in questions if q.get("userCode")]
    assert len(with_code) == 1, questions
    waiting = next(q for q in questions if not q.get("userCode"))
    assert "already in progress" in waiting["message"]


async def test_two_tasks_one_login(tmp_path: Path) -> None:
    emulator = OkxEmulator(tmp_path / "world", latency=0.05)
    emulator.init_world()
    chats = [converse_on(emulator), converse_on(emulator)]
    for chat in chats:
        assert (await chat.start("log in to okx")).interrupt["type"] == "choose_site"
    results = await asyncio.gather(*(chat.reply("2") for chat in chats))
    _check_one_login(emulator, [r.interrupt for r in results])
    emulator.approve()
    finals = await asyncio.gather(*(chat.reply("done") for chat in chats))
    assert [f.outcome for f in finals] == ["logged_in", "logged_in"]
    assert len(_logins(emulator)) == 1


def test_two_os_threads_one_login(tmp_path: Path) -> None:
    emulator = OkxEmulator(tmp_path / "world", latency=0.05)
    emulator.init_world()
    barrier = threading.Barrier(2)
    questions: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def converse() -> None:
        async def run() -> None:
            chat = converse_on(OkxEmulator(tmp_path / "world"))
            await chat.start("log in to okx")
            await asyncio.to_thread(barrier.wait, 10)
            question = (await chat.reply("2")).interrupt
            assert question is not None
            questions.append(question)

        try:
            asyncio.run(run())
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=converse) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    _check_one_login(emulator, questions)


WORKER = textwrap.dedent(
    """
    import asyncio, json, sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    from tests.conversation import converse_on
    from okx_auth_graph.testing import OkxEmulator

    async def main():
        world, go = Path(sys.argv[1]), Path(sys.argv[2])
        chat = converse_on(OkxEmulator(world))
        await chat.start("log in to okx")
        (world.parent / f"ready-{sys.argv[4]}").touch()
        deadline = time.monotonic() + 60
        while not go.exists() and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        print(json.dumps((await chat.reply("2")).interrupt))

    asyncio.run(main())
    """
)


def test_two_processes_one_login(tmp_path: Path) -> None:
    world = tmp_path / "world"
    OkxEmulator(world, latency=0.05).init_world()
    go = tmp_path / "go"
    here = str(Path(__file__).parent)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(world), str(go), here, str(i)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{i}").exists() for i in range(2)):
        assert time.monotonic() < deadline, "workers did not start"
        assert all(w.poll() is None for w in workers), [w.communicate() for w in workers]
        time.sleep(0.01)
    go.touch()
    outputs = [w.communicate(timeout=60) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    questions = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    _check_one_login(OkxEmulator(world), questions)


async def test_lock_held_elsewhere_takes_the_pending_branch(tmp_path: Path) -> None:
    """While another login holds the lock past the timeout, the node makes no login call."""
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    graph = build_graph(
        cli=OkxCli(runner=emulator, timeout=0.5),
        checkpointer=InMemorySaver(),
    )
    chat = converse_on(emulator, graph=graph)
    await chat.start("log in")
    lock = FileLock(str(emulator.state_dir / LOCK_NAME))
    with lock.acquire(timeout=5):
        question = (await chat.reply("1")).interrupt
    assert question["type"] == "await_authorization"
    assert "already in progress" in question["message"]
    assert _logins(emulator) == []
    assert not lock.is_locked


@pytest.mark.parametrize("first_outcome", ["approve", "deny"])
async def test_the_lock_is_not_held_across_the_interrupt(tmp_path: Path, first_outcome: str):
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    chat = converse_on(emulator)
    await chat.start("log in")
    await chat.reply("3")
    lock = FileLock(str(emulator.state_dir / LOCK_NAME))
    lock.acquire(timeout=0.1)
    lock.release()
    getattr(emulator, first_outcome)()
    result = await chat.reply("done")
    expected = "logged_in" if first_outcome == "approve" else None
    assert result.outcome == expected


async def test_two_interactive_logins_one_call(tmp_path: Path) -> None:
    """The blocking login holds the lock while it polls; the other conversation then sees it done."""
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(login_cap=3)
    chats = [converse_on(emulator, context=Context(interactive_login=True)) for _ in range(2)]
    for chat in chats:
        await chat.start("log in to okx")

    async def approve_when_pending() -> None:
        for _ in range(400):
            if emulator.world().get("auth") == "pending":
                emulator.approve()
                return
            await asyncio.sleep(0.025)
        raise AssertionError("no login became pending")

    *results, _ = await asyncio.gather(
        chats[0].reply("2"), chats[1].reply("2"), approve_when_pending()
    )
    assert _logins(emulator) == [["auth", "login", "--site", "eea"]]
    assert [r.outcome for r in results] == ["logged_in", "logged_in"]
    assert _logins(emulator) == [["auth", "login", "--site", "eea"]]


def test_okx_env_home_and_okx_home_share_one_lock(tmp_path: Path, monkeypatch: Any) -> None:
    """Two contexts naming one okx home two ways make one login and one device code.

    okx runs as a real subprocess (the emulator's shim), so the lock folder comes from each
    context's settings, not from a runner's declared world. This process's own ``HOME`` is
    another folder: a lock taken there would not be shared.
    """
    monkeypatch.setenv("HOME", str(tmp_path / "process-home"))
    state, okx_home = tmp_path / "state", tmp_path / "okx-home"
    okx_home.mkdir()
    subprocess.run(
        [sys.executable, "-m", "okx_auth_graph.testing", "--state", str(state), "shim",
         str(tmp_path / "bin")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    emulator = OkxEmulator(state, latency=0.05)
    emulator.init_world()
    shim, world_env = str(tmp_path / "bin" / "okx"), {"OKX_EMULATOR_STATE": str(state)}
    contexts = [
        Context(okx_executable=shim, okx_env={**world_env, "HOME": str(okx_home)}, timeout=60),
        Context(okx_executable=shim, okx_home=str(okx_home), okx_env=world_env, timeout=60),
    ]
    graph = build_graph(checkpointer=InMemorySaver())

    async def converse() -> list[dict[str, Any]]:
        chats = [converse_on(emulator, graph=graph, context=context) for context in contexts]
        for chat in chats:
            assert (await chat.start("log in to okx")).interrupt["type"] == "choose_site"
        results = await asyncio.gather(*(chat.reply("2") for chat in chats))
        return [r.interrupt or {} for r in results]

    _check_one_login(emulator, asyncio.run(converse()))
    assert (okx_home / ".okx" / LOCK_NAME).exists()
    assert not (tmp_path / "process-home" / ".okx").exists()


async def test_a_clock_stepped_back_does_not_hide_another_login(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """Another conversation logs in after this one's pre-flight, with the clock an hour back.

    The login count moved, so this conversation re-reads ``auth status`` and takes the
    pending branch instead of a second login (a wall-clock marker looked older than the
    pre-flight and was ignored).
    """
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    first, second = converse_on(emulator), converse_on(emulator)
    assert (await first.start("log in to okx")).interrupt["type"] == "choose_site"
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 3600)  # NTP steps the clock back
    await second.start("log in to okx")
    assert (await second.reply("2")).interrupt["userCode"]
    question = (await first.reply("2")).interrupt
    assert question["type"] == "await_authorization"
    assert "already in progress" in question["message"]
    assert _logins(emulator) == [LOGIN]


async def test_a_fresh_login_reads_auth_status_once(tmp_path: Path) -> None:
    """Nothing moved the login count since the pre-flight: no extra ``auth status``."""
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    chat = converse_on(emulator)
    await chat.start("log in to okx")
    await chat.reply("2")
    assert chat.argvs()[2:] == [LOGIN]
    emulator.approve()
    assert (await chat.reply("done")).outcome == "logged_in"
    assert len(chat.argvs()) == 4


async def test_a_retry_after_a_failed_login_reads_auth_status_again(tmp_path: Path) -> None:
    """A failed login may have left okx half-way: its retry re-reads ``auth status`` first."""
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    chat = converse_on(emulator)
    await chat.start("log in to okx")
    emulator.set("network", "down")
    assert (await chat.reply("2")).interrupt["type"] == "confirm_retry"
    emulator.set("network", "up")
    assert (await chat.reply("yes")).interrupt["type"] == "choose_site"
    assert (await chat.reply("2")).interrupt["userCode"]
    assert chat.argvs()[2:] == [LOGIN, ["auth", "status", "--json"], LOGIN]


async def test_the_login_count_is_read_before_the_preflight_reads_auth_status(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """A count read after ``auth status`` could miss a login that ended in between.

    The read is made slow (as a busy thread pool makes it); it must still be done before
    the pre-flight's ``auth status`` starts.
    """
    from okx_auth_graph.core import login_lock
    from okx_auth_graph.graph import preflight

    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    read_at: list[float] = []

    def slow_read(folder: Path) -> int | None:
        time.sleep(0.2)
        read_at.append(time.time())
        return login_lock.read_login_count(folder)

    monkeypatch.setattr(preflight, "read_login_count", slow_read)
    await converse_on(emulator).start("log in to okx")
    status_started = [c["started"] for c in emulator.calls() if c["argv"][:2] == ["auth", "status"]]
    assert len(read_at) == 1
    assert len(status_started) == 1
    assert read_at[0] < status_started[0]
