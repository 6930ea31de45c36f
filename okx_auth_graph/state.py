"""Graph state: plain JSON (TypedDicts of str, int, bool, list, dict) plus the message list.

``InputState`` is what a caller passes in an *entry* (a new input, not a resume);
``OutputState`` is what the graph returns; ``AuthState`` is everything the nodes share.
Nothing secret is ever stored here: the config is kept only as its redacted summary.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from langchain_core.messages import AnyMessage
from langgraph.channels.untracked_value import UntrackedValue
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict

from okx_auth_graph.okx.models import AuthStatus, ConfigSummary, LoginChallenge

Intent = Literal[
    "login",
    "status",
    "logout",
    "binary_install",
    "binary_status",
    "binary_remove",
    "api_key_setup",
    "session_lifetime",
    "skill",
    "unclear",
    "switch_site",
    "start_over",
]
"""What a request asks for: an auth task, ``skill`` (one of the five skills, see :data:`Route`),
or ``unclear`` (nothing places it: the graph asks ``clarify_request``)."""

Route = Literal[
    "okx-cex-trade", "okx-cex-portfolio", "okx-cex-earn", "okx-cex-bot", "okx-cex-market"
]
"""The skill that serves the request once auth is settled."""

Outcome = Literal[
    "no_auth_needed",
    "api_key_configured",
    "logged_in",
    "logged_out",
    "retry_declined",
    "binary_ready",
    "status_reported",
    "needs_user_action",
    "cancelled",
    "failed",
]
"""How an entry ended (see the table in :mod:`okx_auth_graph.graph.builder`)."""

Language = Literal["zh", "en"]
"""The language of the replies."""


class FailedCommand(TypedDict):
    """A downstream okx command that failed: its argv and its error text."""

    argv: list[str]
    error: str


class InputState(TypedDict, total=False):
    """An entry: the user's request, and optionally what an upstream skill reported.

    ``intent`` and ``route`` are optional caller hints (a parent graph or an agent that already
    knows the task): the entry trusts them over the text, validates them (a value outside
    :data:`Intent` / :data:`Route` raises ``ValueError`` naming the field before any okx call),
    and never takes a site from them. On a thread they hold the previous entry's values until
    a new entry reads them, so a hint counts when it differs from what the graph last wrote.

    ``failed_command`` and ``upstream_status`` live in untracked channels: no channel of a
    checkpoint holds them (a downstream error text may hold a secret; the copy LangGraph keeps
    of the raw input is masked by :class:`~okx_auth_graph.persistence.MaskingSerializer`) and
    they belong to the run that received them, so a later entry never sees an earlier one's. The graph reads
    ``failed_command`` before its first question and never reads ``upstream_status`` (step 0
    runs its own pre-flight whatever an upstream skill concluded); both are validated at the
    entry (:mod:`okx_auth_graph.graph.entry`).
    """

    messages: Annotated[list[AnyMessage], add_messages]
    upstream_status: Annotated[dict[str, Any] | None, UntrackedValue]
    intent: Intent
    route: Route | None
    failed_command: Annotated[FailedCommand | None, UntrackedValue]


class RemediatedCommand(TypedDict):
    """A failed okx command the graph remediated: its argv and error kind."""

    argv: list[str]
    kind: str


class OutputState(TypedDict, total=False):
    """What the graph returns.

    ``retry_command`` is set only with outcome ``binary_ready`` after okx-auth was reinstalled
    for a failed *skill* command: the argv the skill runs once more.
    """

    messages: Annotated[list[AnyMessage], add_messages]
    route: Route | None
    outcome: Outcome | None
    site: str | None
    language: Language
    retry_command: list[str] | None


class AuthState(InputState, OutputState, total=False):
    """Everything the nodes share during one entry.

    Attributes:
        intent: What the request asks for (see :mod:`okx_auth_graph.reading.rules`).
        config: Redacted summary of ``okx config show --json`` (``None`` if it failed).
        auth: ``okx auth status --json`` reduced to status, site, scopes (``None`` if it failed).
        config_error / auth_error: The typed error of a failed pre-flight call, as a dict.
        challenge: The device-code challenge of the login in progress (thread-level: it
            survives new entries, so a later login request can show the pending code again).
        challenge_at: Wall-clock time the challenge was issued (minutes left = expiresIn - age).
        remediated: The failed okx command the graph remediates (argv + error kind): after a
            reinstall the graph retries the command named here. It survives into the next
            entry only when that entry brings a failed command too: the same failure arriving
            right after the retry ends ``failed`` instead of looping.
        api_key_profile: The API-key profile that failed (step 0.2.a).
        logins_seen: The okx home's login count (see :mod:`okx_auth_graph.core.login_lock`) as
            this entry last saw it: read before the pre-flight's calls start, updated by its
            own login; ``None`` when unreadable.
        binary_install_result: What ``okx auth install`` reported (installed / up-to-date).
        denied: The reply ``check_login`` checks said the user denied the authorization (D12:
            a denial that leaves the code ``pending`` gets the start-over offer of D7).
        entry_starts: Ids of the requests of the entries ``messages`` still holds, oldest first
            (see :mod:`okx_auth_graph.reading.window`).
        language_fixed: ``Context.language`` set this entry's language (replies do not change it).
        language_held: A message of the user decided ``language`` (D22); ``False`` while it is
            only the default English. Missing (a thread written before it existed): held.
        last_reading: The intent and route the graph itself last wrote (thread-level): an
            input ``intent`` / ``route`` equal to them is a leftover, not a hint.
    """

    config: ConfigSummary | None
    auth: AuthStatus | None
    config_error: dict[str, Any] | None
    auth_error: dict[str, Any] | None
    challenge: LoginChallenge | None
    challenge_at: float | None
    remediated: RemediatedCommand | None
    api_key_profile: str | None
    logins_seen: int | None
    binary_install_result: str | None
    denied: bool
    entry_starts: list[str]
    last_reading: dict[str, str | None] | None
    language_fixed: bool
    language_held: bool


THREAD_KEYS: frozenset[str] = frozenset(
    {
        "messages",
        "language",
        "language_held",
        "challenge",
        "challenge_at",
        "remediated",
        "entry_starts",
        "last_reading",
    }
)
"""State keys that survive a new entry on the thread; every other non-input key is reset."""

ENTRY_KEYS: frozenset[str] = frozenset(
    (AuthState.__required_keys__ | AuthState.__optional_keys__)
    - (InputState.__required_keys__ | InputState.__optional_keys__)
    - THREAD_KEYS
)
"""State keys that belong to one entry: :data:`THREAD_KEYS` and the input keys excluded."""
