"""Write the SQLite checkpoints of threads paused at an interrupt, as a release left them.

    .venv/bin/python -m tests.compat.make_paused_threads [DB]

Run on release 0.1.0 (main at 675f419, before issue 20's refactor) to make
``tests/compat/fixtures/paused_threads_0.1.0.sqlite``; the test beside it resumes those threads
with the code of today, so a refactor that renames a node or changes an interrupt's type is seen
before it strands a user's paused thread. Do not regenerate it on newer code: its point is that
it was written by the older release.

Threads (okx = the in-process emulator, a fresh world; the checkpointer is the project's own
:func:`~okx_auth_graph.persistence.async_sqlite_checkpointer`, compressed, ``durability="sync"``):

* ``at-site-menu``: "log in to okx" with no config → paused at ``ask_site`` (step 0.1's menu).
* ``at-login-site-menu``: "log in to okx", "1", the user denies in the browser, "done",
  "yes" (try again) → paused at ``ask_login_site`` (the pre-login gate's menu).
* ``at-await-signal``: "log in to okx", then "1" → paused at ``await_authorization`` with the
  challenge of a pending login on ``global``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.types import Command

from okx_auth_graph import Context, OkxCli, build_graph
from okx_auth_graph.persistence import INTERRUPT_DURABILITY, async_sqlite_checkpointer
from okx_auth_graph.testing import OkxEmulator

FIXTURE = Path(__file__).parent / "fixtures" / "paused_threads_0.1.0.sqlite"

DENY = object()

THREADS: dict[str, list[Any]] = {
    "at-site-menu": ["log in to okx"],
    "at-await-signal": ["log in to okx", "1"],
    "at-login-site-menu": ["log in to okx", "1", DENY, "done", "yes"],
}
"""Each thread's inputs: the request, then the replies to its interrupts in turn (``DENY``: the
user denies the code in the browser, no input)."""

EXPECTED_PAUSE = {
    "at-site-menu": "ask_site",
    "at-await-signal": "await_authorization",
    "at-login-site-menu": "ask_login_site",
}
"""The node each thread is paused in."""


async def write(db: Path, world: Path) -> None:
    """Run each thread on a fresh emulator world until it pauses where it should."""
    async with async_sqlite_checkpointer(db, keep_entries=None) as saver:
        for thread, inputs in THREADS.items():
            emulator = OkxEmulator(world / thread)
            emulator.init_world()
            graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=saver)
            config: Any = {"configurable": {"thread_id": thread}}
            request, *replies = inputs
            payloads: list[Any] = [{"messages": [HumanMessage(request)]}]
            payloads += [reply if reply is DENY else Command(resume=reply) for reply in replies]
            for payload in payloads:
                if payload is DENY:
                    emulator.deny()
                    continue
                await graph.ainvoke(
                    payload, config, context=Context(), durability=INTERRUPT_DURABILITY
                )
            snapshot = await graph.aget_state(config)
            paused = [task.name for task in snapshot.tasks if task.interrupts]
            if paused != [EXPECTED_PAUSE[thread]]:
                raise SystemExit(f"{thread}: paused at {paused}, not {EXPECTED_PAUSE[thread]}")


def main() -> int:
    db = Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURE
    db.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as world:
        asyncio.run(write(db, Path(world)))
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    print(f"wrote {db} ({db.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
