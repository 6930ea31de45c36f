"""The invariants agree with each other and never call a correct behaviour a violation.

Two checks over one corpus of replies (the public reply corpora, written before the rules,
plus hand-picked edge replies such as "done?" and "yes please"):

* Agreement: for each question a reply answers, every behaviour the graph could show (no okx
  call, one ``auth status``, two, another command, the flow cancelled, the menu for a new
  login) is built as a trajectory and judged by every invariant. The invariants that judge
  the reply are found, not listed: those whose verdict on one behaviour changes with the
  reply. For each pair of them, and for all of them together, some behaviour must satisfy
  both: a reply that every possible behaviour violates means two invariants contradict each
  other, and no product can pass them.
* Labels: the corpora's labels are an oracle of their own (not computed by any reader). A
  reply labelled ``yes`` to a yes/no question, answering the start-over question and followed
  by the menu and a login, is no violation; a reply labelled ``signal`` or ``denied`` answered
  by one ``auth status`` is none.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from okx_auth_graph.evals import INVARIANTS
from okx_auth_graph.evals.texts import (
    COMPLETION_SIGNALS,
    is_clearly_not_a_signal,
    is_completion_signal,
)
from okx_auth_graph.evals.trajectory import InterruptRecord, Trajectory
from tests.evals.builders import (
    CONFIG,
    STATUS,
    Builder,
    challenge,
    login,
    menu_question,
    waiting,
    world,
)

SPEC = (Path(__file__).resolve().parents[2] / "docs" / "spec.md").read_text(encoding="utf-8")
CORPORA = sorted(
    (Path(__file__).resolve().parents[2] / "evals" / "understanding").glob("replies.*.tsv")
)
EDGE_REPLIES = (
    *("done?", "done", "done!", "Done.", "ok?", "ok", "好了吗", "好了?", "好了", "完成了?"),
    *("is it done?", "not done?", "done yet?", "yes please", "yes, please", "sure, go ahead"),
    *("yes!", "是的,重新来", "好的", "y", "cancel", "取消", "cancel?", "", "✅", "👍?"),
    *("I rejected it", "i said no in the browser", "not yet", "还没", "what?", "asdf"),
    *("好了？", "完成了?", "all good?", "好啦?", "同意了吗", "授权成功了吗", "k?", "好了没"),
)


def corpus() -> list[tuple[str, str, str]]:
    """``(question, label, text)`` rows of the public reply corpora."""
    rows: list[tuple[str, str, str]] = []
    for path in CORPORA:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                if row and not row[0].startswith("#") and len(row) in (3, 4):
                    rows.append((row[0], row[1], row[2]))  # a fourth field: its family
    return rows


def replies() -> list[str]:
    """Every reply text of the corpus and the edge list, each once."""
    return list(dict.fromkeys([*EDGE_REPLIES, *(text for _, _, text in corpus())]))


def _question(kind: str) -> InterruptRecord:
    return {"type": kind, "payload": {"type": kind, "message": "Start over with a new code?"}}


def _waiting_for_signal() -> Builder:
    """A login whose code is out: the next entry answers ``await_authorization``."""
    return (
        Builder()
        .input("log in", interrupt=menu_question())
        .resume("2", calls=[login("eea")], interrupt=challenge(language="en"))
    )


def _asked_to_start_over() -> Builder:
    """A login request while a code is pending: the next entry answers ``confirm_start_over``."""
    return Builder().input(
        "log in", interrupt=_question("confirm_start_over"), world_before=world("pending")
    )


Behaviour = Callable[[Builder, str], Builder]
PENDING = world("pending")
BEHAVIOURS: dict[str, dict[str, Behaviour]] = {
    "await_authorization": {
        "no call, still waiting": lambda b, r: b.resume(
            r, interrupt=waiting(), world_before=PENDING
        ),
        "one status, still pending": lambda b, r: b.resume(
            r, calls=[STATUS], interrupt=waiting(), world_before=PENDING
        ),
        "two statuses": lambda b, r: b.resume(
            r, calls=[STATUS, STATUS], interrupt=waiting(), world_before=PENDING
        ),
        "another okx command": lambda b, r: b.resume(
            r, calls=[CONFIG], interrupt=waiting(), world_before=PENDING
        ),
        "cancelled, no call": lambda b, r: b.resume(
            r, state={"done": True, "outcome": "cancelled"}, world_before=PENDING
        ),
        "the menu for a new login": lambda b, r: b.resume(
            r, interrupt=menu_question(), world_before=PENDING
        ).resume(
            "2", calls=[login("eea")], interrupt=challenge(language="en"), world_before=PENDING
        ),
    },
    "confirm_start_over": {
        "keep waiting": lambda b, r: b.resume(r, interrupt=waiting(), world_before=PENDING),
        "one status": lambda b, r: b.resume(
            r, calls=[STATUS], interrupt=waiting(), world_before=PENDING
        ),
        "cancelled, no call": lambda b, r: b.resume(
            r, state={"done": True, "outcome": "cancelled"}, world_before=PENDING
        ),
        "the menu, then a new login": lambda b, r: b.resume(
            r, interrupt=menu_question(), world_before=PENDING
        ).resume(
            "2", calls=[login("eea")], interrupt=challenge(language="en"), world_before=PENDING
        ),
    },
}
"""What the graph could do with a reply to each question, as trajectory steps."""
START: dict[str, Callable[[], Builder]] = {
    "await_authorization": _waiting_for_signal,
    "confirm_start_over": _asked_to_start_over,
}


def _entry_of(t: Trajectory, detail: str) -> int:
    """The entry a violation's detail names (by entry or by message index); else the last."""
    if found := re.search(r"\bentry (\d+)\b", detail):
        return int(found.group(1))
    if found := re.match(r"message (\d+)\b", detail):
        message = int(found.group(1))
        for index, entry in enumerate(t.entries):
            if entry["messages"][0] <= message < entry["messages"][1]:
                return index
    return len(t.entries)


