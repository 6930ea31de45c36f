"""The pre-login gate's conditions as pure functions over the conversation.

Before ANY ``okx auth login``: (1) the exact Chinese site menu was shown, as the assistant
message right before (2) the user's most recent message, which is a site choice, and (3) the
call passes exactly that choice as ``--site``.
"""

from __future__ import annotations

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage

from okx_auth_graph.prompts import SITE_MENU, template
from okx_auth_graph.understanding import parse_site_choice


def site_menu() -> str:
    """The verbatim Chinese site menu."""
    return template(SITE_MENU, "zh")


def gate_site(messages: list[AnyMessage]) -> str | None:
    """The site the conversation has just chosen through the menu, or None.

    Returns:
        The site id when the user's most recent message is a site choice answering the exact
        menu, shown as the assistant message right before it; otherwise None. Assistant
        messages after the user's choice (notices) do not change the user's latest message.
    """
    for index in range(len(messages) - 1, 0, -1):
        if isinstance(messages[index], HumanMessage):
            question = messages[index - 1]
            if not isinstance(question, AIMessage) or question.text != site_menu():
                return None
            return parse_site_choice(messages[index].text)
    return None


def pre_login_gate_holds(messages: list[AnyMessage], site: str) -> bool:
    """Whether ``okx auth login --site site`` may run now."""
    chosen = gate_site(messages)
    return chosen is not None and chosen == site
