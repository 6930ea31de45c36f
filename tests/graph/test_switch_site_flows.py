"""Switching site while logged in (D7, D18): asked first, then the menu, then logout and login.

Texts are written here by hand (the switch question and the "nothing changed" notice are the
project's own, docs/flows.md); the menu is the spec's verbatim block.
"""

from __future__ import annotations

from tests.spec_texts import MENU

LOGOUT = ["auth", "logout"]


def logins(calls: list[list[str]]) -> list[list[str]]:
    return [c for c in calls if c[:2] == ["auth", "login"]]


async def test_a_confirmed_switch_shows_the_menu_then_logs_out_and_in_on_the_choice(
    converse, emulator
):
    emulator.init_world(auth="logged_in", site="us")
    chat = converse()
    turn = await chat.start("switch to another site")
    assert turn.kind == "confirm_switch_site"
    assert turn.reply.startswith("You are logged in on the us site. Switch to another site?")
    turn = await chat.reply("hmm, what would that do")  # neither yes nor no: asked again
    assert turn.kind == "confirm_switch_site"
    assert turn.reply.startswith("You are logged in on the us site. Switch to another site?")
    turn = await chat.reply("yes")
    assert (turn.kind, turn.reply) == ("choose_site", MENU)
    turn = await chat.reply("the european one?")  # no choice: the menu again, with the hint
    assert turn.kind == "choose_site"
    assert turn.reply.startswith(MENU)
    assert turn.reply.endswith('Reply 1, 2 or 3 (or global, eea, us), or "cancel".')
    assert LOGOUT not in chat.argvs()
    turn = await chat.reply("2")
    assert turn.kind == "await_authorization"
    calls = chat.argvs()
    assert logins(calls) == [["auth", "login", "--manual", "--site", "eea"]]
    assert calls.index(LOGOUT) < calls.index(logins(calls)[0])


async def test_a_declined_switch_keeps_the_session_and_names_its_site(converse, emulator):
    emulator.init_world(auth="logged_in", site="us")
    chat = converse()
    await chat.start("switch to another site")
    turn = await chat.reply("no")
    assert turn.interrupt is None
    assert turn.state["outcome"] == "cancelled"
    assert turn.reply.endswith("Nothing changed: you stay logged in on us.")
    assert LOGOUT not in chat.argvs()
    assert logins(chat.argvs()) == []
