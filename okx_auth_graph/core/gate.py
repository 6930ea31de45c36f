"""The login rules as pure functions, shared by the graph and the tools.

The pre-login gate: before ANY ``okx auth login``, (1) the exact Chinese site menu was shown
in an assistant message earlier in the conversation, (2) the user's most recent message is a
site choice, and (3) the call passes exactly that choice as ``--site`` (docs/spec.md, D8).

The pre-flight summary: which API-key profiles exist (step 0.2) and which site is already
selected (step 0.1), read from the redacted ``config show`` and ``auth status`` results.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage

from okx_auth_graph.okx.models import AuthStatus, ConfigSummary
from okx_auth_graph.prompts import SITE_MENU, SITE_MENU_HINT, template, with_hint
from okx_auth_graph.reading.rules import parse_site_choice
from okx_auth_graph.state import Language


def site_menu() -> str:
    """The verbatim Chinese site menu."""
    return template(SITE_MENU, "zh")


def site_menu_again(language: Language) -> str:
    """The menu asked again after a reply that is not a choice: the verbatim menu, then a hint.

    The menu itself is unchanged; the hint under it (in the user's language) says what to reply.
    """
    return with_hint(site_menu(), SITE_MENU_HINT, language)


def shows_site_menu(text: str) -> bool:
    """Whether an assistant message is the site menu: exactly the menu, or the menu asked again."""
    return text == site_menu() or text in {site_menu_again("en"), site_menu_again("zh")}


def last_human_index(messages: Sequence[AnyMessage]) -> int:
    """The index of the user's most recent message, or -1."""
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return index
    return -1


def menu_shown_before(messages: Sequence[AnyMessage], end: int) -> bool:
    """Gate condition 1: an assistant message before index ``end`` shows the verbatim menu."""
    menu = site_menu()
    return any(isinstance(m, AIMessage) and menu in m.text for m in messages[:end])


def gate_site(messages: Sequence[AnyMessage]) -> str | None:
    """The site the conversation has just chosen through the menu, or None.

    Returns:
        The site id when the user's most recent message is a site choice (condition 2) and the
        verbatim menu was shown in an assistant message before it (condition 1); otherwise None.
        Messages between the menu and the choice (a side question and its answer) do not
        matter, nor do assistant messages after the choice (notices).
    """
    index = last_human_index(messages)
    if index < 0 or not menu_shown_before(messages, index):
        return None
    return parse_site_choice(messages[index].text)


def api_key_profiles(config: ConfigSummary | None) -> list[str]:
    """Names of the profiles that have a non-empty ``api_key``, the default profile first."""
    if not config:
        return []
    names = [p["name"] for p in config["profiles"] if p["has_api_key"]]
    default = config.get("default_profile")
    return sorted(names, key=lambda n: n != default)


def persisted_site(config: ConfigSummary | None, auth: AuthStatus | None) -> str | None:
    """Step 0.1: a site already selected by a profile or a logged-in / pending status.

    The default profile's site comes first; a ``not_logged_in`` status's site is a placeholder.
    """
    if config:
        default = config.get("default_profile")
        for profile in sorted(config["profiles"], key=lambda p: p["name"] != default):
            if profile["site"]:
                return profile["site"]
    if auth and auth["status"] in ("logged_in", "pending") and auth["site"]:
        return str(auth["site"])
    return None
