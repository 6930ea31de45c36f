"""Runtime context of the auth graph: which okx to run, where, how long to wait, which model.

Read by nodes through ``Runtime[Context]``. Fields left at their defaults fall back to
environment variables (``OKX_EXECUTABLE``, ``OKX_HOME``, ``OKX_TIMEOUT``, ``OKX_LOGIN_TIMEOUT``,
``OKX_AUTH_CHAT_MODEL``, ``OKX_AUTH_LANGUAGE``, ``OKX_INTERACTIVE_LOGIN``,
``OKX_AUTH_MESSAGE_WINDOW``).

Two kinds of setting (docs/security.md, "Operator settings"): an in-process caller is the
operator and sets any field of :class:`Context`. A graph served over a network (the one
``langgraph.json`` names, :mod:`okx_auth_graph.graph.served`) takes its context schema from
:class:`ServedContext`: a client sets only :data:`USER_SETTINGS`; a run naming any of
:data:`OPERATOR_SETTINGS` is refused before anything runs, and the operator settings come from
the server's environment alone.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from okx_auth_graph.reading.window import DEFAULT_MESSAGE_WINDOW

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


OPERATOR_SETTINGS: tuple[str, ...] = (
    "okx_executable",
    "okx_home",
    "okx_env",
    "timeout",
    "login_timeout",
    "chat_model",
    "interactive_login",
)
"""Which program runs as okx and how: the operator's alone, never a served run's client."""

USER_SETTINGS: tuple[str, ...] = ("language", "message_window")
"""What a client of a served graph may set per run: how it is talked to, nothing that runs."""


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
            (see :mod:`okx_auth_graph.reading.window`); ``0`` keeps only the current entry.
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
        self.timeout = seconds("timeout", self.timeout)
        self.login_timeout = seconds("login_timeout", self.login_timeout)


def seconds(name: str, value: object) -> float:
    """``value`` as a timeout: a finite positive number of seconds (``nan``, ``inf`` refused).

    Raises:
        ValueError: Naming ``name`` and the value.
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise ValueError(f"{name} must be a finite positive number of seconds, not {value!r}")
    return float(value)


def _parse_env(name: str, raw: str) -> Any:
    if name in {"timeout", "login_timeout"}:
        try:
            return seconds(_ENV_NAMES[name], float(raw))
        except ValueError:
            raise ValueError(
                f"{_ENV_NAMES[name]} must be a finite positive number of seconds, not {raw!r}"
            ) from None
    if name == "message_window":
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{_ENV_NAMES[name]} must be a whole number, not {raw!r}") from None
    if name == "interactive_login":
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return raw


class OperatorSettingError(ValueError):
    """A served run's context named a setting that only the server's operator may choose."""


_OPERATOR_HELP = (
    "it is the operator's: set it in the server's environment ("
    + ", ".join(f"{name}: {env}" for name, env in _ENV_NAMES.items() if name in OPERATOR_SETTINGS)
    + "; okx_env has none, the server passes its own environment)"
)


@dataclass(kw_only=True)
class ServedContext:
    """The context a client of a served graph may send with a run (``langgraph dev``, Studio).

    Only the user-level settings are the client's: ``language`` (how it is answered) and
    ``message_window`` (how much of the conversation ``messages`` keeps). The operator
    settings are listed so that a run naming one is refused with this error instead of being
    dropped without a word by the server; their only accepted value is ``null``.

    Raises:
        OperatorSettingError: If any operator setting has a value.
        ValueError: If ``language`` or ``message_window`` is invalid.
    """

    language: Literal["zh", "en"] | None = None
    message_window: int | None = None
    okx_executable: None = field(default=None, metadata={"operator": True})
    okx_home: None = field(default=None, metadata={"operator": True})
    okx_env: None = field(default=None, metadata={"operator": True})
    timeout: None = field(default=None, metadata={"operator": True})
    login_timeout: None = field(default=None, metadata={"operator": True})
    chat_model: None = field(default=None, metadata={"operator": True})
    interactive_login: None = field(default=None, metadata={"operator": True})

    def __post_init__(self) -> None:
        named = [name for name in OPERATOR_SETTINGS if getattr(self, name) is not None]
        if named:
            raise OperatorSettingError(
                f"refused: a served run may not set {', '.join(named)}; {_OPERATOR_HELP}. "
                f"A run's context may set only {', '.join(USER_SETTINGS)}."
            )
        self.effective()  # validates language and message_window now, before any node runs

    def effective(self) -> Context:
        """The context the nodes use.

        The operator's settings come from the environment; ``language`` and ``message_window``
        from the client where it gave them.
        """
        user: dict[str, Any] = {
            name: getattr(self, name) for name in USER_SETTINGS if getattr(self, name) is not None
        }
        return Context(**user)
