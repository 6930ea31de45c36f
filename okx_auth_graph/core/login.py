"""The only way to ``okx auth login``: the pre-login gate, then one login at a time per okx home.

:func:`log_in` is the one function in the package that runs ``okx auth login`` (manual or
interactive). It checks the pre-login gate (docs/spec.md, D8) on the conversation it is given
and takes the okx home's login lock (:mod:`okx_auth_graph.core.login_lock`) itself, so no door can
forget either: the graph, the LangChain tools and the MCP server sharing one okx home start
exactly one login when asked at the same moment.

A door without a conversation (an MCP elicitation form, D26) passes the two messages the form
stands for: the verbatim menu it showed, then the user's accepted choice.

:func:`check_login` is the one ``okx auth status --json`` a completion signal gets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AnyMessage

from okx_auth_graph.core.gate import gate_site
from okx_auth_graph.core.login_lock import LoginLockError, login_lock
from okx_auth_graph.core.step0 import no_session
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.errors import OkxCliError
from okx_auth_graph.okx.models import AuthStatus, LoginChallenge


@dataclass(frozen=True)
class GateClosed:
    """The pre-login gate does not hold (no menu before, or no choice last): no okx call."""


@dataclass(frozen=True)
class LoginAnswered:
    """``okx auth login`` ran for ``site`` and answered ``result``.

    ``result`` is a device-code challenge (manual), ``{"status": "logged_in"}`` (interactive)
    or ``{"status": "skipped", ...}`` (an API key is configured). ``logins_seen`` is the okx
    home's login count once it ended.
    """

    site: str
    result: Mapping[str, Any]
    logins_seen: int | None


@dataclass(frozen=True)
class AnotherLogin:
    """Another login of this okx home got there first: ``status`` is what it left; no login ran.

    ``logins_seen`` is the count under which ``status`` was read (``None``: the lock stayed
    busy, ``status`` is the pending login that holds it).
    """

    site: str
    status: AuthStatus
    logins_seen: int | None


@dataclass(frozen=True)
class LockFault:
    """The login lock's files cannot be used (say which folder); no login ran."""

    error: LoginLockError


@dataclass(frozen=True)
class LoginFailed:
    """``okx auth login`` (or the ``auth status`` read before it) failed with ``error``."""

    site: str
    error: OkxCliError


LoginOutcome = GateClosed | LoginAnswered | AnotherLogin | LockFault | LoginFailed
"""What :func:`log_in` answers; a door translates each into its own reply."""


async def log_in(
    okx: OkxCli,
    messages: Sequence[AnyMessage],
    *,
    site: str | None = None,
    interactive: bool = False,
    logins_seen: int | None = None,
    on_challenge: Callable[[LoginChallenge], None] | None = None,
) -> LoginOutcome:
    """Run ``okx auth login`` for the site the pre-login gate clears, under the login lock.

    ``auth status`` is read again first only when the okx home's login count moved since the
    caller last read it (``logins_seen``, read before its pre-flight's ``auth status``): a
    fresh login stays at one okx call, and a login started elsewhere meanwhile is never
    doubled.

    Args:
        okx: The okx adapter.
        messages: The conversation: the verbatim menu shown, then the user's choice last.
        site: The site the caller means to pass; it must be the user's choice.
        interactive: Run the blocking ``okx auth login --site X`` instead of ``--manual``.
        logins_seen: The okx home's login count the caller's ``auth status`` is current for
            (``None``: unknown, so ``auth status`` is read again under the lock).
        on_challenge: For an interactive login: gets the URL and code as soon as okx prints
            them.
    """
    chosen = gate_site(messages)
    if chosen is None or (site is not None and site != chosen):
        return GateClosed()
    try:
        async with login_lock(okx.login_lock_dir, timeout=okx.timeout) as held:
            if held.login_since(logins_seen):
                status = await okx.auth_status()
                if status["status"] != "not_logged_in":
                    return AnotherLogin(chosen, status, held.logins)
            await held.count_login()
            result: Mapping[str, Any] = await (
                okx.login_interactive(chosen, on_challenge=on_challenge)
                if interactive
                else okx.login_manual(chosen)
            )
        return LoginAnswered(chosen, result, held.logins)
    except TimeoutError:
        return AnotherLogin(chosen, {"status": "pending", "site": chosen, "scopes": []}, None)
    except LoginLockError as exc:
        return LockFault(exc)
    except OkxCliError as exc:
        return LoginFailed(chosen, exc)


async def check_login(okx: OkxCli) -> AuthStatus:
    """The one ``okx auth status --json`` of a completion signal.

    A lapsed session reads as no session (the user logs in again).

    Raises:
        OkxCliError: Any other failure of the call.
    """
    try:
        return await okx.auth_status()
    except OkxCliError as exc:
        if exc.kind != "session_expired":
            raise
    return no_session()