def verdicts(question: str, reply: str) -> dict[str, set[str]]:
    """Behaviour → the invariants it violates, for ``reply`` answering ``question``."""
    found: dict[str, set[str]] = {}
    for name, behave in BEHAVIOURS[question].items():
        start = START[question]()
        judged_from = len(start.t.entries)
        t: Trajectory = behave(start, reply).t
        broken = set()
        for invariant, check in INVARIANTS.items():
            for violation in check(t):
                if _entry_of(t, violation["detail"]) >= judged_from:
                    broken.add(invariant)
        found[name] = broken
    return found


def judging(question: str, table: dict[str, dict[str, set[str]]]) -> set[str]:
    """The invariants whose verdict on some behaviour changes with the reply."""
    names: set[str] = set()
    for behaviour in BEHAVIOURS[question]:
        seen = [table[reply][behaviour] for reply in table]
        everywhere = set.intersection(*seen)
        names |= set.union(*seen) - everywhere
    return names


@pytest.mark.parametrize("question", sorted(BEHAVIOURS))
def test_no_reply_is_violated_by_every_behaviour_for_any_pair_of_invariants(question):
    table = {reply: verdicts(question, reply) for reply in replies()}
    names = judging(question, table)
    assert len(names) >= 2, f"the corpus reaches too few invariants at {question}: {names}"
    assert len(table) > 1000, "the reply corpora were not read"
    contradictions = []
    for reply, by_behaviour in table.items():
        for pair in [*itertools.combinations(sorted(names), 2), tuple(sorted(names))]:
            if all(set(pair) & broken for broken in by_behaviour.values()):
                contradictions.append((reply, pair, by_behaviour))
                break
    assert contradictions == [], "\n".join(
        f"{reply!r}: {' + '.join(pair)} leave no behaviour: {found}"
        for reply, pair, found in contradictions
    )


def test_the_agreement_check_finds_a_contradiction_when_there_is_one(monkeypatch):
    # An invariant that forbids any okx call for "done" contradicts one_status_per_signal.
    def no_call_for_done(t: Trajectory) -> list[dict[str, str]]:
        return [
            {"invariant": "no_call_for_done", "detail": f"entry {i} ('resume' 'done') ran a call"}
            for i, e in enumerate(t.entries)
            if e["text"] == "done" and t.entry_calls(e)
        ]

    monkeypatch.setitem(INVARIANTS, "no_call_for_done", no_call_for_done)
    found = verdicts("await_authorization", "done")
    assert all({"no_call_for_done", "one_status_per_signal"} & v for v in found.values())
    assert not all({"no_call_for_done", "one_status_per_signal"} & v
                   for v in verdicts("await_authorization", "not yet").values())  # fmt: skip


LABELLED_YES = sorted(
    {
        text
        for question, label, text in corpus()
        if question.startswith("confirm") and label == "yes"
    }
    | {"yes please", "yes, please", "sure, go ahead", "yes!", "好的", "是的,重新来"}
)


@pytest.mark.parametrize("reply", LABELLED_YES)
def test_a_start_over_after_a_yes_is_no_violation(reply):
    found = verdicts("confirm_start_over", reply)["the menu, then a new login"]
    assert found & {"no_login_while_pending", "login_gate", "no_silent_global"} == set(), reply


def d4_examples() -> tuple[list[str], list[str]]:
    """The site replies docs/spec.md D4 quotes: (chosen, asked again).

    The corpora label what a person means ("欧洲站" means EEA), but D4 decides what the rules
    may log in on, so the gate's examples come from D4 itself.
    """
    flowing = " ".join(SPEC.split())
    start = flowing.index("Project decision D4")
    chosen_part = flowing[start : flowing.index("is that site.", start)]
    asked_part = flowing[
        flowing.index("A region or a country", start) : flowing.index("re-asks with the same menu")
    ]
    quoted = re.compile(r'"([^"]+)"')
    return quoted.findall(chosen_part), quoted.findall(asked_part)


