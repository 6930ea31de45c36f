"""The MCP door: each tool call is an entry of the auth graph; its questions become elicitations.

The graph is the core here: its pre-flight, Step 0, pre-login gate, login lock, D7 handling,
retry through the menu and one ``auth status`` per signal run unchanged. The door only
translates:

- a tool call starts an entry (``{"messages": ["<the request>"], "intent": …}``) on the MCP
  session's thread, in the caller's ``language`` (``Context.language``; nothing else of the
  context comes from the client: the graph is built ``served`` and each run's context is a
  :class:`~okx_auth_graph.context.ServedContext`; the okx adapter is the operator's);
- each question the graph asks is asked of the user by elicitation (:mod:`.asking`) and the
  answer resumes the graph, until the entry ends or waits for the completion signal;
- the wait for the signal ends the tool call: its result carries the verbatim challenge, and
  ``okx_check_login`` asks the user for the signal (one resume, so one ``auth status``);
- a client that cannot elicit gets the question's text and what to do instead; the graph is not
  resumed, so nothing the user did not choose runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
import weakref
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Final

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from okx_auth_graph.context import ServedContext
from okx_auth_graph.core import run_okx_command
from okx_auth_graph.core.gate import api_key_profiles
from okx_auth_graph.doors.mcp.asking import answerable, ask, can_elicit
from okx_auth_graph.extras import extra_needed
from okx_auth_graph.graph import build_graph
from okx_auth_graph.graph.login_flow import _seconds_left as seconds_left
from okx_auth_graph.graph.login_flow import challenge_message
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.prompts import render
from okx_auth_graph.state import Intent, Language

with extra_needed("mcp", "the MCP server"):
    from mcp.server.fastmcp import Context as McpContext
    from mcp.server.fastmcp.exceptions import ToolError
    from mcp.server.session import ServerSession


SHOW_VERBATIM: Final = (
    "Show `message` to the user exactly as written (every line, the URL and the code as plain "
    "text), in your own reply."
)
AFTER_CHALLENGE: Final = (
    " Then call okx_check_login: it asks the user whether they finished (never poll, never "
    "answer for the user)."
)
WAITING_REFUSAL: Final = (
    "A login of this server waits for the user's completion signal: run no other okx command "
    "now. Call okx_check_login (it asks the user), or okx_login to show the code again."
)
REQUESTS: Final[dict[Intent, str]] = {
    "login": "log in to okx",
    "status": "okx auth status",
    "logout": "log out of okx",
    "binary_status": "okx-auth binary status",
    "binary_install": "install the okx-auth binary",
    "binary_remove": "remove the okx-auth binary",
}
"""The request text of each tool's entry (the intent is passed as the caller's hint too)."""
LOGIN_QUESTIONS: Final = frozenset({"choose_site", "confirm_retry", "confirm_start_over"})
"""Questions on the way to a login: unanswered, they get the login's "what you can do"."""
MAX_QUESTIONS: Final = 12
"""Questions one tool call asks at most (each one is a user's answer; a client that answers
every menu with nonsense is stopped here)."""
PROGRESS_SECONDS: Final = 5.0


