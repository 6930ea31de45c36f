"""The gate's pure rules on hand-written dialogues (cases mutmut found untested).

The expected values are written here from docs/spec.md (D8: the menu must come BEFORE the
user's most recent message, which must be the choice; step 0.2: API-key profiles, the default
profile first), never computed with the code under test.
"""

from __future__ import annotations

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage

from okx_auth_graph.core.gate import api_key_profiles, gate_site, last_human_index
from okx_auth_graph.okx.models import ConfigSummary, ProfileSummary
from tests.spec_texts import MENU


def test_a_menu_shown_after_the_choice_does_not_count():
    menu_after: list[AnyMessage] = [HumanMessage("2"), AIMessage(MENU)]
    assert gate_site(menu_after) is None
    assert gate_site([AIMessage(MENU), HumanMessage("2")]) == "eea"
    # Assistant messages after the choice (a notice, the menu again) do not matter.
    assert gate_site([AIMessage(MENU), *menu_after]) == "eea"


def test_no_user_message_means_no_choice_even_if_an_assistant_message_reads_like_one():
    assert gate_site([AIMessage(MENU), AIMessage("2")]) is None
    assert gate_site([AIMessage(MENU), AIMessage("us"), AIMessage("3")]) is None
    assert gate_site([]) is None


def test_the_index_of_the_latest_user_message_is_minus_one_when_there_is_none():
    """The documented contract the tools and the pre-flight rely on ("or -1")."""
    assert last_human_index([]) == -1
    assert last_human_index([AIMessage(MENU), AIMessage("2")]) == -1
    assert last_human_index([HumanMessage("log me in"), AIMessage(MENU), HumanMessage("2")]) == 2
    assert last_human_index([HumanMessage("2"), AIMessage("notice")]) == 0


def _profile(name: str, *, key: bool) -> ProfileSummary:
    return {"name": name, "site": "eea", "demo": False, "has_api_key": key}


def test_api_key_profiles_name_the_default_profile_first():
    config: ConfigSummary = {
        "exists": True,
        "default_profile": "live",
        "profiles": [
            _profile("alpha", key=True),
            _profile("oauth", key=False),
            _profile("live", key=True),
            _profile("beta", key=True),
        ],
    }
    assert api_key_profiles(config) == ["live", "alpha", "beta"]
    assert api_key_profiles({**config, "default_profile": "oauth"}) == ["alpha", "live", "beta"]
    assert api_key_profiles(None) == []


def test_only_the_whole_menu_counts_not_its_first_line_or_part_of_it():
    lines = MENU.split("\n")
    assert len(lines) == 4  # the spec's menu: a title and three numbered sites
    for partial in ("\n".join(lines[:1]), "\n".join(lines[:3]), "\n".join(lines[1:])):
        assert gate_site([AIMessage(partial), HumanMessage("2")]) is None, partial
    # The whole menu inside a longer assistant message still counts (it was shown).
    assert gate_site([AIMessage(f"Before we log in:\n\n{MENU}"), HumanMessage("2")]) == "eea"


def test_step_0_1_takes_the_site_of_a_logged_in_or_pending_status() -> None:
    """With no profile naming a site, a logged-in or pending status names it (step 0.1); a
    ``not_logged_in`` status's site is a placeholder (mutmut: ``str(None)`` survived here)."""
    from okx_auth_graph.core.gate import persisted_site
    from okx_auth_graph.okx.models import AuthStatus

    for status in ("logged_in", "pending"):
        auth: AuthStatus = {"status": status, "site": "eea", "scopes": []}
        assert persisted_site(None, auth) == "eea"
    placeholder: AuthStatus = {"status": "not_logged_in", "site": "global", "scopes": []}
    assert persisted_site(None, placeholder) is None
    assert persisted_site(None, None) is None
