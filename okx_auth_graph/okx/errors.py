"""Typed okx failures: one error class whose ``kind`` comes from the error reference of docs/spec.md.

Every way an okx call can fail (the CLI's own messages, a missing or too-old executable, a
timeout, output that cannot be parsed) becomes an :class:`OkxCliError` with a stable ``kind``,
the original message with secrets masked (see :mod:`okx_auth_graph.okx.redact`), and the spec's
recommended action. Kinds are read from the raw text, before masking.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal, get_args

ErrorKind = Literal[
    "config_invalid",
    "no_config",
    "session_expired",
    "authorization_timed_out",
    "access_denied",
    "region_restriction",
    "network_error",
    "failed_to_spawn",
    "install_failed",
    "invalid_api_key",
    "timestamp_rejected",
    "cli_not_found",
    "cli_too_old",
    "timeout",
    "unparseable_output",
    "unknown",
]
ERROR_KINDS: tuple[str, ...] = get_args(ErrorKind)

INSTALL_CLI_COMMAND = "npm install -g @okx_ai/okx-trade-cli"
MIN_AUTH_VERSION = "1.3.1-beta.17"
"""The first okx version with the ``okx auth`` commands (the npm registry serves 1.2.4)."""

RECOMMENDED_ACTIONS: dict[str, str] = {
    "config_invalid": (
        "fix ~/.okx/config.toml at the line named (or move it away and run okx config init), "
        "then retry"
    ),
    "no_config": "okx config init (only if you want to use an API key; OAuth needs no config)",
    "session_expired": (
        "log in again: choose the site in the menu, then okx auth login --manual --site <site>"
    ),
    "authorization_timed_out": (
        "log in again (okx auth login --manual --site <site>) and authorise before the code expires"
    ),
    "access_denied": (
        "log in again (okx auth login --manual --site <site>) and approve the request in the browser"
    ),
    "region_restriction": (
        "check the site in okx auth status --json; log in again with --site if needed"
    ),
    "network_error": "check the network connection, then retry",
    "failed_to_spawn": (
        "okx auth install, check it with okx auth install-status, then retry the command"
    ),
    "install_failed": "check the network connection, then retry okx auth install",
    "invalid_api_key": ("replace the API key, or remove the API-key profile and switch to OAuth"),
    "timestamp_rejected": (
        "the request timestamp was rejected: synchronise this computer's clock (NTP), then retry"
    ),
    "cli_not_found": INSTALL_CLI_COMMAND,
    "cli_too_old": (
        f"okx auth needs okx {MIN_AUTH_VERSION} or later, not on the npm registry yet (reinstalling"
        " will not help); use an API key (okx config init) or market data meanwhile"
    ),
    "timeout": "retry; if it keeps timing out, check the network and the okx installation",
    "unparseable_output": "retry; if it persists, update the CLI with " + INSTALL_CLI_COMMAND,
    "unknown": "read the error message above; retry or check the okx documentation",
}


def _code(*codes: str) -> str:
    """A regex for OKX error codes standing alone (not part of a number like ``51155.2``)."""
    return r"(?<![\d.])(?:" + "|".join(codes) + r")(?![\d.])"


_KIND_PATTERNS: tuple[tuple[ErrorKind, str], ...] = (
    # First: a broken config file quotes its own lines, which may hold any other phrase.
    ("config_invalid", r"Invalid TOML document|Invalid proxy URL"),
    (
        "cli_too_old",
        r"Unknown command:\s*auth\b|Unknown auth command|Unknown option '--manual'",
    ),
    ("failed_to_spawn", r"Failed to spawn okx-auth"),
    ("install_failed", r"All CDN sources failed|Installation failed"),
    (
        "session_expired",
        r"Session expired|Run `?okx auth login`? (?:first|again)|No credentials found"
        r"|Private endpoint requires API credentials|\bNot logged in\b",
    ),
    ("authorization_timed_out", r"Authori[sz]ation timed out"),
    ("access_denied", r"Access denied"),
    (
        "region_restriction",
        _code("51155", "51734") + r"|Region restriction|Feature unavailable in your region"
        r"|Feature not supported for your KYC country",
    ),
    (
        "timestamp_rejected",
        _code("50112") + r"|Invalid OK-ACCESS-TIMESTAMP|Timestamp request expired",
    ),
    (
        "invalid_api_key",
        _code("50111", "50113") + r"|HTTP 401\b|401 Unauthorized|Invalid Sign"
        r"|Invalid API-?KEY|Invalid OK-ACCESS-(?:KEY|SIGN|PASSPHRASE)"
        r"|Check API key, secret, passphrase and permissions"
        r"|Partial API credentials detected",
    ),
    ("no_config", r"No config found"),
    (
        "network_error",
        r"Network error|Failed to call OKX endpoint|OKX returned non-JSON response"
        r"|check network connectivity|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT"
        r"|ECONNRESET|fetch failed|getaddrinfo",
    ),
)
_PATTERNS: tuple[tuple[ErrorKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in _KIND_PATTERNS
)


def classify_message(text: str) -> ErrorKind:
    """Return the error kind that an okx error text describes (``unknown`` if none).

    Args:
        text: The CLI's stderr and stdout, as text.

    Returns:
        The first matching kind, most specific first.
    """
    for kind, pattern in _PATTERNS:
        if pattern.search(text):
            return kind
    return "unknown"


_PHRASE_REACH = 200


def inside_phrase(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` lies wholly inside one of okx's fixed error phrases.

    The phrases are the patterns of the kinds. Masking leaves such an occurrence: a passphrase
    ``spawn`` must not turn "Failed to spawn okx-auth" into something no rule recognises.
    """
    lo = max(0, start - _PHRASE_REACH)
    window = text[lo : end + _PHRASE_REACH]
    return any(
        m.start() + lo <= start and end <= m.end() + lo
        for _, pattern in _PATTERNS
        for m in pattern.finditer(window)
    )


class OkxCliError(Exception):
    """One okx failure, typed.

    Attributes:
        kind: One of :data:`ERROR_KINDS`.
        message: The CLI's own message (secrets masked), or a description of the failure.
        action: The spec's recommended action for this kind.
        argv: The okx arguments that failed.
        exit_code: The process exit code, when there was a process.
    """

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        argv: Sequence[str] = (),
        exit_code: int | None = None,
        action: str | None = None,
    ) -> None:
        self.kind: ErrorKind = kind
        self.message = message
        self.action = action if action is not None else RECOMMENDED_ACTIONS[kind]
        self.argv = tuple(argv)
        self.exit_code = exit_code
        super().__init__(f"[{kind}] {message}")

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form for graph state: kind, message, action, argv, exit_code."""
        return {
            "kind": self.kind,
            "message": self.message,
            "action": self.action,
            "argv": list(self.argv),
            "exit_code": self.exit_code,
        }
