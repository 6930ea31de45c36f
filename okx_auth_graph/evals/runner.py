"""Running scenarios: the emulated world, one graph session per scenario, and the checks.

:func:`drive` plays one scenario against a *world* (an :class:`EmulatorWorld` on an emulator
state directory) and a *session* (anything with :class:`GraphSession`'s ``send``/``history``):
the in-process :class:`InProcessSession` here, or the LangGraph-server session of
:mod:`okx_auth_graph.evals.remote`. It records a :class:`~.trajectory.Trajectory`, checks every
``expect`` and the ``cli_calls``, and runs every invariant.

The *reply* an ``expect`` sees is the text of every assistant message added to ``messages``
since the previous invocation, plus the pending question's message when the graph has not yet
added it, each text once, joined by a blank line. The graph writes a question into
``messages`` when it is answered, so the resumed question's own text (already shown by the
previous step) is not part of the next reply.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from langchain_core.messages import BaseMessage
from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph.evals.conversation import Conversation
from okx_auth_graph.evals.invariants import INVARIANTS, Violation, check_all
from okx_auth_graph.evals.scenario import (
    BrowserEvent,
    CliCalls,
    Expect,
    Invocation,
    OkxWorld,
    Scenario,
    Step,
    WorldChange,
    config_secrets,
    config_toml,
)
from okx_auth_graph.evals.trajectory import (
    Entry,
    EntryState,
    InterruptRecord,
    Message,
    OkxCall,
    Trajectory,
    WorldSnapshot,
)

AUTH_STATUS_PROFILE = "oauth"
"""The ``profile`` field the emulator's ``auth status --json`` prints."""

INVOCATION_TIMEOUT = 120.0
"""Seconds one invocation may take before the scenario fails."""

RECURSION_LIMIT = 150
"""Supersteps allowed per invocation: a graph that loops fails the scenario instead of hanging."""

_PREFLIGHT = {("config", "show", "--json"), ("auth", "status", "--json")}
_REPLY_SHOWN = 400


@dataclass
class Turn:
    """The graph's state after one invocation.

    Attributes:
        messages: The thread's ``messages``: the current entry and the earlier entries the
            message window keeps (see :mod:`okx_auth_graph.reading.window`).
        interrupt: The pending question, if any.
        values: The other state values (route, outcome, site, language, …), plain JSON.
        message_ids: The id of each of ``messages`` (empty when unknown).
    """

    messages: list[Message]
    interrupt: InterruptRecord | None
    values: dict[str, Any]
    message_ids: list[str] = field(default_factory=list)

    def new_messages(self, seen: set[str]) -> list[Message]:
        """The messages whose id is not in ``seen`` (all of them without ids); marks them seen."""
        if len(self.message_ids) != len(self.messages):
            return list(self.messages)
        new = [m for m, i in zip(self.messages, self.message_ids, strict=True) if i not in seen]
        seen.update(self.message_ids)
        return new


class GraphSession(Protocol):
    """One conversation (thread) with the auth graph."""

    async def send(self, invocation: Invocation | None, resume: str | None) -> Turn:
        """Start an entry with ``invocation`` or answer the pending question with ``resume``."""
        ...

    async def history(self) -> list[Any]:
        """Every checkpoint of the thread as plain JSON (for the canary check)."""
        ...


