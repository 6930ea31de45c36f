"""Properties of the tools' gates, over conversations Hypothesis builds.

``okx_start_login`` runs ``okx auth login`` exactly when the pre-login gate holds, and
``okx_check_login`` runs ``okx auth status`` exactly once per new user message that does not say
the authorisation is unfinished.

Hypothesis builds conversations from the user's replies (site choices in every accepted form,
other text, completion signals), assistant messages (the verbatim menu, a near-miss of it,
other text) and tool messages (the menu only in a tool result); then the tool is called with
any site. On a fresh emulated world (no API key, not logged in) the login must happen if and
only if the menu was in an assistant message before the latest user message and that message
chooses exactly the site passed.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage

from okx_auth_graph.doors.tools import make_tools
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.testing import OkxEmulator
from tests.apps.agents import argvs, build_tool_graph
from tests.spec_texts import MENU

SITES = ("global", "eea", "us")

CHOICES = {
    "1": "global",
    "2": "eea",
    "3": "us",
    "１": "global",
    " 2。": "eea",
    "EEA": "eea",
    "Global!": "global",
    "us": "us",
    "4": None,
    "global site please": None,
    "done": None,
    "好了": None,
}
"""Replies and the site each one chooses, written by hand (the oracle, not the parser)."""
SIGNALS = {
    "done": True,
    "好了": True,
    "ok": True,
    "完成了": True,
    "not yet": False,
    "还没好": False,
}
"""Replies and whether they allow a check (``not_signal`` ones do not), written by hand."""
NONSENSE = st.text(alphabet="bcfghjmpqvwxz", min_size=1, max_size=8)
"""Text with no site, no signal and no negation in it: no choice, yet a check is allowed."""
human_texts = st.sampled_from(sorted(CHOICES)) | NONSENSE
assistant_texts = st.sampled_from(
    [MENU, MENU.replace("EEA", "Europe"), "Which site?", MENU.split("\n")[0], ""]
)
turns = st.one_of(
    human_texts.map(lambda text: HumanMessage(text)),
    assistant_texts.map(lambda text: AIMessage(text)),
    st.just(ToolMessage(MENU, tool_call_id="t0", name="okx_auth_status")),
)


def gate_holds(messages: list[AnyMessage], site: str) -> bool:
    humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    if not humans:
        return False
    last = humans[-1]
    menu_before = any(isinstance(m, AIMessage) and MENU in str(m.content) for m in messages[:last])
    return menu_before and CHOICES.get(str(messages[last].content)) == site


chosen = st.sampled_from([t for t, site in CHOICES.items() if site])
menu_then_choice = st.builds(
    lambda before, between, text: [*before, AIMessage(MENU), *between, HumanMessage(text)],
    st.lists(turns, max_size=3),
    st.lists(turns.filter(lambda m: not isinstance(m, HumanMessage)), max_size=2),
    chosen,
)
"""A history whose gate holds for the site of its last reply (the login branch)."""


@pytest.fixture(scope="module")
def gate_cases(reach: Any) -> Any:
    return reach("tools' gate", {"login branch": 0.1, "refused": 0.25})


@pytest.mark.long
@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    history=st.one_of(st.lists(turns, max_size=6), menu_then_choice),
    site=st.sampled_from(SITES),
    follow=st.sampled_from([True, True, True, False]),
)
def test_login_happens_exactly_when_the_gate_holds(
    isolated_home: Path, history: list[AnyMessage], site: str, follow: bool, gate_cases: Any
) -> None:
    last = [m for m in history if isinstance(m, HumanMessage)][-1:]
    if follow and last and CHOICES.get(str(last[0].content)):
        site = str(CHOICES[str(last[0].content)])  # mostly pass the site the user chose
    gate_cases.example("login branch" if gate_holds(history, site) else "refused")
    with tempfile.TemporaryDirectory() as world:
        emulator = OkxEmulator(Path(world))
        emulator.init_world()
        call = AIMessage(
            "", tool_calls=[{"name": "okx_start_login", "args": {"site": site}, "id": "go"}]
        )
        graph = build_tool_graph(make_tools(OkxCli(runner=emulator)))
        result = asyncio.run(graph.ainvoke({"messages": [*history, call]}))
        outcome = json.loads(str(result["messages"][-1].content))
        calls = argvs(emulator)
    logins = [a for a in calls if a[:2] == ["auth", "login"]]
    if gate_holds(history, site):
        assert outcome["status"] == "code_issued"
        assert logins == [["auth", "login", "--manual", "--site", site]]
    else:
        assert outcome["status"] == "refused"
        assert calls == []


check_turns = st.one_of(
    (st.sampled_from(sorted(SIGNALS)) | NONSENSE).map(lambda text: HumanMessage(text)),
    st.just("check"),
    assistant_texts.map(lambda text: AIMessage(text)),
)


def with_checks(items: list[AnyMessage | str]) -> list[AnyMessage]:
    """Turn each ``"check"`` into an earlier okx_check_login call and its result."""
    messages: list[AnyMessage] = []
    for n, item in enumerate(items):
        if isinstance(item, str):
            call_id = f"k{n}"
            messages.append(
                AIMessage("", tool_calls=[{"name": "okx_check_login", "args": {}, "id": call_id}])
            )
            messages.append(
                ToolMessage('{"status": "pending"}', tool_call_id=call_id, name="okx_check_login")
            )
        else:
            messages.append(item)
    return messages


def check_allowed(messages: list[AnyMessage]) -> bool:
    humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    if not humans:
        return False
    checks = [
        i
        for i, m in enumerate(messages)
        if isinstance(m, AIMessage) and any(c["name"] == "okx_check_login" for c in m.tool_calls)
    ]
    if checks and checks[-1] > humans[-1]:
        return False
    return SIGNALS.get(str(messages[humans[-1]].content), True)


@pytest.mark.long
@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(items=st.lists(check_turns, max_size=6))
def test_status_is_checked_once_per_user_message(
    isolated_home: Path, items: list[AnyMessage | str]
) -> None:
    history = with_checks(items)
    with tempfile.TemporaryDirectory() as world:
        emulator = OkxEmulator(Path(world))
        emulator.init_world()
        call = AIMessage("", tool_calls=[{"name": "okx_check_login", "args": {}, "id": "now"}])
        graph = build_tool_graph(make_tools(OkxCli(runner=emulator)))
        result = asyncio.run(graph.ainvoke({"messages": [*history, call]}))
        outcome = json.loads(str(result["messages"][-1].content))
        calls = argvs(emulator)
    if check_allowed(history):
        assert calls == [["auth", "status", "--json"]]
        assert outcome["status"] == "not_logged_in"
    else:
        assert calls == []
        assert outcome["status"] == "refused"


USER_TURNS = (st.sampled_from(sorted(SIGNALS)) | NONSENSE).map(lambda text: HumanMessage(text))
WAIT_EVENTS = st.one_of(USER_TURNS, st.sampled_from(["pending", "logged_in", "not_logged_in"]))
"""While a code is out: a user message, or an earlier okx_check_login and what it found."""
AFTER_A_PENDING_CHECK = st.builds(
    lambda before, after: [*before, "pending", *after],
    st.lists(USER_TURNS, max_size=2),
    st.lists(USER_TURNS | st.just("pending"), max_size=2),
)
"""The case the rule is for: the latest checks found ``pending``, the user wrote since."""
AFTER_THE_WAIT_ENDED = st.builds(
    lambda before, ended, after: [*before, ended, *after],
    st.lists(WAIT_EVENTS, max_size=2),
    st.sampled_from(["logged_in", "not_logged_in"]),
    st.lists(WAIT_EVENTS, max_size=2),
)
"""The other side of the rule: a check found the login ended; other tools may run again."""
OTHER_TOOLS = ["okx_auth_status", "okx_logout", "okx_binary_status", "okx_install_binary"]


def wait_history(events: list[AnyMessage | str]) -> tuple[list[AnyMessage], bool, bool]:
    """The messages of a login whose code is out, then ``events``; whether the wait is still on
    (no check since found the login ended) and whether a check found ``pending`` (the oracle,
    written from the rule, not from the tools)."""
    issued = ToolMessage('{"status": "code_issued"}', tool_call_id="l1", name="okx_start_login")
    login = AIMessage(
        "", tool_calls=[{"name": "okx_start_login", "args": {"site": "global"}, "id": "l1"}]
    )
    messages: list[AnyMessage] = [HumanMessage("log in"), AIMessage(MENU), HumanMessage("1")]
    messages += [login, issued]
    waiting, saw_pending = True, False
    for n, event in enumerate(events):
        if isinstance(event, str):
            check = AIMessage(
                "", tool_calls=[{"name": "okx_check_login", "args": {}, "id": f"k{n}"}]
            )
            found = ToolMessage(
                json.dumps({"status": event}), tool_call_id=f"k{n}", name="okx_check_login"
            )
            messages += [check, found]
            saw_pending = saw_pending or (waiting and event == "pending")
            waiting = waiting and event == "pending"
        else:
            messages.append(event)
    return messages, waiting, saw_pending


@pytest.fixture(scope="module")
def wait_cases(reach: Any) -> Any:
    return reach(
        "tools' wait",
        {"a tool after a pending check": 0.1, "a tool after the wait ended": 0.1},
    )


@pytest.mark.long
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    events=st.one_of(
        st.lists(WAIT_EVENTS, max_size=5), AFTER_A_PENDING_CHECK, AFTER_THE_WAIT_ENDED
    ),
    tool=st.sampled_from(OTHER_TOOLS),
)
def test_other_tools_wait_until_a_check_finds_the_login_ended(
    isolated_home: Path, events: list[AnyMessage | str], tool: str, wait_cases: Any
) -> None:
    """Only a check that found the login ended (or lapsed) ends the wait: a ``pending`` one
    does not, so no other okx tool runs while the code is out."""
    history, waiting, saw_pending = wait_history(events)
    cases = ["a tool after a pending check"] if waiting and saw_pending else []
    wait_cases.example(*cases, *([] if waiting else ["a tool after the wait ended"]))
    name = tool if waiting else "okx_binary_status"
    with tempfile.TemporaryDirectory() as world:
        emulator = OkxEmulator(Path(world))
        emulator.init_world()
        call = AIMessage("", tool_calls=[{"name": name, "args": {}, "id": "now"}])
        graph = build_tool_graph(make_tools(OkxCli(runner=emulator)))
        result = asyncio.run(graph.ainvoke({"messages": [*history, call]}))
        outcome = json.loads(str(result["messages"][-1].content))
        calls = argvs(emulator)
    if waiting:
        assert outcome["status"] == "refused", (name, outcome)
        assert calls == []
    else:
        assert outcome["installed"] is True, outcome
