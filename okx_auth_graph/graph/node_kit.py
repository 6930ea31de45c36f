"""Step helpers the node modules share: ending an entry, yes/no questions, the site menu.

Each helper returns the :class:`~langgraph.types.Command` a node returns. A helper that takes a
destination is generic in it (``Command[N]``, ``N`` bound to ``str``), so mypy checks the name
written at the call against the calling node's ``Command[Literal[...]]`` annotation (a
misspelled destination is a type error: tests/unit/test_destinations_typed.py); the ones that
choose their own destination (``finish``, ``cancelled``) return ``Command[Any]``, and a test
checks that every ``goto`` taken is a drawn edge.
No node module imports another: what two of them need lives here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, NamedTuple, TypeVar

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.graph import END
from langgraph.types import Command

from okx_auth_graph.core.gate import site_menu
from okx_auth_graph.graph.questions import QuestionType, ask_next, ask_user, pending_question
from okx_auth_graph.graph.services import heard, language_fields, language_of, say
from okx_auth_graph.prompts import LOGIN_SUCCESS, YES_NO_HINT, error_text, with_hint
from okx_auth_graph.reading.rules import read_reply
from okx_auth_graph.state import AuthState, Language, Outcome

YES_NO_OPTIONS = ["yes", "no"]
NODE_MARK = "auth_graph_node"
"""The attribute :func:`node` sets: the graph's builder collects the functions that carry it."""

_F = TypeVar("_F", bound=Callable[..., Any])


def node(function: _F) -> _F:
    """Mark a module-level function as a node of the auth graph; its name is the node's name.

    The function is returned unchanged (importable and callable on its own); a ``services``
    keyword parameter, if it has one, is bound by the graph's builder.
    """
    setattr(function, NODE_MARK, True)
    return function


LOGIN_ERROR_TEXTS: dict[str, str] = {
    "authorization_timed_out": "Authorization timed out",
    "access_denied": "Access denied",
    "network_error": "Network error during login (check the network connection)",
    "session_expired": "Session expired",
}
"""What a failed login shows: the error reference's own words, never the CLI's whole output
(an interactive login prints its code, dead by then, before the error)."""


def retry_login_question(state: AuthState, kind: str, message: str) -> str:
    """The ``confirm_retry`` question after a failed login: the error, then "try again?"."""
    error = LOGIN_ERROR_TEXTS.get(kind, message)
    return say(state, "confirm_retry_after_error", error=error).text


def success_message(state: AuthState, site: str, scopes: list[str]) -> AIMessage:
    """The verbatim success template (site and scopes only)."""
    return say(state, LOGIN_SUCCESS, site=site, scopes=", ".join(scopes))


def error_message(state: AuthState, error: dict[str, Any]) -> AIMessage:
    """The reply for a typed error (:func:`~okx_auth_graph.prompts.error_text`)."""
    return AIMessage(error_text(error, language_of(state)))


def finish(
    state: AuthState,
    outcome: Outcome,
    message: AnyMessage,
    *,
    hand_off: bool = False,
    before: list[AnyMessage] | None = None,
    **extra: Any,
) -> Command[Any]:
    """End the entry with a reply: on to the routed skill when ``hand_off``, else to the end.

    The entry's ``language`` becomes that of its replies (the user's latest message decides).
    ``before``: messages written ahead of the reply (the user's answer that ended the entry).
    """
    update: dict[str, Any] = {
        "outcome": outcome,
        "messages": [*(before or []), message],
        **language_fields(state),
        **extra,
    }
    if not hand_off:
        update["route"] = None
    elif extra.get("route") is not None:
        # A route the graph chose itself (a failed command's skill) is not a caller's hint for
        # the next entry (see preflight.caller_hints): it is recorded as the graph's own.
        update["last_reading"] = {**(state.get("last_reading") or {}), "route": extra["route"]}
    return Command(goto="hand_off" if hand_off else END, update=update)


def restated(
    state: AuthState, asked_in: Language, asked: str, name: str, *, hint: str, **fields: object
) -> str:
    """The question to ask again after a reply that does not answer it, with a hint under it.

    As it was asked, unless that reply changed the language (D22): then the text ``name``
    with ``fields``, anew in the user's language. Under it, the hint ``hint`` in the user's
    language says what to reply (see :func:`~okx_auth_graph.prompts.with_hint`).

    Args:
        state: The state with the reply in (see :func:`~.services.heard`).
        asked_in: The language the question was asked in.
        asked: The question as it was shown.
        name: The question's text.
        hint: The hint's text (e.g. :data:`~okx_auth_graph.prompts.YES_NO_HINT`).
        **fields: The text's fields.
    """
    language = language_of(state)
    question = asked if language == asked_in else say(state, name, **fields).text
    return with_hint(question, hint, language)


