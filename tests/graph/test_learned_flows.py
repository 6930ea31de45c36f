"""The learned reader in the graph (docs/spec.md D21): it decides where the rules say unclear,
a disagreement is asked about, and an act only it supports is confirmed first.

Most tests pin the learned reader's answer with :class:`PinnedReader` (a reader that reads every
text as one given prediction, the interface of :class:`okx_auth_graph.reading.learned.LearnedReader`),
so they hold whatever the shipped weights are; the first ones use the shipped reader itself.
"""

from __future__ import annotations

import pytest

from okx_auth_graph.reading import learned
from okx_auth_graph.reading.learned import LearnedReader, Prediction
from tests.conversation import PREFLIGHT


class PinnedReader(LearnedReader):
    """Reads every request as (intent, route), all confident, and every reply as ``reply``
    (no reading of replies without one)."""

    def __init__(self, intent: str = "unclear", route: str = "-", reply: str | None = None):
        self.pinned = (Prediction(intent, 0.99, True), Prediction(route, 0.99, True))
        self.pinned_reply = None if reply is None else Prediction(reply, 0.99, True)

    def request(self, text: str) -> tuple[Prediction, Prediction]:
        return self.pinned

    def reply(self, question: str, text: str) -> Prediction | None:
        return self.pinned_reply


@pytest.fixture
def pin(monkeypatch: pytest.MonkeyPatch):
    def set_reader(**predictions: str) -> None:
        monkeypatch.setattr(learned, "shipped_reader", lambda: PinnedReader(**predictions))

    return set_reader


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("how are my bags doing today", "okx-cex-portfolio"),
        ("close all my perps", "okx-cex-trade"),
        ("unstake my SOL", "okx-cex-earn"),
    ],
)
async def test_trader_wording_the_rules_miss_reaches_its_skill(converse, emulator, text, route):
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse()
    turn = await chat.start(text)
    assert (turn.state["outcome"], turn.state["route"]) == ("logged_in", route)
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_a_market_question_the_rules_miss_makes_no_okx_call(converse):
    chat = converse()
    turn = await chat.start("gm, what's btc doing")
    assert (turn.state["outcome"], turn.state["route"]) == ("no_auth_needed", "okx-cex-market")
    assert chat.argvs() == []


async def test_a_learned_only_logout_is_confirmed_through_the_clarifying_question(
    converse, emulator, pin
):
    emulator.init_world(auth="logged_in", site="eea")
    pin(intent="logout")
    chat = converse()
    turn = await chat.start("kill my session")
    assert turn.kind == "clarify_request"
    assert chat.argvs() == []
    turn = await chat.reply("kill my session")  # said again: still the learned reader alone
    assert turn.kind == "clarify_request"
    assert chat.argvs() == []
    turn = await chat.reply("3")  # the question's own option: log out
    assert turn.state["outcome"] == "logged_out"
    assert ["auth", "logout"] in [c[:2] for c in chat.argvs()]


async def test_a_negated_logout_the_learned_reader_misreads_never_logs_out(converse, emulator, pin):
    emulator.init_world(auth="logged_in", site="eea")
    pin(intent="logout")  # as a reader blind to negation would read it
    chat = converse()
    for _ in range(3):  # however often it is said
        turn = await chat.reply("don't log me out") if _ else await chat.start("don't log me out")
        assert turn.kind == "clarify_request"
    assert chat.argvs() == []


@pytest.mark.parametrize("intent", ["binary_remove", "binary_install", "switch_site"])
async def test_a_learned_only_binary_or_site_act_is_asked_first(converse, emulator, pin, intent):
    emulator.init_world(auth="logged_in", site="eea")
    pin(intent=intent)
    chat = converse()
    turn = await chat.start("zap the helper thing")
    assert turn.kind == "clarify_request"
    assert chat.argvs() == []
    turn = await chat.reply("never mind")
    assert turn.state["outcome"] == "cancelled"
    assert chat.argvs() == []


async def test_a_definite_rule_reading_of_an_act_wins(converse, emulator, monkeypatch):
    emulator.init_world(auth="logged_in", site="eea")
    fairly_sure = PinnedReader(intent="status")
    fairly_sure.pinned = (
        Prediction("status", learned.OVERRULE_CONFIDENCE - 0.05, True),
        Prediction("-", 0.99, True),
    )
    monkeypatch.setattr(learned, "shipped_reader", lambda: fairly_sure)
    chat = converse()
    turn = await chat.start("log me out of okx")
    assert turn.state["outcome"] == "logged_out"


async def test_a_very_sure_learned_disagreement_with_a_rule_act_asks_first(converse, emulator, pin):
    emulator.init_world(auth="logged_in", site="eea")
    pin(intent="status")  # 0.99 sure: at least OVERRULE_CONFIDENCE
    chat = converse()
    turn = await chat.start("log me out of okx")
    assert turn.kind == "clarify_request"
    assert ["auth", "logout"] not in chat.argvs()


async def test_rules_and_learned_reader_disagreeing_ask_first(converse, emulator, pin):
    emulator.init_world(auth="logged_in", site="eea")
    pin(intent="skill", route="okx-cex-market")
    chat = converse()
    turn = await chat.start("show my balance")  # the rules: portfolio
    assert turn.kind == "clarify_request"
    assert chat.argvs() == []


async def test_below_the_threshold_the_graph_asks_instead_of_guessing(
    converse, emulator, monkeypatch: pytest.MonkeyPatch
):
    emulator.init_world(auth="logged_in", site="eea")
    unsure = PinnedReader(intent="logout")
    unsure.pinned = (Prediction("logout", 0.4, False), Prediction("-", 0.4, False))
    monkeypatch.setattr(learned, "shipped_reader", lambda: unsure)
    chat = converse()
    turn = await chat.start("zap the helper thing")
    assert turn.kind == "clarify_request"
    turn = await chat.reply("zap the helper thing")  # not a logout said twice: still unclear
    assert turn.kind == "clarify_request"
    assert chat.argvs() == []


async def test_a_learned_signal_while_waiting_gets_one_status_check(converse, pin):
    chat = converse()
    await chat.start("log in")
    await chat.reply("2")
    before = len(chat.argvs())
    pin(reply="signal")
    turn = await chat.reply("zzz")  # the rules read nothing here
    assert chat.argvs()[before:] == [["auth", "status", "--json"]]
    assert turn.kind == "await_authorization"  # the emulator's code is still pending


async def test_a_learned_only_yes_to_removing_the_binary_asks_again(converse, pin):
    chat = converse()
    turn = await chat.start("remove the okx-auth binary")
    assert turn.kind == "confirm_remove_binary"
    pin(reply="yes")
    turn = await chat.reply("zzz")
    assert turn.kind == "confirm_remove_binary"
    assert not any(c[:2] == ["auth", "remove"] for c in chat.argvs())


@pytest.mark.parametrize("label", ["cancel", "site:eea"])
async def test_the_site_question_is_the_rules_alone(converse, emulator, pin, label):
    """D4: the reply to the site menu is read by rules, never by the learned reader — a very
    sure learned cancel or site for a reply the rules read as no choice re-asks the menu."""
    chat = converse()
    turn = await chat.start("log in")
    assert turn.kind == "choose_site"
    pin(reply=label)
    turn = await chat.reply("zzz")
    assert turn.kind == "choose_site"
    assert not any(c[:2] == ["auth", "login"] for c in chat.argvs())
