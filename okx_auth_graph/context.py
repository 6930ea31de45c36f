"""Runtime context of the auth graph: which okx to run, where, how long to wait, which model.

Read by nodes through ``Runtime[Context]``. Fields left at their defaults fall back to
environment variables (``OKX_EXECUTABLE``, ``OKX_HOME``, ``OKX_TIMEOUT``, ``OKX_LOGIN_TIMEOUT``,
``OKX_AUTH_CHAT_MODEL``, ``OKX_AUTH_LANGUAGE``, ``OKX_INTERACTIVE_LOGIN``,
``OKX_AUTH_MESSAGE_WINDOW``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from okx_auth_graph.window import DEFAULT_MESSAGE_WINDOW

_ENV_NAMES = {
    "okx_executable": "OKX_EXECUTABLE",
    "okx_home": "OKX_HOME",
    "timeout": "OKX_TIMEOUT",
    "login_timeout": "OKX_LOGIN_TIMEOUT",
    "chat_model": "OKX_AUTH_CHAT_MODEL",
    "language": "OKX_AUTH_LANGUAGE",
    "interactive_login": "OKX_INTERACTIVE_LOGIN",
    "message_window": "OKX_AUTH_MESSAGE_WINDOW",
}


@dataclass(kw_only=True)
class Context:
    """How the auth graph reaches okx and talks to the user.

    Attributes:
        okx_executable: The okx program, a name on ``PATH`` or a path.
        okx_home: ``HOME`` for okx (where ``~/.okx`` lives); ``None`` keeps this process's.
        okx_env: Extra environment variables for okx.
        timeout: Seconds allowed for each okx call.
        login_timeout: Seconds allowed for the blocking interactive ``okx auth login``.
        chat_model: A chat model for ``init_chat_model`` (e.g. ``"openai:gpt-4.1-mini"``) that
            helps place requests and replies the rules cannot; rules always decide the gates.
        language: ``"zh"`` or ``"en"`` to override the language detected from the user's text.
        interactive_login: Run the blocking ``okx auth login --site X`` (for a terminal the user
            drives) instead of the agent default ``--manual``.
        message_window: How many earlier entries ``messages`` keeps besides the current one
            (see :mod:`okx_auth_graph.window`); ``0`` keeps only the current entry.
    """

    okx_executable: str = "okx"
    okx_home: str | None = None
    okx_env: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    login_timeout: float = 900.0
    chat_model: str | None = None
    language: Literal["zh", "en"] | None = None
    interactive_login: bool = False
    message_window: int = DEFAULT_MESSAGE_WINDOW

    def __post_init__(self) -> None:
        for f in fields(self):
            env_name = _ENV_NAMES.get(f.name)
            if env_name is None or getattr(self, f.name) != f.default:
                continue
            raw = os.environ.get(env_name)
            if raw:
                setattr(self, f.name, _parse_env(f.name, raw))
        if self.language not in (None, "zh", "en"):
            raise ValueError(f"language must be 'zh' or 'en', not {self.language!r}")
        if isinstance(self.message_window, bool) or not isinstance(self.message_window, int):
            raise ValueError(f"message_window must be an int, not {self.message_window!r}")
        if self.message_window < 0:
            raise ValueError("message_window must be 0 or more earlier entries")
        if self.timeout <= 0 or self.login_timeout <= 0:
            raise ValueError("timeouts must be positive numbers of seconds")


def _parse_env(name: str, raw: str) -> Any:
    if name in {"timeout", "login_timeout"}:
        try:
            return float(raw)
        except ValueError:
            raise ValueError(
                f"{_ENV_NAMES[name]} must be a number of seconds, not {raw!r}"
            ) from None
    if name == "message_window":
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{_ENV_NAMES[name]} must be a whole number, not {raw!r}") from None
    if name == "interactive_login":
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return raw
