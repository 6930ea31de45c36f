"""Graph state: plain JSON (TypedDicts of str, int, bool, list, dict) plus the message list.

``InputState`` is what a caller passes in an *entry* (a new input, not a resume);
``OutputState`` is what the graph returns; ``AuthState`` is everything the nodes share.
Nothing secret is ever stored here: the config is kept only as its redacted summary.
"""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.channels.untracked_value import UntrackedValue
from langgraph.graph.message import add_messages

from okx_auth_graph.models import AuthStatus, ConfigSummary, LoginChallenge


class FailedCommand(TypedDict):
    """A downstream okx command that failed: its argv and its error text."""

    argv: list[str]
    error: str


class InputState(TypedDict, total=False):
    """An entry: the user's request, and optionally what an upstream skill reported.

    ``failed_command`` lives in an untracked channel: it is never checkpointed (a downstream
    error text may hold a secret) and belongs to the run that received it, so a later entry
    never sees an earlier one's. The graph reads it before its first question.
    """

    messages: Annotated[list[AnyMessage], add_messages]
    upstream_status: dict[str, Any] | None
    failed_command: Annotated[FailedCommand | None, UntrackedValue]


class OutputState(TypedDict, total=False):
    """What the graph returns."""

    messages: Annotated[list[AnyMessage], add_messages]
    route: str | None
    outcome: str | None
    site: str | None
    language: str


class AuthState(InputState, OutputState, total=False):
    """Everything the nodes share during one entry.

    Attributes:
        intent: What the request asks for (see :mod:`okx_auth_graph.intents`).
        config: Redacted summary of ``okx config show --json`` (``None`` if it failed).
        auth: ``okx auth status --json`` reduced to status, site, scopes (``None`` if it failed).
        config_error / auth_error: The typed error of a failed pre-flight call, as a dict.
        login_site: The site the pre-login gate cleared for the next ``okx auth login``.
        challenge: The device-code challenge of the login in progress.
        spawn_retry: The okx command to retry once after reinstalling okx-auth.
        api_key_profile: The API-key profile that failed (step 0.2.a).
        preflight_at: Wall-clock time of this entry's pre-flight (for the login lock).
        after_site_choice: The node that the site menu's answer goes on to.
        binary_install_result: What ``okx auth install`` reported (installed / up-to-date).
        entry_starts: Ids of the requests of the entries ``messages`` still holds, oldest first
            (see :mod:`okx_auth_graph.window`).
    """

    intent: str
    config: ConfigSummary | None
    auth: AuthStatus | None
    config_error: dict[str, Any] | None
    auth_error: dict[str, Any] | None
    login_site: str | None
    challenge: LoginChallenge | None
    spawn_retry: str | None
    api_key_profile: str | None
    preflight_at: float
    after_site_choice: str | None
    binary_install_result: str | None
    entry_starts: list[str]
