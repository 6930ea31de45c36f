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

import asyncio
import json
from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool, StructuredTool, tool
from langgraph.prebuilt import ToolRuntime

from okx_auth_graph.cli import OkxCli
from okx_auth_graph.context import Context
from okx_auth_graph.errors import OkxCliError
from okx_auth_graph.gate import (
    api_key_profiles,
    gate_site,
    last_human_index,
    menu_shown_before,
    persisted_site,
    site_menu,
    site_menu_again,
)
from okx_auth_graph.prompts import (
    API_KEY_CONFIGURED,
    LOGIN_CHALLENGE,
    LOGIN_SUCCESS,
    error_text,
    render,
)
from okx_auth_graph.sites import SiteId
from okx_auth_graph.state import FailedCommand, Language
from okx_auth_graph.syncio import blocking
from okx_auth_graph.understanding import is_cancel, latest_language, read_reply

_T = TypeVar("_T")

START_LOGIN = "okx_start_login"
CHECK_LOGIN = "okx_check_login"
AUTH_STATUS = "okx_auth_status"
LOGOUT = "okx_logout"
INSTALL_BINARY = "okx_install_binary"
BINARY_STATUS = "okx_binary_status"
RUN_COMMAND = "okx_run_command"

AUTH_GRAPH_KINDS = frozenset(
    {"session_expired", "invalid_api_key", "failed_to_spawn", "region_restriction", "no_config"}
)
"""Error kinds of a downstream command that the auth graph remediates."""

SKILL_MODULES: tuple[str, ...] = (
    "market",
    "account",
    "spot",
    "swap",
    "futures",
    "option",
    "earn",
    "bot",
)
"""The only first arguments ``okx_run_command`` accepts: the skill modules of ``okx --help``.

Everything else is refused with no okx call: ``config`` (prints secrets), ``auth`` (logins go
through the auth tools), ``setup`` (writes MCP servers into other AI clients), ``diagnose``,
options before the module, unknown modules.
"""

MAX_OUTPUT_CHARS = 4000

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
    """Run ``config show --json`` and ``auth status --json`` concurrently; summarise them.

    Returns:
        ``api_key_profile`` (the default profile first, as the graph's step 0.2), ``site``
        (step 0.1 as in the graph: the default profile's site first, the ``not_logged_in``
        placeholder dropped), ``status``, ``scopes``, and ``error`` when a call failed (kind,
        message, action).
    """
    config_result, auth_result = await asyncio.gather(
        _captured(cli.config_show()), _captured(cli.auth_status())
    )
    config = None if isinstance(config_result, OkxCliError) else config_result
    auth = None if isinstance(auth_result, OkxCliError) else auth_result
    profiles = api_key_profiles(config)
    summary: dict[str, Any] = {
        "api_key_profile": profiles[0] if profiles else None,
        "site": persisted_site(config, auth),
        "status": auth["status"] if auth else None,
        "scopes": auth["scopes"] if auth else [],
    }
    if isinstance(config_result, OkxCliError) and config_result.kind != "no_config":
        summary["error"] = _error(config_result)
    elif isinstance(auth_result, OkxCliError):
        summary["error"] = _error(auth_result)
    return summary


async def _captured(call: Awaitable[_T]) -> _T | OkxCliError:
    """Await ``call``; an okx failure becomes the returned error (anything else propagates)."""
    try:
        return await call
    except OkxCliError as exc:
        return exc


def _error(exc: OkxCliError) -> dict[str, Any]:
    return {"kind": exc.kind, "message": exc.message, "action": exc.action}


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


