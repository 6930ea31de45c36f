"""A server under load: many users' threads at once through ``langgraph dev`` and langgraph-sdk.

The server runs the project's ``langgraph.json`` with the emulator as ``okx`` (the shim, one
``okx`` process per call, as a deployment pays). A served graph takes its okx home and
environment from the operator alone (docs/security.md), so every thread shares the server's
one okx home and emulator world, as a deployment's users do. First one user logs in (request,
site menu, approval in the emulated browser, completion signal); then every user, each on a
thread of its own, asks at once for the login status and then for a market price.

Reported: users, errors (a run that failed or did not ask / end as expected), the login
completed, the world's ``auth login`` calls (exactly one), p50 / p95 turn latency of the
concurrent turns (``runs.wait`` plus the state read) and turns per second.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

ASSISTANT = "okx_auth"
PROJECT = Path(__file__).resolve().parents[1]
LOGIN: list[tuple[dict[str, Any], str | None, str | None]] = [
    ({"input": {"messages": [{"type": "human", "content": "log in to okx"}]}}, "choose_site", None),
    ({"command": {"resume": "1"}}, "await_authorization", None),
    ({"command": {"resume": "done"}}, None, "logged_in"),
]
"""The login's turns: what is sent, the question then pending, the outcome it ends with."""
QUESTIONS: list[tuple[dict[str, Any], str | None, str | None]] = [
    (
        {"input": {"messages": [{"type": "human", "content": "what is my okx login status?"}]}},
        None,
        "status_reported",
    ),
    (
        {"input": {"messages": [{"type": "human", "content": "what is the BTC-USDT price?"}]}},
        None,
        "no_auth_needed",
    ),
]
"""Every user's turns once logged in."""


def _pending(state: dict[str, Any]) -> str | None:
    """The type of the question a thread state waits on, if any."""
    found = state.get("interrupts") or [
        i for task in state.get("tasks") or [] for i in task.get("interrupts") or []
    ]
    for item in found:
        value = item.get("value") if isinstance(item, dict) else None
        if isinstance(value, dict):
            return str(value.get("type"))
    return None


async def _conversation(
    client: Any,
    turns: list[tuple[dict[str, Any], str | None, str | None]],
    before_last: Any = None,
) -> dict[str, Any]:
    """Drive ``turns`` on a new thread; the record of latencies and the first error."""
    record: dict[str, Any] = {"latencies": [], "error": None}
    try:
        thread = (await client.threads.create())["thread_id"]
        for turn, (payload, asked, outcome) in enumerate(turns):
            if before_last is not None and turn == len(turns) - 1:
                await asyncio.to_thread(before_last)
            start = time.perf_counter()
            await client.runs.wait(thread, ASSISTANT, **payload)
            state = await client.threads.get_state(thread)
            record["latencies"].append(time.perf_counter() - start)
            found = (_pending(state), (state.get("values") or {}).get("outcome"))
            if found[0] != asked or (outcome is not None and found[1] != outcome):
                record["error"] = f"turn {turn}: expected {(asked, outcome)}, got {found}"
                return record
    except Exception as exc:
        record["error"] = f"{type(exc).__name__}: {exc}"[:300]
    return record


async def server_bench(root: Path, users: int) -> dict[str, Any]:
    """Start ``langgraph dev``, log one user in, then drive ``users`` threads at once."""
    from langgraph_sdk import get_client

    from okx_auth_graph.testing import OkxEmulator
    from tests.rigs.servers import langgraph_dev_server

    with langgraph_dev_server(PROJECT, root / "server") as server:
        client = get_client(url=server.url)
        world = OkxEmulator(server.state_dir)
        login = await _conversation(client, LOGIN, before_last=world.approve)
        start = time.perf_counter()
        records = await asyncio.gather(*(_conversation(client, QUESTIONS) for _ in range(users)))
        wall = time.perf_counter() - start
        logins = sum(1 for c in world.calls() if list(c["argv"][:2]) == ["auth", "login"])
    latencies = sorted(t for r in records for t in r["latencies"])
    errors = [r["error"] for r in [login, *records] if r["error"]]
    return {
        "users": users,
        "errors": len(errors),
        "first_errors": errors[:3],
        "login_completed": login["error"] is None,
        "auth_login_calls": logins,
        "turns": len(latencies),
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan"),
        "turns_per_s": len(latencies) / wall,
    }