def cancelled(state: AuthState, exchange: list[AnyMessage]) -> Command[Any]:
    """End the flow on "cancel" / "取消" with no further okx call."""
    return Command(
        goto=END,
        update={
            "messages": [*exchange, say(state, "cancelled")],
            **language_fields(state),
            "outcome": "cancelled",
            "route": None,
        },
    )


SiteQuestion = Literal[
    "ask_site", "ask_login_site", "ask_api_key_site", "ask_switch_site", "ask_start_over_site"
]
"""The site-menu question nodes: step 0.1's (its answer goes on to step 0.2), the pre-login
gate's (back to the gate), step 0.2.a's when no profile has a site (on to its options), a site
switch's (on to the logout before the new login) and a start-over's (on to the gate)."""


SiteNode = TypeVar(
    "SiteNode", bound=str
)  # one of SiteQuestion: bound to str so mypy infers it from the node's annotation


def show_site_menu(
    question: SiteNode,
    *,
    before: list[AnyMessage] | None = None,
    **update: Any,
) -> Command[SiteNode]:
    """Show the verbatim site menu with the question node ``question`` (``before``: notices)."""
    return ask_next(question, site_menu(), before=before, **update)


Yes = TypeVar("Yes", bound=str)
YesNoQuestion = TypeVar("YesNoQuestion", bound=QuestionType)


class YesNoReply(NamedTuple):
    """A reply to a yes/no question, heard (see :func:`hear_yes_no`).

    Attributes:
        label: ``yes``, ``no``, or ``unclear`` (anything else but a cancel).
        text: The reply as text.
        human: The reply as the message to write.
        state: The state with the reply in (the texts that answer it use its language).
        again: The question to ask again after an unclear reply, with its hint under it.
    """

    label: Literal["yes", "no", "unclear"]
    text: str
    human: HumanMessage
    state: AuthState
    again: str


def hear_yes_no(
    state: AuthState,
    question: QuestionType,
    name: str | None = None,
    *,
    payload: dict[str, Any] | None = None,
    **fields: object,
) -> YesNoReply | Command[Any]:
    """Ask the yes/no question ``question`` and read the reply; a cancel ends the flow.

    Args:
        state: The graph state.
        question: The interrupt's type.
        name: The question's text (default: ``question``), with ``fields`` when asked again.
        payload: Further interrupt payload keys.
        **fields: The text's fields.

    Returns:
        The reply heard, or the command that ends the flow on "cancel" / "取消".
    """
    name = name or question
    message = pending_question(state) or say(state, name, **dict.fromkeys(fields, "")).text
    reply = ask_user(question, message, options=YES_NO_OPTIONS, **(payload or {}))
    human = HumanMessage(reply)
    asked_in, state = language_of(state), heard(state, human)
    answer = read_reply(question, reply)
    if answer.label == "cancel":
        return cancelled(state, [human])
    again = restated(state, asked_in, message, name, hint=YES_NO_HINT, **fields)
    label: Literal["yes", "no", "unclear"] = (
        answer.label if answer.label in ("yes", "no") else "unclear"
    )
    return YesNoReply(label, reply, human, state, again)


def ask_yes_no(
    state: AuthState,
    question: YesNoQuestion,
    *,
    yes: Yes,
    declined: str,
    declined_outcome: Outcome,
    yes_update: dict[str, Any] | None = None,
) -> Command[Yes | YesNoQuestion | Literal["__end__"]]:
    """A yes/no question (text ``question``): yes goes to node ``yes``; no ends with ``declined``.

    Anything but yes, no or cancel asks the same question again, with a hint under it.
    """
    reply = hear_yes_no(state, question)
    if isinstance(reply, Command):
        return reply
    if reply.label == "unclear":
        return ask_next(question, reply.again, before=[reply.human])
    if reply.label == "yes":
        return Command(goto=yes, update={"messages": [reply.human], **(yes_update or {})})
    return finish(reply.state, declined_outcome, say(reply.state, declined), before=[reply.human])
