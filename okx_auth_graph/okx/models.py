"""Pydantic models of what the okx CLI prints, validated at the adapter boundary.

The models parse the CLI's JSON; the adapter hands the graph only the plain-dict *summaries*
(``TypedDict``s below), which never hold a secret nor a field the spec forbids in replies.
"""

from __future__ import annotations

from typing import Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

AuthState = Literal["logged_in", "pending", "not_logged_in"]


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ConfigProfile(_Lenient):
    """One ``[profiles.NAME]`` block as ``okx config show --json`` prints it (secrets included)."""

    api_key: str | None = None
    secret_key: str | None = None
    passphrase: str | None = None
    site: str | None = None
    demo: bool | None = None
    base_url: str | None = None


class ConfigShow(_Lenient):
    """The whole output of ``okx config show --json``."""

    default_profile: str | None = None
    profiles: dict[str, ConfigProfile] = Field(default_factory=dict)


class AuthStatusOutput(_Lenient):
    """``okx auth status --json``; ``expiresAt``/``ttl``/``profile`` are parsed, never offered."""

    status: AuthState
    site: str | None = None
    scopes: list[str] = Field(default_factory=list)
    profile: str | None = None
    expires_at: str | None = Field(default=None, alias="expiresAt")
    ttl: int | None = None


class LoginChallengeOutput(_Lenient):
    """The one JSON line ``okx auth login --manual --site X`` prints when a code was issued."""

    verification_uri: str = Field(alias="verificationUri", min_length=1)
    user_code: str = Field(alias="userCode", min_length=1)
    expires_in: int = Field(alias="expiresIn", ge=0)


class LoginSkippedOutput(_Lenient):
    """``{"status":"skipped","reason":"api_key_configured","profile":"…"}``."""

    status: Literal["skipped"]
    reason: str
    profile: str | None = None


class InstallStatusOutput(_Lenient):
    """``okx auth install-status --json``."""

    binary_path: str | None = Field(default=None, alias="binaryPath")
    exists: bool
    platform: str | None = None
    cdn_match: str | None = Field(default=None, alias="cdnMatch")


class InstallOutput(_Lenient):
    """``okx auth install --json``: ``status`` is installed, up-to-date or failed."""

    status: Literal["installed", "up-to-date", "failed"]
    source: str | None = None
    error: str | None = None


class RemoveOutput(_Lenient):
    """``okx auth remove --force --json``: ``status`` is removed or not-installed."""

    status: Literal["removed", "not-installed"]
    path: str | None = None


class ProfileSummary(TypedDict):
    """A config profile without its secrets."""

    name: str
    site: str | None
    demo: bool
    has_api_key: bool


class ConfigSummary(TypedDict):
    """The redacted summary of ``okx config show --json`` kept in graph state."""

    exists: bool
    default_profile: str | None
    profiles: list[ProfileSummary]


class AuthStatus(TypedDict):
    """What graph state keeps of ``okx auth status --json``: status, site and scopes only.

    ``session_expired`` is present (and true) when the status is ``not_logged_in`` because the
    session lapsed: okx says "Session expired" on stderr while it exits 0.
    """

    status: AuthState
    site: str | None
    scopes: list[str]
    session_expired: NotRequired[bool]


class LoginChallenge(TypedDict):
    """A device-code challenge from ``okx auth login --manual``."""

    verificationUri: str
    userCode: str
    expiresIn: int


class LoginSkipped(TypedDict):
    """The CLI's guard answer: an API-key profile exists, so OAuth login was skipped."""

    status: Literal["skipped"]
    reason: str
    profile: str | None


class InstallStatus(TypedDict):
    """Whether the ``okx-auth`` binary is installed, and its CDN checksum comparison."""

    installed: bool
    platform: str | None
    cdn_match: str | None


class CommandOutcome(TypedDict):
    """The outcome of logout / install / remove / interactive login: a status and the CLI's text."""

    status: str
    text: str
