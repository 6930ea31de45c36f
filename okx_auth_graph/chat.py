"""``okx-auth-graph chat``: a terminal conversation with the auth graph.

The graph's questions are shown with ``rich`` (the site menu in a panel, the verification URL and
code in a highlighted panel, each okx call behind a spinner); the conversation is kept in SQLite
(``--db``) so ``--thread ID`` resumes it later, even in the middle of a login.

By default the real ``okx`` on ``PATH`` runs (``--okx PATH`` picks another); a CLI too old for
``okx auth`` or none at all gets the graph's install/update message. ``--demo`` runs the bundled
emulator in a throw-away world instead: type ``/approve`` or ``/deny`` at the prompt to play the
browser, or from another terminal run ``OKX_EMULATOR_STATE=<world> okx-emulator world approve``
(the world's folder is printed at start). When stdin is not a terminal (CI, a pipe), ``--demo``
plays a short scripted conversation and exits 0 on a successful login; without ``--demo`` the
lines of stdin are the user's messages.

When the user asks to set up an API key, chat offers to hand the terminal to ``okx config init``
and re-runs the pre-flight afterwards. Commands at the prompt: ``/approve``, ``/deny`` (demo),
``/help``, ``/quit``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Command

from okx_auth_graph import build_graph
from okx_auth_graph.cli import OkxCli
from okx_auth_graph.context import Context
from okx_auth_graph.extras import extra_needed
from okx_auth_graph.process import OkxRunner, RawResult

with extra_needed("chat", "the terminal chat"):
    from rich.console import Console
    from rich.panel import Panel
    from rich.text import Text

if TYPE_CHECKING:
    from okx_auth_graph.testing import OkxEmulator

PROMPT = "you> "
HELP = (
    "Type your request (e.g. 'check my balance', 'log me in', '登录'). Commands: "
    "/approve and /deny (demo: play the browser), /help, /quit."
)
DEMO_SCRIPT: tuple[str, ...] = ("Check my balance", "2", "/approve", "done")
CONFIG_INIT_TIMEOUT = 900.0
WORLD_FILE = "world.json"
STATUS_REQUEST = {"en": "check my login status", "zh": "检查登录状态"}


class ObservedRunner:
    """A runner that reports each okx call (for the spinner) before running it.

    Args:
        inner: The runner that really runs okx.
        on_call: Called with the okx argv before each call.
    """

    def __init__(self, inner: OkxRunner, on_call: Callable[[Sequence[str]], None]) -> None:
        self.inner = inner
        self.on_call = on_call

    async def __call__(
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> RawResult:
        """Report ``argv``, then run it with the inner runner."""
        self.on_call(argv)
        return await self.inner(argv, timeout=timeout, stdin=stdin)


@dataclass
class ChatSession:
    """One conversation thread: sends the user's lines to the graph and shows its replies.

    Attributes:
        graph: The compiled auth graph (with a checkpointer).
        thread_id: The conversation's thread.
        console: Where everything is shown.
        okx_command: The argv prefix that runs okx in the terminal (for ``okx config init``).
        okx_env: The environment for that command.
        emulator: The demo emulator (``/approve``, ``/deny``), if any.
        interactive: Whether a person is at the terminal (offers the ``okx config init`` hand-off).
        scripted_demo: Whether this is the scripted demo (its exit status is the login's).
        context: The graph's runtime context (e.g. ``interactive_login``).
        keeps_thread: Whether the thread outlives this run (then a resume hint is shown).
        shown_ids: Ids of the messages shown already.
        shown_questions: Questions shown from an interrupt and not yet seen in the messages.
        held: Assistant messages received and not shown yet (see :meth:`flush`).
        shown_this_run: Assistant messages shown during the current run.
        status: The spinner while the graph runs.
    """

    graph: Any
    thread_id: str
    console: Console
    okx_command: list[str]
    okx_env: dict[str, str]
    emulator: OkxEmulator | None = None
    interactive: bool = True
    scripted_demo: bool = False
    context: Context = field(default_factory=Context)
    keeps_thread: bool = True
    shown_ids: set[str] = field(default_factory=set)
    shown_questions: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    shown_this_run: list[str] = field(default_factory=list)
    status: Any = None

    @property
    def config(self) -> dict[str, Any]:
        """The graph's run config for this thread."""
        return {"configurable": {"thread_id": self.thread_id}}

    def on_okx_call(self, argv: Sequence[str]) -> None:
        """Show the okx call in progress (spinner text, and a dim line in the transcript)."""
        command = "okx " + " ".join(argv)
        self.flush()
        if self.status is not None:
            self.status.update(f"Running {command} …")
        self.console.print(Text(f"  · {command}", style="dim"))

    async def pending_question(self) -> dict[str, Any] | None:
        """The payload of the interrupt waiting for the user's reply, if any."""
        snapshot = await self.graph.aget_state(self.config)
        for interrupt in snapshot.interrupts:
            if isinstance(interrupt.value, dict):
                return interrupt.value
            return {"type": "question", "message": str(interrupt.value)}
        return None

    async def resume_existing(self) -> None:
        """On start: mark the thread's history as shown and repeat its pending question."""
        snapshot = await self.graph.aget_state(self.config)
        messages: list[BaseMessage] = snapshot.values.get("messages", []) if snapshot else []
        self.shown_ids.update(str(m.id) for m in messages)
        question = await self.pending_question()
        if messages or question:
            self.console.print(
                Text(f"Resuming thread {self.thread_id} ({len(messages)} messages).", "dim")
            )
        if question is not None:
            self.show_question(question)

    async def send(self, text: str) -> dict[str, Any]:
        """Send one user line: a reply to the pending question, or a new request.

        Returns:
            The thread's state values after the run.
        """
        question = await self.pending_question()
        graph_input: Any = (
            Command(resume=text) if question is not None else {"messages": [HumanMessage(text)]}
        )
        if question is None:
            self.shown_ids.add(str(graph_input["messages"][0].id))
        self.shown_this_run = []
        try:
            with self.spinner():
                async for chunk in self.graph.astream(
                    graph_input,
                    self.config,
                    context=self.context,
                    durability="sync",
                    stream_mode="values",
                ):
                    self.flush()
                    if isinstance(chunk, dict):
                        self.collect(chunk.get("messages", []))
        except Exception as exc:  # the conversation must survive any failure
            self.flush()
            self.console.print(
                Panel(Text(f"{type(exc).__name__}: {exc}"), title="error", border_style="red")
            )
            return {}
        snapshot = await self.graph.aget_state(self.config)
        self.collect(snapshot.values.get("messages", []))
        question = await self.pending_question()
        pending = str(question.get("message", "")) if question is not None else None
        in_messages = self.flush(skip=pending) or pending in self.shown_this_run
        if question is not None and pending not in self.shown_this_run:
            self.show_question(question, in_messages=in_messages)
        elif question is None and snapshot.values.get("route"):
            route = snapshot.values["route"]
            self.console.print(
                Text(f"→ hand-off to the {route} skill (not part of this chat)", "dim")
            )
        return dict(snapshot.values)

    @contextlib.contextmanager
    def spinner(self) -> Iterator[None]:
        """A spinner while the graph (and okx) runs."""
        with self.console.status("Thinking …", spinner="dots") as status:
            self.status = status
            try:
                yield
            finally:
                self.status = None

    def collect(self, messages: Sequence[BaseMessage]) -> None:
        """Hold each new assistant message for display (a question shown already is dropped)."""
        for message in messages:
            if str(message.id) in self.shown_ids:
                continue
            self.shown_ids.add(str(message.id))
            if not isinstance(message, AIMessage):
                continue
            text = message.text if isinstance(message.text, str) else str(message.content)
            if text in self.shown_questions:
                self.shown_questions.remove(text)
                continue
            self.held.append(text)

    def flush(self, skip: str | None = None) -> bool:
        """Show the held messages, except one equal to ``skip`` (a question shown as a panel).

        Messages are held until the graph moves on (next step, an okx call, the end of the
        run), so a question the graph writes before asking it is shown once, as a question.

        Returns:
            Whether a message equal to ``skip`` was held (and not shown).
        """
        skipped = False
        held, self.held = self.held, []
        for text in held:
            if skip is not None and text == skip and not skipped:
                skipped = True
                continue
            self.show_reply(text)
            self.shown_this_run.append(text)
        return skipped

    def show_reply(self, text: str) -> None:
        """Show one assistant reply; a login success stands out."""
        if text.startswith(("Login successful.", "登录成功。")):
            self.console.print(Panel(Text(text), title="okx", border_style="green"))
        else:
            self.console.print(Text.assemble(("okx-auth> ", "bold cyan"), text))

    def show_question(self, question: dict[str, Any], *, in_messages: bool = False) -> None:
        """Show an interrupt's question: the menu and the verification code in panels.

        Args:
            question: The interrupt's payload.
            in_messages: Whether the graph already wrote the question into the messages (else
                it is remembered, so that it is not shown twice when it gets there).
        """
        text = str(question.get("message", ""))
        if text in self.shown_questions:
            return
        if not in_messages:
            self.shown_questions.append(text)
        kind = question.get("type")
        if kind == "await_authorization" and question.get("userCode"):
            body = Text(text)
            body.highlight_words([str(question["userCode"])], style="bold black on yellow")
            body.highlight_words([str(question.get("verificationUri", ""))], style="bold underline")
            self.console.print(
                Panel(body, title="Authorize in your browser", border_style="yellow")
            )
        elif kind == "choose_site":
            self.console.print(Panel(Text(text), title="Choose a site", border_style="cyan"))
        else:
            self.console.print(
                Panel(Text(text), title=str(kind or "question"), border_style="blue")
            )

    def play_browser(self, approve: bool) -> None:
        """Demo: approve or deny the pending login in the emulated browser."""
        if self.emulator is None:
            self.console.print(
                "/approve and /deny work in --demo only (the real OKX site decides)."
            )
            return
        try:
            self.emulator.approve() if approve else self.emulator.deny()
        except Exception as exc:  # e.g. no login pending
            self.console.print(Text(f"(emulator) {exc}", "red"))
            return
        verb = "approved" if approve else "denied"
        self.console.print(Text(f"(emulator) the login was {verb} in the browser.", "magenta"))

    async def maybe_config_init(self, values: dict[str, Any]) -> None:
        """After an API-key set-up answer, offer ``okx config init`` and re-run the pre-flight."""
        if not (
            self.interactive
            and values.get("intent") == "api_key_setup"
            and values.get("outcome") == "needs_user_action"
        ):
            return
        answer = self.console.input(Text("Run `okx config init` here now? [y/N] ")).strip().lower()
        if answer not in {"y", "yes", "是", "好"}:
            return
        try:
            wizard = await asyncio.create_subprocess_exec(
                *self.okx_command, "config", "init", env=self.okx_env
            )
            try:
                await asyncio.wait_for(wizard.wait(), CONFIG_INIT_TIMEOUT)
            except TimeoutError:
                wizard.kill()
                raise
        except (OSError, subprocess.SubprocessError, TimeoutError) as exc:
            self.console.print(Text(f"okx config init did not run: {exc}", "red"))
            return
        language = str(values.get("language") or "en")
        request = STATUS_REQUEST.get(language, STATUS_REQUEST["en"])
        self.console.print(Text(f"{PROMPT}{request}  (sent for you: re-run the pre-flight)", "dim"))
        await self.send(request)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse the ``chat`` options."""
    parser = argparse.ArgumentParser(
        prog="okx-auth-graph chat", description="Talk to the OKX auth graph in the terminal."
    )
    parser.add_argument("--demo", action="store_true", help="use the bundled okx emulator")
    parser.add_argument("--db", type=Path, help="SQLite file for the conversation")
    parser.add_argument("--thread", help="thread id to resume (default: a new thread)")
    parser.add_argument("--okx", help="the okx executable (default: okx on PATH / $OKX_EXECUTABLE)")
    parser.add_argument("--world", type=Path, help="--demo: keep the emulator's world here")
    parser.add_argument(
        "--interactive-login",
        action="store_true",
        help="run the blocking `okx auth login --site X` here instead of a device code",
    )
    return parser.parse_args(list(argv))


def default_db() -> Path:
    """``$XDG_STATE_HOME/okx-auth-graph/chat.sqlite`` (``~/.local/state`` by default)."""
    state_home = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state_home) / "okx-auth-graph" / "chat.sqlite"


def emulator_script() -> str:
    """How to run ``okx-emulator`` from another terminal (this environment's script if any)."""
    script = Path(sys.executable).parent / "okx-emulator"
    return str(script) if script.exists() else "okx-emulator"


def demo_world(world: Path) -> OkxEmulator:
    """The emulator for ``--demo``: a fresh world (not logged in) unless ``world`` has one."""
    from okx_auth_graph.testing import OkxEmulator

    world.mkdir(parents=True, exist_ok=True)
    emulator = OkxEmulator(world)
    if not (world / WORLD_FILE).exists():
        emulator.init_world()
    return emulator


async def converse(session: ChatSession, lines: Iterator[str] | None) -> int:
    """The conversation loop: read lines (from ``lines`` or the terminal) until EOF or /quit."""
    await session.resume_existing()
    values: dict[str, Any] = {}
    while True:
        if lines is None:
            try:
                text = session.console.input(PROMPT)
            except EOFError:
                session.console.print()
                break
        else:
            scripted = next(lines, None)
            if scripted is None:
                break
            text = scripted
            session.console.print(Text(PROMPT + text, "bold"))
        text = text.strip()
        if not text:
            continue
        if text in {"/quit", "/exit", "/q"}:
            break
        if text in {"/approve", "/deny"}:
            session.play_browser(text == "/approve")
            continue
        if text == "/help":
            session.console.print(HELP)
            continue
        values = await session.send(text)
        await session.maybe_config_init(values)
    if session.keeps_thread:
        hint = f"Thread {session.thread_id}: resume with --thread {session.thread_id}"
        session.console.print(Text(hint, "dim"))
    if session.scripted_demo:
        return 0 if values.get("outcome") == "logged_in" else 1
    return 0


async def run_chat(args: argparse.Namespace, console: Console) -> int:
    """Set up okx (real or emulated), the SQLite checkpointer and the graph; then converse."""
    interactive = sys.stdin.isatty()
    thread_id = args.thread or uuid.uuid4().hex[:12]
    with contextlib.ExitStack() as stack:
        emulator: OkxEmulator | None = None
        if args.demo:
            world = args.world or Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="okx-demo-"))
            )
            emulator = demo_world(world)
            session_cli = OkxCli(runner=emulator)
            okx_command = [sys.executable, "-m", "okx_auth_graph.testing.okx"]
            okx_env = {**os.environ, "OKX_EMULATOR_STATE": str(world)}
            db = args.db or world / "chat.sqlite"
            console.print(
                Panel(
                    Text(
                        "okx is the bundled emulator (not your real account).\n"
                        "Play the browser: type /approve or /deny here, or from another terminal:\n"
                        f"  OKX_EMULATOR_STATE={world} \\\n    {emulator_script()} world approve"
                    ),
                    title="demo",
                    border_style="magenta",
                )
            )
        else:
            context = Context(okx_executable=args.okx) if args.okx else Context()
            session_cli = OkxCli(
                context.okx_executable,
                home=context.okx_home,
                env=context.okx_env,
                timeout=context.timeout,
                login_timeout=context.login_timeout,
            )
            okx_command = [context.okx_executable]
            okx_env = {**os.environ, **context.okx_env}
            if context.okx_home:
                okx_env["HOME"] = context.okx_home
            db = args.db or default_db()
        db.parent.mkdir(parents=True, exist_ok=True)
        async with AsyncSqliteSaver.from_conn_string(str(db)) as saver:
            session = ChatSession(
                graph=None,
                thread_id=thread_id,
                console=console,
                okx_command=okx_command,
                okx_env=okx_env,
                emulator=emulator,
                interactive=interactive,
                scripted_demo=args.demo and not interactive,
                context=Context(interactive_login=args.interactive_login),
                keeps_thread=not args.demo or args.world is not None,
            )
            session_cli.runner = ObservedRunner(session_cli.runner, session.on_okx_call)
            session.graph = build_graph(cli=session_cli, checkpointer=saver)
            console.print(Text(f"Thread {thread_id} (kept in {db})\n{HELP}", "dim"))
            lines: Iterator[str] | None = None
            if not interactive:
                lines = (
                    iter(DEMO_SCRIPT) if args.demo else (line.rstrip("\n") for line in sys.stdin)
                )
            return await converse(session, lines)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``okx-auth-graph chat``; returns the exit status."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    console = Console(highlight=False)
    try:
        return asyncio.run(run_chat(args, console))
    except KeyboardInterrupt:
        console.print()
        return 130
    except (OSError, sqlite3.Error, ValueError) as exc:
        console.print(Text(f"okx-auth-graph chat: {exc}", "red"))
        return 2
