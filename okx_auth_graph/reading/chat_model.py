"""The model path of :mod:`okx_auth_graph.reading.rules`: a chat model as the primary reader.

When a chat model is configured (``build_graph(chat_model=...)`` or ``Context.chat_model``),
it reads requests and replies first, through ``with_structured_output`` over a pydantic
schema whose fields are the closed label sets (:data:`~okx_auth_graph.state.Intent`, :data:`~okx_auth_graph.state.Route`,
:data:`~okx_auth_graph.reading.rules.ReplyLabel`); its few-shot examples are ``prompts/model_reading.md``.
Nothing it says is parsed as free text. A model error, a timeout or an answer outside the
schema falls back to the offline reading (the learned reader behind the rules), visibly: the
reading's ``source`` is ``learned`` or ``rules`` and its ``fallback`` says why. The model never picks a site: a ``site`` label takes its value from
the rules' :func:`~okx_auth_graph.reading.rules.parse_site_choice` (and is ``unclear`` when they find none).
"""

from __future__ import annotations

import concurrent.futures
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field, ValidationError

from okx_auth_graph.prompts import prompts_dir
from okx_auth_graph.reading.learned import SIDE_EFFECT_INTENTS, is_question_form
from okx_auth_graph.reading.rules import (
    QUESTION_LABELS,
    REPLY_LABELS,
    ReplyLabel,
    ReplyReading,
    RequestReading,
    parse_site_choice,
    read_reply,
    read_request,
)
from okx_auth_graph.state import Intent, Language, Route

INSTRUCTIONS = (prompts_dir() / "model_reading.md").read_text(encoding="utf-8")
"""The model's instructions and few-shot examples."""

_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="okx-model")


class RequestLabels(BaseModel):
    """What a request asks for, as the model labels it."""

    intent: Intent = Field(description="The auth task asked for, skill, or unclear.")
    route: Route | None = Field(default=None, description="The skill to continue with, if any.")


class ReplyLabels(BaseModel):
    """What a reply to a question says, as the model labels it."""

    label: ReplyLabel = Field(description="One label the question allows.")
    option: int | None = Field(default=None, description="The option number (label option).")


def _ask(model: BaseChatModel, schema: type[BaseModel], prompt: str, timeout: float) -> Any:
    """One structured call, bounded by ``timeout`` seconds; returns a ``schema`` instance."""
    runnable = model.with_structured_output(schema)
    messages = [SystemMessage(INSTRUCTIONS), HumanMessage(prompt)]
    future = _POOL.submit(runnable.invoke, messages)
    try:
        answer = future.result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise TimeoutError(f"no answer within {timeout:g} s") from None
    if isinstance(answer, dict):
        answer = schema.model_validate(answer)
    if not isinstance(answer, schema):
        raise TypeError(f"answer is a {type(answer).__name__}, not {schema.__name__}")
    return answer


def _why(exc: BaseException) -> str:
    return f"model failed ({type(exc).__name__}); rules used"


def read_request_with_model(
    model: BaseChatModel,
    text: str,
    *,
    timeout: float,
    language: Language | None = None,
    previous: Language | None = None,
) -> RequestReading:
    """Read a request with ``model`` first; the rules when it fails.

    A request the rules read as a side-effecting act (a login, logout, binary install or
    removal, site switch or start-over, not put as a question) is the rules' reading: the model is
    not asked. Otherwise the rules' own intent is kept (``rules_intent``) so an act the rules do
    not confirm is asked about before it runs. The language is never the model's.
    """
    rules = read_request(text, language=language, previous=previous)
    definite = rules.source == "rules" and rules.intent in SIDE_EFFECT_INTENTS
    if definite and not is_question_form(text):
        return rules  # a definite rule reading of a side-effecting act wins (D21)
    prompt = f"Label this request.\nRequest: {text}"
    try:
        labels = _ask(model, RequestLabels, prompt, timeout)
    except (Exception, TimeoutError) as exc:  # any model failure: the rules decide
        if isinstance(exc, ValidationError):
            return rules.model_copy(update={"fallback": "model answer invalid; rules used"})
        return rules.model_copy(update={"fallback": _why(exc)})
    return RequestReading(
        intent=labels.intent,
        route=labels.route,
        language=rules.language,
        source="model",
        rules_intent=rules.rules_intent or rules.intent,
    )


def read_reply_with_model(
    model: BaseChatModel, question: str, text: str, *, timeout: float, options: int = 2
) -> ReplyReading:
    """Read a reply to ``question`` with ``model`` first; the rules when it fails.

    A label the question does not allow, or an option out of range, is an invalid answer.
    A ``site`` label takes its site from the rules only.
    """
    rules = read_reply(question, text, options=options)  # the offline reading: D21's fallback
    allowed = QUESTION_LABELS.get(question, frozenset(REPLY_LABELS))
    prompt = (
        f"Question type: {question} ({options} numbered options).\n"
        f"Allowed labels: {', '.join(sorted(allowed))}.\nReply: {text}"
    )
    try:
        labels: ReplyLabels = _ask(model, ReplyLabels, prompt, timeout)
    except ValidationError:
        return rules.model_copy(update={"fallback": "model answer invalid; rules used"})
    except (Exception, TimeoutError) as exc:  # any model failure: the rules decide
        return rules.model_copy(update={"fallback": _why(exc)})
    label: ReplyLabel = labels.label
    option = labels.option if label == "option" else None
    if label not in allowed or (label == "option" and not (option and 1 <= option <= options)):
        return rules.model_copy(update={"fallback": "model answer invalid; rules used"})
    site = parse_site_choice(text) if label == "site" else None
    if label == "site" and site is None:
        label = "unclear"
    return ReplyReading(question=question, label=label, site=site, option=option, source="model")
