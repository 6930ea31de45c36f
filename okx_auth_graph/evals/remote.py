"""Running scenarios against a LangGraph server through langgraph-sdk (``eval --url``).

The server's ``okx`` must be the emulator with its world in a directory shared with this
runner (the server's ``OKX_EMULATOR_STATE``): the runner resets that world for each scenario,
plays the browser and the clock on it, and reads its call log. Scenarios run one at a time,
each on a new thread: ``client.runs.wait(thread_id, assistant, input=…)`` for an entry,
``command={"resume": …}`` for a reply, and ``client.threads.get_state`` for the messages,
values and the pending interrupt.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from okx_auth_graph.evals.runner import (
    RECURSION_LIMIT,
    EmulatorWorld,
    ScenarioResult,
    Turn,
    drive,
    interrupt_record,
    message_record,
    plain,
)
from okx_auth_graph.evals.scenario import Invocation, Scenario
from okx_auth_graph.extras import extra_needed

with extra_needed("evals", "the remote evaluation runner"):
    from langgraph_sdk import get_client

HISTORY_LIMIT = 1000
DEFAULT_LATENCY = 0.2


class RemoteSession:
    """One thread on a LangGraph server.

    Args:
        client: A ``langgraph_sdk`` async client.
        assistant_id: The graph id (``okx_auth`` in ``langgraph.json``).
        thread_id: The thread of this conversation.
    """

    def __init__(
        self,
        client: Any,
        assistant_id: str,
        thread_id: str,
        context: dict[str, Any] | None = None,
    ) -> None:
        self.client = client
        self.assistant_id = assistant_id
        self.thread_id = thread_id
        self.context = context or None

    async def send(self, invocation: Invocation | None, resume: str | None) -> Turn:
        """One run to completion (an entry or a resume), then read the thread's state."""
        if invocation is not None:
            body = {
                "messages": [{"type": "human", "content": invocation.request}],
                **invocation.graph_input(),
            }
            await self.client.runs.wait(
                self.thread_id,
                self.assistant_id,
                input=body,
                context=self.context,
                config={"recursion_limit": RECURSION_LIMIT},
            )
        else:
            await self.client.runs.wait(
                self.thread_id,
                self.assistant_id,
                command={"resume": resume},
                context=self.context,
                config={"recursion_limit": RECURSION_LIMIT},
            )
        state = await self.client.threads.get_state(self.thread_id)
        values = dict(state.get("values") or {})
        raw = values.pop("messages", [])
        values.pop("entry_starts", None)  # message ids: the window's bookkeeping
        messages = [message_record(m) for m in raw]
        pending = _interrupts(state)
        return Turn(
            messages=messages,
            message_ids=[str(m.get("id")) if isinstance(m, dict) else "" for m in raw],
            interrupt=interrupt_record(pending[0]) if pending else None,
            values=plain(values),
        )

    async def history(self) -> list[Any]:
        """Every checkpoint of the thread (values and interrupts), plain JSON."""
        states = await self.client.threads.get_history(self.thread_id, limit=HISTORY_LIMIT)
        return [
            {"values": plain(s.get("values") or {}), "interrupts": plain(_interrupts(s))}
            for s in states
        ]


def _interrupts(state: dict[str, Any]) -> list[Any]:
    """The pending interrupts' values of a thread state (top level, else per task)."""
    found = state.get("interrupts")
    if not found:
        found = [i for task in state.get("tasks") or [] for i in task.get("interrupts") or []]
    return [i.get("value") if isinstance(i, dict) and "value" in i else i for i in found]


class RemoteRunner:
    """Runs scenarios on a LangGraph server, one at a time, the world reset between them.

    Args:
        url: The server's URL (e.g. ``http://127.0.0.1:2024``).
        state_dir: The server's emulator world directory (its ``OKX_EMULATOR_STATE``).
        assistant_id: The graph id on the server.
        client: A ready ``langgraph_sdk`` client (default: ``get_client(url=url)``).
        latency: Seconds each of the server's okx calls takes in the world. The emulator
            stamps a call from its start inside the okx process, so without some latency two
            calls the server starts together need not overlap on the stamps; real okx calls
            take about 0.17 s.
    """

    def __init__(
        self,
        url: str,
        state_dir: Path,
        *,
        assistant_id: str = "okx_auth",
        client: Any = None,
        latency: float = DEFAULT_LATENCY,
    ) -> None:
        from okx_auth_graph.testing import OkxEmulator

        self.url = url
        self.assistant_id = assistant_id
        self.client = client if client is not None else get_client(url=url)
        self.world = EmulatorWorld(OkxEmulator(state_dir), latency=latency)

    async def run(self, scenario: Scenario) -> ScenarioResult:
        """Run one scenario on a new thread."""
        try:
            thread = await self.client.threads.create()
        except Exception as exc:
            result = ScenarioResult(scenario.id, scenario.source, scenario.description)
            result.failures.append(f"{scenario.id}: server: cannot create a thread: {exc}")
            return result
        context = scenario.context.model_dump(exclude_defaults=True)
        session = RemoteSession(self.client, self.assistant_id, str(thread["thread_id"]), context)
        return await drive(scenario, self.world, session, capture_logs=False)

    async def run_all(self, scenarios: Iterable[Scenario]) -> list[ScenarioResult]:
        """Run scenarios one after the other (they share the server's world)."""
        return [await self.run(s) for s in scenarios]
