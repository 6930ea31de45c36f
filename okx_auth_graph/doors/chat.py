"""``okx-auth-graph chat``: a terminal conversation with the auth graph.

The graph's questions are shown with ``rich``: the site menu in a panel, the verification URL
and code in a highlighted panel with the code once more on a line of its own (easy to copy) and
a one-keystroke offer to open the browser (Enter), each okx call behind a spinner. The conversation is
kept in SQLite (``--db``) so ``--thread ID`` resumes it later, even in the middle of a login
(an id the database does not hold is an error; ``--new-thread ID`` names a new thread); every
exit (``/quit``, end of input, Ctrl-C at the prompt or during a spinner) of a saved thread
prints the exact command that resumes it. A blocking ``--interactive-login`` shows okx's URL
and code in the same panel as soon as okx prints them (a ``login_challenge`` stream event).

By default the real ``okx`` on ``PATH`` runs (``--okx PATH`` picks another); a CLI too old for
``okx auth`` or none at all gets the graph's answer for it. ``--demo`` runs the bundled emulator
in a world of its own instead: type ``/approve`` or ``/deny`` at the prompt to play the browser,
or from another terminal run ``OKX_EMULATOR_STATE=<world> okx-emulator world approve`` (the
world's folder is printed at start; a throw-away world is kept when a resume is offered). When
stdin is not a terminal (CI, a pipe), ``--demo`` plays a short scripted conversation (it plays
the browser too) and exits 0 on a successful login; without ``--demo`` the lines of stdin are the user's messages.

When the user asks to set up an API key (or okx is too old for ``okx auth``, where an API key is
what works), chat offers to hand the terminal to ``okx config init``, naming the file it writes,
and re-runs the pre-flight after a wizard that changed that file (okx 1.2.4 exits 0 when Ctrl-C
stops its wizard, so the exit status alone cannot tell). Commands at the prompt: ``/approve``, ``/deny`` (demo),
``/help``, ``/quit``. Exit statuses: see :mod:`okx_auth_graph.__main__` and ``docs/chat.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import uuid
import webbrowser
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Command

from okx_auth_graph import build_graph
from okx_auth_graph.context import Context
from okx_auth_graph.core import run_config_wizard
from okx_auth_graph.extras import extra_needed
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.errors import classify_message
from okx_auth_graph.okx.process import OkxRunner, RawResult, StatefulRunner, TerminalRunner
from okx_auth_graph.okx.redact import clean_text
from okx_auth_graph.persistence import owner_only_sqlite_file
from okx_auth_graph.prompts import render
from okx_auth_graph.state import Language

with extra_needed("chat", "the terminal chat"):
    from rich.console import Console, ConsoleOptions, RenderableType, RenderHook, RenderResult
    from rich.panel import Panel
    from rich.segment import Segment
    from rich.text import Text

if TYPE_CHECKING:
    from okx_auth_graph.testing import OkxEmulator

PROG = "okx-auth-graph chat"
PROMPT = "you> "
HELP = (
    "Type your request (e.g. 'check my balance', 'log me in', '登录'). Commands: "
    "/approve and /deny (demo: play the browser), /help, /quit."
)
DEMO_SCRIPT: tuple[str, ...] = ("Check my balance", "2", "/approve", "done")
DEMO_SCRIPT_INTERACTIVE_LOGIN: tuple[str, ...] = ("Check my balance", "2")
"""The scripted demo with ``--interactive-login``: the browser approves once the code is out."""
DEMO_LOGIN_CAP = 900.0
"""Seconds the demo's blocking ``okx auth login --site X`` waits for a person to approve."""
CONFIG_INIT_TIMEOUT = 900.0
WORLD_FILE = "world.json"
STATUS_REQUEST = {"en": "check my login status", "zh": "检查登录状态"}
SUCCESS_STARTS = ("Login successful.", "登录成功。")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NO_OKX = 3
EXIT_OKX_TOO_OLD = 4
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A bad option or path, named in the message (exit status 2)."""


class ObservedRunner:
    """A runner that reports each okx call (for the spinner) and remembers what okx showed.

    Args:
        inner: The runner that really runs okx.
        on_call: Called with the okx argv before each call.
        during: A context around each call (e.g. keys that play the demo's browser).

    Attributes:
        unstartable: okx could not be started (missing, not executable).
        too_old: An ``okx auth`` command was unknown to this okx.
        state_dir: The inner runner's world folder, only when it has one (the demo's
            emulator), so the login lock stays in that world.
    """

    def __init__(
        self,
        inner: OkxRunner,
        on_call: Callable[[Sequence[str]], None],
        during: Callable[[Sequence[str]], contextlib.AbstractContextManager[None]] | None = None,
    ) -> None:
        self.inner = inner
        self.on_call = on_call
        self.during = during or (lambda argv: contextlib.nullcontext())
        self.unstartable = False
        self.too_old = False
        if isinstance(inner, StatefulRunner):  # else no state_dir: not a StatefulRunner
            self.state_dir = Path(inner.state_dir)

    def in_terminal(self, argv: Sequence[str], *, timeout: float) -> int:
        """Hand the terminal to the inner runner's okx (``okx config init``)."""
        if not isinstance(self.inner, TerminalRunner):
            raise OSError(f"{type(self.inner).__name__} cannot run okx in a terminal")
        return self.inner.in_terminal(argv, timeout=timeout)

    async def __call__(
        self,
        argv: Sequence[str],
        *,
        timeout: float,
        stdin: bytes | None = None,
        on_stdout: Callable[[bytes], None] | None = None,
    ) -> RawResult:
        """Report ``argv``, then run it with the inner runner.

        ``on_stdout`` (okx's output as it arrives: a blocking login's URL and code) is passed
        on; the chat's inner runners (a subprocess, the emulator) both stream.
        """
        self.on_call(argv)
        streaming = {"on_stdout": on_stdout} if on_stdout is not None else {}
        try:
            with self.during(argv):
                result = await self.inner(argv, timeout=timeout, stdin=stdin, **streaming)
        except OSError:
            self.unstartable = True
            raise
        if result.exit_code != 0 and tuple(argv[:1]) == ("auth",):
            text = (result.stderr + b"\n" + result.stdout).decode("utf-8", errors="replace")
            if classify_message(text) == "cli_too_old":
                self.too_old = True
        return result


