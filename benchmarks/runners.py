"""Runner wrappers for the benchmarks: timed calls, one world per flow, an instant fake okx.

Every okx call of a benchmark goes through one of these: :class:`TimedRunner` adds a fixed
latency and records each call's interval (so okx time and graph time are measured apart),
:class:`ContextRunner` sends each flow's calls to that flow's own world, and :class:`InstantOkx`
answers a fresh login's four calls from memory (the framework's own cost, no emulator I/O).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okx_auth_graph.okx.process import OkxRunner, RawResult

ACTIVE_RUNNER: ContextVar[OkxRunner] = ContextVar("okx_auth_graph_bench_runner")


@dataclass
class CallRecord:
    """One okx call as :class:`TimedRunner` saw it (``time.perf_counter`` seconds)."""

    argv: list[str]
    start: float
    end: float


@dataclass
class TimedRunner:
    """A runner that adds a fixed latency per command and records every call's interval.

    Attributes:
        inner: The runner that answers (the emulator).
        latency: Seconds added before each call, or a function of the argv giving them.
        calls: Every call, in start order.
    """

    inner: OkxRunner
    latency: float | Callable[[Sequence[str]], float] = 0.0
    calls: list[CallRecord] = field(default_factory=list)

    async def __call__(
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> RawResult:
        """Sleep the latency, run ``inner`` and record the interval."""
        start = time.perf_counter()
        delay = self.latency(argv) if callable(self.latency) else self.latency
        if delay:
            await asyncio.sleep(delay)
        try:
            return await self.inner(argv, timeout=timeout, stdin=stdin)
        finally:
            self.calls.append(CallRecord(list(argv), start, time.perf_counter()))

    def busy_time(self, start: float, end: float) -> float:
        """Seconds within ``[start, end]`` during which at least one okx call was running."""
        spans = sorted((max(c.start, start), min(c.end, end)) for c in self.calls)
        total, cursor = 0.0, start
        for lo, hi in spans:
            lo = max(lo, cursor)
            if hi > lo:
                total += hi - lo
                cursor = hi
        return total


class ContextRunner:
    """A runner that delegates to the runner set for the current task (one world per flow).

    ``state_dir`` is the current world's directory, so the login node's per-home file lock is
    per world here too.
    """

    @property
    def state_dir(self) -> Path:
        """The world directory of the current flow's emulator."""
        state_dir: Path = getattr(ACTIVE_RUNNER.get(), "state_dir")  # noqa: B009
        return state_dir

    async def __call__(
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> RawResult:
        """Run ``argv`` on the current flow's runner."""
        return await ACTIVE_RUNNER.get()(argv, timeout=timeout, stdin=stdin)


class InstantOkx:
    """A fake okx that answers at once from memory: a fresh login's four calls, nothing else.

    It measures the framework's own cost with no emulator I/O at all; ``approve`` plays the
    browser approval. ``state_dir`` is where the login node keeps its per-home lock.
    """

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.status = "not_logged_in"
        self.site = "global"

    def approve(self) -> None:
        """The user approves the pending device code."""
        self.status = "logged_in"

    async def __call__(
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> RawResult:
        """Answer ``config show``, ``auth status`` and ``auth login --manual`` at once."""
        args = tuple(str(a) for a in argv)
        out: dict[str, Any]
        if args[:2] == ("config", "show"):
            out = {"profiles": {}}
        elif args[:2] == ("auth", "status"):
            out = {"status": self.status, "site": self.site, "scopes": ["live:read"]}
        elif args[:2] == ("auth", "login"):
            self.status, self.site = "pending", args[-1]
            out = {
                "verificationUri": "https://www.okx.com/d",
                "userCode": "AB-CD",
                "expiresIn": 600,
            }
        else:
            return RawResult(args, 1, b"", b"Unknown command")
        return RawResult(args, 0, json.dumps(out).encode(), b"")
