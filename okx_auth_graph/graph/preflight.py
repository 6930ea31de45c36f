"""Entry, pre-flight and steps 0.1 (site check), 0.2 (API-key check) and 0.3 (OAuth check).

Step numbers are those of the project's specification, docs/spec.md.

Every entry that is not a market-only request runs the pre-flight: ``okx config show --json``
and ``okx auth status --json`` as two parallel nodes, whatever an upstream skill claimed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.runtime import Runtime
from langgraph.types import Command

from okx_auth_graph import core
from okx_auth_graph.context import Context
from okx_auth_graph.core.gate import (
    api_key_profiles,
    last_human_index,
    persisted_site,
    shows_site_menu,
    site_menu,
)
from okx_auth_graph.core.login_lock import read_login_count
from okx_auth_graph.graph.entry import validate_entry
from okx_auth_graph.graph.node_kit import cancelled, error_message, finish, node, success_message
from okx_auth_graph.graph.questions import ask_next, ask_user, pending_question
from okx_auth_graph.graph.services import (
    Services,
    heard,
    held_language_of,
    language_of,
    last_human_text,
    say,
    user_language,
)
from okx_auth_graph.okx.errors import OkxCliError, classify_message
from okx_auth_graph.prompts import API_KEY_CONFIGURED, CLARIFY_REQUEST_HINT, render, with_hint
from okx_auth_graph.reading.learned import CONFIRM_FIRST, needs_confirmation
from okx_auth_graph.reading.rules import (
    INTENTS,
    NO_AUTH_ROUTES,
    READ_LIMIT,
    ROUTES,
    RequestReading,
    parse_site_choice,
    too_long,
)
from okx_auth_graph.reading.window import window_update
from okx_auth_graph.state import ENTRY_KEYS, AuthState, Intent, Language, Route

EXPIRY_NOTICE_INTENTS = frozenset({"login", "skill", "status", "switch_site", "start_over"})
"""Intents that hear "your session has expired" when the pre-flight finds it lapsed (logout
just logs out, binary and API-key set-up requests are not about the session)."""

PER_ENTRY_RESET: dict[str, Any] = dict.fromkeys(sorted(ENTRY_KEYS))
"""What a new entry resets: every entry key of the state (see :data:`~okx_auth_graph.state.ENTRY_KEYS`)."""


CLARIFY_OPTIONS: tuple[Intent, ...] = ("login", "status", "logout", "api_key_setup")
"""What the clarifying question offers, in the order of its numbered options."""

EntryNext = Literal["preflight_config_show", "preflight_auth_status", "hand_off", "clarify_request"]


def _language_override(runtime: Runtime[Context]) -> Language | None:
    return Services.context(runtime).language


def caller_hints(state: AuthState) -> tuple[Intent | None, Route | None]:
    """The ``intent`` and ``route`` hints an entry's input carries, validated.

    A value the graph itself wrote last (:attr:`AuthState.last_reading`) is the previous
    entry's, not a hint.

    Raises:
        ValueError: If ``intent`` or ``route`` is not one of its Literal values (checked before
            anything else runs, so before any okx call).
    """
    intent, route = state.get("intent"), state.get("route")
    if intent is not None and intent not in INTENTS:
        raise ValueError(f"intent must be one of {', '.join(INTENTS)}, not {intent!r}")
    if route is not None and route not in ROUTES:
        raise ValueError(f"route must be one of {', '.join(ROUTES)} or None, not {route!r}")
    last = state.get("last_reading") or {}
    hinted_intent = intent if intent is not None and intent != last.get("intent") else None
    hinted_route = route if route is not None and route != last.get("route") else None
    return hinted_intent, hinted_route


def _with_hints(
    reading: RequestReading, intent: Intent | None, route: Route | None
) -> RequestReading:
    """``reading`` overruled by the caller's hints (trusted for intent and route, never a site)."""
    if intent is None:
        intent = reading.intent if reading.intent != "unclear" else "skill"
    return reading.model_copy(
        update={
            "intent": intent,
            "route": route or reading.route,
            "source": "hint",
            "rules_intent": reading.intent,
        }
    )


