"""Language per turn (docs/spec.md D22) through the graph, with ``invoke`` and ``ainvoke``.

Each reply follows the user's latest message that decides a language, request or reply; a
message with no letters or a tie keeps the language before it; ``Context.language`` overrides.
"""

from __future__ import annotations

from typing import Any

import pytest

from okx_auth_graph import Context
from okx_auth_graph.state import Language
from tests.conversation import MODES
from tests.spec_texts import MENU, expected_text

pytestmark = pytest.mark.parametrize("mode", MODES)


def challenge(turn: Any, language: Language) -> str:
    """The verbatim challenge of ``turn``'s pending question, in ``language``."""
    payload = turn.interrupt
    return expected_text(
        f"login_challenge.{language}",
        site=payload["site"],
        verificationUri=payload["verificationUri"],
        userCode=payload["userCode"],
        expires_minutes=max(1, payload["expiresIn"] // 60),
    )


async def test_a_chinese_reply_switches_an_english_conversation(converse, emulator, mode):
    chat = converse(mode=mode)
    assert (await chat.start("log in to okx")).reply == MENU
    waiting = await chat.reply("2")
    assert waiting.interrupt["message"] == challenge(waiting, "en")
    emulator.approve(scopes=["live:read"])
    done = await chat.reply("我已经在浏览器里授权好了")
    assert done.reply == expected_text("login_success.zh", site="eea", scopes="live:read")
    assert done.state["language"] == "zh"


async def test_a_reply_with_no_letters_keeps_the_language(converse, emulator, mode):
    chat = converse(mode=mode)
    await chat.start("帮我登录")
    waiting = await chat.reply("2")  # no letters: still Chinese
    assert waiting.interrupt["message"] == challenge(waiting, "zh")
    again = await chat.reply("???")
    assert again.reply == expected_text("await_not_a_signal.zh")
    english = await chat.reply("what is this")
    assert english.reply == expected_text("await_not_a_signal.en")
    emulator.approve(scopes=["live:read"])
    done = await chat.reply("✅")  # a signal with no letters: English holds
    assert done.reply == expected_text("login_success.en", site="eea", scopes="live:read")


async def test_a_chinese_name_in_an_english_request_stays_english(converse, emulator, mode):
    chat = converse(mode=mode)
    await chat.start("Please log in to okx, I am 张伟")
    waiting = await chat.reply("2")
    assert waiting.interrupt["message"] == challenge(waiting, "en")
    emulator.approve(scopes=["live:read"])
    done = await chat.reply("done")
    assert done.reply == expected_text("login_success.en", site="eea", scopes="live:read")
    assert done.state["language"] == "en"


async def test_the_last_reply_of_an_entry_carries_into_the_next(converse, mode):
    chat = converse(mode=mode)
    await chat.start("log in")
    cancelled = await chat.reply("不要了，取消")  # five characters: Chinese (D22)
    assert cancelled.reply == expected_text("cancelled.zh")
    assert cancelled.state["language"] == "zh"
    unclear = await chat.start("✅")  # a new request with no letters: Chinese holds
    assert unclear.kind == "clarify_request"
    assert unclear.reply == expected_text("clarify_request.zh")


async def test_the_context_language_overrides_every_turn(converse, emulator, mode):
    chat = converse(Context(language="en"), mode=mode)
    await chat.start("帮我登录")
    waiting = await chat.reply("2")
    assert waiting.interrupt["message"] == challenge(waiting, "en")
    emulator.approve(scopes=["live:read"])
    done = await chat.reply("我已经授权好了")
    assert done.reply == expected_text("login_success.en", site="eea", scopes="live:read")
    assert done.state["language"] == "en"


async def test_a_question_asked_again_follows_the_reply_that_changed_language(
    converse, emulator, mode
):
    chat = converse(mode=mode)
    await chat.start("log in")
    await chat.reply("1")
    emulator.expire_code()
    retry = await chat.reply("done")
    assert (retry.kind, retry.reply) == ("confirm_retry", expected_text("confirm_retry.en"))
    again = await chat.reply("这是什么意思")  # no answer, in Chinese: asked again in Chinese
    zh = expected_text("confirm_retry.zh") + "\n\n" + expected_text("yes_no_hint.zh")
    assert (again.kind, again.reply) == ("confirm_retry", zh)
    same = await chat.reply("???")  # no letters: asked again as it was
    assert (same.kind, same.reply) == ("confirm_retry", zh)
    declined = await chat.reply("no thanks, not now")  # two words would not decide (D22)
    assert declined.reply == expected_text("retry_declined.en")
    assert declined.state["language"] == "en"


async def test_the_default_english_is_not_held_a_short_message_decides(converse, mode):
    """D22: before any message decides, the default English is no held language: "登录" (two
    units) after "okx" (no deciding letters) decides Chinese."""
    chat = converse(mode=mode)
    unclear = await chat.start("okx")
    assert unclear.kind == "clarify_request"
    assert unclear.reply == expected_text("clarify_request.en")
    menu = await chat.reply("登录")
    assert menu.reply == MENU
    waiting = await chat.reply("1")
    assert waiting.interrupt["message"] == challenge(waiting, "zh")
    not_yet = await chat.reply("done")  # one unit once Chinese is held: Chinese holds
    assert not_yet.reply == expected_text("login_not_done_yet.zh")


async def test_a_short_request_decides_on_a_thread_that_holds_no_language(converse, mode):
    chat = converse(mode=mode)
    first = await chat.start("hi")  # decides English: English is held from here
    assert first.reply == expected_text("clarify_request.en")
    assert (await chat.start("登录")).state["language"] == "en"  # two units: English holds
    chat = converse(mode=mode)
    first = await chat.start("okx")  # decides nothing: English only by default
    assert first.reply == expected_text("clarify_request.en")
    second = await chat.start("登录")  # a new entry, two units: decides, nothing was held
    assert second.reply == MENU
    assert second.state["language"] == "zh"
    third = await chat.start("hi")  # one unit: Chinese is held now
    assert third.state["language"] == "zh"
