"""A server under load: many users logging in at once through ``langgraph dev`` and langgraph-sdk.

The server runs the project's ``langgraph.json`` with the emulator as ``okx`` (the shim, one
``okx`` process per call, as a deployment pays). Every user has its own okx home and emulator
world, passed in the run's context (``okx_home``, ``okx_env={"OKX_EMULATOR_STATE": ...}``), so
logins never share a login lock. Each user creates a thread, asks to log in, answers the site
menu, approves in the (emulated) browser and sends the completion signal.

Reported: users, errors (a run that failed or did not ask / end as expected), logins completed,
worlds without exactly one ``auth login`` call, p50 / p95 turn latency (``runs.wait`` plus the
state read) and logins per second.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

ASSISTANT = "okx_auth"
PROJECT = Path(__file__).resolve().parents[1]


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


async def _user(client: Any, index: int, root: Path) -> dict[str, Any]:
    from okx_auth_graph.testing import OkxEmulator

    home, world = root / f"home-{index}", root / f"world-{index}"
    home.mkdir(parents=True)
    emulator = OkxEmulator(world)
    await asyncio.to_thread(emulator.init_world)
    context = {"okx_home": str(home), "okx_env": {"OKX_EMULATOR_STATE": str(world)}}
    record: dict[str, Any] = {"latencies": [], "error": None, "done": False, "world": emulator}
    try:
        thread = (await client.threads.create())["thread_id"]
        steps: list[tuple[dict[str, Any], str | None]] = [
            (
                {"input": {"messages": [{"type": "human", "content": "log in to okx"}]}},
                "choose_site",
            ),
            ({"command": {"resume": "1"}}, "await_authorization"),
            ({"command": {"resume": "done"}}, None),
        ]
        for turn, (payload, expected) in enumerate(steps):
            if turn == 2:
                await asyncio.to_thread(emulator.approve)
            start = time.perf_counter()
            await client.runs.wait(thread, ASSISTANT, context=context, **payload)
            state = await client.threads.get_state(thread)
            record["latencies"].append(time.perf_counter() - start)
            asked = _pending(state)
            if asked != expected:
                record["error"] = f"turn {turn}: expected {expected}, got {asked}"
                return record
        outcome = (state.get("values") or {}).get("outcome")
        record["done"] = outcome == "logged_in"
        if not record["done"]:
            record["error"] = f"ended {outcome!r}"
    except Exception as exc:
        record["error"] = f"{type(exc).__name__}: {exc}"[:300]
    return record


async def server_bench(root: Path, users: int) -> dict[str, Any]:
    """Start ``langgraph dev`` and drive ``users`` logins at once; return the figures."""
    from langgraph_sdk import get_client

    from tests.rigs.servers import langgraph_dev_server

    with langgraph_dev_server(PROJECT, root / "server") as server:
        client = get_client(url=server.url)
        start = time.perf_counter()
        records = await asyncio.gather(*(_user(client, i, root / "users") for i in range(users)))
        wall = time.perf_counter() - start
    latencies = sorted(t for r in records for t in r["latencies"])
    logins_per_world = [
        sum(1 for c in r["world"].calls() if list(c["argv"][:2]) == ["auth", "login"])
        for r in records
    ]
    errors = [r["error"] for r in records if r["error"]]
    return {
        "users": users,
        "errors": len(errors),
        "first_errors": errors[:3],
        "logins_completed": sum(1 for r in records if r["done"]),
        "worlds_without_exactly_one_auth_login": sum(1 for n in logins_per_world if n != 1),
        "turns": len(latencies),
        "p50_ms": 1000 * statistics.median(latencies) if latencies else None,
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else None,
        "logins_per_s": users / wall,
    }