class AuthDoor:
    """The auth graph behind the MCP tools: one thread per MCP session, one call at a time.

    Args:
        cli: The operator's okx adapter (its program, HOME and environment).
        language: The language when a call names none (``OKX_AUTH_LANGUAGE``, else ``en``).
    """

    def __init__(self, cli: OkxCli, *, language: Language = "en") -> None:
        self.cli = cli
        self.language: Language = language
        # served: a run's context is ServedContext (the language only, from the call); the okx
        # adapter is the operator's, given here
        self.graph = build_graph(
            cli=cli, checkpointer=InMemorySaver(), name="okx_auth_mcp", served=True
        )
        self._threads: weakref.WeakKeyDictionary[ServerSession, str] = weakref.WeakKeyDictionary()
        self._locks: dict[str, asyncio.Lock] = {}

    def thread(self, session: ServerSession) -> str:
        """The graph thread of an MCP session (a new one for a new session)."""
        if session not in self._threads:
            self._threads[session] = uuid.uuid4().hex
        return self._threads[session]

    def _config(self, thread: str) -> Any:
        return {"configurable": {"thread_id": thread}}

    async def pending(self, thread: str) -> dict[str, Any] | None:
        """The question the thread waits on (its interrupt payload), if any."""
        snapshot = await self.graph.aget_state(self._config(thread))
        for interrupt in snapshot.interrupts:
            if isinstance(interrupt.value, Mapping):
                return dict(interrupt.value)
        return None

    async def waiting_for_signal(self, thread: str) -> dict[str, Any] | None:
        """The wait for the completion signal, when the thread is at it."""
        question = await self.pending(thread)
        return question if question and question.get("type") == "await_authorization" else None

    @contextlib.asynccontextmanager
    async def _turn(self, ctx: McpContext[Any, Any, Any]) -> AsyncIterator[str]:
        thread = self.thread(ctx.session)
        lock = self._locks.setdefault(thread, asyncio.Lock())
        async with lock, _progress(ctx):  # the whole call: okx's work and the user's answers
            yield thread

    async def entry(
        self, ctx: McpContext[Any, Any, Any], intent: Intent, language: Language | None
    ) -> dict[str, Any]:
        """Run one entry of the graph for ``intent``; ask its questions; return the result."""
        lang = language or self.language
        async with self._turn(ctx) as thread:
            waiting = await self.waiting_for_signal(thread)
            if waiting is not None:
                if intent == "login":  # D7: the held code again, no okx call
                    return await self._held_code(thread, waiting, language or self.language)
                return {"status": "refused", "reason": WAITING_REFUSAL}
            request = {"messages": [HumanMessage(REQUESTS[intent])], "intent": intent}
            return await self._drive(ctx, thread, request, lang)

    async def _held_code(
        self, thread: str, waiting: dict[str, Any], language: Language
    ) -> dict[str, Any]:
        """The wait's challenge again, its validity counted from when it was issued (D7, D12).

        The wait's last text may be "not done yet"; the held challenge is in the thread's
        state, and it is shown only while it is still valid (a lapsed one shows the wait).
        """
        values = (await self.graph.aget_state(self._config(thread))).values
        site = str(values.get("site") or "")
        held = values.get("challenge")
        left = seconds_left(held, values.get("challenge_at"), site)
        if not held or left <= 0:
            return challenge_result(waiting)
        shown: Any = {**values, "language": language, "language_fixed": True}  # an AuthState
        text = challenge_message(shown, site, {**held, "expiresIn": left})
        return challenge_result({**waiting, "message": text, "expiresIn": left})

    async def check_login(
        self, ctx: McpContext[Any, Any, Any], language: Language | None
    ) -> dict[str, Any]:
        """Ask the user for the completion signal; each accepted signal resumes the graph once."""
        lang = language or self.language
        async with self._turn(ctx) as thread:
            waiting = await self.waiting_for_signal(thread)
            if waiting is None:
                return {
                    "status": "no_pending_login",
                    "message": render("mcp_no_pending_login", lang),
                }
            if not can_elicit(ctx.session):
                return no_elicitation_result(waiting, lang)
            reply = await ask(ctx.session, waiting, ctx.request_id)
            if reply is None:  # accepted without the tick: not a signal, nothing to check
                return challenge_result(waiting)
            return await self._drive(ctx, thread, Command(resume=reply), lang)

    async def _drive(
        self, ctx: McpContext[Any, Any, Any], thread: str, step: Any, language: Language
    ) -> dict[str, Any]:
        """Run the graph from ``step``; answer its questions by elicitation until it stops."""
        config = self._config(thread)
        context: Any = ServedContext(language=language)  # the served graph's context schema
        for _ in range(MAX_QUESTIONS):
            await self.graph.ainvoke(step, config, context=context)
            question = await self.pending(thread)
            if question is None:
                return await self._ended(thread)
            if question.get("type") == "await_authorization":
                return challenge_result(question)
            if not can_elicit(ctx.session) or not answerable(question):
                self._threads[ctx.session] = uuid.uuid4().hex  # the question is dropped
                return no_elicitation_result(question, language)
            reply = await ask(ctx.session, question, ctx.request_id)
            step = Command(resume=reply)
        self._threads[ctx.session] = uuid.uuid4().hex
        return {"status": "cancelled", "message": render("cancelled", language)}

    async def _ended(self, thread: str) -> dict[str, Any]:
        """The result of an entry that ended: its outcome and its last reply."""
        values = (await self.graph.aget_state(self._config(thread))).values
        messages = [m for m in values.get("messages", []) if isinstance(m, AIMessage)]
        message = str(messages[-1].text) if messages else ""
        outcome = values.get("outcome") or "done"
        if outcome == "failed":
            raise ToolError(message)
        result: dict[str, Any] = {"status": outcome, "message": message}
        auth = values.get("auth")
        if auth and values.get("intent") == "status":  # what the pre-flight found, as it found it
            result["auth"] = {k: auth[k] for k in ("status", "site", "scopes") if k in auth}
        profiles = api_key_profiles(values.get("config"))
        if profiles:
            result["api_key_profile"] = profiles[0]
        if values.get("retry_command"):
            result["retry_command"] = list(values["retry_command"])
        return result

    async def run_command(
        self, ctx: McpContext[Any, Any, Any], argv: Sequence[str], language: Language | None
    ) -> dict[str, Any]:
        """A downstream skill command through the allowlist; an auth failure says to log in."""
        async with self._turn(ctx) as thread:
            if await self.waiting_for_signal(thread) is not None:
                return {"status": "refused", "reason": WAITING_REFUSAL}
            result = await run_okx_command(self.cli, argv)
        if result.get("ok"):
            return result
        if result.get("next") == "okx_auth":
            lang = language or self.language
            failed = result["failed_command"]
            kind = result["kind"]
            nxt = "okx_install_binary" if kind == "failed_to_spawn" else "okx_login"
            command = " ".join(["okx", *failed["argv"]])
            text = render("mcp_login_required", lang, command=command)
            return {
                "ok": False,
                "kind": kind,
                "next": nxt,
                "failed_command": failed,
                "message": text if nxt == "okx_login" else render("binary_missing", lang),
                "instruction": f"Call {nxt}; once it succeeds, run failed_command.argv again "
                "with okx_run_command (once).",
            }
        error = result["error"]
        raise ToolError(f"{error['message']} ({error['action']})")