def has_display() -> bool:
    """Whether a browser can be opened from here (a desktop session, not SSH-only or CI)."""
    if sys.platform in {"darwin", "win32"}:
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@contextlib.contextmanager
def terminal_restored() -> Iterator[None]:
    """Put the terminal's settings back afterwards (a wizard stopped with Ctrl-C may not)."""
    try:
        import termios

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
    except (ImportError, OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)


@dataclass
class ChatSession:
    """One conversation thread: sends the user's lines to the graph and shows its replies.

    Attributes:
        graph: The compiled auth graph (with a checkpointer).
        thread_id: The conversation's thread.
        console: Where everything is shown.
        cli: The okx adapter (it also runs ``okx config init`` in the terminal).
        config_file: The okx configuration file ``okx config init`` writes (named when offered).
        emulator: The demo emulator (``/approve``, ``/deny``), if any.
        interactive: Whether a person is at the terminal (offers, the demo's browser keys).
        scripted_demo: Whether this is the scripted demo (its exit status is the login's).
        context: The graph's runtime context (e.g. ``interactive_login``).
        runner: The observing okx runner (what okx showed, for the exit status).
        login_started: A login ran (or is awaited) in this thread since the last success.
        browser_offer: The verification URL to offer opening once the run is over.
        open_on_enter: The offered URL that an empty line at the next prompt opens.
        api_key_saved: ``okx config init`` ran here and saved (the way forward an okx too old
            for ``okx auth`` has; the exit status is then not "too old").
        shown_ids: Ids of the messages shown already.
        shown_questions: Questions shown from an interrupt and not yet seen in the messages.
        held: Assistant messages received and not shown yet (see :meth:`flush`).
        shown_this_run: Assistant messages shown during the current run.
        status: The spinner while the graph runs.
        language: The conversation's language, as the graph holds it (``state["language"]``):
            the chat's own texts (``prompts/chat_*.txt``) follow it.
    """

    graph: Any
    thread_id: str
    console: Console
    cli: OkxCli
    config_file: Path | None = None
    emulator: OkxEmulator | None = None
    interactive: bool = True
    scripted_demo: bool = False
    context: Context = field(default_factory=Context)
    runner: ObservedRunner | None = None
    login_started: bool = False
    browser_offer: str | None = None
    open_on_enter: str | None = None
    api_key_saved: bool = False
    shown_ids: set[str] = field(default_factory=set)
    shown_questions: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    shown_this_run: list[str] = field(default_factory=list)
    status: Any = None
    language: Language = "en"

    def text(self, name: str, **fields: object) -> str:
        """The chat's own text ``prompts/chat_<name>.*.txt`` in the conversation's language."""
        return render(f"chat_{name}", self.language, **fields)

    def follow_language(self, values: dict[str, Any] | None) -> None:
        """Take the language the graph holds for this thread (unchanged when it holds none)."""
        language = (values or {}).get("language")
        if language in ("en", "zh"):
            self.language = language

    @property
    def config(self) -> dict[str, Any]:
        """The graph's run config for this thread."""
        return {"configurable": {"thread_id": self.thread_id}}

    def on_okx_call(self, argv: Sequence[str]) -> None:
        """Show the okx call in progress (spinner text, and a dim line in the transcript)."""
        command = "okx " + " ".join(argv)
        self.flush()
        blocking = tuple(argv[:2]) == ("auth", "login") and "--manual" not in argv
        if tuple(argv[:2]) == ("auth", "login"):
            self.login_started = True
        if self.status is not None:
            waiting = self.text("waiting_browser" if blocking else "running", command=command)
            self.status.update(waiting)
        self.console.print(Text(f"  · {command}", style="dim"))
        if blocking and self.emulator is not None:
            keys = "press a to approve or d to deny in the browser, or " if self.interactive else ""
            self.console.print(
                Text(
                    f"  demo: {keys}from another terminal run OKX_EMULATOR_STATE="
                    f"{self.emulator.state_dir} {emulator_script()} world approve",
                    "magenta",
                ),
                soft_wrap=True,
            )

    def during_okx_call(self, argv: Sequence[str]) -> contextlib.AbstractContextManager[None]:
        """Around one okx call: in the demo, keys play the browser while a login blocks."""
        blocking = tuple(argv[:2]) == ("auth", "login") and "--manual" not in argv
        if blocking and self.emulator is not None and self.interactive:
            return self.browser_keys()
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def browser_keys(self) -> Iterator[None]:
        """Demo, while the blocking login waits: ``a`` approves, ``d`` denies (one keystroke).

        The prompt is busy while okx blocks, so ``/approve`` cannot be typed; a reader thread
        watches single keys until the call returns (Ctrl-C still interrupts).
        """
        import select
        import termios
        import tty

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                ready, _, _ = select.select([fd], [], [], 0.1)
                if not ready or stop.is_set():
                    continue
                key = os.read(fd, 1).decode("utf-8", errors="ignore").lower()
                if key in {"a", "d"}:
                    self.play_browser(key == "a")

        tty.setcbreak(fd)
        watcher = threading.Thread(target=watch, name="demo-browser-keys", daemon=True)
        watcher.start()
        try:
            yield
        finally:
            stop.set()
            watcher.join(timeout=1.0)
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)

    async def pending_question(self) -> dict[str, Any] | None:
        """The payload of the interrupt waiting for the user's reply, if any."""
        snapshot = await self.graph.aget_state(self.config)
        for interrupt in snapshot.interrupts:
            if isinstance(interrupt.value, dict):
                return interrupt.value
            return {"type": "question", "message": str(interrupt.value)}
        return None

    async def thread_saved(self) -> bool:
        """Whether the checkpointer holds this thread (something to resume)."""
        return await self.graph.checkpointer.aget_tuple(self.config) is not None

    async def resume_existing(self) -> None:
        """On start: mark the thread's history as shown and repeat its pending question.

        A run stopped by Ctrl-C before it answered is said so (it is not re-run on its own:
        the user may have stopped it on purpose).
        """
        snapshot = await self.graph.aget_state(self.config)
        messages: list[BaseMessage] = snapshot.values.get("messages", []) if snapshot else []
        self.follow_language(snapshot.values if snapshot else None)
        self.shown_ids.update(str(m.id) for m in messages)
        question = await self.pending_question()
        if messages or question:
            plural = "" if len(messages) == 1 else "s"
            resuming = self.text("resuming", thread=self.thread_id, count=len(messages), s=plural)
            self.console.print(Text(resuming, "dim"))
        if question is not None:
            if question.get("type") == "await_authorization":
                self.login_started = True
            self.show_question(question)
        elif snapshot is not None and snapshot.next:
            self.console.print(Text(self.text("request_interrupted"), "yellow"))

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
                async for mode, chunk in self.graph.astream(
                    graph_input,
                    self.config,
                    context=self.context,
                    durability="sync",
                    stream_mode=["values", "custom"],
                ):
                    if mode == "custom" and isinstance(chunk, dict):
                        self.show_live_challenge(chunk)
                        continue
                    if not isinstance(chunk, dict):
                        continue
                    self.follow_language(chunk)
                    if "__interrupt__" not in chunk:  # the last message may be the question
                        self.flush()
                    self.collect(chunk.get("messages", []))
        except Exception as exc:  # the conversation must survive any failure
            self.flush()
            self.console.print(
                Panel(
                    Text(f"{type(exc).__name__}: {exc}"),
                    title=self.text("title_error"),
                    border_style="red",
                )
            )
            return {}
        snapshot = await self.graph.aget_state(self.config)
        self.follow_language(snapshot.values)
        self.collect(snapshot.values.get("messages", []))
        question = await self.pending_question()
        pending = str(question.get("message", "")) if question is not None else None
        in_messages = self.flush(skip=pending) or pending in self.shown_this_run
        if question is not None:
            self.show_question(question, in_messages=in_messages)
        elif snapshot.values.get("route"):
            route = snapshot.values["route"]
            self.console.print(Text(self.text("hand_off", route=route), "dim"))
        return dict(snapshot.values)

    @contextlib.contextmanager
    def spinner(self) -> Iterator[None]:
        """A spinner while the graph (and okx) runs."""
        with self.console.status(self.text("thinking"), spinner="dots") as status:
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
        """Show one assistant reply; a success template gets a panel.

        A login that ran in this thread ends in a green panel; the same template when no login
        ran (already logged in) gets a neutral one.
        """
        if text.startswith(SUCCESS_STARTS):
            if self.login_started:
                title = self.text("title_logged_in")
                self.console.print(Panel(Text(text), title=title, border_style="green"))
            else:
                title = self.text("title_already_logged_in")
                self.console.print(Panel(Text(text), title=title, border_style="blue"))
            self.login_started = False
        else:
            self.console.print(Text.assemble(("okx-auth> ", "bold cyan"), text))

    def show_question(
        self, question: dict[str, Any], *, in_messages: bool = False, offer: bool = True
    ) -> None:
        """Show an interrupt's question: the menu and the verification code in panels.

        Args:
            question: The interrupt's payload.
            in_messages: Whether the graph already wrote the question into the messages (else
                it is remembered, so that it is not shown twice when it gets there).
            offer: Offer to open the verification URL in the browser (at the next prompt).
        """
        text = str(question.get("message", ""))
        if text in self.shown_questions:
            return
        if not in_messages:
            self.shown_questions.append(text)
        kind = question.get("type")
        code = str(question.get("userCode") or "")
        url = str(question.get("verificationUri") or "")
        if kind == "await_authorization" and code:
            self.login_started = True
            if url and url not in text:  # a wait, a "not done yet", a resumed thread
                site = str(question.get("site") or "")
                text += "\n\n" + self.text("challenge_again", site=site, url=url, code=code)
            body = Text(text)
            body.highlight_words([code], style="bold black on yellow")
            if url:
                body.highlight_words([url], style="bold underline")
            title = self.text("title_authorize")
            self.console.print(Panel(body, title=title, border_style="yellow"))
            self.console.print(Text(self.text("code_line"), "dim"))
            self.console.print(Text(code, "bold"), soft_wrap=True)
            if offer:
                self.browser_offer = url or None
        elif kind == "choose_site":
            title = self.text("title_choose_site")
            self.console.print(Panel(Text(text), title=title, border_style="cyan"))
        else:
            title = self.text("title_question")
            self.console.print(Panel(Text(text), title=title, border_style="blue"))

    def show_live_challenge(self, event: dict[str, Any]) -> None:
        """A blocking login printed its URL and code (a ``login_challenge`` stream event).

        Shown at once in the code panel, while the login still waits; okx opens the browser
        itself there, so no offer. The same text reaches ``messages`` when the login ends and
        is not shown twice.
        """
        if event.get("type") != "login_challenge":
            return
        self.flush()
        self.show_question({**event, "type": "await_authorization"}, offer=False)
        # The spec's text asks to be told when done; this blocking login ends by itself.
        self.console.print(Text(self.text("no_reply_needed"), "bold"))
        if self.scripted_demo:  # nobody at the keyboard: the script plays the browser
            self.play_browser(True)

    def offer_browser(self) -> None:
        """After a code was shown: Enter on an empty line opens the verification URL.

        Only on a desktop session (:func:`has_display`) with a person at the terminal. Typing
        a reply instead declines the offer; no keystroke is swallowed.
        """
        url, self.browser_offer = self.browser_offer, None
        if url is None or not self.interactive or not has_display():
            return
        self.console.print(Text(self.text("browser_offer", url=url)), soft_wrap=True)
        self.open_on_enter = url

    def open_browser(self, url: str) -> None:
        """Open ``url`` with :mod:`webbrowser` (which honours ``$BROWSER``) and say how it went."""
        try:
            opened = webbrowser.open(url)
        except webbrowser.Error:
            opened = False
        if opened:
            self.console.print(Text(self.text("browser_opened", url=url), "dim"), soft_wrap=True)
        else:
            self.console.print(Text(self.text("browser_failed"), "yellow"))

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
        verdict = self.text("emulator_approved" if approve else "emulator_denied")
        self.console.print(Text(verdict, "magenta"))

    def wants_config_init(self, values: dict[str, Any]) -> bool:
        """Whether to offer ``okx config init``: asked for an API key, or okx too old for OAuth."""
        if not self.interactive or values.get("outcome") != "needs_user_action":
            return False
        too_old = self.runner is not None and self.runner.too_old
        return values.get("intent") == "api_key_setup" or too_old

    def config_init(self) -> bool:
        """Hand the terminal to ``okx config init`` after an explicit yes naming its file.

        Ctrl-C in the wizard ends the wizard only; the terminal is restored afterwards.

        Returns:
            Whether the wizard ran to the end (then the pre-flight is worth re-running).
        """
        target = str(self.config_file) if self.config_file else "~/.okx/config.toml"
        where = self.text("config_real" if self.emulator is None else "config_demo", file=target)
        question = Text.assemble(
            self.text("config_init_offer", where=where) + " ", ("[y/N] ", "bold")
        )
        try:
            answer = self.console.input(question).strip().lower()
        except EOFError:  # Ctrl-D: no
            self.console.print()
            answer = ""
        if answer not in {"y", "yes", "是", "好"}:
            self.console.print(Text(self.text("config_init_not_run"), "dim"))
            return False
        # Ctrl-C ends the wizard only: the chat catches it meanwhile (a handler, not SIG_IGN,
        # so the wizard's process gets the default behaviour back when it starts).
        before = file_signature(self.config_file)
        previous = signal.signal(signal.SIGINT, _ignore_signal)
        try:
            with terminal_restored():
                returncode = run_config_wizard(self.cli, timeout=CONFIG_INIT_TIMEOUT)
        except (OSError, subprocess.SubprocessError) as exc:
            self.console.print()
            self.console.print(Text(self.text("config_init_failed", error=exc), "red"))
            return False
        finally:
            signal.signal(signal.SIGINT, previous)
        self.console.print()  # the wizard may stop mid-line (Ctrl-C): never write onto it
        # okx 1.2.4 exits 0 when Ctrl-C stops its wizard: only a changed file means it saved.
        if returncode != 0 or file_signature(self.config_file) == before:
            unsaved = self.text("config_init_unsaved", exit=returncode, file=target)
            self.console.print(Text(unsaved, "yellow"), soft_wrap=True)
            return False
        self.api_key_saved = True
        return True


