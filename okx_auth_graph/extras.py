"""Optional extras: a missing one fails with an error that names the extra to install.

The runtime package needs only LangGraph, langchain-core, pydantic, the SQLite checkpointer and
filelock. The terminal chat (``chat``), the evaluation runner (``evals``), the PostgreSQL helpers
(``postgres``) and a chat model (``llm``) need extras; their modules import the extra's packages
inside :func:`extra_needed`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def extra_needed(extra: str, feature: str) -> Iterator[None]:
    """Turn a missing package into an error naming the extra that provides it.

    Args:
        extra: The name of the extra in ``pyproject.toml`` (``chat``, ``evals``, ...).
        feature: What needs it, for the message (e.g. "the terminal chat").

    Raises:
        ModuleNotFoundError: ``{feature} needs the '{extra}' extra ...: pip install
            'okx-auth-graph[{extra}]'``, chained to the original error.

    Example:
        with extra_needed("chat", "the terminal chat"):
            from rich.console import Console
    """
    try:
        yield
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(
            f"{feature} needs the {extra!r} extra (module {exc.name!r} is missing): "
            f"pip install 'okx-auth-graph[{extra}]'",
            name=exc.name,
        ) from exc
