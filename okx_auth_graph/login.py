"""The login flow: site menu, pre-login gate, login, the wait for the signal, check and retry.

The nodes ask for the site with the menu, pass the pre-login gate, run manual or interactive
login, wait for the user's completion signal, check the result once per signal, and ask
whether to retry.

The pre-login gate is the only way to the login nodes, and the login nodes check it again
before they run ``okx auth login`` (so it cannot be bypassed). No login node asks a question:
questions live in their own nodes, because a resumed node re-runs from its start.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Literal

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime
from langgraph.types import Command

from okx_auth_graph.cli import OkxCli
from okx_auth_graph.context import Context
from okx_auth_graph.errors import OkxCliError
from okx_auth_graph.gate import (
    api_key_profiles,
    gate_site,
    pre_login_gate_holds,
    shows_site_menu,
    site_menu,
    site_menu_again,
)
from okx_auth_graph.login_lock import login_lock, login_lock_dir
from okx_auth_graph.prompts import API_KEY_CONFIGURED, LOGIN_CHALLENGE, render
from okx_auth_graph.questions import ask_next, ask_user, pending_question
from okx_auth_graph.services import Services, language_of, say
from okx_auth_graph.sites import MENU_NUMBERS, SITE_LABELS, WEB_HOSTS
from okx_auth_graph.state import AuthState
from okx_auth_graph.steps import (
    ask_yes_no,
    cancelled,
    error_message,
    finish,
    show_site_menu,
    success_message,
)
from okx_auth_graph.understanding import read_reply

SITE_OPTIONS = [
    {"reply": number, "site": site, "label": f"{SITE_LABELS[site]} ({WEB_HOSTS[site]})"}
    for number, site in MENU_NUMBERS.items()
]
_LoginGoto = Literal[
    "pre_login_gate",
    "await_authorization",
    "reread_config",
    "confirm_retry",
    "install_binary",
    "hand_off",
    "__end__",
]
"""Where ``login_manual`` goes: its answer's next step, another login's, or its failure's."""
RETRYABLE_LOGIN_ERRORS = frozenset(
    {"authorization_timed_out", "access_denied", "network_error", "timeout", "session_expired"}
)