def file_signature(path: Path | None) -> tuple[int, int, int] | None:
    """What tells a rewritten file from an untouched one (``None``: no such file)."""
    if path is None:
        return None
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def _ignore_signal(signum: int, frame: object) -> None:
    """A signal handler that does nothing (Ctrl-C while ``okx config init`` has the terminal)."""


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse the ``chat`` options (exit status 2 with the usage for a bad one)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Talk to the OKX auth graph in the terminal.",
        epilog="Exit status: 0 done, 1 the scripted demo's login failed, 2 a bad option, path or "
        "thread id, 3 okx missing, 4 okx too old for `okx auth` (and no API key saved here), 130 Ctrl-C "
        "(the resume command is printed).",
    )
    parser.add_argument("--demo", action="store_true", help="use the bundled okx emulator")
    parser.add_argument(
        "--db",
        type=Path,
        metavar="FILE",
        help="SQLite file of the conversations (default: okx-auth-graph/chat.sqlite in "
        "$XDG_STATE_HOME or ~/.local/state; --demo: chat.sqlite in the world)",
    )
    threads = parser.add_mutually_exclusive_group()
    threads.add_argument(
        "--thread", metavar="ID", help="resume this thread (it must be in the database)"
    )
    threads.add_argument(
        "--new-thread",
        metavar="ID",
        help="start a new thread under this id (default: a random id)",
    )
    parser.add_argument(
        "--okx",
        metavar="PATH",
        help="the okx executable (default: $OKX_EXECUTABLE, else okx on PATH)",
    )
    parser.add_argument(
        "--world",
        type=Path,
        metavar="DIR",
        help="--demo: keep the emulator's world here (default: a temporary folder)",
    )
    parser.add_argument(
        "--interactive-login",
        action="store_true",
        help="run the blocking `okx auth login --site X` here instead of a device code",
    )
    args = parser.parse_args(list(argv))
    if args.world is not None and not args.demo:
        parser.error("--world needs --demo (it is the emulator's world)")
    if args.okx is not None and args.demo:
        parser.error("--okx and --demo exclude each other (--demo runs the bundled emulator)")
    return args