def challenge_result(question: Mapping[str, Any]) -> dict[str, Any]:
    """The tool result while a login waits: the verbatim challenge and what to do with it."""
    result: dict[str, Any] = {
        "status": "waiting_for_user",
        "message": str(question.get("message", "")),
        "instruction": SHOW_VERBATIM + AFTER_CHALLENGE,
    }
    for key in ("site", "verificationUri", "userCode", "expiresIn"):
        if question.get(key) is not None:
            result[key] = question[key]
    return result


def no_elicitation_result(question: Mapping[str, Any], language: Language) -> dict[str, Any]:
    """A question this client cannot put to the user: its text, and what the user can do."""
    login = question.get("type") in LOGIN_QUESTIONS
    explained = render("mcp_no_elicitation" if login else "mcp_no_elicitation_other", language)
    text = f"{question.get('message', '')}\n\n{explained}"
    return {
        "status": "needs_user",
        "message": text,
        "instruction": SHOW_VERBATIM + " Do not answer it yourself: no tool takes the answer.",
    }


@contextlib.asynccontextmanager
async def _progress(ctx: McpContext[Any, Any, Any]) -> AsyncIterator[None]:
    """Progress notifications every few seconds while a call runs.

    Okx working, or the user answering a form: a client that resets its timeout on progress
    never gives up on either.
    """

    async def tick() -> None:
        count = 0
        while True:
            await asyncio.sleep(PROGRESS_SECONDS)
            count += 1
            await ctx.report_progress(count, message="still working (okx, or your answer)")

    task = asyncio.create_task(tick())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
