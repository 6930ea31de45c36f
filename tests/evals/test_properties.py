"""Property test: generated conversations with the graph break no rule of the spec.

Each example is a fresh emulator world (auth state, config, binary, CDN, network, CLI version)
and a bounded conversation: a first request (maybe with an upstream claim or a failed
command), then up to 10 events drawn one at a time for the question the graph is asking
(replies to it, completion signals, browser events, clock jumps, config edits, new requests).
Every invariant must hold on the finished trajectory, and every transition between the nodes
that ran is an edge of the drawn graph.

Targeted cases (printed at the end with how often they were reached, and required): a site
choice sent as a NEW message (right after the menu, where it passes the gate, and elsewhere,
where it must not), the login branch, replies while waiting that are not signals, and replies
drawn from the public corpora ``evals/understanding/replies.*.tsv`` for the question asked
(paraphrases, typos, denials, questions), requests drawn from ``requests.*.tsv``, and corpus
texts that mix Chinese and English.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, seed, settings
from hypothesis import strategies as st

from okx_auth_graph.evals.invariants import REASK_HINTS
from okx_auth_graph.evals.reading_scores import load_corpus
from okx_auth_graph.evals.runner import InProcessRunner, Turn
from okx_auth_graph.evals.scenario import Step, parse_scenario
from okx_auth_graph.evals.texts import (
    is_cancel,
    is_clearly_not_a_signal,
    parse_site_choice,
    site_menu,
)
from okx_auth_graph.evals.trajectory import Trajectory
from tests.evals.edges import drawn_edges, undrawn_transitions

EDGES = drawn_edges()
SITES = ["global", "eea", "us"]
REQUESTS = {
    "zh": [
        "帮我登录",
        "帮我查一下账户余额",
        "帮我下单买入 BTC",
        "我想申购理财",
        "开一个网格机器人",
        "BTC 现在价格多少",
        "我现在的登录状态是什么?",
        "退出登录",
        "安装 okx-auth",
        "删除 okx-auth",
        "我想配置 API key",
        "登录会话有效期多久?",
        "看看我的持仓",
        "换到美国站登录",
        "重新开始登录,要新的验证码",
    ],
    "en": [
        "log in",
        "show my balance",
        "place an order to buy BTC",
        "subscribe to simple earn",
        "start a grid bot",
        "what is the BTC price?",
        "am I logged in?",
        "log out",
        "install okx-auth",
        "uninstall okx-auth",
        "I want to set up an API key",
        "how long does my login session last?",
        "hello there",
        "log me in to the US site instead",
        "start over with a new code",
    ],
}
FAILED_COMMANDS = [
    ("Error: HTTP 401 from OKX: Invalid OK-ACCESS-KEY", ["account", "balance"]),
    ("Session expired — run okx auth login again", ["account", "balance"]),
    ("Error: Run `okx auth login` first", ["account", "positions"]),
    ("Failed to spawn okx-auth", ["auth", "status", "--json"]),
    ('{"code":"51155","msg":"not available"}', ["trade", "order"]),
    ("No config found. Run okx config init first.", ["account", "balance"]),
    ("Error: Failed to call OKX endpoint GET /api/v5/account/balance", ["account", "balance"]),
    ("Authorization timed out", ["auth", "login", "--site", "eea"]),
    ("something odd happened", ["account", "bills"]),
]
SITE_REPLIES = ["1", "2", "3", "global", "EEA", " us ", "２", "3。", "GLOBAL!"]
NOT_SITES = ["4", "europe", "give me 2 minutes", "1 or 2", ""]
SIGNALS = ["done", "ok", "好了", "完成了", "Done!", "OK"]
NOT_SIGNALS = ["not yet", "what is this?", "还没好", "where do I enter the code?"]
UNCLEAR = ["hmm", "let me see", "我看看", "one moment", "asdf"]
YES_NO = ["yes", "no", "是", "不要", "maybe"]
OPTIONS = ["1", "2", "option 2", "you choose"]
CANCEL = ["cancel", "取消"]
CLARIFY_ANSWERS = ["1", "2", "3", "4", "log in", "am I logged in?", "hello", "BTC price"]
START_OVER = ["start over", "use the EEA site instead", "我想换到美国站", "重新开始"]
HAND_WRITTEN = (
    frozenset(
        text
        for pool in (
            SITE_REPLIES,
            NOT_SITES,
            SIGNALS,
            NOT_SIGNALS,
            UNCLEAR,
            YES_NO,
            OPTIONS,
            CANCEL,
        )
        for text in pool
    )
    | frozenset(CLARIFY_ANSWERS)
    | frozenset(START_OVER)
)
CORPORA = Path(__file__).resolve().parents[2] / "evals" / "understanding"


FIRST_CORPORA = ("v1-test", "v1-train")
"""The families of the first corpora, which the oracles of evals/texts.py were checked against.
The trader families of issue 21 (emoji, slips, slang) are not drawn yet: on them the oracles
and the rules still disagree ("cancel 😅" is a cancel to the oracle, not to the rules)."""


def corpus_replies() -> dict[str, tuple[str, ...]]:
    """The public reply corpora (both splits) by question type: paraphrases, typos, mixed
    languages, denials, questions while waiting. Texts of the hand-written pools aside."""
    by_question: dict[str, list[str]] = {}
    for path in sorted(CORPORA.glob("replies.*.tsv")):
        for example in load_corpus(path):
            if example.family not in FIRST_CORPORA:
                continue
            texts = by_question.setdefault(example.question, [])
            if example.text not in HAND_WRITTEN and example.text not in texts:
                texts.append(example.text)
    return {question: tuple(texts) for question, texts in by_question.items()}


CORPUS_REPLIES = corpus_replies()
CORPUS_REQUESTS = tuple(
    dict.fromkeys(
        example.text
        for path in sorted(CORPORA.glob("requests.*.tsv"))
        for example in load_corpus(path)
        if example.family in FIRST_CORPORA
        and example.text not in REQUESTS["en"]
        and example.text not in REQUESTS["zh"]
    )
)
"""The public request corpora (both splits): paraphrases, typos, negations, mixed languages."""
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
SECRET_KEY = "SK-CANARY-7f3e9a"
API_KEY = "AK-CANARY-1b2c3d"
PASSPHRASE = "PP-CANARY-55aa"


def api_key_profile(site: str | None) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "api_key": API_KEY,
        "secret_key": SECRET_KEY,
        "passphrase": PASSPHRASE,
    }
    if site is not None:
        profile["site"] = site
    return profile


configs = st.one_of(
    st.none(),
    st.none(),
    st.builds(
        lambda site: {"default_profile": "main", "profiles": {"main": {"site": site}}},
        st.sampled_from(SITES),
    ),
    st.builds(
        lambda site: {"default_profile": "demo", "profiles": {"demo": api_key_profile(site)}},
        st.one_of(st.none(), st.sampled_from(SITES)),
    ),
)
auths = st.one_of(
    st.just({"status": "not_logged_in"}),
    st.just({"status": "not_logged_in"}),
    st.just({"status": "not_logged_in"}),
    st.builds(lambda s: {"status": "pending", "site": s}, st.sampled_from(SITES)),
    st.builds(
        lambda s, scopes: {"status": "logged_in", "site": s, "scopes": scopes},
        st.sampled_from(SITES),
        st.sampled_from([["live:read"], ["live:read", "live:trade"], ["demo:read"]]),
    ),
)
worlds = st.fixed_dictionaries(
    {
        "config": configs,
        "auth": auths,
        "binary": st.sampled_from(["installed"] * 14 + ["missing", "corrupt"]),
        "install": st.sampled_from(["ok"] * 4 + ["cdn_failed"]),
        "network": st.sampled_from(["up"] * 14 + ["down"]),
        "version": st.sampled_from(["1.3.1-beta.17"] * 19 + ["1.2.4"]),
    }
)
upstreams = st.one_of(
    st.none(),
    st.builds(
        lambda status, site: {"status": status, "site": site},
        st.sampled_from(["not_logged_in", "logged_in", "pending"]),
        st.sampled_from(SITES),
    ),
)


@st.composite
def invocations(draw: st.DrawFn, language: str, site_share: int = 0) -> dict[str, Any]:
    """A new input; with ``site_share`` > 0, one in ``site_share`` is a bare site choice."""
    pool = REQUESTS[language]
    if site_share and draw(st.integers(0, site_share - 1)) == 0:
        pool = SITE_REPLIES
    if pool is not SITE_REPLIES and draw(st.integers(0, 3)) == 0:
        request = draw(corpus_text(CORPUS_REQUESTS))  # one in four: a phrasing of the corpus
    else:
        request = draw(st.sampled_from(pool))
    invocation: dict[str, Any] = {"request": request}
    upstream = draw(upstreams)
    if upstream is not None:
        invocation["upstream_status"] = upstream
    if draw(st.integers(0, 5)) == 0:
        error, argv = draw(st.sampled_from(FAILED_COMMANDS))
        invocation["failed_command"] = {"argv": argv, "error": error}
    return invocation


def replies(*pools: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    texts = [t for pool in pools for t in pool]
    text = st.integers(0, 4).flatmap(
        lambda n: st.text(max_size=12) if n == 0 else st.sampled_from(texts)
    )
    return text.map(lambda reply: {"user": reply})


BROWSER = st.one_of(
    st.sampled_from(["approve", "approve", "deny", "expire", "none"]).map(
        lambda action: {"browser": action}
    ),
    st.just({"browser": {"action": "approve", "scopes": ["live:read"]}}),
)
CLOCK = st.sampled_from([30, 300, 599, 601, 3601, 2592001]).map(lambda s: {"clock": s})
SITE_CHOICES = st.one_of(
    replies(SITE_REPLIES), st.sampled_from(SITE_REPLIES).map(lambda s: {"invoke": {"request": s}})
)
"""A site choice: a reply to the menu, or the same text sent as a new message."""
REMOVE_KEYS = st.just({"world": {"config": {"default_profile": "demo", "profiles": {"demo": {}}}}})


@functools.cache
def events(question: str | None, language: str) -> st.SearchStrategy[dict[str, Any]]:
    """The next event, given the question the graph is waiting on (``None``: none)."""
    invoke = invocations(language, site_share=3).map(lambda invocation: {"invoke": invocation})
    new_choice = st.sampled_from(SITE_REPLIES).map(lambda site: {"invoke": {"request": site}})
    edit_config = configs.map(lambda config: {"world": {"config": config}})
    by_question: dict[str | None, list[st.SearchStrategy[dict[str, Any]]]] = {
        "choose_site": [replies(SITE_REPLIES)] * 4 + [replies(NOT_SITES, CANCEL), new_choice] * 2,
        "await_authorization": [BROWSER] * 3
        + [replies(SIGNALS)] * 3
        + [replies(NOT_SIGNALS)] * 2  # the non-signal case this test must reach (see reached)
        + [replies(NOT_SIGNALS, CANCEL), replies(UNCLEAR), replies(START_OVER), CLOCK],
        "confirm_retry": [replies(YES_NO, CANCEL)],
        "choose_api_key_fix": [replies(OPTIONS, CANCEL)],
        "await_profile_removal": [REMOVE_KEYS, replies(SIGNALS), replies(NOT_SIGNALS, CANCEL)],
        "confirm_remove_binary": [replies(YES_NO, CANCEL)],
        "clarify_request": [replies(CLARIFY_ANSWERS, CANCEL)],
        "confirm_switch_site": [replies(YES_NO)] * 2 + [replies(CANCEL)],
        "confirm_start_over": [replies(YES_NO)] * 2 + [replies(SIGNALS, CANCEL)],
        None: [invoke, invoke, CLOCK, BROWSER, edit_config],
    }
    options = by_question.get(question, [replies(SITE_REPLIES, SIGNALS, YES_NO, CANCEL)])
    corpus = CORPUS_REPLIES.get(question or "", ())
    if corpus:  # the public corpus's phrasings for this question, as often as all the rest
        options = [*options, *[corpus_reply(corpus)] * len(options)]
    return st.one_of(*options, invoke)


def corpus_text(texts: tuple[str, ...]) -> st.SearchStrategy[str]:
    """One of ``texts``: English, Chinese or mixed alike (each script is drawn on its own)."""
    mixed = tuple(t for t in texts if _CJK.search(t) and _LATIN.search(t))
    chinese = tuple(t for t in texts if _CJK.search(t) and t not in mixed)
    other = tuple(t for t in texts if t not in mixed and t not in chinese)
    return st.one_of(*(st.sampled_from(pool) for pool in (other, chinese, mixed) if pool))


def corpus_reply(texts: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    """A reply drawn from the public corpus for the question asked."""
    return corpus_text(texts).map(lambda reply: {"user": reply})


def reached(trajectory: Trajectory) -> list[str]:
    """The targeted cases a finished conversation reached (read from the trajectory only)."""
    cases = []
    menu = site_menu()
    for entry in trajectory.entries:
        earlier = trajectory.messages[: entry["messages"][0]]
        after_menu = any(m["role"] == "ai" and menu in m["content"] for m in earlier)
        if entry["kind"] == "input" and parse_site_choice(entry["text"]) is not None:
            where = "after the menu" if after_menu else "elsewhere"
            cases.append(f"site choice as a new message {where}")
        resumed = entry["resumed"]
        interrupt = entry["interrupt"]
        asked = resumed["type"] if resumed is not None else None
        if interrupt is not None and interrupt["type"] == asked and asked in REASK_HINTS:
            cases.append("question asked again (reask_hint)")
        waiting = resumed is not None and resumed["type"] == "await_authorization"
        if waiting and is_clearly_not_a_signal(entry["text"]) and not is_cancel(entry["text"]):
            cases.append("non-signal reply while waiting")
        text = entry["text"]
        if resumed is not None and text in CORPUS_REPLIES.get(resumed["type"], ()):
            cases.append("corpus reply")
        elif entry["kind"] == "input" and text in CORPUS_REQUESTS:
            cases.append("corpus request")
        else:
            continue
        if _CJK.search(text) and _LATIN.search(text):
            cases.append("mixed-language corpus text")
    if any(c["argv"][:2] == ["auth", "login"] for c in trajectory.calls):
        cases.append("login branch")
    return cases


QUICK = os.environ.get("HYPOTHESIS_PROFILE") == "dev"
GENERATED_EXAMPLES = 200 if QUICK else 560
"""Conversations a run (``HYPOTHESIS_PROFILE=dev``: 200, for quick local runs), a fresh seed every
run, so successive runs cover new ground; each takes ~0.12 s of CPU, and 560 keep ``make test``
under 10 minutes on 2 cores with a margin (at 1,200 they were a fifth of the suite's CPU; a
fresh clone's run took 9:57 with 700)."""
SHARDS = 1 if QUICK else 4
"""Shards of the run, each with a seed of its own, run in parallel (pytest-xdist). A shard has no
reach floor of its own: Hypothesis does not draw examples independently (it builds on earlier
ones), so one shard's share strays far wider than a binomial tail says. One shard reached a
question asked again in 1 of 140 examples while runs reach it in 11-18 %, and another reached a
site choice after the menu in 5 of 175 (2.9 %) while its run reached 9 %. The run's four shards
together are held to :data:`RUN_FLOORS`."""
RUN_FLOORS = {
    "site choice as a new message after the menu": 0.03,
    "site choice as a new message elsewhere": 0.09,
    "login branch": 0.11,
    "non-signal reply while waiting": 0.06,
    "corpus reply": 0.12,
    "corpus request": 0.1,
    "mixed-language corpus text": 0.08,
    "question asked again (reask_hint)": 0.035,
}
"""The whole run's floors, about a third of each case's usual share, over the four shards'
examples summed, checked when every shard ran in the session (tests/conftest.py
``run_shortfalls``; the session fails). Usual shares over a run: after the menu 9-19 %, elsewhere
21-31 %, login branch 33-41 %, non-signal 17-26 %, corpus reply 35-42 %, corpus request 26-34 %,
mixed-language 26-30 %, asked again 11-18 %. The quick profile (one shard of 200) checks none."""
GENERATED = settings(
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
"""A fresh seed every run (the suite's ``run_seed``), no deadline, the failing blob printed."""


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.Runner]:
    with asyncio.Runner() as runner:
        yield runner


@pytest.fixture(scope="module")
def runner() -> InProcessRunner:
    return InProcessRunner(latency=0.0)


@pytest.mark.long
@pytest.mark.parametrize("shard", range(SHARDS))
def test_generated_conversations_break_no_rule(
    shard: int,
    run_seed: int,
    runner: InProcessRunner,
    loop: asyncio.Runner,
    reach: Any,
    request: pytest.FixtureRequest,
) -> None:
    examples = GENERATED_EXAMPLES // SHARDS
    generated = reach(
        "generated conversations",
        expected=examples,
        minimum={},  # no floor per shard (see SHARDS); the run has RUN_FLOORS
        run=None if QUICK else {"shards": SHARDS, "minimum": RUN_FLOORS},
    )
    conversation = seed(run_seed * SHARDS + shard)(
        settings(GENERATED, max_examples=examples)(conversations(runner, loop, generated))
    )
    try:
        conversation()
    except BaseException as exc:
        exc.add_note(f"replay: pytest '{request.node.nodeid}' --randomly-seed={run_seed}")
        exc.add_note("keep it: add its world and Draw lines to REGRESSIONS in this file")
        raise
    generated.check()


REGRESSIONS: dict[str, tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]] = {
    # Seed 2751982965, shard 0: a completion signal with a slip read as "clearly not a signal".
    "approved-with-a-slip-while-waiting": (
        {
            "config": None,
            "auth": {"status": "not_logged_in"},
            "binary": "installed",
            "install": "ok",
            "network": "up",
            "version": "1.3.1-beta.17",
        },
        {"request": "帮我登录"},
        [{"user": "1"}, {"browser": "approve"}, {"browser": "approve"}, {"user": "apprvoed 了啊"}],
    ),
    # A learned reader retrained on the blind corpora read a lone "D" while waiting as a signal.
    "a-lone-letter-while-waiting": (
        {
            "config": None,
            "auth": {"status": "not_logged_in"},
            "binary": "installed",
            "install": "ok",
            "network": "up",
            "version": "1.3.1-beta.17",
        },
        {"request": "帮我查一下账户余额"},
        [{"user": "１"}, {"user": "D"}],
    ),
    # Seed 0, shard 2: the product read "k" and a Chinese character as "k" with a particle
    # (a signal, one status check); the evaluation called it clearly not a signal.
    "a-k-with-a-chinese-character-while-waiting": (
        {
            "config": None,
            "auth": {"status": "pending", "site": "global"},
            "install": "ok",
            "version": "1.3.1-beta.17",
            "network": "up",
            "binary": "installed",
        },
        {"request": "how long does the login last?"},
        [{"invoke": {"request": "帮我买点比特币"}}, {"browser": "approve"}, {"user": "k㐀"}],
    ),
    # Seed 1340012597, shard 3: after the broken API-key profile was removed (0.2.a option 2),
    # the graph went to the gate and logged in again while a code was pending (Step 0.3 skipped).
    "a-login-pending-after-the-api-key-profile-is-removed": (
        {
            "config": {"default_profile": "demo", "profiles": {"demo": api_key_profile(None)}},
            "install": "ok",
            "binary": "installed",
            "auth": {"status": "pending", "site": "global"},
            "network": "up",
            "version": "1.3.1-beta.17",
        },
        {
            "request": "帮我登录",
            "failed_command": {
                "argv": ["account", "balance"],
                "error": "Error: HTTP 401 from OKX: Invalid OK-ACCESS-KEY",
            },
        },
        [
            {"user": "1"},
            {"user": "use oauth instead"},
            {"world": {"config": {"default_profile": "demo", "profiles": {"demo": {}}}}},
            {"world": {"config": {"default_profile": "demo", "profiles": {"demo": {}}}}},
            {"user": "done"},
            {"user": "1"},
        ],
    ),
}
"""Generated conversations that failed once (world, first input, events), replayed every run:
add the ``Draw`` lines of a failure here, named for what it caught."""


