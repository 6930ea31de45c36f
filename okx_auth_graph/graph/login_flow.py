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
from collections.abc import Callable, Mapping
from typing import Any, Literal, NamedTuple, TypeVar

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime
from langgraph.types import Command

from okx_auth_graph import core
from okx_auth_graph.context import Context
from okx_auth_graph.core.gate import (
    api_key_profiles,
    gate_site,
    shows_site_menu,
    site_menu,
    site_menu_again,
)
from okx_auth_graph.core.login_lock import LOCK_NAME, MARKER_NAME, LoginLockError
from okx_auth_graph.graph.node_kit import (
    ask_yes_no,
    cancelled,
    error_message,
    finish,
    hear_yes_no,
    node,
    retry_login_question,
    show_site_menu,
    success_message,
)
from okx_auth_graph.graph.questions import ask_next, ask_user, pending_question
from okx_auth_graph.graph.services import Services, heard, language_of, say
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.errors import OkxCliError
from okx_auth_graph.okx.models import LoginChallenge
from okx_auth_graph.okx.sites import MENU_NUMBERS, SITE_LABELS, WEB_HOSTS
from okx_auth_graph.prompts import API_KEY_CONFIGURED, LOGIN_CHALLENGE, render
from okx_auth_graph.reading.rules import read_reply, read_reply_rules
from okx_auth_graph.state import AuthState

SITE_OPTIONS = [
    {"reply": number, "site": site, "label": f"{SITE_LABELS[site]} ({WEB_HOSTS[site]})"}
    for number, site in MENU_NUMBERS.items()
]
_RetryLoginGoto = Literal[
    "ask_login_site",
    "await_authorization",
    "check_login",
    "reread_config",
    "confirm_retry",
    "hand_off",
    "__end__",
]
"""Where a login goes: the menu, its answer's next step, another login's, or its failure's."""
_LoginGoto = Literal[_RetryLoginGoto, "install_binary"]
"""A first login may also go to reinstall okx-auth."""
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


@node
def ask_site(state: AuthState) -> Command[Literal["api_key_check", "ask_site", "__end__"]]:
    """Step 0.1's site menu; the answer goes on to step 0.2."""
    return _site_question(state, "ask_site", then="api_key_check")


@node
def ask_login_site(
    state: AuthState,
) -> Command[Literal["pre_login_gate", "ask_login_site", "__end__"]]:
    """The pre-login gate's site menu; the answer goes back to the gate."""
    return _site_question(state, "ask_login_site", then="pre_login_gate")


@node
def ask_api_key_site(
    state: AuthState,
) -> Command[Literal["offer_api_key_fix", "ask_api_key_site", "__end__"]]:
    """Step 0.2.a's site menu (no profile names a site); the answer goes on to the options."""
    return _site_question(state, "ask_api_key_site", then="offer_api_key_fix")