def challenge_message(state: AuthState, site: str, challenge: dict[str, Any]) -> str:
    """The verbatim device-code template, in the user's language."""
    minutes = max(1, int(challenge["expiresIn"]) // 60)
    return render(
        LOGIN_CHALLENGE,
        language_of(state),
        site=site,
        verificationUri=challenge["verificationUri"],
        userCode=challenge["userCode"],
        expires_minutes=minutes,
    )


def make_login_nodes(services: Services) -> dict[str, Any]:
    """The login-flow nodes bound to ``services``."""

    def ask_site(
        state: AuthState,
    ) -> Command[
        Literal["api_key_check", "pre_login_gate", "offer_api_key_fix", "ask_site", "__end__"]
    ]:
        """Ask for the site with the verbatim Chinese menu; anything but a site re-asks.

        The re-ask shows the same menu with a hint under it in the user's language.
        """
        asked = pending_question(state)
        menu = asked if asked is not None and shows_site_menu(asked) else site_menu()
        reply = ask_user("choose_site", menu, options=SITE_OPTIONS)
        human = HumanMessage(reply)
        answer = read_reply("choose_site", reply)
        if answer.label == "cancel":
            return cancelled(state, [human])
        site = answer.site
        if answer.label != "site" or site is None:
            return ask_next("ask_site", site_menu_again(language_of(state)), before=[human])
        goto = state.get("after_site_choice") or "pre_login_gate"
        return Command(goto=goto, update={"messages": [human], "site": site})

    def pre_login_gate(
        state: AuthState, runtime: Runtime[Context]
    ) -> Command[Literal["ask_site", "login_manual", "announce_interactive_login"]]:
        """The pre-login gate: menu shown, latest user message a site choice, same ``--site``."""
        site = gate_site(state.get("messages", []))
        if site is None:
            return show_site_menu("pre_login_gate")
        interactive = services.interactive_login(runtime)
        goto: Literal["announce_interactive_login", "login_manual"] = (
            "announce_interactive_login" if interactive else "login_manual"
        )
        return Command(goto=goto, update={"login_site": site, "site": site})

    async def login_manual(state: AuthState, runtime: Runtime[Context]) -> Command[_LoginGoto]:
        """``okx auth login --manual --site X`` under the okx home's login lock."""
        result = await _gated_login(state, services.cli(runtime), interactive=False)
        if isinstance(result, Command):
            return result
        if result.get("status") == "skipped":
            return Command(goto="reread_config", update={"login_site": None})
        challenge = dict(result)
        return ask_next(
            "await_authorization",
            challenge_message(state, state.get("login_site") or "", challenge),
            login_site=None,
            challenge=challenge,
        )

    def announce_interactive_login(state: AuthState) -> Command[Literal["login_interactive"]]:
        """Tell the user that a browser authorisation is needed before the blocking login."""
        site = state.get("login_site") or ""
        return Command(
            goto="login_interactive",
            update={"messages": [say(state, "interactive_login_notice", site=site)]},
        )

    async def login_interactive(
        state: AuthState, runtime: Runtime[Context]
    ) -> Command[
        Literal[
            "pre_login_gate",
            "check_login",
            "reread_config",
            "confirm_retry",
            "install_binary",
            "await_authorization",
            "hand_off",
            "__end__",
        ]
    ]:
        """The blocking ``okx auth login --site X`` (it polls silently until the browser is done)."""
        result = await _gated_login(state, services.cli(runtime), interactive=True)
        if isinstance(result, Command):
            return result
        if result["status"] == "skipped":
            return Command(goto="reread_config", update={"login_site": None})
        return Command(goto="check_login", update={"login_site": None, "challenge": None})

    async def await_authorization(
        state: AuthState, runtime: Runtime[Context]
    ) -> Command[Literal["check_login", "await_authorization", "__end__"]]:
        """Wait for the user's completion signal; never poll, never run okx here."""
        message = pending_question(state) or say(state, "await_not_a_signal").text
        challenge: Mapping[str, Any] = state.get("challenge") or {}
        reply = ask_user("await_authorization", message, site=state.get("site"), **challenge)
        human = HumanMessage(reply)
        answer = read_reply("await_authorization", reply)
        if answer.label == "cancel":
            return cancelled(state, [human])
        if answer.label == "signal":
            return Command(goto="check_login", update={"messages": [human]})
        not_a_signal = say(state, "await_not_a_signal").text
        return ask_next("await_authorization", not_a_signal, before=[human])

    async def check_login(
        state: AuthState, runtime: Runtime[Context]
    ) -> Command[Literal["hand_off", "await_authorization", "confirm_retry", "install_binary"]]:
        """Exactly one ``okx auth status --json`` per completion signal."""
        checked_at = time.time()
        try:
            status = await services.cli(runtime).auth_status()
        except OkxCliError as exc:
            if exc.kind == "failed_to_spawn" and state.get("spawn_retry") != "done":
                return Command(goto="install_binary", update={"spawn_retry": "check_login"})
            if exc.kind != "session_expired":
                return ask_next("await_authorization", error_message(state, exc.to_dict()).text)
            status = {"status": "not_logged_in", "site": None, "scopes": []}
        site = status["site"] or state.get("site") or ""
        if status["status"] == "logged_in":
            message = success_message(state, site, status["scopes"])
            return finish(state, "logged_in", message, hand_off=True, site=site, challenge=None)
        if status["status"] == "pending":
            not_done = say(state, "login_not_done_yet").text
            return ask_next("await_authorization", not_done, preflight_at=checked_at)
        retry = say(state, "confirm_retry").text
        return ask_next("confirm_retry", retry, challenge=None, preflight_at=checked_at)

    def confirm_retry(
        state: AuthState,
    ) -> Command[Literal["pre_login_gate", "confirm_retry", "__end__"]]:
        """Ask whether to retry; a retry goes through the pre-login gate (the menu) again."""
        return ask_yes_no(
            state,
            "confirm_retry",
            yes="pre_login_gate",
            yes_update={"challenge": None},
            declined="retry_declined",
            declined_outcome="retry_declined",
        )

    async def reread_config(
        state: AuthState, runtime: Runtime[Context]
    ) -> Command[Literal["hand_off", "__end__"]]:
        """After a ``skipped`` login: re-read ``okx config show --json`` and stop (no retry)."""
        try:
            config = await services.cli(runtime).config_show()
        except OkxCliError as exc:
            return finish(state, "failed", error_message(state, exc.to_dict()))
        profiles = api_key_profiles(config)
        if not profiles:
            error = OkxCliError(
                "unknown",
                "okx auth login was skipped for an API key, but no API-key profile is configured",
            )
            return finish(state, "failed", error_message(state, error.to_dict()), config=config)
        message = say(state, API_KEY_CONFIGURED, profile=profiles[0])
        return finish(state, "api_key_configured", message, hand_off=True, config=config)

    return {
        "ask_site": ask_site,
        "pre_login_gate": pre_login_gate,
        "login_manual": login_manual,
        "announce_interactive_login": announce_interactive_login,
        "login_interactive": login_interactive,
        "await_authorization": await_authorization,
        "check_login": check_login,
        "confirm_retry": confirm_retry,
        "reread_config": reread_config,
    }


async def _gated_login(
    state: AuthState, cli: OkxCli, *, interactive: bool
) -> Command[Any] | Mapping[str, Any]:
    """Run ``okx auth login`` for the site the pre-login gate cleared, one login per okx home.

    Returns:
        The CLI's answer, or the command to follow instead: back to the gate when it no longer
        holds, another login's branch when one started meanwhile, or the failure's branch.
    """
    site = state.get("login_site")
    if not site or not pre_login_gate_holds(state.get("messages", []), site):
        return Command(goto="pre_login_gate", update={"login_site": None})
    try:
        async with login_lock(login_lock_dir(cli), timeout=cli.timeout) as held:
            if held.login_started_since(state.get("preflight_at", 0.0)):
                status = await cli.auth_status()
                if status["status"] != "not_logged_in":
                    return _another_login(state, status)
            await held.mark_login_started()
            if interactive:
                return await cli.login_interactive(site)
            return await cli.login_manual(site)
    except TimeoutError:
        return _another_login(state, {"status": "pending", "site": site, "scopes": []})
    except OkxCliError as exc:
        return _login_failed(state, exc, retry="login")


def _another_login(state: AuthState, status: Mapping[str, Any]) -> Command[Any]:
    """Another login in the same okx home got there first: take its branch, never log in twice."""
    site = status.get("site") or state.get("site") or ""
    if status["status"] == "logged_in":
        message = success_message(state, site, status.get("scopes", []))
        return finish(state, "logged_in", message, hand_off=True, site=site, login_site=None)
    pending = say(state, "login_pending", site=site).text
    return ask_next("await_authorization", pending, login_site=None, challenge=None, site=site)


def _login_failed(state: AuthState, exc: OkxCliError, *, retry: str) -> Command[Any]:
    if exc.kind == "failed_to_spawn" and state.get("spawn_retry") != "done":
        return Command(goto="install_binary", update={"spawn_retry": retry})
    if exc.kind in RETRYABLE_LOGIN_ERRORS:
        text = say(state, "confirm_retry_after_error", error=f"{exc.message}\n{exc.action}").text
        return ask_next("confirm_retry", text, login_site=None)
    if exc.kind == "cli_too_old":
        return finish(state, "needs_user_action", say(state, "cli_too_old"), login_site=None)
    if exc.kind == "cli_not_found":
        return finish(state, "failed", say(state, "cli_not_found"), login_site=None)
    return finish(state, "failed", error_message(state, exc.to_dict()), login_site=None)
