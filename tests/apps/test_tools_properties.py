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

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage

from okx_auth_graph.cli import OkxCli
from okx_auth_graph.prompts import template
from okx_auth_graph.testing import OkxEmulator
from okx_auth_graph.tools import make_tools
from okx_auth_graph.understanding import parse_site_choice, read_reply
from tests.apps.agents import argvs, build_tool_graph

MENU = template("site_menu", "zh")
SITES = ("global", "eea", "us")

human_texts = st.sampled_from(
    ["1", "2", "3", "１", " 2。", "EEA", "Global!", "us", "4", "global site please", "done", "好了"]
) | st.text(max_size=12)
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
    return menu_before and parse_site_choice(str(messages[last].content)) == site


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(turns, max_size=6), site=st.sampled_from(SITES))
def test_login_happens_exactly_when_the_gate_holds(
    home: Path, history: list[AnyMessage], site: str
) -> None:
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
    human_texts.map(lambda text: HumanMessage(text)),
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
    reading = read_reply("await_authorization", str(messages[humans[-1]].content))
    return reading.label in ("signal", "denied", "unclear")


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(items=st.lists(check_turns, max_size=6))
def test_status_is_checked_once_per_user_message(home: Path, items: list[AnyMessage | str]) -> None:
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
