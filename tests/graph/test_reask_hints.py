"""A reply that answers no question gets the question again with a hint under it (issue 13).

The hint is graph text: it is in the interrupt's ``message`` and in ``messages``, so Studio,
the SDK, the tools and the chat all show it. The question above it stays byte for byte as
it was shown (the site menu is the spec's verbatim menu), the hint is in the user's language
(D22) and a second re-ask never stacks a second hint. Run with ``invoke`` and ``ainvoke``.
"""

from __future__ import annotations

from typing import Any

import pytest

from okx_auth_graph.testing import OkxEmulator
from tests.conversation import MODES
from tests.spec_texts import MENU, expected_text

pytestmark = pytest.mark.parametrize("mode", MODES)

API_KEY_CONFIG = {
    "default_profile": "demo",
    "profiles": {
        "demo": {"api_key": "ak-1", "secret_key": "sk-1", "passphrase": "pp-1", "site": "eea"}
    },
}
INVALID_KEY = {"argv": ["account", "balance", "--json"], "error": "HTTP 401: Invalid OK-ACCESS-KEY"}


def assert_asked_again(turn: Any, kind: str, question: str, hint: str) -> None:
    """``turn`` asks ``kind`` again: ``question`` unchanged, one blank line, ``hint``."""
    expected = f"{question}\n\n{expected_text(hint)}"
    assert turn.kind == kind
    assert turn.interrupt["message"] == expected  # what Studio and the SDK show
    assert turn.state["messages"][-1].text == expected  # what the thread's messages hold
    assert turn.reply == expected
    assert turn.reply.count(expected_text(hint)) == 1


@pytest.mark.parametrize(
    ("request_text", "bad", "hint"),
    [
        ("log me in", "eu", "site_menu_hint.en"),
        ("log me in", "4", "site_menu_hint.en"),
        ("log me in", "Europe please", "site_menu_hint.en"),
        ("log me in", "qwzx vbnm", "site_menu_hint.en"),
        ("帮我登录", "欧洲", "site_menu_hint.zh"),
        ("帮我登录", "4", "site_menu_hint.zh"),  # no letters: the language stays Chinese
        ("帮我登录", "第四个", "site_menu_hint.zh"),
        ("帮我登录", "我不选2", "site_menu_hint.zh"),  # a negated choice is no choice
        ("帮我登录", "不要第二个", "site_menu_hint.zh"),
        ("log me in", "not 2", "site_menu_hint.en"),
    ],
)
async def test_a_menu_reply_that_is_no_choice_gets_the_verbatim_menu_and_a_hint(
    converse, mode, request_text, bad, hint
):
    chat = converse(mode=mode)
    assert (await chat.start(request_text)).reply == MENU
    turn = await chat.reply(bad)
    assert_asked_again(turn, "choose_site", MENU, hint)
    assert turn.interrupt["message"].startswith(MENU + "\n\n")  # the menu itself, byte-exact
    again = await chat.reply(bad)  # asked again once more: still one hint
    assert_asked_again(again, "choose_site", MENU, hint)
    assert len(chat.argvs()) == 2  # the pre-flight only: no login on a reply that is no choice


async def test_the_menu_hint_follows_a_reply_that_changes_the_language(converse, mode):
    chat = converse(mode=mode)
    await chat.start("log me in")
    assert_asked_again(await chat.reply("欧洲那个"), "choose_site", MENU, "site_menu_hint.zh")
    assert_asked_again(await chat.reply("the EU one"), "choose_site", MENU, "site_menu_hint.en")
    done = await chat.reply("2")
    assert done.kind == "await_authorization"
    assert chat.argvs()[-1] == ["auth", "login", "--manual", "--site", "eea"]


async def test_remove_binary_asked_again_with_the_yes_no_hint(converse, mode):
    chat = converse(mode=mode)
    first = await chat.start("remove the okx-auth binary")
    question = expected_text("confirm_remove_binary.en")
    assert (first.kind, first.reply) == ("confirm_remove_binary", question)
    assert_asked_again(
        await chat.reply("maybe"), "confirm_remove_binary", question, "yes_no_hint.en"
    )
    assert_asked_again(
        await chat.reply("hmm?"), "confirm_remove_binary", question, "yes_no_hint.en"
    )
    removed = await chat.reply("yes")
    assert removed.reply == expected_text("binary_removed.en")