def default_db() -> Path:
    """``$XDG_STATE_HOME/okx-auth-graph/chat.sqlite`` (``~/.local/state`` by default)."""
    state_home = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state_home) / "okx-auth-graph" / "chat.sqlite"


def emulator_script() -> str:
    """How to run ``okx-emulator`` from another terminal (this environment's script if any)."""
    script = Path(sys.executable).parent / "okx-emulator"
    return str(script) if script.exists() else "okx-emulator"


def demo_world(world: Path, *, interactive_login: bool = False) -> OkxEmulator:
    """The emulator for ``--demo``: a fresh world (not logged in) unless ``world`` has one.

    With ``interactive_login`` the blocking login waits :data:`DEMO_LOGIN_CAP` seconds, time
    for a person to approve from another terminal.
    """
    from okx_auth_graph.testing import OkxEmulator

    world.mkdir(parents=True, exist_ok=True)
    emulator = OkxEmulator(world)
    if not (world / WORLD_FILE).exists():
        emulator.init_world()
    if interactive_login:
        emulator.set("login_cap", DEMO_LOGIN_CAP)
    return emulator


def checked_okx(value: str, origin: str) -> str:
    """An okx given as a path must exist and be executable; a bare name is looked up later.

    Raises:
        UsageError: Naming ``origin`` (``--okx`` or ``$OKX_EXECUTABLE``) and the path.
    """
    if os.sep not in value:
        return value
    path = Path(value)
    if not path.exists():
        raise UsageError(f"{origin} {value}: no such file")
    if path.is_dir() or not os.access(path, os.X_OK):
        raise UsageError(f"{origin} {value}: not an executable file")
    return value