class EmulatorWorld:
    """The world of one scenario, on an emulator state directory (in-process or shared).

    Args:
        emulator: An ``okx_auth_graph.testing.OkxEmulator`` on the world directory.
        latency: Seconds every okx call of the world takes, for processes that share the
            world (``None``: each emulator's own). Real okx calls take about 0.17 s.
    """

    def __init__(self, emulator: Any, *, latency: float | None = None) -> None:
        self.emulator = emulator
        self.latency = latency
        self.secrets: list[str] = []

    def reset(self, okx: OkxWorld) -> None:
        """A fresh world as the scenario's ``okx`` block says (empty call log, clock at zero)."""
        options: dict[str, Any] = {
            "auth": okx.auth.status,
            "site": okx.auth.site,
            "scopes": okx.auth.scopes,
            "binary": okx.binary,
            "install": okx.install,
            "network": okx.network,
        }
        if okx.version is not None:
            options["version"] = okx.version
        if okx.login_cap is not None:
            options["login_cap"] = okx.login_cap
        if self.latency is not None:
            options["latency"] = self.latency
        self._remove_config()
        self.emulator.init_world(okx.config_toml(), **options)
        self.secrets = okx.secrets()

    def _remove_config(self) -> None:
        try:
            path = Path(self.emulator.config_path)
        except (OSError, KeyError, ValueError):
            return
        path.unlink(missing_ok=True)

    def browser(self, event: BrowserEvent) -> None:
        """Play the user's browser (approve / deny / expire the code / nothing)."""
        if event.action == "approve":
            self.emulator.approve(scopes=event.scopes)
        elif event.action == "deny":
            self.emulator.deny()
        elif event.action == "expire":
            self.emulator.expire_code()

    def clock(self, seconds: float) -> None:
        """Let emulated time pass."""
        self.emulator.advance(seconds)

    def change(self, change: WorldChange) -> None:
        """The user edits ``~/.okx/config.toml`` and/or a world switch changes."""
        if "config" in change.model_fields_set:
            path = Path(self.emulator.config_path)
            text = config_toml(change.config)
            if text is None:
                path.unlink(missing_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            self.secrets = sorted(set(self.secrets) | set(config_secrets(change.config)))
        for key, value in change.set.items():
            self.emulator.set(key, value)
        if change.expire_session:
            self.emulator.expire_session()

    def calls(self) -> list[OkxCall]:
        """The recorded okx calls, oldest first."""
        return [
            {
                "argv": [str(a) for a in call["argv"]],
                "started": float(call["started"]),
                "ended": float(call["ended"]),
                "exit_code": call.get("exit_code"),
            }
            for call in self.emulator.calls()
        ]

    def snapshot(self) -> WorldSnapshot:
        """What ``auth status`` would say and which profiles have an API key, right now."""
        world = self.emulator.world()
        pending = world.get("pending") or {}
        profiles = (world.get("config") or {}).get("profiles") or {}
        return {
            "auth": {
                "status": world.get("auth"),
                "site": pending.get("site") or world.get("site"),
                "profile": AUTH_STATUS_PROFILE,
                "ttl": None,
                "expiresAt": None,
            },
            "api_key_profiles": sorted(n for n, p in profiles.items() if p.get("has_api_key")),
        }


def message_record(message: Any) -> Message:
    """A message (LangChain object or the server's JSON) as ``{"role", "content"}``."""
    if isinstance(message, BaseMessage):
        return {"role": message.type, "content": message.text}
    if isinstance(message, dict):
        role = str(message.get("type") or message.get("role") or "")
        role = {"user": "human", "assistant": "ai"}.get(role, role)
        content = message.get("content", "")
        if isinstance(content, list):
            content = "".join(
                str(part.get("text", "")) if isinstance(part, dict) else str(part)
                for part in content
            )
        return {"role": role, "content": str(content)}
    return {"role": "unknown", "content": str(message)}


def interrupt_record(value: Any) -> InterruptRecord:
    """A pending interrupt's value as ``{"type", "payload"}``."""
    payload = value if isinstance(value, dict) else {"message": str(value)}
    return {"type": str(payload.get("type", "")), "payload": dict(payload)}


def plain(value: Any) -> Any:
    """Any state value as plain JSON (messages become ``{"role", "content"}``)."""
    if isinstance(value, BaseMessage):
        return dict(message_record(value))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


class InProcessSession:
    """A thread of a compiled graph in this process, as a :class:`GraphSession`.

    A :class:`~okx_auth_graph.evals.conversation.Conversation` run with ``astream``
    (``stream`` in a worker thread when ``sync``); each exchange becomes a :class:`Turn`.

    Args:
        graph: A compiled auth graph with a checkpointer.
        thread_id: The thread; a fresh one per scenario.
        context: The runtime context passed to every invocation.
        history: Read the checkpoint history for the canary check.
        sync: Drive the graph with ``stream`` / ``get_state`` (in a worker thread) instead of
            ``astream`` / ``aget_state``.
    """

    def __init__(
        self,
        graph: Any,
        thread_id: str,
        context: Any = None,
        *,
        history: bool = True,
        sync: bool = False,
    ) -> None:
        self.keep_history = history
        self.conversation = Conversation(
            graph,
            context=context,
            mode="stream" if sync else "astream",
            thread_id=thread_id,
            recursion_limit=RECURSION_LIMIT,
        )

    @property
    def node_steps(self) -> list[list[list[str]]]:
        """Per invocation, the nodes that ran in each superstep, in order."""
        return [exchange.node_steps for exchange in self.conversation.exchanges]

    async def send(self, invocation: Invocation | None, resume: str | None) -> Turn:
        """Invoke the graph with a new input or a resume."""
        if invocation is not None:
            exchange = await self.conversation.start(invocation.request, **invocation.graph_input())
        else:
            exchange = await self.conversation.reply(resume)
        values = dict(exchange.state)
        raw = values.pop("messages", [])
        values.pop("entry_starts", None)  # message ids: the window's bookkeeping
        pending = exchange.interrupt
        return Turn(
            messages=[message_record(m) for m in raw],
            interrupt=interrupt_record(pending) if pending is not None else None,
            values=plain(values),
            message_ids=[str(m.id) for m in raw],
        )

    async def history(self) -> list[Any]:
        """Every checkpoint's values and pending interrupts, plain JSON."""
        if not self.keep_history:
            return []
        return [
            {
                "values": plain(snapshot.values),
                "interrupts": [plain(i.value) for i in snapshot.interrupts],
            }
            for snapshot in await self.conversation.history()
        ]


@dataclass
class ScenarioResult:
    """What running one scenario showed.

    Attributes:
        id: The scenario id.
        source: The file it came from.
        description: The scenario's description.
        failures: Expectation failures and errors, each naming the scenario and the step.
        violations: Invariant violations on the trajectory.
        okx_calls: Number of okx calls.
        turns: Number of graph invocations (inputs and resumes).
        seconds: Wall time.
        trajectory: The recorded conversation.
        node_steps: Per invocation, the nodes of each superstep (in-process runs only).
    """

    id: str
    source: str
    description: str
    failures: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    okx_calls: int = 0
    turns: int = 0
    seconds: float = 0.0
    trajectory: Trajectory = field(default_factory=Trajectory)
    node_steps: list[list[list[str]]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """No failure and no violation."""
        return not self.failures and not self.violations

    def to_dict(self, *, with_trajectory: bool = True) -> dict[str, Any]:
        """Plain-JSON form for reports."""
        data: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "description": self.description,
            "passed": self.passed,
            "failures": self.failures,
            "violations": self.violations,
            "okx_calls": self.okx_calls,
            "turns": self.turns,
            "seconds": round(self.seconds, 3),
        }
        if with_trajectory:
            trajectory = self.trajectory.to_dict()
            trajectory["secrets"] = [f"{s[:2]}…({len(s)} chars)" for s in trajectory["secrets"]]
            data["trajectory"] = trajectory
        return data


def compute_reply(
    messages: Sequence[Message], start: int, pending: InterruptRecord | None, resumed: str | None
) -> str:
    """The reply of one invocation (see the module docstring)."""
    texts = [m["content"] for m in messages[start:] if m["role"] == "ai"]
    if resumed is not None and texts and texts[0] == resumed:
        texts = texts[1:]
    if pending is not None:
        question = pending["payload"].get("message")
        if isinstance(question, str) and question not in texts:
            texts.append(question)
    unique: list[str] = []
    for text in texts:
        if text not in unique:
            unique.append(text)
    return "\n\n".join(unique)


def _is_pair(calls: Sequence[tuple[str, ...]], index: int) -> bool:
    return index + 1 < len(calls) and {calls[index], calls[index + 1]} == _PREFLIGHT


def first_difference(want: Sequence[Sequence[str]], got: Sequence[Sequence[str]]) -> int | None:
    """Where two argv sequences first differ (``None``: equal).

    A pre-flight pair matches the same two calls in either order.
    """
    expected = [tuple(a) for a in want]
    actual = [tuple(a) for a in got]
    index = 0
    while index < max(len(expected), len(actual)):
        if _is_pair(expected, index) and _is_pair(actual, index):
            index += 2
            continue
        if index >= len(expected) or index >= len(actual) or expected[index] != actual[index]:
            return index
        index += 1
    return None


def _find_in_order(
    targets: Sequence[Sequence[str]], got: Sequence[Sequence[str]]
) -> tuple[str, ...] | None:
    """The first target not found in order (a pre-flight pair matches in either order)."""
    wanted = [tuple(a) for a in targets]
    actual = [tuple(a) for a in got]
    position = 0
    index = 0
    while index < len(wanted):
        pair = _is_pair(wanted, index)
        while position < len(actual) and not (
            _is_pair(actual, position) if pair else actual[position] == wanted[index]
        ):
            position += 1
        if position >= len(actual):
            return wanted[index]
        position += 2 if pair else 1
        index += 2 if pair else 1
    return None


def check_cli_calls(expected: CliCalls, calls: Sequence[OkxCall]) -> list[str]:
    """Differences between the recorded calls and a scenario's ``cli_calls``."""
    actual = [tuple(c["argv"]) for c in calls]
    shown = [_argv_text(a) for a in actual]
    problems: list[str] = []
    if expected.exact is not None:
        want = [tuple(a) for a in expected.exact]
        at = first_difference(want, actual)
        if at is not None:
            problems.append(
                f"exact: calls differ at #{at}: expected "
                f"{_argv_text(want[at]) if at < len(want) else '(no more calls)'}, got "
                f"{_argv_text(actual[at]) if at < len(actual) else '(no more calls)'}; "
                f"all calls: {shown}"
            )
    missing = _find_in_order(expected.include, actual)
    if missing is not None:
        problems.append(f"include: {_argv_text(missing)} not found (in order); all calls: {shown}")
    for prefix in expected.exclude_prefix:
        hits = [a for a in actual if a[: len(prefix)] == tuple(prefix)]
        if hits:
            problems.append(
                f"exclude_prefix: {_argv_text(prefix)} was called: {_argv_text(hits[0])}"
            )
    if expected.count is not None and expected.count != len(actual):
        problems.append(f"count: expected {expected.count} calls, got {len(actual)}")
    return problems


def _argv_text(argv: Sequence[str]) -> str:
    return " ".join(argv)


def _shorten(text: str) -> str:
    return text if len(text) <= _REPLY_SHOWN else text[:_REPLY_SHOWN] + "…"


def check_expect(expect: Expect, turn: Turn, reply: str, okx_calls: int) -> list[str]:
    """Differences between the state after a step and an ``expect``."""
    given = expect.model_fields_set
    problems: list[str] = []
    pending = turn.interrupt["type"] if turn.interrupt else None
    if "interrupt" in given and pending != expect.interrupt:
        problems.append(f"interrupt: expected {expect.interrupt!r}, got {pending!r}")
    if "done" in given and (pending is None) != expect.done:
        state = "done" if pending is None else f"waiting on {pending!r}"
        problems.append(f"done: expected {expect.done}, got {state}")
    for key in ("outcome", "route", "site", "language", "retry_command"):
        if key in given and turn.values.get(key) != getattr(expect, key):
            problems.append(
                f"{key}: expected {getattr(expect, key)!r}, got {turn.values.get(key)!r}"
            )
    if "reply_equals" in given and reply != expect.reply_equals:
        problems.append(f"reply_equals: expected {expect.reply_equals!r}, got {_shorten(reply)!r}")
    for text in expect.reply_contains:
        if text not in reply:
            problems.append(f"reply_contains: {text!r} missing from {_shorten(reply)!r}")
    for text in expect.reply_excludes:
        if text in reply:
            problems.append(f"reply_excludes: {text!r} present in {_shorten(reply)!r}")
    if expect.payload is not None:
        payload = turn.interrupt["payload"] if turn.interrupt else {}
        for key, value in expect.payload.items():
            if payload.get(key) != value:
                problems.append(f"payload.{key}: expected {value!r}, got {payload.get(key)!r}")
    if expect.okx_calls is not None and okx_calls != expect.okx_calls:
        problems.append(f"okx_calls: expected {expect.okx_calls}, got {okx_calls}")
    return problems


class _LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(f"{record.name}: {record.getMessage()}")
        except Exception:
            self.lines.append(f"{record.name}: {record.msg!r}")


@contextmanager
def captured_logs() -> Iterator[list[str]]:
    """Collect every log record (INFO and up) emitted inside the block."""
    handler = _LogCapture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    if old_level > logging.INFO or old_level == logging.NOTSET:
        root.setLevel(logging.INFO)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


NextStep = Callable[[Turn], Step | None]
"""Chooses the next step of a generated conversation from the graph's latest state."""


class _Driver:
    """Plays one scenario and records its trajectory."""

    def __init__(
        self,
        scenario: Scenario,
        world: EmulatorWorld,
        session: GraphSession,
        *,
        lenient: bool = False,
    ) -> None:
        self.lenient = lenient
        self.scenario = scenario
        self.world = world
        self.session = session
        self.trajectory = Trajectory()
        self.failures: list[str] = []
        self.turn = Turn(messages=[], interrupt=None, values={})
        self.transcript: list[Message] = []
        self.seen_ids: set[str] = set()
        self.reply = ""

    def fail(self, where: str, problem: str) -> None:
        self.failures.append(f"{self.scenario.id}: {where}: {problem}")

    async def invoke(self, where: str, invocation: Invocation | None, resume: str | None) -> bool:
        resumed = self.turn.interrupt if invocation is None else None
        world = self.world.snapshot()
        calls_before = len(self.world.calls())
        messages_before = len(self.transcript)
        try:
            async with asyncio.timeout(INVOCATION_TIMEOUT):
                turn = await self.session.send(invocation, resume)
        except TimeoutError:
            self.fail(where, f"the graph did not answer within {INVOCATION_TIMEOUT:g} s")
            return False
        except Exception as exc:
            self.fail(where, f"the graph raised {type(exc).__name__}: {exc}")
            return False
        calls_after = len(self.world.calls())
        self.transcript.extend(turn.new_messages(self.seen_ids))
        state: EntryState = {
            "done": turn.interrupt is None,
            "route": turn.values.get("route"),
            "outcome": turn.values.get("outcome"),
            "site": turn.values.get("site"),
            "language": turn.values.get("language"),
        }
        entry: Entry = {
            "kind": "input" if invocation is not None else "resume",
            "text": invocation.request if invocation is not None else str(resume),
            "input": invocation.model_dump() if invocation is not None else None,
            "resumed": resumed,
            "calls": [calls_before, calls_after],
            "messages": [messages_before, len(self.transcript)],
            "interrupt": turn.interrupt,
            "state": state,
            "world": world,
        }
        self.trajectory.entries.append(entry)
        resumed_text = resumed["payload"].get("message") if resumed else None
        self.reply = compute_reply(
            self.transcript,
            messages_before,
            turn.interrupt,
            resumed_text if isinstance(resumed_text, str) else None,
        )
        self.turn = turn
        return True

    async def run(self, next_step: NextStep | None = None) -> None:
        scenario = self.scenario
        if not await self.invoke("input", scenario.input, None):
            return
        index = 0
        while True:
            if index < len(scenario.steps):
                step = scenario.steps[index]
            elif next_step is not None and (chosen := next_step(self.turn)) is not None:
                step = chosen
            else:
                return
            where = f"steps[{index}] ({step.kind})"
            index += 1
            try:
                proceed = await self.step(where, step)
            except Exception as exc:
                if self.lenient and step.invoke is None and step.user is None:
                    continue
                self.fail(where, f"{type(exc).__name__}: {exc}")
                proceed = False
            if not proceed:
                return

    async def step(self, where: str, step: Step) -> bool:
        if step.expect is not None:
            calls = len(self.world.calls())
            for problem in check_expect(step.expect, self.turn, self.reply, calls):
                self.fail(where, problem)
            return True
        if step.user is not None:
            if self.turn.interrupt is None:
                if self.lenient:
                    return True
                self.fail(where, f"reply {step.user!r} but no question is pending")
                return False
            return await self.invoke(where, None, step.user)
        if step.invoke is not None:
            return await self.invoke(where, step.invoke, None)
        if step.browser is not None:
            self.world.browser(step.browser)
        elif step.clock is not None:
            self.world.clock(step.clock)
        elif step.world is not None:
            self.world.change(step.world)
        return True


async def drive(
    scenario: Scenario,
    world: EmulatorWorld,
    session: GraphSession,
    *,
    invariants: Sequence[str] | None = None,
    capture_logs: bool = True,
    reset: bool = True,
    lenient: bool = False,
    next_step: NextStep | None = None,
) -> ScenarioResult:
    """Play ``scenario`` on ``world`` through ``session`` and check it (see the module doc).

    Args:
        scenario: The scenario.
        world: Its world (reset from ``scenario.okx`` first unless ``reset`` is false).
        session: A fresh conversation with the graph.
        invariants: Names of the invariants to run (default: all).
        capture_logs: Collect log records for the canary check.
        reset: Reset the world before playing.
        lenient: For generated conversations: skip a reply when no question is pending and a
            world event that does not apply (approve with nothing pending), instead of failing.
        next_step: After the scenario's steps, asked for one more step with the graph's latest
            state until it returns ``None`` (generated conversations that react to the graph).

    Returns:
        The result, with the trajectory.
    """
    started = time.perf_counter()
    result = ScenarioResult(scenario.id, scenario.source, scenario.description)
    if reset:
        try:
            world.reset(scenario.okx)
        except Exception as exc:
            result.failures.append(f"{scenario.id}: okx: the emulator refused the world: {exc}")
            result.seconds = time.perf_counter() - started
            return result
    driver = _Driver(scenario, world, session, lenient=lenient)
    if capture_logs:
        with captured_logs() as lines:
            await driver.run(next_step)
        driver.trajectory.log = list(lines)
    else:
        await driver.run(next_step)
    trajectory = driver.trajectory
    trajectory.calls = world.calls()
    trajectory.messages = list(driver.transcript)
    trajectory.final_state = dict(driver.turn.values)
    trajectory.final_state["messages"] = [dict(m) for m in driver.turn.messages]
    trajectory.secrets = list(world.secrets)
    trajectory.language = scenario.context.language
    try:
        trajectory.snapshots = await session.history()
    except Exception as exc:
        driver.fail("history", f"cannot read the checkpoints: {exc}")
    if scenario.cli_calls is not None:
        for problem in check_cli_calls(scenario.cli_calls, trajectory.calls):
            driver.fail("cli_calls", problem)
    names = list(invariants) if invariants is not None else list(INVARIANTS)
    result.violations = check_all(trajectory, names)
    result.failures = driver.failures
    result.okx_calls = len(trajectory.calls)
    result.turns = len(trajectory.entries)
    result.trajectory = trajectory
    result.seconds = time.perf_counter() - started
    return result


class EmulatorSwitch:
    """A runner that forwards every call to the current emulator.

    One compiled graph then serves many worlds; ``state_dir`` follows the target, as the
    login lock expects.
    """

    def __init__(self) -> None:
        self.target: Any = None

    @property
    def state_dir(self) -> Path:
        """The current emulator's world directory."""
        return Path(self.target.state_dir)

    async def __call__(
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> Any:
        """Run one okx command on the current emulator."""
        if self.target is None:
            raise RuntimeError("no emulator selected")
        return await self.target(argv, timeout=timeout, stdin=stdin)


class InProcessRunner:
    """Runs scenarios in this process: a fresh emulator world per scenario, one compiled graph.

    Args:
        latency: Seconds each emulated okx call takes (so parallel calls really overlap).
        workdir: Where the worlds live (default: a temporary directory per scenario).
        sync: Drive the graph through its sync API (``stream``, ``get_state``) instead of the
            async one; the trajectories must be the same.
    """

    def __init__(
        self, *, latency: float = 0.002, workdir: Path | None = None, sync: bool = False
    ) -> None:
        from okx_auth_graph import Context, OkxCli, build_graph

        self.sync = sync
        self.latency = latency
        self.workdir = workdir
        self.switch = EmulatorSwitch()
        self.saver = InMemorySaver()
        self.graph = build_graph(cli=OkxCli(runner=self.switch), checkpointer=self.saver)
        self.context_type = Context

    async def run(
        self,
        scenario: Scenario,
        *,
        invariants: Sequence[str] | None = None,
        capture_logs: bool = True,
        history: bool = True,
        lenient: bool = False,
        next_step: NextStep | None = None,
    ) -> ScenarioResult:
        """Run one scenario in a fresh world on a fresh thread (see :func:`drive`)."""
        from okx_auth_graph.testing import OkxEmulator

        with tempfile.TemporaryDirectory(prefix="okx-eval-", dir=self.workdir) as tmp:
            emulator = OkxEmulator(Path(tmp) / "world", latency=self.latency)
            self.switch.target = emulator
            context = self.context_type(
                chat_model=None,
                language=scenario.context.language,
                interactive_login=scenario.context.interactive_login,
            )
            thread_id = f"{scenario.id}-{uuid.uuid4().hex}"
            session = InProcessSession(
                self.graph, thread_id, context, history=history, sync=self.sync
            )
            try:
                result = await drive(
                    scenario,
                    EmulatorWorld(emulator),
                    session,
                    invariants=invariants,
                    capture_logs=capture_logs,
                    lenient=lenient,
                    next_step=next_step,
                )
                result.node_steps = session.node_steps
                return result
            finally:
                await self.saver.adelete_thread(thread_id)

    async def run_all(self, scenarios: Iterable[Scenario]) -> list[ScenarioResult]:
        """Run scenarios one after the other."""
        return [await self.run(s) for s in scenarios]