@node
def pre_login_gate(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> Command[Literal["ask_login_site", "login_manual", "announce_interactive_login"]]:
    """The pre-login gate: menu shown, latest user message a site choice, same ``--site``."""
    site = gate_site(state.get("messages", []))
    if site is None:
        return show_site_menu("ask_login_site")
    interactive = services.interactive_login(runtime)
    goto: Literal["announce_interactive_login", "login_manual"] = (
        "announce_interactive_login" if interactive else "login_manual"
    )
    return Command(goto=goto, update={"site": site})


@node
async def login_manual(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> Command[_LoginGoto]:
    """``okx auth login --manual --site X`` under the okx home's login lock."""
    result = await _gated_login(state, services.cli(runtime), interactive=False)
    return result if isinstance(result, Command) else _logged_in_or_waiting(state, result)


@node
def announce_interactive_login(state: AuthState) -> Command[Literal["login_interactive"]]:
    """Tell the user that a browser authorisation is needed before the blocking login."""
    site = gate_site(state.get("messages", [])) or ""
    return Command(
        goto="login_interactive",
        update={"messages": [say(state, "interactive_login_notice", site=site)]},
    )


@node
async def login_interactive(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> Command[_LoginGoto]:
    """The blocking ``okx auth login --site X``; its URL and code are shown while it waits.

    As soon as the CLI prints them they go out as a custom stream event
    (``{"type": "login_challenge", "message": …}``, ``stream_mode="custom"``) and, once the
    login succeeds, into ``messages``. A failure shows the error and ``confirm_retry``,
    never the dead code.
    """
    shown = _ChallengeShown(state)
    result = await _gated_login(state, services.cli(runtime), interactive=True, on_challenge=shown)
    if isinstance(result, Command):
        return result
    return shown.into(_logged_in_or_waiting(state, result))


@node
async def retry_login(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> Command[_RetryLoginGoto]:
    """The login once more after okx-auth was reinstalled; a second spawn failure ends it.

    The gate is checked again: a login that failed downstream (not right after this
    conversation's menu) goes to the menu first.
    """
    interactive = services.interactive_login(runtime)
    shown = _ChallengeShown(state)
    result = await _gated_login(
        state,
        services.cli(runtime),
        interactive=interactive,
        may_reinstall=False,
        on_challenge=shown if interactive else None,
    )
    if isinstance(result, Command):
        return result
    return shown.into(_logged_in_or_waiting(state, result))


@node
def ask_switch_site(
    state: AuthState,
) -> Command[Literal["switch_site_logout", "ask_switch_site", "__end__"]]:
    """A site switch's menu: a cancel here keeps the session; a site goes on to the logout."""
    return _site_question(state, "ask_switch_site", then="switch_site_logout")


@node
def ask_start_over_site(
    state: AuthState,
) -> Command[Literal["pre_login_gate", "ask_start_over_site", "__end__"]]:
    """A start-over's menu (a code is pending): the answer is the site of the new login."""
    return _site_question(state, "ask_start_over_site", then="pre_login_gate")


@node
def site_switch_check(
    state: AuthState,
) -> Command[Literal["api_key_check", "confirm_switch_site", "ask_start_over_site", "site_check"]]:
    """An explicit request for another site, or to start over (D7, D18).

    An API-key profile still stops the flow (step 0.2); a logged-in user is asked to
    confirm the switch; while a code is pending the menu comes first, then a new login;
    without any session it is a plain login.
    """
    if api_key_profiles(state.get("config")):
        return Command(goto="api_key_check")
    auth = state.get("auth") or core.no_session()
    site = auth["site"] or ""
    if auth["status"] == "pending":
        return _start_over(None, site=site)
    if auth["status"] == "logged_in" and state.get("intent") == "switch_site":
        question = say(state, "switch_site_question", site=site).text
        return ask_next("confirm_switch_site", question, site=site)
    return Command(goto="site_check")


@node
def confirm_switch_site(
    state: AuthState,
) -> Command[Literal["ask_switch_site", "confirm_switch_site", "__end__"]]:
    """Confirm a site switch; yes → the menu first (a cancel there keeps the session)."""
    site = state.get("site") or ""
    reply = hear_yes_no(state, "confirm_switch_site", "switch_site_question", site=site)
    if isinstance(reply, Command):
        return reply
    if reply.label == "unclear":
        return ask_next("confirm_switch_site", reply.again, before=[reply.human])
    if reply.label == "yes":
        return show_site_menu("ask_switch_site", before=[reply.human])
    kept = say(reply.state, "switch_site_kept", site=site)
    return finish(reply.state, "cancelled", kept, before=[reply.human])


@node
async def switch_site_logout(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> Command[Literal["pre_login_gate", "__end__"]]:
    """``okx auth logout`` between the switch's menu reply and the login on the chosen site."""
    try:
        await core.log_out(services.cli(runtime), state.get("auth"))
    except OkxCliError as exc:
        return finish(state, "failed", error_message(state, exc.to_dict()))
    return Command(goto="pre_login_gate", update={"challenge": None, "challenge_at": None})


@node
def resume_pending_login(
    state: AuthState,
) -> Command[Literal["await_authorization", "confirm_start_over"]]:
    """A code is pending: show it again when this thread holds it, never start a new login.

    Otherwise a login request is asked whether to start over (``confirm_start_over``);
    any other request waits for the signal.
    """
    site = state.get("site") or ""
    challenge = state.get("challenge")
    left = _seconds_left(challenge, state.get("challenge_at"), site)
    if challenge is not None and left > 0:
        text = challenge_message(state, site, {**challenge, "expiresIn": left})
        return ask_next("await_authorization", text)
    if state.get("intent") in ("login", "switch_site", "start_over"):
        question = say(state, "start_over_question", site=site).text
        return ask_next("confirm_start_over", question, challenge=None, challenge_at=None)
    pending = say(state, "login_pending", site=site).text
    return ask_next("await_authorization", pending, challenge=None, challenge_at=None)


@node
def confirm_start_over(
    state: AuthState,
) -> Command[
    Literal[
        "ask_start_over_site",
        "confirm_start_over",
        "await_authorization",
        "check_login",
        "__end__",
    ]
]:
    """Start over with a new code? yes → the menu, then a new login; no → keep waiting.

    A completion signal ("done") instead gets the one status check a signal gets.
    """
    site = state.get("site") or ""
    reply = hear_yes_no(
        state, "confirm_start_over", "start_over_question", payload={"site": site}, site=site
    )
    if isinstance(reply, Command):
        return reply
    if reply.label == "unclear":
        if read_reply("await_authorization", reply.text).label == "signal":
            update = {"messages": [reply.human], "denied": False}
            return Command(goto="check_login", update=update)
        return ask_next("confirm_start_over", reply.again, before=[reply.human])
    if reply.label == "yes":
        return _start_over(reply.human)
    pending = say(reply.state, "login_pending", site=site).text
    return ask_next("await_authorization", pending, before=[reply.human])


@node
async def await_authorization(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> Command[
    Literal[
        "check_login", "await_authorization", "confirm_start_over", "ask_start_over_site", "__end__"
    ]
]:
    """Wait for the user's completion signal; never poll, never run okx here.

    A signal, or "I rejected it", gets one status check; "what's the code again?" shows the
    URL and code again and "how long is it valid?" answers from ``expiresIn`` and the time
    the code was issued (no okx call); an explicit "start over" or "use another site"
    shows the menu for a new login (D7); a request for a code that lapsed or that this
    thread does not hold asks whether to start over (``confirm_start_over``); anything else
    restates the wait.
    """
    message = pending_question(state) or say(state, "await_not_a_signal").text
    challenge: Mapping[str, Any] = state.get("challenge") or {}
    reply = ask_user("await_authorization", message, site=state.get("site"), **challenge)
    human = HumanMessage(reply)
    state = heard(state, human)
    answer = services.read_reply(runtime, "await_authorization", reply)
    if answer.label == "cancel":
        return cancelled(state, [human])
    if answer.label in ("start_over", "switch_site"):
        return _start_over(human)
    if answer.label in ("signal", "denied"):  # one status check for each
        denied = answer.label == "denied"
        return Command(goto="check_login", update={"messages": [human], "denied": denied})
    site = state.get("site") or ""
    left = _seconds_left(challenge, state.get("challenge_at"), site)
    if answer.label == "ask_code" and left > 0:
        text = challenge_message(state, site, {**challenge, "expiresIn": left})
        return ask_next("await_authorization", text, before=[human])
    if answer.label == "ask_code":  # lapsed, or not held here: offer a new one (D12, D7)
        question = say(state, "start_over_question", site=site).text
        return ask_next("confirm_start_over", question, before=[human], challenge=None)
    if answer.label == "ask_validity" and left > 0:
        text = say(state, "await_code_validity", minutes=max(1, left // 60)).text
        return ask_next("await_authorization", text, before=[human])
    not_a_signal = say(state, "await_not_a_signal").text
    return ask_next("await_authorization", not_a_signal, before=[human])


@node
async def check_login(
    state: AuthState, runtime: Runtime[Context], *, services: Services
) -> Command[
    Literal[
        "hand_off", "await_authorization", "confirm_start_over", "confirm_retry", "install_binary"
    ]
]:
    """Exactly one ``okx auth status --json`` per completion signal or denial.

    ``pending`` after a denial ("I rejected it") offers to start over (D12, D7's
    ``confirm_start_over``); after a signal it says the login is not done yet.
    """
    try:
        status = await core.check_login(services.cli(runtime))
    except OkxCliError as exc:
        if exc.kind == "failed_to_spawn":
            failed = {"argv": list(exc.argv), "kind": exc.kind}
            return Command(goto="install_binary", update={"remediated": failed})
        return ask_next("await_authorization", error_message(state, exc.to_dict()).text)
    site = status["site"] or state.get("site") or ""
    if status["status"] == "logged_in":
        message = success_message(state, site, status["scopes"])
        return finish(state, "logged_in", message, hand_off=True, site=site, challenge=None)
    if status["status"] == "pending" and state.get("denied"):
        offer = say(state, "denied_start_over_question", site=site).text
        return ask_next("confirm_start_over", offer, denied=False)
    if status["status"] == "pending":
        not_done = say(state, "login_not_done_yet").text
        return ask_next("await_authorization", not_done)
    retry = say(state, "confirm_retry").text
    return ask_next("confirm_retry", retry, challenge=None)


@node
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


@node
async def reread_config(
    state: AuthState, runtime: Runtime[Context], *, services: Services
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
    # The CLI uses the API-key profile, so its site is the site (not the menu reply).
    site = next((p["site"] for p in config["profiles"] if p["name"] == profiles[0]), None)
    return finish(state, "api_key_configured", message, hand_off=True, config=config, site=site)


def _start_over(reply: HumanMessage | None, **update: Any) -> Command[Any]:
    """The user explicitly chose a new login while a code is pending: the menu comes next.

    The pending code is known and replaced on purpose: the login lock re-reads ``auth status``
    only if another login started or ended since this conversation last looked.
    """
    before: list[AnyMessage] = [reply] if reply is not None else []
    return show_site_menu(
        "ask_start_over_site",
        before=before,
        challenge=None,
        challenge_at=None,
        **update,
    )


def _seconds_left(challenge: Mapping[str, Any] | None, issued_at: float | None, site: str) -> int:
    """Seconds a held challenge stays valid (0: none held, lapsed, or for another site)."""
    if not challenge or issued_at is None or site not in WEB_HOSTS:
        return 0
    if WEB_HOSTS[site] not in str(challenge.get("verificationUri", "")):
        return 0
    return max(0, int(challenge["expiresIn"]) - int(time.time() - issued_at))


Then = TypeVar("Then", bound=str)
Asked = TypeVar("Asked", bound=str)


def _site_question(
    state: AuthState, question: Asked, *, then: Then
) -> Command[Then | Asked | Literal["__end__"]]:
    """Ask for the site with the verbatim Chinese menu; a site goes on to node ``then``.

    Anything but a site re-asks with the same menu and a hint under it in the user's language.
    """
    asked = pending_question(state)
    menu = asked if asked is not None and shows_site_menu(asked) else site_menu()
    reply = ask_user("choose_site", menu, options=SITE_OPTIONS)
    human = HumanMessage(reply)
    state = heard(state, human)
    answer = read_reply_rules("choose_site", reply)  # D4: the rules alone read a site reply
    if answer.label == "cancel":
        return cancelled(state, [human])
    site = answer.site
    if answer.label != "site" or site is None:
        return ask_next(question, site_menu_again(language_of(state)), before=[human])
    return Command(goto=then, update={"messages": [human], "site": site})


class _LoginAnswer(NamedTuple):
    """What ``okx auth login`` answered, and the okx home's login count once it ended."""

    result: Mapping[str, Any]
    logins_seen: int | None


def _logged_in_or_waiting(state: AuthState, answer: _LoginAnswer) -> Command[Any]:
    """After ``okx auth login`` answered: the challenge to show, a check, or a stale API key."""
    result, seen = answer
    if result.get("status") == "skipped":
        return Command(goto="reread_config", update={"logins_seen": seen})
    if result.get("status") == "logged_in":
        return Command(
            goto="check_login",
            update={"challenge": None, "challenge_at": None, "logins_seen": seen, "denied": False},
        )
    challenge = dict(result)
    site = gate_site(state.get("messages", [])) or state.get("site") or ""
    return ask_next(
        "await_authorization",
        challenge_message(state, site, challenge),
        challenge=challenge,
        challenge_at=time.time(),
        logins_seen=seen,
    )


def _with_logins_seen(command: Command[Any], logins: int | None) -> Command[Any]:
    """``command`` that also records the login count under which ``auth status`` was read."""
    if not isinstance(command.update, dict):
        return command
    return Command(goto=command.goto, update={**command.update, "logins_seen": logins})


class _ChallengeShown:
    """Shows a blocking login's URL and code as soon as the CLI prints them (a stream event)."""

    def __init__(self, state: AuthState) -> None:
        self.state = state
        self.texts: list[str] = []

    def __call__(self, challenge: LoginChallenge) -> None:
        site = gate_site(self.state.get("messages", [])) or self.state.get("site") or ""
        text = challenge_message(self.state, site, dict(challenge))
        self.texts.append(text)
        get_stream_writer()({"type": "login_challenge", "message": text, "site": site, **challenge})

    def into(self, command: Command[Any]) -> Command[Any]:
        """The shown challenge also lands in ``messages`` (before what follows it)."""
        if not self.texts or not isinstance(command.update, dict):
            return command
        update = dict(command.update)
        later = list(update.get("messages") or [])
        update["messages"] = [AIMessage(self.texts[0]), *later]
        return Command(goto=command.goto, update=update)


async def _gated_login(
    state: AuthState,
    cli: OkxCli,
    *,
    interactive: bool,
    may_reinstall: bool = True,
    on_challenge: Callable[[LoginChallenge], None] | None = None,
) -> Command[Any] | _LoginAnswer:
    """Log in through the core (:func:`~okx_auth_graph.core.log_in`: gate and lock inside).

    Returns:
        The CLI's answer, or the command to follow instead: the menu when the gate does not
        hold, another login's branch when one started meanwhile, the lock fault's reply, or
        the failure's branch.
    """
    outcome = await core.log_in(
        cli,
        state.get("messages", []),
        interactive=interactive,
        logins_seen=state.get("logins_seen"),
        on_challenge=on_challenge,
    )
    if isinstance(outcome, core.GateClosed):
        return show_site_menu("ask_login_site")
    if isinstance(outcome, core.AnotherLogin):
        branch = _another_login(state, outcome.status)
        if outcome.logins_seen is None:
            return branch
        return _with_logins_seen(branch, outcome.logins_seen)
    if isinstance(outcome, core.LockFault):
        return _lock_fault(state, outcome.error)
    if isinstance(outcome, core.LoginFailed):
        # What this conversation saw stays: a retry after a failed login re-reads auth status.
        return _login_failed(state, outcome.error, may_reinstall=may_reinstall)
    return _LoginAnswer(outcome.result, outcome.logins_seen)


def _lock_fault(state: AuthState, exc: LoginLockError) -> Command[Any]:
    """The login lock's files cannot be used: say which folder and what to do, log in never."""
    message = say(state, "login_lock_fault", folder=exc.folder, lock=LOCK_NAME, marker=MARKER_NAME)
    return finish(state, "needs_user_action", message)


def _another_login(state: AuthState, status: Mapping[str, Any]) -> Command[Any]:
    """Another login in the same okx home got there first: take its branch, never log in twice."""
    site = status.get("site") or state.get("site") or ""
    if status["status"] == "logged_in":
        message = success_message(state, site, status.get("scopes", []))
        return finish(state, "logged_in", message, hand_off=True, site=site)
    pending = say(state, "login_pending", site=site).text
    return ask_next("await_authorization", pending, challenge=None, challenge_at=None, site=site)


def _login_failed(state: AuthState, exc: OkxCliError, *, may_reinstall: bool) -> Command[Any]:
    if exc.kind == "failed_to_spawn" and may_reinstall:
        failed = {"argv": list(exc.argv), "kind": exc.kind}
        return Command(goto="install_binary", update={"remediated": failed})
    if exc.kind in RETRYABLE_LOGIN_ERRORS:
        return ask_next("confirm_retry", retry_login_question(state, exc.kind, exc.message))
    if exc.kind == "cli_too_old":
        return finish(state, "needs_user_action", say(state, "cli_too_old"))
    if exc.kind == "cli_not_found":
        return finish(state, "failed", say(state, "cli_not_found"))
    return finish(state, "failed", error_message(state, exc.to_dict()))