def own_command() -> list[str]:
    """How to run this ``okx-auth-graph`` again from a shell.

    Its bare name when ``PATH`` finds this very script; else the script's full path (``make
    demo`` runs ``.venv/bin/okx-auth-graph`` without the venv on ``PATH``); without a console
    script, this interpreter with ``-m okx_auth_graph``.
    """
    script = Path(sys.executable).parent / "okx-auth-graph"
    if not script.is_file():
        return [sys.executable, "-m", "okx_auth_graph"]
    found = shutil.which("okx-auth-graph")
    if found is not None and Path(found).resolve() == script.resolve():
        return ["okx-auth-graph"]
    return [str(script.absolute())]


def resume_command(args: argparse.Namespace, thread_id: str, world: Path | None) -> str:
    """The exact command that resumes this conversation (every option it needs).

    Paths are made absolute, so the command works from any folder, and so is the command
    itself when ``PATH`` does not lead to it (:func:`own_command`).
    """
    argv = [*own_command(), "chat"]
    if args.demo:
        argv += ["--demo", "--world", str(Path(str(world)).absolute())]
    if args.db is not None:
        argv += ["--db", str(args.db.absolute())]
    if args.okx is not None:
        argv += ["--okx", str(Path(args.okx).absolute()) if os.sep in args.okx else args.okx]
    if args.interactive_login:
        argv.append("--interactive-login")
    argv += ["--thread", thread_id]
    return shlex.join(argv)


