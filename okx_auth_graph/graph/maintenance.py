"""Everything besides logging in: status, logout, binary, API-key set-up, remediation.

Remediation covers a failed downstream command: re-authentication, reinstalling okx-auth,
and step 0.2.a (docs/spec.md) for a rejected API key.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.runtime import Runtime
from langgraph.types import Command

from okx_auth_graph import core
from okx_auth_graph.context import Context
from okx_auth_graph.core.gate import api_key_profiles
from okx_auth_graph.graph.node_kit import (
    ask_yes_no,
    cancelled,
    error_message,
    finish,
    node,
    restated,
    retry_login_question,
    show_site_menu,
)
from okx_auth_graph.graph.questions import ask_next, ask_user, pending_question
from okx_auth_graph.graph.services import Services, heard, language_fields, language_of, say
from okx_auth_graph.okx.errors import RECOMMENDED_ACTIONS, OkxCliError, classify_message
from okx_auth_graph.okx.models import AuthStatus
from okx_auth_graph.okx.sites import SITE_IDS, api_key_console_url
from okx_auth_graph.prompts import (
    API_KEY_FIX_HINT,
    PROFILE_REMOVAL_HINT,
    SESSION_LIFETIME,
    with_hint,
)
from okx_auth_graph.reading.rules import read_reply
from okx_auth_graph.state import AuthState, Route

MAX_ERROR_CHARS = 500
_EXPIRED_TEXT = re.compile(r"Session expired", re.IGNORECASE)
SKILL_ROUTES: dict[str, Route] = {
    "account": "okx-cex-portfolio",
    "spot": "okx-cex-trade",
    "swap": "okx-cex-trade",
    "futures": "okx-cex-trade",
    "option": "okx-cex-trade",
    "earn": "okx-cex-earn",
    "bot": "okx-cex-bot",
    "market": "okx-cex-market",
}
"""The skill an okx module belongs to (for a failed command whose request named no skill)."""

_RetryNode = Literal["retry_auth_status", "retry_logout", "retry_login"]


def retry_node(argv: list[str]) -> _RetryNode | None:
    """The node that runs a failed okx-auth command once more (None: a skill's command)."""
    words = [a for a in argv if not a.startswith("-")][:2]
    if words == ["auth", "status"]:
        return "retry_auth_status"
    if words == ["auth", "logout"]:
        return "retry_logout"
    if words == ["auth", "login"]:
        return "retry_login"
    return None


def _failing_profile(argv: list[str], candidates: list[str]) -> str:
    for index, arg in enumerate(argv[:-1]):
        if arg == "--profile" and argv[index + 1] in candidates:
            return argv[index + 1]
    return candidates[0]


def _profile_site(state: AuthState, profile: str) -> str | None:
    config = state.get("config")
    by_name = {p["name"]: p for p in config["profiles"]} if config else {}
    for name in (profile, config["default_profile"] if config else None):
        site = by_name[name]["site"] if name in by_name else None
        if site in SITE_IDS:
            return str(site)
    return None


NO_PROFILE_KEY_ACTION = (
    "no API-key profile is configured: if okx takes a key from OKX_API_KEY / OKX_SECRET_KEY / "
    "OKX_PASSPHRASE, replace it there"
)
"""The action for a rejected key when no profile holds one (no step 0.2.a options)."""

LOGIN_FAILURES = frozenset({"authorization_timed_out", "access_denied", "network_error"})
"""Errors of a login run elsewhere that get the same retry question as the graph's own."""


def _is_login(argv: list[str]) -> bool:
    return [a for a in argv if not a.startswith("-")][:2] == ["auth", "login"]


def _region_restricted(
    state: AuthState, argv: list[str], profiles: list[str], auth: AuthStatus
) -> Command[Any]:
    """Region restriction (51155 / 51734): another site, if the user wants it (D18).

    An API-key user needs another key for another site (no OAuth login); an OAuth user (logged
    in, or with a code pending) is told the current site and asked ``confirm_switch_site``; a
    user with no site yet is told so and shown the menu.
    """
    if profiles:
        profile = _failing_profile(argv, profiles)
        site = _profile_site(state, profile)
        if site is None:
            text = say(state, "region_restriction_api_key_no_site", profile=profile)
        else:
            text = say(state, "region_restriction_api_key", profile=profile, site=site)
        return finish(state, "needs_user_action", text)
    if auth["status"] in ("logged_in", "pending") and auth["site"]:
        question = say(state, "region_restriction", site=auth["site"]).text
        return ask_next("confirm_switch_site", question, site=auth["site"])
    notice: list[AnyMessage] = [say(state, "region_restriction_no_site")]
    return show_site_menu("ask_login_site", before=notice)


def _remedy(state: AuthState, argv: list[str], text: str) -> Command[Any]:
    """Where a failed downstream command's error (masked ``text``) leads.

    The same command failing the same way right after the graph remediated it ends
    ``failed`` with the spec's action: one reinstall (or re-login) and one retry per command.
    """
    kind = classify_message(text)
    profiles = api_key_profiles(state.get("config"))
    if state.get("remediated") == {"argv": argv, "kind": kind}:
        action = RECOMMENDED_ACTIONS[kind]
        again = say(state, "remediation_repeated", command=" ".join(["okx", *argv]), action=action)
        return finish(state, "failed", again, remediated=None)
    remediated = {"argv": argv, "kind": kind}
    auth = state.get("auth") or core.no_session()
    if kind == "invalid_api_key" and profiles:
        profile = _failing_profile(argv, profiles)
        site = _profile_site(state, profile)
        if site is None:
            return show_site_menu("ask_api_key_site", api_key_profile=profile)
        return Command(goto="offer_api_key_fix", update={"api_key_profile": profile, "site": site})
    oauth_session = auth["status"] == "logged_in" or bool(auth.get("session_expired"))
    if kind == "session_expired" or (kind == "invalid_api_key" and oauth_session):
        if profiles or auth["status"] == "pending":
            return Command(goto="site_check", update={"remediated": remediated})
        # Re-login through the menu even when auth status still says logged_in (it is stale):
        # an OAuth-only user's 401 and "Session expired" both mean the session is gone.
        lapsed = kind == "invalid_api_key" or _EXPIRED_TEXT.search(text) is not None
        notice: list[AnyMessage] = [say(state, "session_expired_notice")] if lapsed else []
        return show_site_menu("ask_login_site", before=notice, remediated=remediated)
    if kind in LOGIN_FAILURES and (_is_login(argv) or kind != "network_error"):
        if auth["status"] == "pending" or profiles:  # a code held (D7) or an API key (0.2):
            return Command(goto="site_check", update={"remediated": remediated})  # no login
        question = retry_login_question(state, kind, text)
        return ask_next("confirm_retry", question, remediated=remediated)
    if kind == "no_config" and not profiles:
        return Command(goto="site_check")
    if kind == "failed_to_spawn":
        return Command(goto="install_binary", update={"remediated": remediated})
    if kind == "region_restriction":
        return _region_restricted(state, argv, profiles, auth)
    if kind in ("cli_too_old", "cli_not_found"):
        return finish(state, "needs_user_action", say(state, kind))
    # Step 0.2.a speaks only to API-key users: without a profile the key (if any) is the
    # environment's, and OAuth has no session to renew.
    fix = NO_PROFILE_KEY_ACTION if kind == "invalid_api_key" else None
    error = OkxCliError(kind, text or "(no error text)", argv=argv, action=fix)
    return finish(state, "needs_user_action", error_message(state, error.to_dict()))


@node
def report_status(state: AuthState) -> Command[Literal["__end__"]]:
    """Answer a status question from the pre-flight (never starts a login)."""
    if state.get("intent") == "session_lifetime":
        return finish(state, "status_reported", say(state, SESSION_LIFETIME))
    lines = []
    auth = state.get("auth") or core.no_session()
    site = auth["site"] or ""
    if auth["status"] == "logged_in":
        lines.append(say(state, "status_logged_in", site=site, scopes=", ".join(auth["scopes"])))
    elif auth["status"] == "pending":
        lines.append(say(state, "status_pending", site=site))
    elif (state.get("auth_error") or {}).get("kind") == "cli_too_old":
        lines.append(say(state, "status_oauth_unavailable"))  # okx 1.2.4: no okx auth
    else:
        lines.append(say(state, "status_not_logged_in"))
    profiles = api_key_profiles(state.get("config"))
    if profiles:
        lines.append(say(state, "status_api_key", profile=profiles[0]))
    text = "\n".join(m.text for m in lines)
    return finish(state, "status_reported", AIMessage(text))


@node
async def logout(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> Command[Literal["install_binary", "__end__"]]:
    """``okx auth logout`` whenever any OAuth state exists: logged in, pending or lapsed.

    An API-key user can still log out of OAuth; "nothing to log out of" only when
    ``auth status`` shows no session, no pending code and no lapsed session.
    """
    try:
        logged_out = await core.log_out(services.cli(runtime), state.get("auth"))
    except OkxCliError as exc:
        if exc.kind == "failed_to_spawn":
            failed = {"argv": list(exc.argv), "kind": exc.kind}
            return Command(goto="install_binary", update={"remediated": failed})
        return finish(state, "failed", error_message(state, exc.to_dict()))
    if not logged_out:
        return finish(state, "logged_out", say(state, "logout_not_logged_in"))
    return finish(state, "logged_out", say(state, "logged_out"))


@node
async def retry_logout(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> Command[Literal["__end__"]]:
    """``okx auth logout`` once more after okx-auth was reinstalled (no second reinstall)."""
    try:
        await core.log_out(services.cli(runtime), state.get("auth"))
    except OkxCliError as exc:
        return finish(state, "failed", error_message(state, exc.to_dict()))
    return finish(state, "logged_out", say(state, "logged_out"))


@node
async def install_binary(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> Command[Literal["verify_binary_install", "__end__"]]:
    """``okx auth install --json`` (install or update the okx-auth binary)."""
    try:
        result = await core.install_binary(services.cli(runtime))
    except OkxCliError as exc:
        return finish(state, "failed", error_message(state, exc.to_dict()))
    return Command(goto="verify_binary_install", update={"binary_install_result": result["status"]})


@node
async def verify_binary_install(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> Command[Literal[_RetryNode, "hand_off", "__end__"]]:
    """``okx auth install-status --json`` after an install; then retry the failed command once."""
    installed_as = state.get("binary_install_result") or "installed"
    try:
        status = await services.cli(runtime).install_status()
    except OkxCliError as exc:
        return finish(state, "failed", error_message(state, exc.to_dict()))
    if not status["installed"]:
        error = OkxCliError("install_failed", "okx-auth is still not installed after install")
        return finish(state, "failed", error_message(state, error.to_dict()))
    installed = say(state, "installing_binary", status=installed_as)
    failed = state.get("remediated")
    if not failed:
        return finish(state, "binary_ready", say(state, "binary_ready", status=installed_as))
    argv = list(failed["argv"])
    target = retry_node(argv)
    if target is not None and state.get("intent") == "binary_install":
        # The install was the request: re-running the okx-auth command would dispatch the
        # same intent again (install, verify, retry, …) — the entry is done here.
        ready = say(state, "binary_ready", status=installed_as)
        return finish(state, "binary_ready", ready, remediated=None)
    if target is not None:
        return Command(goto=target, update={"messages": [installed]})
    route = state.get("route") or SKILL_ROUTES.get(argv[0] if argv else "")
    ready = say(state, "binary_ready_retry", status=installed_as, command=" ".join(argv))
    return finish(state, "binary_ready", ready, hand_off=True, route=route, retry_command=argv)


@node
async def check_binary(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> Command[Literal["__end__"]]:
    """``okx auth install-status --json``."""
    try:
        status = await services.cli(runtime).install_status()
    except OkxCliError as exc:
        return finish(state, "failed", error_message(state, exc.to_dict()))
    if status["installed"]:
        message = say(
            state,
            "binary_installed",
            platform=status["platform"] or "?",
            cdn_match=status["cdn_match"] or "?",
        )
    else:
        message = say(state, "binary_missing")
    return finish(state, "status_reported", message)


@node
def confirm_remove_binary(
    state: AuthState,
) -> Command[Literal["remove_binary", "confirm_remove_binary", "__end__"]]:
    """Ask before removing the okx-auth binary."""
    return ask_yes_no(
        state,
        "confirm_remove_binary",
        yes="remove_binary",
        declined="binary_remove_declined",
        declined_outcome="status_reported",
    )


@node
async def remove_binary(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> Command[Literal["__end__"]]:
    """``okx auth remove --force --json`` (the user said yes)."""
    try:
        result = await core.remove_binary(services.cli(runtime))
    except OkxCliError as exc:
        return finish(state, "failed", error_message(state, exc.to_dict()))
    name = "binary_removed" if result["status"] == "removed" else "binary_not_installed"
    return finish(state, "status_reported", say(state, name))


@node
def explain_api_key_setup(state: AuthState) -> Command[Literal["__end__"]]:
    """API-key set-up is the ``okx config init`` wizard; it never starts OAuth."""
    return finish(state, "needs_user_action", say(state, "api_key_setup"))


@node
def remediate_failed_command(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> Command[
    Literal[
        "offer_api_key_fix",
        "ask_api_key_site",
        "ask_login_site",
        "confirm_retry",
        "confirm_switch_site",
        "site_check",
        "install_binary",
        "__end__",
    ]
]:
    """A downstream okx command failed: the error reference row's action, or its flow.

    The failed command is consumed here, so a retried pre-flight never remediates it again.
    """
    failed = state.get("failed_command") or {"argv": [], "error": ""}
    argv = [str(a) for a in failed.get("argv") or []]
    text = services.cli(runtime).mask(str(failed.get("error") or ""))[:MAX_ERROR_CHARS]
    command = _remedy(state, argv, text)
    update = command.update if isinstance(command.update, dict) else {}
    return Command(goto=command.goto, update={**update, "failed_command": None})


@node
def offer_api_key_fix(state: AuthState) -> Command[Literal["choose_api_key_fix"]]:
    """Step 0.2.a: show the two options, neutrally (OAuth is never "recommended")."""
    profile = state.get("api_key_profile") or ""
    url = api_key_console_url(state.get("site") or "global")
    return ask_next(
        "choose_api_key_fix", say(state, "api_key_fix_options", profile=profile, url=url).text
    )


@node
def choose_api_key_fix(
    state: AuthState,
) -> Command[Literal["await_profile_removal", "choose_api_key_fix", "__end__"]]:
    """Step 0.2.a: the user picks one of the two options; the graph never picks."""
    profile = state.get("api_key_profile") or ""
    message = pending_question(state) or ""
    reply = ask_user(
        "choose_api_key_fix",
        message,
        profile=profile,
        options=["replace_api_key", "switch_to_oauth"],
    )
    human = HumanMessage(reply)
    asked_in, state = language_of(state), heard(state, human)
    answer = read_reply("choose_api_key_fix", reply, options=2)
    if answer.label == "cancel":
        return cancelled(state, [human])
    option = answer.option if answer.label == "option" else None
    url = api_key_console_url(state.get("site") or "global")
    if option is None:
        fields = {"profile": profile, "url": url}
        again = restated(
            state, asked_in, message, "api_key_fix_options", hint=API_KEY_FIX_HINT, **fields
        )
        return ask_next("choose_api_key_fix", again, before=[human])
    if option == 1:
        return Command(
            goto="__end__",
            update={
                "messages": [human, say(state, "api_key_fix_replace", url=url)],
                **language_fields(state),
                "outcome": "needs_user_action",
                "route": None,
            },
        )
    wait = say(state, "await_profile_removal", profile=profile).text
    return ask_next("await_profile_removal", wait, before=[human])


@node
def await_profile_removal(
    state: AuthState,
) -> Command[Literal["reread_config_after_removal", "await_profile_removal", "__end__"]]:
    """Option 2 of 0.2.a: the user removes the profile (the graph never edits config.toml)."""
    profile = state.get("api_key_profile") or ""
    message = pending_question(state) or say(state, "await_profile_removal", profile=profile).text
    reply = ask_user("await_profile_removal", message, profile=profile)
    human = HumanMessage(reply)
    state = heard(state, human)
    answer = read_reply("await_profile_removal", reply)
    if answer.label == "cancel":
        return cancelled(state, [human])
    if answer.label == "signal":
        return Command(goto="reread_config_after_removal", update={"messages": [human]})
    wait = say(state, "await_profile_removal", profile=profile).text
    again = with_hint(wait, PROFILE_REMOVAL_HINT, language_of(state))
    return ask_next("await_profile_removal", again, before=[human])


@node
async def reread_config_after_removal(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> Command[Literal["await_profile_removal", "oauth_check", "__end__"]]:
    """Re-read ``okx config show --json``: OAuth only when no API-key profile remains.

    Then Step 0.3 ("THEN run the OAuth login of 0.3"): a login already pending is resumed, never
    replaced by a new one (D7), and a session already there is reported.
    """
    try:
        config = await services.cli(runtime).config_show()
    except OkxCliError as exc:
        return finish(state, "failed", error_message(state, exc.to_dict()))
    profiles = api_key_profiles(config)
    if profiles:
        still = say(state, "api_key_still_configured", profiles=", ".join(profiles)).text
        return ask_next("await_profile_removal", still, config=config)
    return Command(goto="oauth_check", update={"config": config})
