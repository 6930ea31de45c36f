"""What a fresh OAuth login through the auth graph must show and call (shared by tests/server).

The texts come from the verbatim templates in ``prompts/`` (the spec's byte-exact texts), so a
test comparing against them checks the graph's output, not a copy typed into the test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage

from tests.spec_texts import expected_text

SITE_REPLY = "2"
SITE = "eea"
SCOPES = ("live:read", "live:trade")
LOGIN_ARGV = ["auth", "login", "--manual", "--site", SITE]
PREFLIGHT_ARGV = (["config", "show", "--json"], ["auth", "status", "--json"])
STATUS_ARGV = ["auth", "status", "--json"]


@dataclass(frozen=True)
class Speaker:
    """A user writing in one language: the request and the completion signal they type."""

    language: str
    request: str
    done: str


ENGLISH = Speaker("en", "log in to okx", "done")
CHINESE = Speaker("zh", "帮我登录 OKX", "好了")
REQUEST = ENGLISH.request


def prompt(name: str) -> str:
    """The spec's text (docs/spec.md), else the project's prompt file (tests/spec_texts.py)."""
    return expected_text(name)


def site_menu() -> str:
    return prompt("site_menu.zh")


def challenge_text(payload: Mapping[str, Any], language: str = "en") -> str:
    return prompt(f"login_challenge.{language}").format(
        site=payload["site"],
        verificationUri=payload["verificationUri"],
        userCode=payload["userCode"],
        expires_minutes=max(1, int(payload["expiresIn"]) // 60),
    )


def success_text(language: str = "en") -> str:
    return prompt(f"login_success.{language}").format(site=SITE, scopes=", ".join(SCOPES))


def assert_site_question(payload: Mapping[str, Any]) -> None:
    assert payload["type"] == "choose_site"
    assert payload["message"] == site_menu()


def assert_authorization_question(payload: Mapping[str, Any], language: str = "en") -> None:
    assert payload["type"] == "await_authorization"
    assert payload["site"] == SITE
    assert payload["verificationUri"].startswith("https://")
    assert payload["userCode"]
    assert int(payload["expiresIn"]) > 0
    assert payload["message"] == challenge_text(payload, language)


def dialogue(messages: Sequence[Any]) -> list[tuple[str, Any]]:
    """``(type, content)`` of each message (``human`` / ``ai``), as objects or as JSON dicts."""
    return [
        (m.type, m.content) if isinstance(m, BaseMessage) else (m["type"], m["content"])
        for m in messages
    ]


def expected_dialogue(
    challenge: Mapping[str, Any], speaker: Speaker = ENGLISH
) -> list[tuple[str, str]]:
    return [
        ("human", speaker.request),
        ("ai", site_menu()),
        ("human", SITE_REPLY),
        ("ai", challenge_text(challenge, speaker.language)),
        ("human", speaker.done),
        ("ai", success_text(speaker.language)),
    ]


def assert_final_state(
    values: Mapping[str, Any], challenge: Mapping[str, Any], speaker: Speaker = ENGLISH
) -> None:
    assert values["outcome"] == "logged_in"
    assert values["site"] == SITE
    assert values["language"] == speaker.language
    assert values["route"] is None
    assert dialogue(values["messages"]) == expected_dialogue(challenge, speaker)


def assert_fresh_login_calls(argvs: Sequence[Sequence[str]]) -> None:
    """Exactly the 4 calls of a fresh login: the pre-flight pair, one login, one status."""
    calls = [list(a) for a in argvs]
    assert len(calls) == 4, calls
    assert sorted(calls[:2]) == sorted(PREFLIGHT_ARGV)
    assert calls[2:] == [LOGIN_ARGV, STATUS_ARGV]