@dataclass
class Ending:
    """How the conversation ended: the last state values and whether Ctrl-C ended it."""

    values: dict[str, Any] = field(default_factory=dict)
    interrupted: bool = False


def converse(
    session: ChatSession, loop: asyncio.Runner, lines: Iterator[str] | None, ending: Ending
) -> None:
    """The conversation loop: read lines (from ``lines`` or the terminal) until EOF or /quit.

    The prompt is read outside the event loop, so Ctrl-C there raises ``KeyboardInterrupt``
    at once; during a run the loop cancels the run and raises it too.
    """
    while True:
        session.offer_browser()
        if lines is None:
            try:
                text = session.console.input(PROMPT)
            except EOFError:
                session.console.print()
                return
        else:
            scripted = next(lines, None)
            if scripted is None:
                return
            text = scripted
            session.console.print(Text(PROMPT + text, "bold"))
        text = text.strip()
        offered, session.open_on_enter = session.open_on_enter, None
        if not text:
            if offered is not None:
                session.open_browser(offered)
            continue
        if text in {"/quit", "/exit", "/q"}:
            return
        if text in {"/approve", "/deny"}:
            session.play_browser(text == "/approve")
            continue
        if text == "/help":
            session.console.print(HELP)
            continue
        ending.values = loop.run(session.send(text))
        if session.wants_config_init(ending.values) and session.config_init():
            language = str(ending.values.get("language") or "en")
            request = STATUS_REQUEST.get(language, STATUS_REQUEST["en"])
            sent = session.text("sent_for_you")
            session.console.print(Text(f"{PROMPT}{request}  {sent}", "dim"))
            ending.values = loop.run(session.send(request))


