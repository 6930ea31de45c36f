"""User text never reaches a shell or an argv position other than a validated site id.

Injection-shaped replies are given at every question of the graph (and as the request itself);
every okx argv the emulator records must be in the adapter's closed set, the run must end in a
question or an outcome (never an exception), and the thread must still take a new input. A run
through the real subprocess path (the emulator's ``okx`` shim) checks that shell syntax in a
reply is never executed.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph import Context, build_graph
from okx_auth_graph.testing import OkxEmulator
from tests.conversation import Conversation, Exchange, converse_on
from tests.reliability.questions import INTERRUPT_TYPES, REACH, argv_allowed, reach

STALE_FAILED_COMMAND = {"choose_api_key_fix", "await_profile_removal"}
PAYLOADS = {
    "semicolon": "1; rm -rf ~",
    "subshell": "$(id)",
    "backticks": "`id` 2",
    "newlines": "1\nrm -rf ~\n--site us",
    "option": "--site=us",
    "and": "eea && curl http://127.0.0.1:9/x | sh",
    "ten-kb": "global " + "A" * 10_240,
    "control": "\x00\x01\x07\x1b[31m1\r\n\t\x7f\u202e",
    "nul-only": "\x00",
    "empty": "",
    "surrogate": "\ud800 1",
}


def _check_run(chat: Conversation, result: Exchange) -> None:
    for argv in chat.argvs():
        assert argv_allowed(argv), argv
    question = result.interrupt
    if question is None:
        assert result.outcome is not None, result
    else:
        assert question["type"] in INTERRUPT_TYPES | {"choose_site"}
        assert isinstance(question["message"], str)
        assert question["message"]


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
@pytest.mark.parametrize("question", sorted(REACH))
async def test_injection_reply_at_every_question(tmp_path: Path, question: str, payload: str):
    world, _ = REACH[question]
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(**world)
    chat = converse_on(emulator)
    await reach(chat, question)
    result = await chat.reply(payload)
    _check_run(chat, result)
    after = await chat.start("what is my okx login status?")
    _check_run(chat, after)
    if question not in STALE_FAILED_COMMAND:
        assert after.interrupt is None
        assert after.outcome == "status_reported"


async def test_new_input_after_a_failed_command_entry_is_a_new_request(tmp_path: Path):
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(config=REACH["choose_api_key_fix"][0]["config"])
    chat = converse_on(emulator)
    await reach(chat, "choose_api_key_fix")
    after = await chat.start("what is my okx login status?")
    assert after.interrupt is None
    assert after.outcome == "status_reported"


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
async def test_injection_as_the_request(tmp_path: Path, payload: str):
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    chat = converse_on(emulator)
    result = await chat.start(payload)
    _check_run(chat, result)
    result = await chat.start("log in " + payload)
    _check_run(chat, result)


SITE_CHOICE_TABLE = {
    "1": "global",
    "2": "eea",
    "3": "us",
    "global": "global",
    "eea": "eea",
    "us": "us",
    "１": "global",
    "２": "eea",
    "３": "us",
}
"""The spec's site table written out by hand (plus full-width digits): the oracle, not the parser."""
site_choice_texts = st.builds(
    lambda token, case, left, right: (left + case(token) + right, SITE_CHOICE_TABLE[token]),
    st.sampled_from(sorted(SITE_CHOICE_TABLE)),
    st.sampled_from([str.lower, str.upper, str.title]),
    st.sampled_from(["", " ", "  ", "\t"]),
    st.sampled_from(["", " ", ".", "!", "。", "！"]),
)
any_text = st.text(max_size=300).map(lambda text: (text, None))


@pytest.fixture(scope="module")
def site_replies(reach: Any) -> Any:
    return reach("replies to the menu", {"a site choice (login branch)": 0.15, "other text": 0.2})


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=st.one_of(site_choice_texts, any_text))
async def test_any_site_reply_yields_a_site_id_or_the_menu_again(
    tmp_path: Path, case: tuple[str, str | None], site_replies: Any
):
    reply, site = case
    site_replies.example("a site choice (login branch)" if site else "other text")
    emulator = OkxEmulator(tmp_path / f"world-{abs(hash(reply))}")
    emulator.init_world()
    chat = converse_on(emulator)
    await reach(chat, "choose_site")
    result = await chat.reply(reply)
    question = result.interrupt
    assert question is not None
    assert question["type"] in ("choose_site", "await_authorization")
    logins = [a for a in chat.argvs() if a[:2] == ["auth", "login"]]
    if site is not None:
        assert logins == [["auth", "login", "--manual", "--site", site]], reply
        assert question["type"] == "await_authorization"
    elif question["type"] == "choose_site":
        assert logins == []
    else:
        assert len(logins) == 1
        assert argv_allowed(logins[0])


def test_shell_syntax_in_replies_is_never_executed(tmp_path: Path):
    """Through the real subprocess runner and the emulator's okx executable."""
    shim_dir = tmp_path / "bin"
    state = tmp_path / "state"
    home = tmp_path / "home"
    home.mkdir()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "okx_auth_graph.testing",
            "--state",
            str(state),
            "shim",
            str(shim_dir),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    OkxEmulator(state).init_world()
    marker = tmp_path / "pwned"
    context = Context(
        okx_executable=str(shim_dir / "okx"),
        okx_home=str(home),
        okx_env={"OKX_EMULATOR_STATE": str(state)},
        timeout=60,
    )

    async def converse() -> list[list[str]]:
        graph = build_graph(checkpointer=InMemorySaver())
        chat = converse_on(OkxEmulator(state), graph=graph, context=context)
        await chat.start(f"log in $(touch {marker}) `touch {marker}`")
        for reply in (f"1; touch {marker}", f"$(touch {marker})", f"2 && touch {marker}"):
            result = await chat.reply(reply)
            assert result.interrupt["type"] == "choose_site"
        result = await chat.reply("2")
        assert result.interrupt["type"] == "await_authorization"
        return chat.argvs()

    argvs = asyncio.run(converse())
    assert not marker.exists()
    assert argvs[2:] == [["auth", "login", "--manual", "--site", "eea"]]
    assert all(argv_allowed(a) for a in argvs)


@pytest.mark.parametrize("value", [1, 2.5, True, {"a": 1}, ["1"], {"reply": "$(id)"}])
@pytest.mark.parametrize("question", sorted(REACH))
async def test_non_text_resume_values(tmp_path: Path, question: str, value: object):
    """A client (Studio, the SDK) may resume with any JSON value: never a crash, never new argv."""
    world, _ = REACH[question]
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(**world)
    chat = converse_on(emulator)
    await reach(chat, question)
    result = await chat.reply(value)
    _check_run(chat, result)


@pytest.mark.xfail(
    strict=True,
    raises=UnboundLocalError,
    reason="langgraph 1.2.24 bug (langchain-ai/langgraph#7034): Command(resume=None) raises "
    "UnboundLocalError in pregel/_loop.py",
)
async def test_resume_with_none(tmp_path: Path):
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    chat = converse_on(emulator)
    await reach(chat, "choose_site")
    result = await chat.reply(None)
    _check_run(chat, result)
