"""``core.login`` called directly, with an okx stand-in: the cases the flows reach rarely.

Found by ``make mutation-score`` (docs/testing.md): mutants of these lines survived every test
that reaches them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from filelock import FileLock
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage

from okx_auth_graph.core.gate import site_menu
from okx_auth_graph.core.login import (
    AnotherLogin,
    GateClosed,
    LockFault,
    LoginAnswered,
    LoginFailed,
    check_login,
    log_in,
)
from okx_auth_graph.core.login_lock import LOCK_NAME
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.errors import ErrorKind, OkxCliError
from okx_auth_graph.okx.models import AuthStatus, LoginChallenge


class _Okx:
    """An okx adapter whose ``auth status`` answers ``answer`` (raised when an error) and whose
    ``auth login --manual`` answers a challenge; ``calls`` lists the okx calls made."""

    def __init__(
        self, answer: AuthStatus | Exception, home: Path | None = None, timeout: float = 5.0
    ) -> None:
        self.answer = answer
        self.login_error: OkxCliError | None = None
        self.login_lock_dir = home or Path("/nonexistent")
        self.timeout = timeout
        self.calls: list[str] = []

    async def auth_status(self) -> AuthStatus:
        self.calls.append("auth status")
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    async def login_manual(self, site: str) -> dict[str, Any]:
        self.calls.append(f"auth login --manual --site {site}")
        if self.login_error is not None:
            raise self.login_error
        return {"userCode": "ABCD-EFGH", "verificationUri": "https://my.okx.com/x"}

    async def login_interactive(
        self, site: str, *, on_challenge: Callable[[dict[str, Any]], None] | None = None
    ) -> dict[str, Any]:
        self.calls.append(f"auth login --site {site}")
        if on_challenge is not None:
            on_challenge({"userCode": "ABCD-EFGH", "verificationUri": "https://my.okx.com/x"})
        return {"status": "logged_in"}

    @property
    def status_calls(self) -> int:
        return self.calls.count("auth status")


def _chose(reply: str) -> list[AnyMessage]:
    """The verbatim menu shown, then the user's reply."""
    return [HumanMessage("log me in"), AIMessage(site_menu()), HumanMessage(reply)]


NOT_LOGGED_IN: AuthStatus = {"status": "not_logged_in", "site": None, "scopes": []}


async def test_no_login_runs_unless_the_gate_holds_and_the_site_is_the_users_choice(
    tmp_path: Path,
) -> None:
    okx = _Okx(NOT_LOGGED_IN, tmp_path)
    no_menu = [HumanMessage("log me in"), HumanMessage("2")]
    assert await log_in(cast(OkxCli, okx), no_menu) == GateClosed()
    assert await log_in(cast(OkxCli, okx), _chose("not a site")) == GateClosed()
    assert await log_in(cast(OkxCli, okx), _chose("2"), site="us") == GateClosed()
    assert okx.calls == []
    answered = await log_in(cast(OkxCli, okx), _chose("2"), site="eea", logins_seen=0)
    assert isinstance(answered, LoginAnswered)
    assert (answered.site, okx.calls) == ("eea", ["auth login --manual --site eea"])
    assert answered.logins_seen == 2  # counted when it started and when it ended


async def test_a_login_started_elsewhere_since_the_pre_flight_is_not_doubled(
    tmp_path: Path,
) -> None:
    pending: AuthStatus = {"status": "pending", "site": "eea", "scopes": []}
    okx = _Okx(pending, tmp_path)
    # The count moved (or is unknown): auth status is read again, and its pending login stands.
    for seen in (None, 7):
        another = await log_in(cast(OkxCli, okx), _chose("2"), logins_seen=seen)
        assert another == AnotherLogin("eea", pending, 0)
    assert okx.calls == ["auth status", "auth status"]
    # Nothing moved: the caller's pre-flight is current, one okx call.
    okx.answer = NOT_LOGGED_IN
    answered = await log_in(cast(OkxCli, okx), _chose("2"), logins_seen=0)
    assert isinstance(answered, LoginAnswered)
    assert okx.status_calls == 2
    # Moved, and nobody is logged in or pending: the login runs after the re-read.
    again = await log_in(cast(OkxCli, okx), _chose("2"), logins_seen=0)
    assert isinstance(again, LoginAnswered)
    assert okx.status_calls == 3


async def test_a_login_lock_held_past_the_okx_timeout_reads_as_a_pending_login(
    tmp_path: Path,
) -> None:
    okx = _Okx(NOT_LOGGED_IN, tmp_path, timeout=0.2)
    other = FileLock(str(tmp_path / LOCK_NAME), thread_local=False)
    other.acquire()
    try:
        outcome = await asyncio.wait_for(
            log_in(cast(OkxCli, okx), _chose("2"), logins_seen=0), timeout=10
        )
    finally:
        other.release()
    assert outcome == AnotherLogin("eea", {"status": "pending", "site": "eea", "scopes": []}, None)
    assert okx.calls == []


async def test_a_lapsed_session_at_the_completion_check_reads_as_no_session() -> None:
    okx = _Okx(OkxCliError("session_expired", "Session expired"))
    assert await check_login(cast(OkxCli, okx)) == {
        "status": "not_logged_in",
        "site": None,
        "scopes": [],
    }
    assert okx.status_calls == 1


@pytest.mark.parametrize("kind", ["network_error", "authorization_timed_out", "access_denied"])
async def test_any_other_failure_of_the_completion_check_is_raised(kind: ErrorKind) -> None:
    error = OkxCliError(kind, "failed")
    with pytest.raises(OkxCliError) as raised:
        await check_login(cast(OkxCli, _Okx(error)))
    assert raised.value is error


async def test_the_completion_check_answers_what_auth_status_says() -> None:
    status: AuthStatus = {"status": "logged_in", "site": "eea", "scopes": ["read"]}
    okx = _Okx(status)
    assert await check_login(cast(OkxCli, okx)) == status
    assert okx.status_calls == 1


async def test_an_interactive_login_runs_for_the_chosen_site_and_hands_on_the_challenge(
    tmp_path: Path,
) -> None:
    okx = _Okx(NOT_LOGGED_IN, tmp_path)
    shown: list[LoginChallenge] = []
    answered = await log_in(
        cast(OkxCli, okx), _chose("3"), interactive=True, logins_seen=0, on_challenge=shown.append
    )
    assert answered == LoginAnswered("us", {"status": "logged_in"}, 2)
    assert okx.calls == ["auth login --site us"]
    assert shown == [{"userCode": "ABCD-EFGH", "verificationUri": "https://my.okx.com/x"}]


async def test_a_failed_login_and_an_unusable_lock_folder_are_answered_with_their_error(
    tmp_path: Path,
) -> None:
    okx = _Okx(NOT_LOGGED_IN, tmp_path)
    okx.login_error = OkxCliError("region_restriction", "not available in your region")
    failed = await log_in(cast(OkxCli, okx), _chose("2"), logins_seen=0)
    assert failed == LoginFailed("eea", okx.login_error)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    okx = _Okx(NOT_LOGGED_IN, blocked)
    fault = await log_in(cast(OkxCli, okx), _chose("2"), logins_seen=0)
    assert isinstance(fault, LockFault)
    assert fault.error.folder == blocked
    assert okx.calls == []