def exit_status(session: ChatSession, ending: Ending) -> int:
    """The exit status that tells a script what happened (see the module docstring)."""
    if ending.interrupted:
        return EXIT_INTERRUPTED
    if session.scripted_demo:
        return EXIT_OK if ending.values.get("outcome") == "logged_in" else EXIT_FAILED
    if session.runner is not None and session.runner.unstartable:
        return EXIT_NO_OKX
    if session.runner is not None and session.runner.too_old and not session.api_key_saved:
        return EXIT_OKX_TOO_OLD
    return EXIT_OK


def _real_okx(args: argparse.Namespace) -> tuple[OkxCli, Path, Path]:
    """The user's own okx (``--okx``, else ``$OKX_EXECUTABLE`` or ``okx``), its config, the db."""
    if args.okx is not None:
        checked_okx(args.okx, "--okx")
        context = Context(okx_executable=args.okx)
    else:
        context = Context()
        checked_okx(context.okx_executable, "$OKX_EXECUTABLE")
    cli = OkxCli.from_context(context)
    return cli, cli.okx_dir / "config.toml", Path(args.db or default_db())


def _check_thread_args(args: argparse.Namespace, saved: bool, db: Path, *, new_world: bool) -> None:
    """``--thread`` names a saved thread and ``--new-thread`` an unsaved one, or UsageError."""
    if args.thread is not None and not saved:
        if new_world and args.db is None:
            raise UsageError(
                f"thread {args.thread} not found: a new demo world holds no threads (pass "
                "the --world DIR that the resume command named)"
            )
        raise UsageError(
            f"thread {args.thread} not found in {db} (--new-thread {args.thread} starts "
            "a new conversation under that id)"
        )
    if args.new_thread is not None and saved:
        raise UsageError(
            f"thread {args.new_thread} is already in {db} (--thread {args.new_thread} resumes it)"
        )