D4_CHOSEN, D4_ASKED = d4_examples()
D4_SITES = {
    "1": "global",
    "2": "eea",
    "3": "us",
    "global": "global",
    "second": "eea",
    "第二": "eea",
}


def _site_named(reply: str) -> str:
    """The one site a D4 example names (written here, from the menu's numbers and ids)."""
    found = {site for word, site in D4_SITES.items() if word in reply.lower()}
    assert len(found) == 1, (reply, found)
    return found.pop()


def _gate_verdict(reply: str, site: str) -> set[str]:
    t = (
        Builder()
        .input("log in", interrupt=menu_question())
        .resume(reply, calls=[login(site)], interrupt=challenge(site, language="en"))
        .t
    )
    return {v["invariant"] for name in SITE_INVARIANTS for v in INVARIANTS[name](t)}


SITE_INVARIANTS = ("login_gate", "no_silent_global", "no_login_while_pending")
"""The invariants that read a site choice (the challenge's language is not judged here)."""


def test_the_spec_quotes_site_replies_both_ways():
    assert {"option 2", "我选2", "global please", "选 1 吧"} <= set(D4_CHOSEN)
    assert {"Europe", "1 or 2", "not 1", "give me 2 minutes"} <= set(D4_ASKED)


@pytest.mark.parametrize("reply", D4_CHOSEN)
def test_a_login_on_a_site_d4_reads_is_no_violation(reply):
    assert _gate_verdict(reply, _site_named(reply)) == set(), reply


@pytest.mark.parametrize("reply", [*D4_ASKED, "我不选2", "不要第二个"])
def test_a_login_on_a_reply_d4_asks_again_is_a_violation(reply):
    assert "login_gate" in _gate_verdict(reply, "eea"), reply


SIGNAL_ROWS = sorted(
    {
        text
        for question, label, text in corpus()
        if question == "await_authorization" and label in ("signal", "denied")
    }
)


@pytest.mark.parametrize("reply", SIGNAL_ROWS)
def test_one_status_check_for_a_signal_or_a_denial_is_no_violation(reply):
    found = verdicts("await_authorization", reply)["one status, still pending"]
    assert found & {"one_status_per_signal", "non_signal_no_call", "no_auto_poll"} == set(), reply


def d12_completion_words() -> list[str]:
    """The completion words docs/spec.md D12 lists."""
    d12 = SPEC.split("**Project decision D12", 1)[1].split("**Project decision", 1)[0]
    words = d12.split("a completion word — ", 1)[1].split(" (`COMPLETION_WORDS`", 1)[0]
    return re.findall(r'"([^"]+)"', words)


def d12_asked() -> list[str]:
    """The completion words put as a question D12 quotes ("done?", "好了？", "同意了吗" …)."""
    d12 = SPEC.split("**Project decision D12", 1)[1].split("**Project decision", 1)[0]
    return re.findall(r'"([^"]+)"', d12.split("put as a question (", 1)[1].split(" — ", 1)[0])


def test_the_evaluation_reads_d12s_completion_words():
    assert set(d12_completion_words()) == COMPLETION_SIGNALS


ASKED_FORMS = sorted(
    {*d12_asked(), *(f"{w}?" for w in COMPLETION_SIGNALS), *(f"{w}吗" for w in COMPLETION_SIGNALS)}
    | {f"is it {w}?" for w in COMPLETION_SIGNALS if w.isascii()}
)


@pytest.mark.parametrize("reply", ASKED_FORMS)
def test_a_completion_word_put_as_a_question_is_a_signal_to_the_invariants(reply):
    """D12: the status check the spec requires is never flagged; leaving it out is."""
    assert is_completion_signal(reply), reply
    assert not is_clearly_not_a_signal(reply), reply
    found = verdicts("await_authorization", reply)
    checks = {"one_status_per_signal", "non_signal_no_call", "no_auto_poll"}
    assert found["one status, still pending"] & checks == set(), reply
    assert "one_status_per_signal" in found["no call, still waiting"], reply


@pytest.mark.parametrize("reply", ["k了", "k啊", "k㐀", "ok了", "y了", "gg了"])
def test_a_short_signal_word_with_a_chinese_character_is_not_clearly_no_signal(reply):
    """The product reads "k了" as "k" and a particle (a signal, one status check); the
    invariants may not call that check a violation (found by a generated run, seed 0)."""
    assert not is_clearly_not_a_signal(reply), reply
    assert (
        "non_signal_no_call"
        not in verdicts("await_authorization", reply)["one status, still pending"]
    )