def _answers_the_menu(state: AuthState, request: str) -> bool:
    """Whether a new message reads as an answer to the site menu.

    A site choice, or any text sent right after the menu: the pre-login gate then decides
    (it never guesses a site), so no clarifying question is needed.
    """
    if parse_site_choice(request) is not None:
        return True
    messages = state.get("messages", [])
    index = last_human_index(messages)
    before = messages[index - 1] if index > 0 else None
    return isinstance(before, AIMessage) and shows_site_menu(before.text)


def _too_long_to_read(
    state: AuthState, update: dict[str, Any], *, fixed: Language | None
) -> Command[Any]:
    """A request longer than the rules read: say so in the user's language, run nothing.

    The language is that of the user's messages as usual (an over-long message counts by its
    first :data:`~okx_auth_graph.reading.rules.READ_LIMIT` characters), or ``Context.language``.
    """
    language = fixed or user_language(state)
    text = render("message_too_long", language, limit=f"{READ_LIMIT:,}")
    update = {
        **update,
        "messages": [*update.get("messages", []), AIMessage(text)],
        "outcome": "needs_user_action",
        "language": language,
        "language_held": held_language_of(state) is not None,
        "language_fixed": bool(fixed),
        "intent": "unclear",
        "route": None,
        "last_reading": {"intent": "unclear", "route": None},
    }
    return Command(goto="hand_off", update=update)


def _entry(
    state: AuthState,
    reading: RequestReading,
    update: dict[str, Any],
    *,
    fixed: Language | None,
    lock_dir: Path,
    asked_again: bool = False,
) -> Command[Any]:
    """Go on with a reading: ask when it is unclear, else market straight on or the pre-flight.

    A logout, binary install or removal or site switch the rules do not confirm (read by a
    model or the learned reader alone) is asked about first (D2, D21). Before
    the pre-flight, the okx home's login count is read (blocking: entry nodes are sync), so
    it is older than the ``auth status`` the pre-flight reads and the two calls still start
    together (see :mod:`okx_auth_graph.core.login_lock`).

    Args:
        state: The graph state.
        reading: What the request asks for.
        update: The state update so far (its messages go before any reply).
        fixed: ``Context.language``, when it overrides the users' language.
        lock_dir: The folder of the okx home's login lock and its count.
        asked_again: The request answers the clarifying question: if it is still unclear, the
            question is asked again with a hint under it.
    """
    update = {
        **update,
        "language": reading.language,
        "language_held": held_language_of(state) is not None,
        "language_fixed": bool(fixed),
        "intent": reading.intent,
        "route": reading.route,
        "last_reading": {"intent": reading.intent, "route": reading.route},
    }
    unconfirmed = needs_confirmation(reading)
    if (reading.intent == "unclear" or unconfirmed) and not state.get("failed_command"):
        question = str(say(update, "clarify_request").text)
        if asked_again:
            question = with_hint(question, CLARIFY_REQUEST_HINT, language_of(update))
        before = update.pop("messages", [])
        return ask_next("clarify_request", question, before=before, **update)
    market_only = reading.route in NO_AUTH_ROUTES and reading.intent == "skill"
    if market_only and not state.get("failed_command"):
        update["outcome"] = "no_auth_needed"
        update["messages"] = [*update.get("messages", []), say(update, "market_handoff")]
        return Command(goto="hand_off", update=update)
    if reading.intent == "unclear":
        update["intent"] = update["last_reading"]["intent"] = "login"
    update["logins_seen"] = read_login_count(lock_dir)
    return Command(goto=["preflight_config_show", "preflight_auth_status"], update=update)


INTENT_NODES: dict[
    str,
    Literal[
        "report_status",
        "logout",
        "install_binary",
        "check_binary",
        "explain_api_key_setup",
        "site_check",
        "site_switch_check",
    ],
] = {
    "status": "report_status",
    "session_lifetime": "report_status",
    "logout": "logout",
    "binary_install": "install_binary",
    "binary_status": "check_binary",
    "api_key_setup": "explain_api_key_setup",
    "switch_site": "site_switch_check",
    "start_over": "site_switch_check",
}
"""The node each intent's flow starts at after the pre-flight (a login starts at the site check)."""