def run_chat(args: argparse.Namespace, console: Console) -> int:
    """Set up okx (real or emulated), the SQLite checkpointer and the graph; then converse."""
    interactive = sys.stdin.isatty()
    thread_id = args.thread or args.new_thread or uuid.uuid4().hex[:12]
    ending = Ending()
    with asyncio.Runner() as loop, contextlib.ExitStack() as stack:
        emulator: OkxEmulator | None = None
        world: Path | None = None
        throwaway = False
        if args.demo:
            throwaway = args.world is None
            world = args.world or Path(tempfile.mkdtemp(prefix="okx-demo-"))
            assert world is not None
            if throwaway:  # removed at exit unless a resume is offered (see below)

                def remove_world(folder: Path = world) -> None:
                    if throwaway:
                        shutil.rmtree(folder, ignore_errors=True)

                stack.callback(remove_world)
            emulator = demo_world(world, interactive_login=args.interactive_login)
            session_cli = OkxCli(runner=emulator)
            config_file: Path | None = emulator.config_path
            db = args.db or world / "chat.sqlite"
        else:
            session_cli, config_file, db = _real_okx(args)
        db = owner_only_sqlite_file(db)  # folder 0700, database 0600
        opened = AsyncSqliteSaver.from_conn_string(str(db))
        saver = loop.run(opened.__aenter__())
        stack.callback(lambda: loop.run(opened.__aexit__(None, None, None)))
        session = ChatSession(
            graph=None,
            thread_id=thread_id,
            console=console,
            cli=session_cli,
            config_file=config_file,
            emulator=emulator,
            interactive=interactive,
            scripted_demo=args.demo and not interactive,
            context=Context(interactive_login=args.interactive_login),
        )
        session.runner = ObservedRunner(
            session_cli.runner, session.on_okx_call, during=session.during_okx_call
        )
        session_cli.runner = session.runner
        session.graph = build_graph(cli=session_cli, checkpointer=saver)
        _check_thread_args(args, loop.run(session.thread_saved()), db, new_world=throwaway)
        if emulator is not None:
            console.print(demo_banner(emulator))
        kept = f"{db} (demo world {world})" if args.demo else str(db)
        if throwaway:
            kept = f"a temporary demo world, {world}, removed at exit unless you can resume"
        console.print(Text(f"Thread {thread_id} (kept in {kept})\n{HELP}", "dim"))
        lines: Iterator[str] | None = None
        if not interactive:
            script = DEMO_SCRIPT_INTERACTIVE_LOGIN if args.interactive_login else DEMO_SCRIPT
            lines = iter(script) if args.demo else (line.rstrip("\n") for line in sys.stdin)
        pending: dict[str, Any] | None = None
        try:
            loop.run(session.resume_existing())
            converse(session, loop, lines, ending)
            pending = loop.run(session.pending_question())
        except KeyboardInterrupt:
            ending.interrupted = True
            console.print()
            console.print(Text(session.text("interrupted"), "yellow"))
        resumable = ending.interrupted or pending is not None or not throwaway
        if resumable and loop.run(session.thread_saved()):
            throwaway = False  # the world is kept: the resume command names it
            console.print(
                Text.assemble(
                    (session.text("resume_with", thread=thread_id) + "\n  ", "dim"),
                    (resume_command(args, thread_id, world), "bold"),
                ),
                soft_wrap=True,  # one line, copied whole
            )
        elif ending.interrupted:
            console.print(Text("Nothing to resume: no message was sent.", "dim"))
        return exit_status(session, ending)


def demo_banner(emulator: OkxEmulator) -> Panel:
    """The demo's first panel: okx is the emulator, and how to play its browser."""
    return Panel(
        Text(
            "okx is the bundled emulator (not your real account).\n"
            "Play the browser: type /approve or /deny here, or from another terminal:\n"
            f"  OKX_EMULATOR_STATE={emulator.state_dir} \\\n"
            f"    {emulator_script()} world approve"
        ),
        title="demo",
        border_style="magenta",
    )


class _Cleaned:
    """A renderable whose text loses every control and escape sequence (rich's styles stay)."""

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.inner, options):
            # control segments are rich's own (cursor moves); text came from okx or the user
            yield segment if segment.control else Segment(clean_text(segment.text), segment.style)


class TerminalSafe(RenderHook):
    """What the chat prints never carries a raw control or escape sequence from okx or input.

    Every text okx printed, every reply, the user's own echoed line and every error goes
    through :func:`~okx_auth_graph.okx.redact.clean_text` on its way to the terminal; rich then
    adds its own colours.
    """

    def process_renderables(self, renderables: list[Any]) -> list[Any]:
        """Wrap each renderable so its text is cleaned as it is rendered."""
        return [_Cleaned(renderable) for renderable in renderables]


def terminal_console(*, stderr: bool = False) -> Console:
    """The chat's console: no highlighting, and :class:`TerminalSafe` on all it prints."""
    console = Console(highlight=False, stderr=stderr)
    console.push_render_hook(TerminalSafe())
    return console


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``okx-auth-graph chat``; returns the exit status.

    A bad option, path or thread is reported on stderr, on one line (a path stays whole),
    with exit status 2.
    """
    args = parse_args(sys.argv[1:] if argv is None else argv)
    console = terminal_console()
    errors = terminal_console(stderr=True)
    try:
        return run_chat(args, console)
    except KeyboardInterrupt:  # before the conversation started
        console.print()
        return EXIT_INTERRUPTED
    except (UsageError, OSError, sqlite3.Error, ValueError) as exc:
        errors.print(Text(f"{PROG}: {exc}", "red"), soft_wrap=True)
        return EXIT_USAGE
