"""LangChain tools that let an LLM app drive the okx login without breaking the rules of docs/spec.md.

:func:`make_tools` returns the tools. Each reads the conversation through the tool runtime
(``runtime: ToolRuntime``, which ``ToolNode`` injects; the model never sees it), so the rules hold
whatever the model decides:

- ``okx_start_login`` refuses, with no okx call, unless the verbatim Chinese site menu was shown
  in an assistant message before the user's latest message, that latest message is a site
  choice, and the ``site`` argument is exactly that choice. It runs the pre-flight itself (an
  API-key profile or a session already in place or in progress means no new login) and starts at
  most one login per site choice.
- ``okx_check_login`` refuses unless the user wrote something after the previous check (no
  polling loop) and that message does not say the authorisation is unfinished.
- While a login waits for the user's completion signal, every other okx tool refuses: the
  only okx call allowed then is ``okx_check_login`` after the user's next message.
- Nothing secret reaches an argument or a result: the config is summarised by the adapter
  (profile names, sites, whether an API key exists), and ``okx_run_command`` runs only the
  skill modules (``market``, ``account``, ``spot``, ``swap``, ``futures``, ``option``, ``earn``,
  ``bot``): ``config``, ``auth``, ``setup``, ``diagnose`` and leading options are refused.

``okx_run_command`` (and the plain helper :func:`run_okx_command`) runs a downstream okx command
for a skill; on an authentication failure it returns what the auth graph must do next:
``{"ok": False, "next": "okx_auth", "failed_command": {"argv": [...], "error": "..."}, ...}``,
ready to pass as the auth graph's ``failed_command`` input.

The adapter comes from ``make_tools(cli=...)`` or, when none is given, from the runtime context
(:class:`~okx_auth_graph.context.Context`: executable, HOME, env, timeouts).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool, StructuredTool
from langgraph.prebuilt import ToolRuntime

from okx_auth_graph.context import Context
from okx_auth_graph.core import (
    SKILL_MODULES,
    AnotherLogin,
    GateClosed,
    LockFault,
    LoginFailed,
    Preflight,
    check_login,
    install_binary,
    log_in,
    log_out,
    read_preflight,
    run_okx_command,
    step0,
)
from okx_auth_graph.core.gate import (
    gate_site,
    last_human_index,
    menu_shown_before,
    site_menu,
    site_menu_again,
)
from okx_auth_graph.core.login_lock import LOCK_NAME, MARKER_NAME
from okx_auth_graph.core.skill_commands import error_summary
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.errors import OkxCliError
from okx_auth_graph.okx.sites import SiteId
from okx_auth_graph.prompts import (
    API_KEY_CONFIGURED,
    LOGIN_CHALLENGE,
    LOGIN_SUCCESS,
    error_text,
    render,
)
from okx_auth_graph.reading.rules import is_cancel, latest_language, read_reply
from okx_auth_graph.state import Language
from okx_auth_graph.syncio import blocking

__all__ = ["SKILL_MODULES", "SYSTEM_PROMPT", "make_tools", "preflight", "run_okx_command"]

START_LOGIN = "okx_start_login"
CHECK_LOGIN = "okx_check_login"
AUTH_STATUS = "okx_auth_status"
LOGOUT = "okx_logout"
INSTALL_BINARY = "okx_install_binary"
BINARY_STATUS = "okx_binary_status"
RUN_COMMAND = "okx_run_command"
TOOL_NAMES = (
    AUTH_STATUS,
    START_LOGIN,
    CHECK_LOGIN,
    LOGOUT,
    INSTALL_BINARY,
    BINARY_STATUS,
    RUN_COMMAND,
)
"""The tools :func:`make_tools` returns, in order (each the name of its body's method)."""

SYSTEM_PROMPT = (
    "You help the user with the OKX CLI through the okx_* tools. Rules the tools enforce: "
    "before a login, show the site menu exactly as a tool gives it and wait for the user's "
    "choice; call okx_start_login only with the site the user chose in their latest message; "
    "show the verification URL and code in your own reply, then wait for the user to say they "
    "are done and call okx_check_login once per user message; never poll. When a tool result "
    "has a 'message', reply with it verbatim."
)


def refusal(reason: str, **extra: Any) -> dict[str, Any]:
    """A tool result that refuses an action; no okx command was run.

    Args:
        reason: Why the tool refused and what to do instead.
        **extra: More keys for the model (e.g. the menu text to show).

    Returns:
        ``{"status": "refused", "reason": reason, ...}``.
    """
    return {"status": "refused", "reason": reason, **extra}


def _text(message: AnyMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    parts = [
        part if isinstance(part, str) else str(part.get("text", ""))
        for part in content
        if isinstance(part, str) or (isinstance(part, dict) and part.get("type") == "text")
    ]
    return "".join(parts)


def _messages(runtime: ToolRuntime[Any, Any]) -> list[AnyMessage]:
    state = runtime.state
    messages = state.get("messages", []) if isinstance(state, dict) else []
    messages = messages or getattr(state, "messages", [])
    return [m for m in messages if isinstance(m, AIMessage | HumanMessage | ToolMessage)]


def _tool_result(message: ToolMessage) -> dict[str, Any]:
    try:
        data = json.loads(_text(message))
    except (json.JSONDecodeError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _earlier_calls(
    messages: Sequence[AnyMessage], name: str, current_id: str | None
) -> list[tuple[int, str]]:
    """``(message index, call id)`` of each earlier call of tool ``name`` (not this one)."""
    found = []
    for index, message in enumerate(messages):
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                if call["name"] == name and call.get("id") != current_id:
                    found.append((index, str(call.get("id"))))
    return found


def awaiting_signal(messages: Sequence[AnyMessage]) -> bool:
    """Whether a login code was issued and neither a later check nor a "cancel" ended the wait."""
    waiting = False
    for message in messages:
        if isinstance(message, HumanMessage) and is_cancel(_text(message)):
            waiting = False
        if not isinstance(message, ToolMessage):
            continue
        status = _tool_result(message).get("status")
        if message.name == START_LOGIN and status == "code_issued":
            waiting = True
        elif message.name == CHECK_LOGIN and status in {"logged_in", "not_logged_in"}:
            waiting = False
    return waiting


def conversation_language(messages: Sequence[AnyMessage]) -> Language:
    """The user's language, turn by turn (docs/spec.md D22): the latest message that decides.

    A message without letters (a digit, an emoji) or a tie keeps the language before it.
    """
    texts = [_text(m) for m in messages if isinstance(m, HumanMessage)]
    return latest_language(texts)


async def preflight(cli: OkxCli) -> dict[str, Any]:
    """Run the pre-flight (:func:`~okx_auth_graph.core.read_preflight`) and summarise it.

    Returns:
        ``api_key_profile`` (the default profile first, as the graph's step 0.2), ``site``
        (step 0.1 as in the graph: the default profile's site first, the ``not_logged_in``
        placeholder dropped), ``status``, ``scopes``, and ``error`` when a call failed (kind,
        message, action).
    """
    return _summary(await read_preflight(cli))


def _summary(pre: Preflight) -> dict[str, Any]:
    decision = pre.decision
    summary: dict[str, Any] = {
        "api_key_profile": decision.profile,
        "site": decision.site,
        "status": pre.auth["status"] if pre.auth else None,
        "scopes": pre.auth["scopes"] if pre.auth else [],
    }
    if pre.error is not None:
        summary["error"] = error_summary(pre.error)
    return summary


def failure(error: dict[str, Any], language: Language) -> dict[str, Any]:
    """A tool result for an okx failure, with the text to show the user.

    Args:
        error: The failure's kind, message and action.
        language: The user's language.

    Returns:
        ``{"status": "error", "error": error, "message": …}``.
    """
    return {"status": "error", "error": error, "message": error_text(error, language)}


def _success_message(site: str | None, scopes: Sequence[str], language: Language) -> str:
    return render(LOGIN_SUCCESS, language, site=site or "", scopes=", ".join(scopes))


def _no_login_needed(pre: Preflight, language: Language) -> dict[str, Any] | None:
    """The answer of step 0 when it needs no new login (API key, session, pending code, fault)."""
    decision = pre.decision
    if decision.next == "use_api_key":
        message = render(API_KEY_CONFIGURED, language, profile=decision.profile or "")
        return {"status": "api_key_configured", "message": message}
    if pre.error is not None:
        return failure(error_summary(pre.error), language)
    if decision.next == "logged_in":
        message = _success_message(decision.site, decision.scopes, language)
        return {"status": "logged_in", "message": message}
    if decision.next == "wait_for_user":
        return _in_progress()
    return None


async def _api_key_profile(okx: OkxCli) -> str | None:
    """The API-key profile ``okx config show`` names now (None: none, or it failed)."""
    try:
        return step0(await okx.config_show(), None).profile
    except OkxCliError:
        return None


def _in_progress() -> dict[str, Any]:
    return refusal(
        "A login is already in progress: do not start another. Wait for the user to "
        f"say they are done, then call {CHECK_LOGIN}.",
        auth_status="pending",
    )


def _another_login(outcome: AnotherLogin, language: Language) -> dict[str, Any]:
    """Another login of this okx home got there first: its result, never a second login."""
    status = outcome.status
    if status["status"] == "logged_in":
        message = _success_message(status["site"], status["scopes"], language)
        return {"status": "logged_in", "message": message}
    return _in_progress()


def _lock_fault(outcome: LockFault, language: Language) -> dict[str, Any]:
    folder = outcome.error.folder
    message = render(
        "login_lock_fault", language, folder=folder, lock=LOCK_NAME, marker=MARKER_NAME
    )
    error = {"kind": "login_lock", "message": str(outcome.error), "action": message}
    return {"status": "error", "error": error, "message": message}


def _code_issued(site: str, challenge: dict[str, Any], language: Language) -> dict[str, Any]:
    minutes = max(1, int(challenge["expiresIn"]) // 60)
    return {
        "status": "code_issued",
        "site": site,
        **challenge,
        "message": render(
            LOGIN_CHALLENGE,
            language,
            site=site,
            verificationUri=challenge["verificationUri"],
            userCode=challenge["userCode"],
            expires_minutes=minutes,
        ),
    }


class _ToolBodies:
    """The bodies of the okx auth tools over one adapter (``cli``), or the runtime context's.

    Each ``okx_*`` method is one tool: :func:`make_tools` turns it into a LangChain tool of the
    same name, its docstring the description the model reads.
    """

    def __init__(self, cli: OkxCli | None) -> None:
        self.cli = cli

    def adapter(self, runtime: ToolRuntime[Any, Any]) -> OkxCli:
        """The adapter given to ``make_tools``, else one for the runtime context."""
        if self.cli is not None:
            return self.cli
        context = runtime.context
        return OkxCli.from_context(context if isinstance(context, Context) else None)

    def wait_refusal(self, runtime: ToolRuntime[Any, Any]) -> dict[str, Any] | None:
        """The refusal every okx tool but the check gives while a login waits for the user."""
        if awaiting_signal(_messages(runtime)):
            return refusal(
                "A login is waiting for the user to authorise in the browser. Run no okx "
                f"command now: wait for the user's next message, then call {CHECK_LOGIN}."
            )
        return None

    async def okx_auth_status(self, runtime: ToolRuntime[Any, Any]) -> dict[str, Any]:
        """Run the okx pre-flight and report how the user is authenticated.

        Runs ``okx config show --json`` and ``okx auth status --json`` together. The result
        says what to do next: ``use_api_key`` (an API key is configured: no login),
        ``logged_in``, ``wait_for_user`` (a login is in progress), ``show_site_menu`` (a login
        is needed: show ``message`` verbatim and wait for the user's choice) or ``fix``.

        Returns:
            status, site, scopes, api_key_profile, next and message (text for the user).
        """
        if (refused := self.wait_refusal(runtime)) is not None:
            return refused
        messages = _messages(runtime)
        language = conversation_language(messages)
        pre = await read_preflight(self.adapter(runtime))
        decision, summary = pre.decision, _summary(pre)
        if decision.next == "use_api_key":
            nxt = "use_api_key"
            message = render(API_KEY_CONFIGURED, language, profile=decision.profile or "")
        elif pre.error is not None:
            nxt = "fix"
            message = failure(summary["error"], language)["message"]
        elif decision.next == "logged_in":
            nxt = "logged_in"
            message = _success_message(decision.site, decision.scopes, language)
        elif decision.next == "wait_for_user":
            nxt = "wait_for_user"
            message = render("login_pending", language, site=decision.site or "")
        else:
            nxt = "show_site_menu"
            message = site_menu()
        return {**summary, "next": nxt, "message": message}

    async def okx_start_login(self, site: SiteId, runtime: ToolRuntime[Any, Any]) -> dict[str, Any]:
        """Start an OKX OAuth login (device code) for the site the user just chose.

        Only after the site menu was shown verbatim and the user's latest message chose a site;
        pass exactly that site. Show the returned ``message`` (URL and code) verbatim in your
        reply, then wait for the user to say they are done.

        Args:
            site: The site id the user chose: ``global``, ``eea`` or ``us``.
            runtime: Injected by the tool node (conversation and context), not by the model.

        Returns:
            status (``code_issued``, ``api_key_configured``, ``logged_in``, ``refused`` or
            ``error``), message, and for a code: site, verificationUri, userCode, expiresIn.
        """
        messages = _messages(runtime)
        last_human = last_human_index(messages)
        menu = site_menu()
        if last_human < 0 or not menu_shown_before(messages, last_human):
            return refusal(
                "The site menu was not shown before the user's latest message. Show this "
                "menu verbatim and wait for the user's choice.",
                message=menu,
            )
        choice = gate_site(messages)
        if choice is None:
            return refusal(
                "The user's latest message is not a site choice. Show this message (the menu "
                "again, with a hint under it) verbatim and wait.",
                message=site_menu_again(conversation_language(messages)),
            )
        if choice != site:
            return refusal(
                f"The user chose {choice!r}, not {site!r}. Call again only with the user's choice."
            )
        later_starts = [
            i
            for i, _ in _earlier_calls(messages, START_LOGIN, runtime.tool_call_id)
            if i > last_human
        ]
        if later_starts:
            return refusal("A login was already started for this site choice. Wait for the user.")
        if (refused := self.wait_refusal(runtime)) is not None:
            return refused
        okx = self.adapter(runtime)
        pre = await read_preflight(okx)
        ahead = _no_login_needed(pre, conversation_language(messages))
        if ahead is not None:
            return ahead
        outcome = await log_in(okx, messages, site=site, logins_seen=pre.logins_seen)
        language = conversation_language(_messages(runtime))
        if isinstance(outcome, GateClosed):  # checked above: the conversation moved meanwhile
            return refusal("The pre-login gate does not hold. Show the site menu again.")
        if isinstance(outcome, AnotherLogin):
            return _another_login(outcome, language)
        if isinstance(outcome, LockFault):
            return _lock_fault(outcome, language)
        if isinstance(outcome, LoginFailed):
            return failure(error_summary(outcome.error), language)
        result = outcome.result
        if "status" in result:  # skipped: okx found an API key the pre-flight did not
            profile = await _api_key_profile(okx) or result.get("profile") or ""
            return {
                "status": "api_key_configured",
                "message": render(API_KEY_CONFIGURED, language, profile=profile),
            }
        return _code_issued(site, dict(result), language)

    async def okx_check_login(self, runtime: ToolRuntime[Any, Any]) -> dict[str, Any]:
        """Check once whether the user finished the browser authorisation.

        Call it only after the user says they are done (one call per user message; never
        poll).

        Returns:
            status (``logged_in``, ``pending``, ``not_logged_in``, ``refused`` or ``error``)
            and message (text for the user).
        """
        messages = _messages(runtime)
        last_human = last_human_index(messages)
        earlier = _earlier_calls(messages, CHECK_LOGIN, runtime.tool_call_id)
        if last_human < 0 or (earlier and earlier[-1][0] >= last_human):
            return refusal(
                "Already checked since the user's latest message. Do not poll: wait for the "
                "user to say they are done."
            )
        reading = read_reply("await_authorization", _text(messages[last_human]))
        if reading.label not in ("signal", "denied", "unclear"):
            return refusal("The user has not said they are done. Wait for their signal.")
        language = conversation_language(messages)
        try:
            status = await check_login(self.adapter(runtime))
        except OkxCliError as exc:
            return failure(error_summary(exc), conversation_language(_messages(runtime)))
        if status["status"] == "logged_in":
            return {
                "status": "logged_in",
                "message": _success_message(status["site"], status["scopes"], language),
            }
        if status["status"] == "pending":
            return {"status": "pending", "message": render("login_not_done_yet", language)}
        return {
            "status": "not_logged_in",
            "message": render("confirm_retry", language),
            "next": "A retry shows the site menu again; the user's reply to it is the new site.",
        }

    async def okx_logout(self, runtime: ToolRuntime[Any, Any]) -> dict[str, Any]:
        """Log out of OKX OAuth (``okx auth logout``); the client registration is kept.

        Returns:
            status (``logged_out``, ``refused`` or ``error``) and message.
        """
        if (refused := self.wait_refusal(runtime)) is not None:
            return refused
        language = conversation_language(_messages(runtime))
        try:
            logged_out = await log_out(self.adapter(runtime), None)
        except OkxCliError as exc:
            return failure(error_summary(exc), conversation_language(_messages(runtime)))
        if not logged_out:
            return {
                "status": "not_logged_in",
                "message": render("logout_not_logged_in", language),
            }
        return {"status": "logged_out", "message": render("logged_out", language)}

    async def okx_install_binary(
        self, runtime: ToolRuntime[Any, Any], retry_command: list[str] | None = None
    ) -> dict[str, Any]:
        """Install or update the okx-auth binary (``okx auth install``), then verify it.

        Use it when an okx command fails with "Failed to spawn okx-auth". Pass the failed
        skill command as ``retry_command``: once the binary is installed the result gives it
        back, to run once more with okx_run_command (once: if it fails the same way again,
        report the error instead of reinstalling).

        Args:
            runtime: Injected by the tool node (conversation and context), not by the model.
            retry_command: The argv of the skill command that failed to spawn okx-auth.

        Returns:
            status (``installed``, ``up-to-date``, ``refused`` or ``error``), installed, and
            ``retry_command`` when one was given and the binary is installed.
        """
        if (refused := self.wait_refusal(runtime)) is not None:
            return refused
        okx = self.adapter(runtime)
        try:
            outcome = await install_binary(okx)
            check = await okx.install_status()
        except OkxCliError as exc:
            return failure(error_summary(exc), conversation_language(_messages(runtime)))
        result: dict[str, Any] = {"status": outcome["status"], "installed": check["installed"]}
        if retry_command and check["installed"]:
            result["retry_command"] = [str(a) for a in retry_command]
            result["next"] = f"run {RUN_COMMAND} once more with retry_command"
        return result

    async def okx_binary_status(self, runtime: ToolRuntime[Any, Any]) -> dict[str, Any]:
        """Report whether the okx-auth binary is installed (``okx auth install-status``).

        Returns:
            installed, platform and cdn_match; or status ``refused`` / ``error``.
        """
        if (refused := self.wait_refusal(runtime)) is not None:
            return refused
        try:
            status = await self.adapter(runtime).install_status()
        except OkxCliError as exc:
            return failure(error_summary(exc), conversation_language(_messages(runtime)))
        return dict(status)

    async def okx_run_command(
        self, argv: list[str], runtime: ToolRuntime[Any, Any]
    ) -> dict[str, Any]:
        """Run a downstream okx skill command, e.g. ``["account", "balance", "--json"]``.

        On an authentication failure the result has ``next: "okx_auth"`` and the
        ``failed_command`` to hand to the auth flow.

        Args:
            argv: The okx arguments without ``okx``; the first is a skill module (market,
                account, spot, swap, futures, option, earn or bot).
            runtime: Injected by the tool node (conversation and context), not by the model.

        Returns:
            ok, and json/stdout on success; next/failed_command or error on failure.
        """
        if (refused := self.wait_refusal(runtime)) is not None:
            return refused
        return await run_okx_command(self.adapter(runtime), argv)


def make_tools(cli: OkxCli | None = None) -> list[BaseTool]:
    """Build the okx auth tools.

    Args:
        cli: The okx adapter; when ``None`` each call builds one from the runtime context.

    Returns:
        The tools: auth status, start login, check login, logout, install binary, binary
        status and run command.
    """
    bodies = _ToolBodies(cli)
    tools: list[BaseTool] = []
    for name in TOOL_NAMES:
        coroutine = getattr(bodies, name)
        tools.append(
            StructuredTool.from_function(
                # the same coroutine serves tool.invoke as well as tool.ainvoke
                func=blocking(coroutine),
                coroutine=coroutine,
                name=name,
                parse_docstring=True,
            )
        )
    return tools