@pytest.mark.parametrize("name", sorted(REGRESSIONS))
def test_kept_regressions_break_no_rule(
    name: str, runner: InProcessRunner, loop: asyncio.Runner
) -> None:
    world, first, played = REGRESSIONS[name]
    scenario = parse_scenario({"id": name, "okx": world, "input": first}, name)
    steps = iter(played)

    def next_step(turn: Turn) -> Step | None:
        event = next(steps, None)
        return None if event is None else Step.model_validate(event)

    result = loop.run(runner.run(scenario, lenient=True, capture_logs=False, next_step=next_step))
    assert result.failures == []
    assert result.violations == []
    assert undrawn_transitions(result, EDGES) == []


def conversations(runner: InProcessRunner, loop: asyncio.Runner, generated: Any) -> Any:
    """The generated test: a world, a first input and up to 10 events, checked on the end."""

    @given(
        language=st.sampled_from(["zh", "en"]),
        world=worlds,
        data=st.data(),
        length=st.integers(0, 10),
        focus=st.integers(0, 2),
    )
    def conversation(
        language: str, world: dict[str, Any], data: st.DataObject, length: int, focus: int
    ) -> None:
        if focus == 0:  # one in three: a fresh OAuth world whose menu gets a site choice
            world = {**world, "auth": {"status": "not_logged_in"}, "binary": "installed"}
            if world["config"] is not None and "api_key" in str(world["config"]):
                world["config"] = None
            length = max(length, 3)
        first = data.draw(invocations(language), label="input")
        scenario = parse_scenario({"id": "generated", "okx": world, "input": first}, "generated")
        played: list[dict[str, Any]] = []

        def next_step(turn: Turn) -> Step | None:
            if len(played) >= length:
                return None
            question = turn.interrupt["type"] if turn.interrupt else None
            strategy = events(question, language)
            if focus == 0 and question == "choose_site":
                strategy = SITE_CHOICES
            played.append(data.draw(strategy, label=f"step {len(played)}"))
            return Step.model_validate(played[-1])

        result = loop.run(
            runner.run(scenario, lenient=True, capture_logs=False, next_step=next_step)
        )
        generated.example(*reached(result.trajectory))
        event(f"final outcome: {result.trajectory.final_state.get('outcome')}")
        asked = {i["type"] for i in result.trajectory.interrupts} & {
            "confirm_switch_site",
            "confirm_start_over",
        }
        event(f"site switch / start-over asked: {sorted(asked) or 'no'}")
        logins = sum(c["argv"][:2] == ["auth", "login"] for c in result.trajectory.calls)
        event(f"okx auth login calls: {min(logins, 3)}")
        assert result.failures == [], played
        assert result.violations == [], played
        assert undrawn_transitions(result, EDGES) == [], played

    return conversation