async def run_okx_command(cli: OkxCli, argv: Sequence[str]) -> dict[str, Any]:
    """Run a downstream okx command; on an auth failure say what the auth graph must do.

    Args:
        cli: The okx adapter.
        argv: The okx arguments, e.g. ``["account", "balance", "--json"]``.

    Returns:
        ``{"ok": True, "argv", "json", "stdout"}`` on success;
        ``{"ok": False, "next": "okx_auth", "kind", "failed_command": {"argv", "error"}}`` when
        the auth graph must remediate (session expired, invalid API key, okx-auth binary
        missing, region restriction, no config); ``{"ok": False, "error": {...}}`` otherwise.
    """
    if isinstance(argv, str | bytes) or not all(isinstance(a, str) for a in argv):
        return _refused_command("argv must be a list of strings")
    args = list(argv)
    if not args or args[0] not in SKILL_MODULES:
        first = repr(args[0][:40]) if args else "nothing"
        return _refused_command(f"the first argument is {first}, not a skill module")
    try:
        result = await cli.run(args)
    except OkxCliError as exc:
        if exc.kind in AUTH_GRAPH_KINDS:
            failed: FailedCommand = {"argv": args, "error": exc.message}
            return {"ok": False, "next": "okx_auth", "kind": exc.kind, "failed_command": failed}
        return {"ok": False, "error": _error(exc)}
    return {
        "ok": True,
        "argv": result["argv"],
        "json": result["json"],
        "stdout": result["stdout"][:MAX_OUTPUT_CHARS],
    }


def _refused_command(why: str) -> dict[str, Any]:
    """The answer to a downstream command outside the skill modules (no okx call was made)."""
    return {
        "ok": False,
        "error": {
            "kind": "refused",
            "message": (
                f"okx_run_command refused: {why}. It runs skill commands only; the first "
                f"argument must be one of: {', '.join(SKILL_MODULES)}"
            ),
            "action": "use the okx auth tools for authentication; config, auth, setup and "
            "diagnose are not available to the model",
        },
    }


