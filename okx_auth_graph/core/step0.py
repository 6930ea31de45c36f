"""Step 0 (docs/spec.md): the pre-flight's two reads and the decision from their answers.

The order is the spec's: an API-key profile means no login (step 0.2); then the OAuth status
decides (step 0.3): a session is used, a pending code is waited for (never a second login,
D7), and only with neither does a login start, through the pre-login gate.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from okx_auth_graph.core.gate import api_key_profiles, persisted_site
from okx_auth_graph.core.login_lock import read_login_count
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.errors import OkxCliError
from okx_auth_graph.okx.models import AuthStatus, ConfigSummary

_T = TypeVar("_T")

Step0Next = Literal["use_api_key", "logged_in", "wait_for_user", "log_in"]
"""What step 0 decides: the API key, the session, the pending code's wait, or a new login."""


def no_session() -> AuthStatus:
    """The ``auth status`` summary of a user with no OAuth session and no pending code."""
    return {"status": "not_logged_in", "site": None, "scopes": []}


def no_config() -> ConfigSummary:
    """The ``config show`` summary of okx's "No config found" (``no_config``): no profile.

    A new dict on each call (a caller may keep it in state). The one source of this summary:
    :func:`read_preflight` and the graph's pre-flight node both use it.
    """
    return {"exists": False, "default_profile": None, "profiles": []}


@dataclass(frozen=True)
class Step0:
    """The Step 0 decision.

    Attributes:
        next: What comes next (see :data:`Step0Next`).
        profile: The API-key profile that is used (the default profile first), if any.
        site: The site of the session or pending code, else the persisted site (step 0.1).
        scopes: The session's scopes.
    """

    next: Step0Next
    profile: str | None = None
    site: str | None = None
    scopes: list[str] = field(default_factory=list)


def step0(config: ConfigSummary | None, auth: AuthStatus | None) -> Step0:
    """Decide step 0 from the two pre-flight answers (``None``: that read failed or is absent).

    Args:
        config: The redacted ``okx config show`` summary.
        auth: The ``okx auth status`` summary.
    """
    site = persisted_site(config, auth)
    profiles = api_key_profiles(config)
    if profiles:
        return Step0("use_api_key", profile=profiles[0], site=site)
    status = auth or no_session()
    if status["status"] == "logged_in":
        return Step0("logged_in", site=status["site"] or site, scopes=list(status["scopes"]))
    if status["status"] == "pending":
        return Step0("wait_for_user", site=status["site"] or site)
    return Step0("log_in", site=site)


@dataclass(frozen=True)
class Preflight:
    """The pre-flight's answers, as a door that runs both reads at once receives them.

    Attributes:
        config: ``config show`` (an empty summary when there is no config file), or ``None``.
        auth: ``auth status``, or ``None`` when it failed.
        error: The first failure that is not "no config" (config first), or ``None``.
        logins_seen: The okx home's login count, read before ``auth status`` started (see
            :mod:`okx_auth_graph.core.login_lock`); pass it to :func:`~.login.log_in`.
    """

    config: ConfigSummary | None
    auth: AuthStatus | None
    error: OkxCliError | None
    logins_seen: int | None

    @property
    def decision(self) -> Step0:
        """The Step 0 decision from these answers."""
        return step0(self.config, self.auth)


async def read_preflight(okx: OkxCli) -> Preflight:
    """Run ``okx config show --json`` and ``okx auth status --json`` concurrently."""
    seen = await asyncio.to_thread(read_login_count, okx.login_lock_dir)
    config, auth = await asyncio.gather(_captured(okx.config_show()), _captured(okx.auth_status()))
    error: OkxCliError | None = None
    if isinstance(config, OkxCliError):
        if config.kind == "no_config":
            config = no_config()
        else:
            error = config
    if isinstance(auth, OkxCliError):
        error = error or auth
    return Preflight(
        config=None if isinstance(config, OkxCliError) else config,
        auth=None if isinstance(auth, OkxCliError) else auth,
        error=error,
        logins_seen=seen,
    )


async def _captured(call: Awaitable[_T]) -> _T | OkxCliError:
    """Await ``call``; an okx failure becomes the returned error (anything else propagates)."""
    try:
        return await call
    except OkxCliError as exc:
        return exc
