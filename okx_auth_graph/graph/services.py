"""What the nodes share: the okx adapter for the run's context, the optional chat model, texts.

:class:`Services` is built once per compiled graph. Its adapter is the one given to
``build_graph`` or, when none was given, one :class:`~okx_auth_graph.okx.adapter.OkxCli` per distinct
context (so the secrets it has seen stay masked across the nodes of a run).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.runtime import Runtime

from okx_auth_graph.context import Context, ServedContext
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.prompts import render
from okx_auth_graph.reading.chat_model import read_reply_with_model, read_request_with_model
from okx_auth_graph.reading.rules import (
    ReplyReading,
    RequestReading,
    held_language,
    read_reply,
    read_request,
)
from okx_auth_graph.state import Language

logger = logging.getLogger(__name__)


class Services:
    """The okx adapter, the optional chat model and the hand-off mode of one compiled graph.

    Args:
        cli: An adapter that wins over the context's executable settings (tests inject the
            in-process emulator here).
        chat_model: A chat model instance; wins over ``Context.chat_model``.
        handoff_to_parent: Hand off to the routed skill in the parent graph.
    """

    def __init__(
        self,
        *,
        cli: OkxCli | None,
        chat_model: BaseChatModel | None,
        handoff_to_parent: bool,
    ) -> None:
        self._cli = cli
        self._chat_model = chat_model
        self.handoff_to_parent = handoff_to_parent
        self._clis: dict[tuple[Any, ...], OkxCli] = {}
        self._models: dict[str, BaseChatModel] = {}
        self._lock = threading.Lock()

    @staticmethod
    def context(runtime: Runtime[Context]) -> Context:
        """The run's effective context; nodes read their settings here, never ``runtime.context``.

        A served graph's runs carry a :class:`~okx_auth_graph.context.ServedContext` (the
        client's language and message window only): its effective context takes every operator
        setting from this process's environment.
        """
        ctx: Context | ServedContext | None = runtime.context
        if isinstance(ctx, ServedContext):
            return ctx.effective()
        return ctx or Context()

    def cli(self, runtime: Runtime[Context]) -> OkxCli:
        """The adapter for this run."""
        if self._cli is not None:
            return self._cli
        ctx = self.context(runtime)
        key = (
            ctx.okx_executable,
            ctx.okx_home,
            tuple(sorted(ctx.okx_env.items())),
            ctx.timeout,
            ctx.login_timeout,
        )
        with self._lock:
            if key not in self._clis:
                self._clis[key] = OkxCli.from_context(ctx)
            return self._clis[key]

    def chat_model(self, runtime: Runtime[Context]) -> BaseChatModel | None:
        """The optional chat model: the instance given to ``build_graph``, else the context's."""
        if self._chat_model is not None:
            return self._chat_model
        name = self.context(runtime).chat_model
        if not name:
            return None
        with self._lock:
            if name not in self._models:
                self._models[name] = _init_chat_model(name)
            return self._models[name]

    def read_request(
        self,
        runtime: Runtime[Context],
        text: str,
        *,
        language: Language | None,
        previous: Language | None,
    ) -> RequestReading:
        """Read a request: the chat model first when one is configured, else the rules."""
        model = self.chat_model(runtime)
        if model is None:
            return read_request(text, language=language, previous=previous)
        timeout = self.context(runtime).timeout
        return read_request_with_model(
            model, text, timeout=timeout, language=language, previous=previous
        )

    def read_reply(
        self, runtime: Runtime[Context], question: str, text: str, *, options: int = 2
    ) -> ReplyReading:
        """Read a reply: the chat model first when one is configured, else the rules."""
        model = self.chat_model(runtime)
        if model is None:
            return read_reply(question, text, options=options)
        timeout = self.context(runtime).timeout
        return read_reply_with_model(model, question, text, timeout=timeout, options=options)

    @classmethod
    def interactive_login(cls, runtime: Runtime[Context]) -> bool:
        """Whether this run uses the blocking interactive login."""
        return cls.context(runtime).interactive_login


LLM_EXTRA_HINT = "pip install 'okx-auth-graph[llm]'"
"""How to install what ``Context.chat_model`` needs."""


def _init_chat_model(name: str) -> BaseChatModel:
    """The model ``Context.chat_model`` names.

    Raises:
        ImportError: If the ``langchain`` package is missing (the message names the extra).
    """
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as exc:
        raise ImportError(
            f"Context.chat_model={name!r} needs the langchain package: {LLM_EXTRA_HINT}"
        ) from exc
    model: BaseChatModel = init_chat_model(name)
    return model


def held_language_of(state: Mapping[str, Any]) -> Language | None:
    """The language the user's messages hold (D22), ``None`` while none decided one.

    ``language`` holds the thread's language as of the last time the graph wrote it, held only
    when ``language_held`` says a message decided it (the default English is not held); the
    user's messages in ``messages`` (the window: the latest ones) move it on.
    """
    texts = [str(m.text) for m in state.get("messages") or [] if isinstance(m, HumanMessage)]
    language = state.get("language") if state.get("language_held", True) else None
    return held_language(texts, language)


def user_language(state: Mapping[str, Any]) -> Language:
    """The language of the user's latest message that decides one, requests and replies alike.

    English before any message decided one (D22), see :func:`held_language_of`.
    """
    return held_language_of(state) or "en"


def language_fields(state: Mapping[str, Any]) -> dict[str, Any]:
    """The state keys that record the entry's language: ``language`` and ``language_held``."""
    return {"language": language_of(state), "language_held": held_language_of(state) is not None}


def language_of(state: Mapping[str, Any]) -> Language:
    """The language to answer in: ``Context.language`` when it fixed it, else the user's."""
    if state.get("language_fixed"):
        return "zh" if state.get("language") == "zh" else "en"
    return user_language(state)


def heard(state: Mapping[str, Any], human: HumanMessage) -> Any:
    """``state`` as seen once the user's reply ``human`` is in (for the texts that answer it)."""
    return {**state, "messages": [*(state.get("messages") or []), human]}


def say(state: Mapping[str, Any], name: str, **fields: object) -> AIMessage:
    """An assistant message with the text ``name`` in the entry's language."""
    return AIMessage(render(name, language_of(state), **fields))


def last_human_text(messages: list[AnyMessage]) -> str | None:
    """The text of the most recent human message, or None."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return message.text
    return None
