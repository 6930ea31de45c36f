"""The okx side effects besides logging in: logout, the okx-auth binary, the config wizard."""

from __future__ import annotations

from okx_auth_graph.core.step0 import no_session
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.errors import OkxCliError
from okx_auth_graph.okx.models import AuthStatus, CommandOutcome


def has_oauth_state(auth: AuthStatus | None) -> bool:
    """Whether there is anything to log out of: a session, a pending code or a lapsed session.

    ``None`` (the status is unknown) counts as state: a logout is never refused on a guess.
    """
    if auth is None:
        return True
    return auth["status"] != "not_logged_in" or bool(auth.get("session_expired"))


async def log_out(okx: OkxCli, auth: AuthStatus | None) -> bool:
    """``okx auth logout`` whenever OAuth state exists (an API-key user can still log out).

    Args:
        okx: The okx adapter.
        auth: The ``auth status`` the caller read (``None``: read it now).

    Returns:
        Whether okx logged out; ``False``: there was nothing to log out of (no okx call).

    Raises:
        OkxCliError: ``auth status`` or ``auth logout`` failed.
    """
    if auth is None:
        auth = await _auth_status(okx)
    if not has_oauth_state(auth):
        return False
    await okx.logout()
    return True


async def _auth_status(okx: OkxCli) -> AuthStatus:
    """``auth status``, with a lapsed session read as such (there is OAuth state to clear)."""
    try:
        return await okx.auth_status()
    except OkxCliError as exc:
        if exc.kind != "session_expired":
            raise
    return {**no_session(), "session_expired": True}


async def install_binary(okx: OkxCli) -> CommandOutcome:
    """``okx auth install --json``: install or update the okx-auth binary."""
    return await okx.install()


async def remove_binary(okx: OkxCli) -> CommandOutcome:
    """``okx auth remove --force --json``: only after the user confirmed it."""
    return await okx.remove()


def run_config_wizard(okx: OkxCli, *, timeout: float) -> int:
    """Hand the terminal to ``okx config init`` (only after the user's explicit yes)."""
    return okx.config_init(timeout=timeout)
