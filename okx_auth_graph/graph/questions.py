"""Every question the graph asks: an ``interrupt()`` with a plain-JSON payload.

Step numbers below are those of docs/spec.md.

Payload: ``{"type": T, "message": "<the exact text to show>", "options": [...]?, ...}``.

| type                    | asked when                                    | extra keys |
|-------------------------|-----------------------------------------------|------------|
| choose_site             | step 0.1 or the pre-login gate needs a site   | options    |
| await_authorization     | a login waits for the user's completion signal| site; verificationUri, userCode, expiresIn when a code was issued |
| confirm_retry           | the authorization did not complete            | options    |
| choose_api_key_fix      | step 0.2.a: an API key was rejected           | profile, options |
| await_profile_removal   | option 2 of 0.2.a: waiting for the user to remove the profile | profile |
| confirm_remove_binary   | before ``okx auth remove --force``            | options    |
| clarify_request         | a request nothing places (before any okx call)| options    |
| confirm_switch_site     | a logged-in user asks for another site, or hits a region restriction | options |
| confirm_start_over      | a login request while a code is pending that this thread no longer holds | options |

Each interrupt also carries a JSON-Schema ``response_schema`` (a string, with a hint of the
expected reply) so LangGraph Studio renders an input box. Resume with
``Command(resume="<the user's reply text>")``. Every question accepts "cancel" /
"取消". The graph writes each question into ``messages`` before it asks (see :func:`ask_next`)
and the reply right after, so a caller never adds either.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from langchain_core.messages import AIMessage, AnyMessage
from langgraph.types import Command, interrupt

QuestionType = Literal[
    "choose_site",
    "await_authorization",
    "confirm_retry",
    "choose_api_key_fix",
    "await_profile_removal",
    "confirm_remove_binary",
    "clarify_request",
    "confirm_switch_site",
    "confirm_start_over",
]
MAX_REPLY_CHARS = 10_000
_REPLY_HINTS: dict[str, str] = {
    "choose_site": "1, 2 or 3 (or global, eea, us); cancel to stop",
    "await_authorization": "done (or 好了) once the browser authorisation is complete; cancel to stop",
    "confirm_retry": "yes or no; cancel to stop",
    "choose_api_key_fix": "1 or 2; cancel to stop",
    "await_profile_removal": "done once the API-key profile is removed; cancel to stop",
    "confirm_remove_binary": "yes or no; cancel to stop",
    "clarify_request": "an option number or what you would like, in your own words; cancel to stop",
    "confirm_switch_site": "yes or no; cancel to stop",
    "confirm_start_over": "yes or no; cancel to stop",
}


def ask_user(question: QuestionType, message: str, **extra: Any) -> str:
    """Ask the user and return their reply as text (a node re-runs from its start on resume).

    Args:
        question: The payload ``type``.
        message: The exact text shown to the user.
        **extra: Further plain-JSON payload keys.

    Returns:
        The reply, as text (see :func:`reply_text`; an unreadable resume value reads as "").
    """
    schema = {"type": "string", "title": question, "description": _REPLY_HINTS[question]}
    reply = interrupt({"type": question, "message": message, **extra}, response_schema=schema)
    return reply_text(reply)


Node = TypeVar("Node", bound=str)
"""A destination node's name: helpers generic in it make mypy check the name where it is written
against the calling node's ``Command[Literal[...]]`` annotation."""


def ask_next(
    question_node: Node, message: str, *, before: list[AnyMessage] | None = None, **update: Any
) -> Command[Node]:
    """Go to a question node, writing its question into ``messages`` now.

    The question is in the thread's messages while the interrupt is pending, so every shown
    text is in ``messages`` exactly once and a caller never adds it.

    Args:
        question_node: The node that asks (it shows :func:`pending_question`).
        message: The question's text.
        before: Messages to write ahead of the question (e.g. the user's previous reply).
        **update: Further state updates.
    """
    messages = [*(before or []), AIMessage(message)]
    return Command(goto=question_node, update={"messages": messages, **update})


def pending_question(state: Mapping[str, Any]) -> str | None:
    """The question a question node asks: the assistant message that routed to it, last."""
    messages = state.get("messages") or []
    if messages and isinstance(messages[-1], AIMessage):
        return str(messages[-1].text)
    return None


RESUME_TEXT_KEYS = ("reply", "text", "content")
"""The keys of a resume object that may hold the reply text."""


def reply_text(reply: Any) -> str:
    """Turn a resume value into the user's reply text, bounded in length.

    A reply is read as text when it is a string, a number (Studio may send ``2``), or an
    object with one of the keys ``reply``, ``text`` or ``content`` holding a string. Anything
    else (lists, nested values, other objects, booleans, ``None``) reads as no reply at all:
    the question is asked again with its hint, and it never counts as a choice or a signal.
    So does a text longer than :data:`MAX_REPLY_CHARS`: a reply is read whole or not at all
    (its first part alone could say the opposite of the whole: "1 … no, 2").
    """
    if isinstance(reply, Mapping):
        texts = [reply[key] for key in RESUME_TEXT_KEYS if isinstance(reply.get(key), str)]
        reply = texts[0] if len(texts) == 1 else None
    if isinstance(reply, bool) or not isinstance(reply, str | int | float):
        return ""
    text = str(reply)
    return text if len(text) <= MAX_REPLY_CHARS else ""