def make_tools(cli: OkxCli | None = None) -> list[BaseTool]:
    """Build the okx auth tools.

    Args:
        cli: The okx adapter; when ``None`` each call builds one from the runtime context.

    Returns:
        The tools: auth status, start login, check login, logout, install binary, binary
        status and run command.
    """

    def adapter(runtime: ToolRuntime[Any, Any]) -> OkxCli:
        if cli is not None:
            return cli
        context = runtime.context
        return OkxCli.from_context(context if isinstance(context, Context) else None)

    def wait_refusal(runtime: ToolRuntime[Any, Any]) -> dict[str, Any] | None:
        if awaiting_signal(_messages(runtime)):
            return refusal(
                "A login is waiting for the user to authorise in the browser. Run no okx "
                f"command now: wait for the user's next message, then call {CHECK_LOGIN}."
            )
        return None

    @tool(AUTH_STATUS, parse_docstring=True)
    async def okx_auth_status(runtime: ToolRuntime[Any, Any]) -> dict[str, Any]:
        """Run the okx pre-flight and report how the user is authenticated.

        Runs ``okx config show --json`` and ``okx auth status --json`` together. The result
        says what to do next: ``use_api_key`` (an API key is configured: no login),
        ``logged_in``, ``wait_for_user`` (a login is in progress), ``show_site_menu`` (a login
        is needed: show ``message`` verbatim and wait for the user's choice) or ``fix``.

        Returns:
            status, site, scopes, api_key_profile, next and message (text for the user).
        """
        if (refused := wait_refusal(runtime)) is not None:
            return refused
        messages = _messages(runtime)
        language = conversation_language(messages)
        summary = await preflight(adapter(runtime))
        if summary["api_key_profile"]:
            nxt = "use_api_key"
            message = render(API_KEY_CONFIGURED, language, profile=summary["api_key_profile"])
        elif "error" in summary:
            nxt = "fix"
            message = failure(summary["error"], language)["message"]
        elif summary["status"] == "logged_in":
            nxt = "logged_in"
            message = _success_message(summary["site"], summary["scopes"], language)
        elif summary["status"] == "pending":
            nxt = "wait_for_user"
            message = render("login_pending", language, site=summary["site"] or "")
        else:
            nxt = "show_site_menu"
            message = site_menu()
        return {**summary, "next": nxt, "message": message}

    @tool(START_LOGIN, parse_docstring=True)
    async def okx_start_login(site: SiteId, runtime: ToolRuntime[Any, Any]) -> dict[str, Any]:
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
        if (refused := wait_refusal(runtime)) is not None:
            return refused
        language = conversation_language(messages)
        okx = adapter(runtime)
        summary = await preflight(okx)
        if summary["api_key_profile"]:
            profile = summary["api_key_profile"]
            return {
                "status": "api_key_configured",
                "message": render(API_KEY_CONFIGURED, language, profile=profile),
            }
        if "error" in summary:
            return failure(summary["error"], language)
        if summary["status"] == "logged_in":
            return {
                "status": "logged_in",
                "message": _success_message(summary["site"], summary["scopes"], language),
            }
        if summary["status"] == "pending":
            return refusal(
                "A login is already in progress: do not start another. Wait for the user to "
                f"say they are done, then call {CHECK_LOGIN}.",
                auth_status="pending",
            )
        try:
            result = await okx.login_manual(site)
        except OkxCliError as exc:
            return failure(_error(exc), conversation_language(_messages(runtime)))
        if "status" in result:
            config = await _captured(okx.config_show())
            named = [] if isinstance(config, OkxCliError) else config["profiles"]
            with_key = [p["name"] for p in named if p["has_api_key"]]
            profile = with_key[0] if with_key else result.get("profile") or ""
            return {
                "status": "api_key_configured",
                "message": render(API_KEY_CONFIGURED, language, profile=profile),
            }
        challenge = result
        minutes = max(1, challenge["expiresIn"] // 60)
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

    @tool(CHECK_LOGIN, parse_docstring=True)
    async def okx_check_login(runtime: ToolRuntime[Any, Any]) -> dict[str, Any]:
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
            status = await adapter(runtime).auth_status()
        except OkxCliError as exc:
            return failure(_error(exc), conversation_language(_messages(runtime)))
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

    @tool(LOGOUT, parse_docstring=True)
    async def okx_logout(runtime: ToolRuntime[Any, Any]) -> dict[str, Any]:
        """Log out of OKX OAuth (``okx auth logout``); the client registration is kept.

        Returns:
            status (``logged_out``, ``refused`` or ``error``) and message.
        """
        if (refused := wait_refusal(runtime)) is not None:
            return refused
        language = conversation_language(_messages(runtime))
        try:
            await adapter(runtime).logout()
        except OkxCliError as exc:
            return failure(_error(exc), conversation_language(_messages(runtime)))
        return {"status": "logged_out", "message": render("logged_out", language)}

    @tool(INSTALL_BINARY, parse_docstring=True)
    async def okx_install_binary(
        runtime: ToolRuntime[Any, Any], retry_command: list[str] | None = None
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
        if (refused := wait_refusal(runtime)) is not None:
            return refused
        okx = adapter(runtime)
        try:
            outcome = await okx.install()
            check = await okx.install_status()
        except OkxCliError as exc:
            return failure(_error(exc), conversation_language(_messages(runtime)))
        result: dict[str, Any] = {"status": outcome["status"], "installed": check["installed"]}
        if retry_command and check["installed"]:
            result["retry_command"] = [str(a) for a in retry_command]
            result["next"] = f"run {RUN_COMMAND} once more with retry_command"
        return result

    @tool(BINARY_STATUS, parse_docstring=True)
    async def okx_binary_status(runtime: ToolRuntime[Any, Any]) -> dict[str, Any]:
        """Report whether the okx-auth binary is installed (``okx auth install-status``).

        Returns:
            installed, platform and cdn_match; or status ``refused`` / ``error``.
        """
        if (refused := wait_refusal(runtime)) is not None:
            return refused
        try:
            status = await adapter(runtime).install_status()
        except OkxCliError as exc:
            return failure(_error(exc), conversation_language(_messages(runtime)))
        return dict(status)

    @tool(RUN_COMMAND, parse_docstring=True)
    async def okx_run_command(argv: list[str], runtime: ToolRuntime[Any, Any]) -> dict[str, Any]:
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
        if (refused := wait_refusal(runtime)) is not None:
            return refused
        return await run_okx_command(adapter(runtime), argv)

    tools: list[BaseTool] = [
        okx_auth_status,
        okx_start_login,
        okx_check_login,
        okx_logout,
        okx_install_binary,
        okx_binary_status,
        okx_run_command,
    ]
    for each in tools:  # the same coroutine serves tool.invoke as well as tool.ainvoke
        if isinstance(each, StructuredTool) and each.coroutine is not None:
            each.func = blocking(each.coroutine)
    return tools