@node
def receive_request(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> Command[EntryNext]:
    """Start an entry: read the request (intent, route, language), then ask or go on.

    An unclear request gets the clarifying question before any okx call; a market-only
    request goes straight on; everything else runs the pre-flight.
    """
    validate_entry(state)
    hinted_intent, hinted_route = caller_hints(state)
    request = last_human_text(state.get("messages", [])) or ""
    window = Services.context(runtime).message_window
    # only what changes: each written key is a row in the checkpointer's writes
    reset = {k: v for k, v in PER_ENTRY_RESET.items() if state.get(k, v) != v}
    update: dict[str, Any] = {**reset}
    update.update(window_update(state.get("messages", []), state.get("entry_starts"), window))
    if not state.get("failed_command") and state.get("remediated") is not None:
        update["remediated"] = None
    if too_long(request):
        return _too_long_to_read(state, update, fixed=_language_override(runtime))
    reading = services.read_request(
        runtime, request, language=_language_override(runtime), previous=held_language_of(state)
    )
    if hinted_intent or hinted_route:
        reading = _with_hints(reading, hinted_intent, hinted_route)
    elif reading.intent == "unclear" and _answers_the_menu(state, request):
        reading = reading.model_copy(update={"intent": "login"})  # the gate decides
    lock_dir = services.cli(runtime).login_lock_dir
    fixed = _language_override(runtime)
    return _entry(state, reading, update, fixed=fixed, lock_dir=lock_dir)


@node
def clarify_request(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> Command[Literal[EntryNext, "__end__"]]:
    """Ask what an unclear request wants (numbered options, or words); cancel ends it.

    The answer is read anew as a request; an option number picks that action.
    """
    message = pending_question(state) or say(state, "clarify_request").text
    options = [f"{n}. {intent}" for n, intent in enumerate(CLARIFY_OPTIONS, start=1)]
    reply = ask_user("clarify_request", message, options=options)
    human = HumanMessage(reply)
    state = heard(state, human)
    answer = services.read_reply(runtime, "clarify_request", reply, options=len(CLARIFY_OPTIONS))
    if answer.label == "cancel":
        return cancelled(state, [human])
    language = _language_override(runtime)
    if answer.label == "option" and answer.option is not None:
        intent = CLARIFY_OPTIONS[answer.option - 1]
        reading = RequestReading(
            intent=intent,
            language=language or user_language(state),
            rules_intent=intent,
        )
    else:
        reading = services.read_request(
            runtime, reply, language=language, previous=held_language_of(state)
        )
        if (
            reading.intent in CONFIRM_FIRST
            and reading.source == "model"
            and state.get("intent") == reading.intent
        ):  # a model's act said again is confirmed; a learned one only by the option (D21)
            reading = reading.model_copy(update={"rules_intent": reading.intent})
    lock_dir = services.cli(runtime).login_lock_dir
    return _entry(
        state,
        reading,
        {"messages": [human]},
        fixed=language,
        lock_dir=lock_dir,
        asked_again=True,
    )


@node
async def preflight_config_show(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> AuthState:
    """Pre-flight: ``okx config show --json`` (redacted summary only)."""
    try:
        return {"config": await services.cli(runtime).config_show(), "config_error": None}
    except OkxCliError as exc:
        if exc.kind == "no_config":
            return {"config": core.no_config(), "config_error": None}
        return {"config": None, "config_error": exc.to_dict()}


@node
async def preflight_auth_status(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> AuthState:
    """Pre-flight: ``okx auth status --json`` (the login count was read just before)."""
    try:
        status = await services.cli(runtime).auth_status()
    except OkxCliError as exc:
        return {"auth": None, "auth_error": exc.to_dict()}
    return {"auth": status, "auth_error": None}


@node
async def retry_auth_status(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> Command[Literal["dispatch_after_preflight", "__end__"]]:
    """Retry ``okx auth status --json`` once after the okx-auth binary was reinstalled.

    A second "Failed to spawn okx-auth" ends the entry: one reinstall per failed command.
    """
    update = await preflight_auth_status(state, runtime, services=services)
    error = update.get("auth_error")
    if error and error["kind"] == "failed_to_spawn":
        return finish(state, "failed", error_message(state, error), auth=None, auth_error=error)
    return Command(goto="dispatch_after_preflight", update=update)


@node
def dispatch_after_preflight(
    state: AuthState,
) -> Command[
    Literal[
        "site_check",
        "report_status",
        "logout",
        "install_binary",
        "check_binary",
        "confirm_remove_binary",
        "explain_api_key_setup",
        "site_switch_check",
        "remediate_failed_command",
        "__end__",
    ]
]:
    """Read the pre-flight's results and send the entry to the node its intent needs."""
    intent = state.get("intent", "login")
    config_error = state.get("config_error")
    auth_error = state.get("auth_error")
    for error in (auth_error, config_error):
        if error and error["kind"] in ("cli_not_found",):
            return finish(state, "failed", say(state, "cli_not_found"))
    update: dict[str, Any] = {}
    if config_error:
        return finish(state, "failed", error_message(state, config_error))
    too_old = bool(auth_error and auth_error["kind"] == "cli_too_old")
    # An API key needs only ``config show``: a request for one is answered as usual (D16).
    wants_api_key = intent == "api_key_setup" and not state.get("failed_command")
    if too_old and not wants_api_key and not api_key_profiles(state.get("config")):
        return finish(state, "needs_user_action", say(state, "cli_too_old"))
    if state.get("failed_command"):
        return Command(goto="remediate_failed_command")
    if auth_error:
        kind = auth_error["kind"]
        if kind == "failed_to_spawn" and intent.startswith("binary_"):
            update["auth"] = None
        elif kind == "failed_to_spawn":
            failed = {"argv": list(auth_error["argv"]), "kind": kind}
            return Command(goto="install_binary", update={"remediated": failed})
        elif kind in ("cli_too_old", "session_expired"):
            update["auth"] = core.no_session()
            if kind == "session_expired":
                update["auth"]["session_expired"] = True
        else:
            return finish(state, "failed", error_message(state, auth_error))
    auth = update.get("auth", state.get("auth"))
    lapsed = bool(auth and auth.get("session_expired"))
    if lapsed and intent in EXPIRY_NOTICE_INTENTS and not api_key_profiles(state.get("config")):
        update["messages"] = [say(state, "session_expired_notice")]
    goto = INTENT_NODES.get(intent, "site_check")
    if intent == "binary_remove":
        question = say(state, "confirm_remove_binary").text
        return ask_next("confirm_remove_binary", question, **update)
    return Command(goto=goto, update=update)


@node
def site_check(state: AuthState) -> Command[Literal["ask_site", "api_key_check"]]:
    """Step 0.1: a persisted site counts; otherwise ask with the verbatim menu."""
    site = persisted_site(state.get("config"), state.get("auth"))
    if site is None:
        return ask_next("ask_site", site_menu())
    return Command(goto="api_key_check", update={"site": site})


@node
def api_key_check(
    state: AuthState,
) -> Command[Literal["oauth_check", "hand_off", "offer_api_key_fix"]]:
    """Step 0.2: any API-key profile stops the auth flow; the original request proceeds.

    A request that itself quotes an invalid-key error ("it says Invalid Sign") gets the two
    neutral options of step 0.2.a instead.
    """
    decision = core.step0(state.get("config"), state.get("auth"))
    if decision.next != "use_api_key" or decision.profile is None:
        return Command(goto="oauth_check")
    request = last_human_text(state.get("messages", [])) or ""
    if classify_message(request) == "invalid_api_key":
        return Command(goto="offer_api_key_fix", update={"api_key_profile": decision.profile})
    message = say(state, API_KEY_CONFIGURED, profile=decision.profile)
    return finish(state, "api_key_configured", message, hand_off=True)


@node
def oauth_check(
    state: AuthState,
) -> Command[Literal["hand_off", "resume_pending_login", "pre_login_gate"]]:
    """Step 0.3: logged_in → success; pending → that login (no new one); else → the gate."""
    decision = core.step0(None, state.get("auth"))  # step 0.2 found no API key
    site = decision.site or state.get("site") or ""
    if decision.next == "logged_in":
        message = success_message(state, site, decision.scopes)
        return finish(state, "logged_in", message, hand_off=True, site=site)
    if decision.next == "wait_for_user":
        return Command(goto="resume_pending_login", update={"site": site})
    return Command(goto="pre_login_gate")
