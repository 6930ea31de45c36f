"""The pre-login gate when the user sends a site choice as a NEW message, not as a reply.

A chat UI may send "2" as a fresh input instead of resuming the menu question. The gate then
still decides: right after the verbatim menu it is the choice (and ``--site`` is exactly it);
anywhere else it is no choice, and the menu is shown; a new message that is not a site choice
never logs in, and never with a silent ``global``.
"""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage

from tests.conversation import assert_preflight_first
from tests.spec_texts import MENU

US_PROFILE = {"default_profile": "p", "profiles": {"p": {"site": "us"}}}


def logins(calls: list[list[str]]) -> list[list[str]]:
    return [c for c in calls if c[:2] == ["auth", "login"]]


async def test_site_choice_after_a_status_reply_shows_the_menu(converse, emulator):
    emulator.init_world(config=US_PROFILE)
    chat = converse()
    turn = await chat.start("what is my okx login status?")
    assert turn.interrupt is None
    assert turn.state["outcome"] == "status_reported"
    turn = await chat.start("2")
    assert turn.kind == "choose_site"
    assert turn.reply == MENU
    assert logins(chat.argvs()) == []


async def test_site_choice_as_a_new_message_right_after_the_menu_logs_in_with_it(
    converse, emulator
):
    emulator.init_world(config=US_PROFILE)
    chat = converse()
    turn = await chat.start("log in")
    assert turn.kind == "choose_site"
    before = len(chat.argvs())
    turn = await chat.start("2")
    assert turn.kind == "await_authorization"
    assert turn.interrupt["site"] == "eea"
    calls = chat.argvs()[before:]
    assert_preflight_first(calls)
    assert calls[2:] == [["auth", "login", "--manual", "--site", "eea"]]


async def test_a_new_message_after_the_menu_that_is_no_choice_shows_the_menu_again(
    converse, emulator
):
    emulator.init_world(config=US_PROFILE)
    chat = converse()
    await chat.start("log in")
    for text in ("log in", "europe", "4", "hello"):
        turn = await chat.start(text)
        assert turn.kind == "choose_site", text
        assert turn.reply.endswith(MENU), text
    assert logins(chat.argvs()) == []


async def test_an_old_choice_is_not_reused_by_a_later_request(converse, emulator):
    chat = converse()
    await chat.start("log in")
    await chat.reply("1")
    await chat.reply("cancel")
    emulator.set("auth", "not_logged_in")  # the code lapsed
    turn = await chat.start("log in")
    assert turn.kind == "choose_site"
    assert logins(chat.argvs()) == [["auth", "login", "--manual", "--site", "global"]]


async def test_a_choice_after_only_the_menus_first_line_shows_the_whole_menu(converse, emulator):
    # An upstream agent wrote only the menu's title line; "2" after it is no gated choice.
    first_line = MENU.split("\n")[0]
    chat = converse()
    turn = await chat.send({"messages": [AIMessage(first_line), HumanMessage("2")]})
    assert turn.kind == "choose_site"
    assert turn.interrupt["message"] == MENU
    assert logins(chat.argvs()) == []
    await chat.reply("2")  # the reply to the whole menu is the choice
    assert logins(chat.argvs()) == [["auth", "login", "--manual", "--site", "eea"]]
