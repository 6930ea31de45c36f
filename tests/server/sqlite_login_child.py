"""A separate process that runs the auth graph on a SQLite file (the crash-resume test's child).

    python sqlite_login_child.py DB THREAD [--request TEXT] [--resume REPLY ...] [--hold]

It starts the thread with ``--request`` (if given), then answers the pending interrupts with each
``--resume`` reply in turn, always with ``durability="sync"``. After every run it prints one JSON
line: ``{"interrupt": <payload>}`` or ``{"final": <outcome, site, language, route, messages>}``.
With ``--hold`` it then waits, database open, like a chat waiting for its user, until it is killed
(at most ``HOLD_SECONDS``). ``okx`` is whatever ``okx`` is on ``PATH`` (the emulator's shim).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage
from langgraph.types import Command

from okx_auth_graph import Context, build_graph
from okx_auth_graph.persistence import INTERRUPT_DURABILITY, async_sqlite_checkpointer

HOLD_SECONDS = 300.0


def as_json(message: Any) -> dict[str, Any]:
    if isinstance(message, BaseMessage):
        return {"type": message.type, "content": message.content}
    return {"type": message["type"], "content": message["content"]}


async def run(args: argparse.Namespace) -> None:
    config: Any = {"configurable": {"thread_id": args.thread}}
    async with async_sqlite_checkpointer(args.db) as saver:
        graph = build_graph(checkpointer=saver)
        inputs: list[Any] = [{"messages": [HumanMessage(args.request)]}] if args.request else []
        inputs += [Command(resume=reply) for reply in args.resume]
        for graph_input in inputs:
            await graph.ainvoke(
                graph_input, config, context=Context(), durability=INTERRUPT_DURABILITY
            )
            snapshot = await graph.aget_state(config)
            if snapshot.interrupts:
                line: dict[str, Any] = {"interrupt": snapshot.interrupts[0].value}
            else:
                values = snapshot.values
                line = {
                    "final": {
                        key: values.get(key) for key in ("outcome", "site", "language", "route")
                    }
                    | {"messages": [as_json(m) for m in values["messages"]]}
                }
            print(json.dumps(line), flush=True)
        if args.hold:
            await asyncio.sleep(HOLD_SECONDS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("thread")
    parser.add_argument("--request")
    parser.add_argument("--resume", action="append", default=[])
    parser.add_argument("--hold", action="store_true")
    asyncio.run(run(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