async def test_retry_question_asked_again_with_the_hint_in_the_users_language(
    converse, emulator: OkxEmulator, mode
):
    chat = converse(mode=mode)
    await chat.start("log in")
    await chat.reply("1")
    emulator.expire_code()
    retry = await chat.reply("done")
    question = expected_text("confirm_retry.en")
    assert (retry.kind, retry.reply) == ("confirm_retry", question)
    assert_asked_again(await chat.reply("what now"), "confirm_retry", question, "yes_no_hint.en")
    zh = expected_text("confirm_retry.zh")
    assert_asked_again(await chat.reply("这是什么意思"), "confirm_retry", zh, "yes_no_hint.zh")
    assert_asked_again(await chat.reply("???"), "confirm_retry", zh, "yes_no_hint.zh")
    declined = await chat.reply("no")
    assert declined.state["outcome"] == "retry_declined"


async def test_switch_site_asked_again_with_the_yes_no_hint(converse, emulator: OkxEmulator, mode):
    emulator.init_world(auth="logged_in", site="us")
    chat = converse(mode=mode)
    first = await chat.start("switch to another site")
    question = expected_text("switch_site_question.en", site="us")
    assert (first.kind, first.reply) == ("confirm_switch_site", question)
    turn = await chat.reply("hmm, what would that do")
    assert_asked_again(turn, "confirm_switch_site", question, "yes_no_hint.en")
    assert not any(c[:2] == ["auth", "logout"] for c in chat.argvs())


async def test_start_over_asked_again_with_the_yes_no_hint(converse, emulator: OkxEmulator, mode):
    emulator.init_world(auth="pending", site="eea")
    chat = converse(mode=mode)
    first = await chat.start("log in")
    question = expected_text("start_over_question.en", site="eea")
    assert (first.kind, first.reply) == ("confirm_start_over", question)
    turn = await chat.reply("purple")
    assert_asked_again(turn, "confirm_start_over", question, "yes_no_hint.en")
    assert not any(c[:2] == ["auth", "login"] for c in chat.argvs())


async def test_api_key_fix_asked_again_with_its_hint(converse, emulator: OkxEmulator, mode):
    emulator.init_world(config=API_KEY_CONFIG)
    chat = converse(mode=mode)
    first = await chat.start("check my balance", failed_command=INVALID_KEY)
    assert first.kind == "choose_api_key_fix"
    question = first.reply
    assert_asked_again(await chat.reply("3"), "choose_api_key_fix", question, "api_key_fix_hint.en")
    turn = await chat.reply("whichever you think")
    assert_asked_again(turn, "choose_api_key_fix", question, "api_key_fix_hint.en")
    assert len(chat.argvs()) == 2  # the graph never picks an option


async def test_the_clarifying_question_asked_again_has_its_hint(converse, mode):
    chat = converse(mode=mode)
    first = await chat.start("hello")
    question = expected_text("clarify_request.en")
    assert (first.kind, first.reply) == ("clarify_request", question)
    turn = await chat.reply("banana")
    assert_asked_again(turn, "clarify_request", question, "clarify_request_hint.en")
    turn = await chat.reply("banana split")
    assert_asked_again(turn, "clarify_request", question, "clarify_request_hint.en")
    zh = expected_text("clarify_request.zh")
    turn = await chat.reply("不知道")
    assert_asked_again(turn, "clarify_request", zh, "clarify_request_hint.zh")
    assert chat.argvs() == []  # no okx call until the request is clear
    status = await chat.reply("2")
    assert status.state["outcome"] == "status_reported"


async def test_waiting_for_the_profile_removal_restates_with_its_hint(
    converse, emulator: OkxEmulator, mode
):
    emulator.init_world(config=API_KEY_CONFIG)
    chat = converse(mode=mode)
    await chat.start("check my balance", failed_command=INVALID_KEY)
    waiting = await chat.reply("2")
    question = expected_text("await_profile_removal.en", profile="demo")
    assert (waiting.kind, waiting.reply) == ("await_profile_removal", question)
    turn = await chat.reply("which file is that?")
    assert_asked_again(turn, "await_profile_removal", question, "profile_removal_hint.en")
    turn = await chat.reply("hmm")
    assert_asked_again(turn, "await_profile_removal", question, "profile_removal_hint.en")
    assert len(chat.argvs()) == 2  # waiting runs no okx command


async def test_a_reply_too_long_to_read_whole_is_no_choice(converse, mode):
    """A reply is read whole or not at all: its start alone ("1") could say the opposite."""
    from okx_auth_graph.graph.questions import MAX_REPLY_CHARS

    chat = converse(mode=mode)
    await chat.start("log me in")
    turn = await chat.reply("1" + " " * MAX_REPLY_CHARS + "no, not 1: 2")
    assert_asked_again(turn, "choose_site", MENU, "site_menu_hint.en")
    assert len(chat.argvs()) == 2  # the pre-flight only
    assert (await chat.reply("1" + " " * (MAX_REPLY_CHARS - 2))).kind == "await_authorization"
    assert chat.argvs()[-1] == ["auth", "login", "--manual", "--site", "global"]
