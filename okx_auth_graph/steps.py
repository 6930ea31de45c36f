"""Step helpers the node modules share: ending an entry, yes/no questions, the site menu.

Each helper returns the :class:`~langgraph.types.Command` a node returns (typed
``Command[Any]``, as ``Command`` is invariant); the calling node's ``Command[Literal[...]]``
annotation names where it may go, so the drawn graph is the code, and a test checks that every
``goto`` taken is a drawn edge.
No node module imports another: what two of them need lives here.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.graph import END
from langgraph.types import Command

from okx_auth_graph.gate import site_menu
from okx_auth_graph.prompts import LOGIN_SUCCESS
from okx_auth_graph.questions import QuestionType, ask_next, ask_user, pending_question
from okx_auth_graph.services import say
from okx_auth_graph.state import AuthState, Outcome, SiteChoiceNext
from okx_auth_graph.understanding import read_reply

YES_NO_OPTIONS = ["yes", "no"]


def success_message(state: AuthState, site: str, scopes: list[str]) -> AIMessage:
    """The verbatim success template (site and scopes only)."""
    return say(state, LOGIN_SUCCESS, site=site, scopes=", ".join(scopes))


def error_message(state: AuthState, error: dict[str, Any]) -> AIMessage:
    """The reply for a typed error: the (masked) message and the spec's action."""
    return say(state, "error_with_action", message=error["message"], action=error["action"])


def finish(
    state: AuthState,
    outcome: Outcome,
    message: AnyMessage,
    *,
    hand_off: bool = False,
    **extra: Any,
) -> Command[Any]:
    """End the entry with a reply: on to the routed skill when ``hand_off``, else to the end."""
    update: dict[str, Any] = {"outcome": outcome, "messages": [message], **extra}
    if not hand_off:
        update["route"] = None
    return Command(goto="hand_off" if hand_off else END, update=update)


def cancelled(state: AuthState, exchange: list[AnyMessage]) -> Command[Any]:
    """End the flow on "cancel" / "取消" with no further okx call."""
    return Command(
        goto=END,
        update={
            "messages": [*exchange, say(state, "cancelled")],
            "outcome": "cancelled",
            "route": None,
        },
    )


def show_site_menu(after: SiteChoiceNext, **update: Any) -> Command[Any]:
    """Show the verbatim site menu and ask; the answer goes on to node ``after``."""
    return ask_next("ask_site", site_menu(), after_site_choice=after, **update)


def ask_yes_no(
    state: AuthState,
    question: QuestionType,
    *,
    yes: str,
    declined: str,
    declined_outcome: Outcome,
    yes_update: dict[str, Any] | None = None,
) -> Command[Any]:
    """A yes/no question (text ``question``): yes goes to node ``yes``; no ends with ``declined``.

    Anything but yes, no or cancel asks the same question again.
    """
    message = pending_question(state) or say(state, question).text
    reply = ask_user(question, message, options=YES_NO_OPTIONS)
    human = HumanMessage(reply)
    answer = read_reply(question, reply)
    if answer.label == "cancel":
        return cancelled(state, [human])
    if answer.label not in ("yes", "no"):
        return ask_next(question, message, before=[human])
    if answer.label == "yes":
        return Command(goto=yes, update={"messages": [human], **(yes_update or {})})
    return Command(
        goto=END,
        update={
            "messages": [human, say(state, declined)],
            "outcome": declined_outcome,
            "route": None,
        },
    )
