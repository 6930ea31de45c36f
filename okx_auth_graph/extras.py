"""Optional extras: a missing one fails with an error that names the extra to install.

The runtime package needs only LangGraph, langchain-core, pydantic, the SQLite checkpointer and
filelock. The terminal chat (``chat``), the evaluation runner (``evals``), the PostgreSQL helpers
(``postgres``) and a chat model (``llm``) need extras; their modules import the extra's packages
inside :func:`extra_needed`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class MissingExtraError(ModuleNotFoundError):
    """A package of an optional extra is missing; ``extra`` names the extra to install.

    Attributes:
        extra: The name of the extra in ``pyproject.toml``.
    """

    def __init__(self, message: str, *, extra: str, name: str | None) -> None:
        super().__init__(message, name=name)
        self.extra = extra


def install_hint(extra: str, name: str | None) -> str:
    """What is missing and the command that installs it."""
    return f"(module {name!r} is missing): pip install 'okx-auth-graph[{extra}]'"


@contextmanager
def extra_needed(extra: str, feature: str) -> Iterator[None]:
    """Turn a missing package into an error naming the extra that provides it.

    Args:
        extra: The name of the extra in ``pyproject.toml`` (``chat``, ``evals``, ...).
        feature: What needs it, for the message (e.g. "the terminal chat").

    Raises:
        MissingExtraError: ``{feature} needs the '{extra}' extra ...: pip install
            'okx-auth-graph[{extra}]'``, chained to the original error.

    Example:
        with extra_needed("chat", "the terminal chat"):
            from rich.console import Console
    """
    try:
        yield
    except ModuleNotFoundError as exc:
        raise MissingExtraError(
            f"{feature} needs the {extra!r} extra {install_hint(extra, exc.name)}",
            extra=extra,
            name=exc.name,
        ) from exc
