"""What reading a message costs: linear in its length up to the limit, and a reply past it.

The rules (:mod:`okx_auth_graph.reading.rules`) read a request, a reply and a site choice in
time linear in the text's length up to :data:`~okx_auth_graph.reading.rules.READ_LIMIT`
characters (docs/spec.md D21). Each shape below is read at a tenth of the limit and at the limit;
the figure is the CPU time of the reading (``time.process_time``, best of a few runs, so other
load on a shared machine counts as little as it can), and the ratio of the two. A message past the
limit goes through the whole graph: it is answered without an okx call.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph import OkxCli, build_graph
from okx_auth_graph.reading.rules import READ_LIMIT, parse_site_choice, read_reply, read_request
from okx_auth_graph.testing import OkxEmulator

SHAPES: dict[str, str] = {
    "repeated_phrase": "okx login ",
    "mixed_phrases": (
        "don't log me out, remove the okx-auth binary? how long does the session last "
        "am i logged in 不要退出登录 余额 price grid earn 2 done? cancel "
    ),
    "chinese": "帮我看看余额然后退出登录不要取消好了吗",
}
"""Texts repeated up to the size read (``distinct_words`` is generated: no two runs alike)."""

READERS: dict[str, Callable[[str], object]] = {
    "request": read_request,
    "reply": lambda text: read_reply("await_authorization", text),
    "yes/no": lambda text: read_reply("confirm_retry", text),
    "site": parse_site_choice,
}
SMALL = READ_LIMIT // 10
OVER_LIMIT = 1 << 20
TARGET_MS = 100.0
TARGET_RATIO = 12.0
TARGET_OVER_LIMIT_S = 1.0


def _words(size: int, rng: random.Random) -> str:
    """Random lower-case words, ``size`` characters: every word new, so no cache helps."""
    words: list[str] = []
    total = 0
    while total < size:
        word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
        words.append(word)
        total += len(word) + 1
    return " ".join(words)[:size]


def _text(shape: str, size: int, rng: random.Random) -> str:
    """A text of ``shape``, ``size`` characters, that starts with a number of its own.

    No two texts are alike, so no cache of an earlier reading helps.
    """
    if shape == "distinct_words":
        return _words(size, rng)
    unit = SHAPES[shape]
    return (f"{rng.randrange(10**9)} " + unit * (size // len(unit) + 1))[:size]


def _cpu_ms(read: Callable[[str], object], shape: str, size: int, runs: int) -> float:
    """The best CPU time of ``runs`` readings of a ``size``-character text of ``shape``."""
    rng = random.Random(size)  # noqa: S311 - benchmark text, not a secret
    best = float("inf")
    for _ in range(runs):
        text = _text(shape, size, rng)
        start = time.process_time()
        read(text)
        best = min(best, time.process_time() - start)
    return best * 1000


def reading_costs(runs: int) -> dict[str, dict[str, dict[str, float]]]:
    """Per shape and reader: CPU ms at a tenth of the limit and at the limit, and their ratio."""
    figures: dict[str, dict[str, dict[str, float]]] = {}
    for shape in [*SHAPES, "distinct_words"]:
        figures[shape] = {}
        for name, read in READERS.items():
            small = _cpu_ms(read, shape, SMALL, runs)
            large = _cpu_ms(read, shape, READ_LIMIT, runs)
            figures[shape][name] = {
                "small_ms": small,
                "limit_ms": large,
                "ratio": large / max(small, 1e-6),
            }
    return figures


async def over_limit(root: Path) -> dict[str, Any]:
    """A 1 MiB request through the whole graph (a fresh world): wall time, okx calls, reply."""
    emulator = OkxEmulator(root / "over-limit")
    emulator.init_world()
    graph: Any = build_graph(cli=OkxCli(runner=emulator), checkpointer=InMemorySaver())
    text = _text("repeated_phrase", OVER_LIMIT, random.Random(0))  # noqa: S311
    config = {"configurable": {"thread_id": str(uuid.uuid4())}}
    start = time.perf_counter()
    result = await graph.ainvoke({"messages": [HumanMessage(text)]}, config)
    seconds = time.perf_counter() - start
    replies = [m.text for m in result["messages"] if isinstance(m, AIMessage)]
    return {
        "chars": len(text),
        "seconds": seconds,
        "okx_calls": len(emulator.calls()),
        "outcome": result.get("outcome"),
        "reply": replies[-1] if replies else "",
    }


def within_targets(costs: dict[str, dict[str, dict[str, float]]]) -> bool:
    """Whether every reading is under the time target and the ratio target."""
    return all(
        entry["limit_ms"] < TARGET_MS and entry["ratio"] <= TARGET_RATIO
        for readers in costs.values()
        for entry in readers.values()
    )
