"""Hypothesis state machine over whole conversations: random requests, replies and world events.

Each step is a new request, a reply to the pending question (site choices and completion
signals weighted up, so logins happen often), or something that happens outside
the CLI (the browser approves or denies, the code or the session lapses, the clock jumps, the
network or the okx-auth binary breaks and comes back, the user edits the config). After every
step the spec's rules are checked on what the graph did:

- no exception; the run ends in exactly one question or an outcome; every okx argv is in the
  adapter's closed set;
- the pre-login gate: an ``okx auth login`` happens only in a step that answered the site menu
  with a site choice, and its ``--site`` is that choice (a second one only as the single retry
  after reinstalling a missing okx-auth; the login lock may re-read ``auth status`` first);
- an entry starts with the pre-flight (both calls), except a market request, which makes none;
- while waiting for the completion signal, a reply that is plainly not a signal runs no okx
  command, and a signal runs at most one ``okx auth status``;
- "cancel" / "取消" at any question ends the flow (``cancelled``) with no okx call;
- a downstream failure (any row of the error reference, on any command) reinstalls okx-auth at
  most once.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, event, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.types import Command

from okx_auth_graph import Context
from okx_auth_graph.testing import OkxEmulator, WorldError
from tests.conversation import converse_on
from tests.reliability.questions import (
    API_KEY_CONFIG,
    INVALID_KEY_FAILURE,
    argv_allowed,
)
from tests.spec_texts import MENU

STATS: list[Any] = []

REQUESTS = [
    "log in to okx",
    "帮我登录",
    "show my account balance",
    "帮我查一下持仓",
    "what is my okx login status?",
    "log out",
    "install okx-auth",
    "please remove the okx-auth binary",
    "how long does the session last?",
    "how do I set up an API key?",
]
MARKET_REQUEST = "what is the BTC-USDT price?"
LOGIN_AND_MARKET = [
    "log me in and show the BTC price",
    "登录一下然后看看 BTC 价格",
    "what is the BTC-USDT price? log me in first",
]
"""A login asked together with a market question: the login must not be skipped."""
NEGATED_CHOICES = ["not 2", "我不选2", "不要 1", "don't pick 3", "not global"]
"""Replies to the menu that name a site only to refuse it (D4): never a choice, no login."""
COPIED_CHOICES = {"2. EEA (my.okx.com)": "eea", "1. Global (www.okx.com)": "global"}
"""A menu line copied back: whatever D4 makes of it, a login may only be on the site it names."""
UPSTREAM_MENUS = [
    MENU.replace("EEA", "Europe"),
    MENU.split("\n")[0],
    "Which OKX site? 1. Global 2. EEA 3. US",
]
"""What an upstream agent may have shown instead of the verbatim menu: not the menu."""
SITE_REPLIES = {"1": "global", "2": "eea", "3": "us", "EEA": "eea", " us ": "us", "２": "eea"}
SIGNALS = {"done", "好了", "完成了", "ok"}
NOT_SIGNALS = {"hello, what is this?", "1; rm -rf ~", "$(id)", "hmm", "我看看"}
FILLER_CHOICES = {"global please?": "global", "选 1 吧": "global", "number 3 please": "us"}
"""A site named with filler words and punctuation only (D4): that site."""
OTHER_REPLIES = ["yes", "no", "是", "4", "1 or 2", "give me 2 minutes", ""]
CANCELS = {"cancel", "取消"}
REPLIES = [
    *sorted(SITE_REPLIES) * 3,
    *sorted(SIGNALS) * 2,
    *sorted(NOT_SIGNALS),
    *sorted(CANCELS),
    *sorted(FILLER_CHOICES),
    *OTHER_REPLIES,
]
FAILED_ARGV = [
    ["account", "balance", "--json"],
    ["auth", "status", "--json"],
    ["auth", "login", "--manual", "--site", "eea"],
    ["auth", "logout"],
    ["market", "ticker", "BTC-USDT", "--json"],
]
DOWNSTREAM_ERRORS = [
    INVALID_KEY_FAILURE["error"],
    "Error: Session expired — run okx auth login again",
    "Run `okx auth login` first",
    "Error: Failed to spawn okx-auth: ENOENT",
    "Installation failed: All CDN sources failed",
    "Error: Region restriction (51155)",
    "No config found. Run okx config init first.",
    "Error: Network error during login: fetch failed",
    "Unknown command: auth status",
    "something unexpected happened",
]
INSTALL_CALLS = {("auth", "install", "--json"), ("auth", "install-status", "--json")}
WORLDS: dict[str, dict[str, Any]] = {
    "fresh": {},
    "api-key": {"config": API_KEY_CONFIG},
    "logged-in": {"auth": "logged_in", "site": "us"},
    "pending": {"auth": "pending", "site": "eea"},
    "binary-missing": {"binary": "missing"},
}


class ConversationMachine(RuleBasedStateMachine):
    """One thread of the graph on one emulator world, driven at random."""

    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(prefix="okx-sm-"))
        self.emulator = OkxEmulator(self.directory / "world")
        self.chat = converse_on(self.emulator, context=Context())
        self.question: dict[str, Any] | None = None
        self.result: Any = None
        self.cases: set[str] = set()

    def teardown(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
        if STATS:
            STATS[0].example(*self.cases)

    def _menu_shown(self) -> bool:
        """Whether an assistant message so far showed the verbatim menu (gate condition 1)."""
        messages = (self.result or {}).get("messages") or []
        return any(isinstance(m, AIMessage) and MENU in m.text for m in messages)

    def _run(self, payload: Any) -> list[list[str]]:
        exchange = asyncio.run(self.chat.send(payload))
        new = exchange.calls
        result = exchange.state
        pending = result.get("__interrupt__") or []
        assert len(pending) <= 1
        self.result = result
        self.question = exchange.interrupt
        if self.question is None:
            assert exchange.outcome is not None, result
        else:
            assert self.question["message"]
        for argv in new:
            assert argv_allowed(argv), argv
        return new

    @initialize(
        world=st.sampled_from(["fresh", "fresh", "fresh", *sorted(WORLDS)]),
        opening=st.sampled_from([None, *REQUESTS[:2] * 3]),
        then=st.sampled_from([None, "1", "1", "1", *NEGATED_CHOICES[:2], *sorted(COPIED_CHOICES)]),
        seconds=st.sampled_from([0, 0, 30, 601, 3601]),
    )
    def start_world(self, world: str, opening: str | None, then: str | None, seconds: int) -> None:
        """A world; mostly a login request first, then often a reply to the menu and the clock
        moving while the code is held, so the rules for those states are reached every run."""
        self.emulator.init_world(**WORLDS[world])
        if opening is not None:
            self.new_request(opening)
        if then is not None and (self.question or {}).get("type") == "choose_site":
            if then in SITE_REPLIES:
                self.choose_a_site(then)
            else:
                self.negated_or_copied_choice(then)
        if seconds and (self.question or {}).get("type") == "await_authorization":
            self.clock_moves_while_a_code_is_held(seconds)

    @rule(request=st.sampled_from([*REQUESTS[:2] * 3, *REQUESTS]))
    def new_request(self, request: str) -> None:
        calls = self._run({"messages": [HumanMessage(request)]})
        assert sorted(map(tuple, calls[:2])) == [
            ("auth", "status", "--json"),
            ("config", "show", "--json"),
        ], calls
        self._no_login_without_the_menu(calls, None)

    @rule(reply=st.sampled_from(sorted(SITE_REPLIES)))
    def site_choice_as_a_new_message(self, reply: str) -> None:
        """A site choice sent as a new input: a choice only right after the verbatim menu."""
        after_menu = self._menu_shown()
        self.cases.add(
            "site choice as a new message " + ("after the menu" if after_menu else "elsewhere")
        )
        calls = self._run({"messages": [HumanMessage(reply)]})
        assert sorted(map(tuple, calls[:2])) == [
            ("auth", "status", "--json"),
            ("config", "show", "--json"),
        ], calls
        self._no_login_without_the_menu(calls, ("choose_site", reply) if after_menu else None)

    @precondition(lambda self: (self.question or {}).get("type") == "choose_site")
    @rule(reply=st.sampled_from(sorted(SITE_REPLIES)))
    def site_choice_as_a_new_message_at_the_menu(self, reply: str) -> None:
        """The same, aimed at the case that matters most: the menu is the pending question."""
        self.site_choice_as_a_new_message(reply)

    @rule(request=st.sampled_from(LOGIN_AND_MARKET))
    def login_and_market_request(self, request: str) -> None:
        """A login asked with a market question: it is not answered as a market request alone."""
        self.cases.add("login and market in one request")
        calls = self._run({"messages": [HumanMessage(request)]})
        assert calls, "a request that asks for a login made no okx call"
        assert sorted(map(tuple, calls[:2])) == [
            ("auth", "status", "--json"),
            ("config", "show", "--json"),
        ], calls
        self._no_login_without_the_menu(calls, None)

    @rule(menu=st.sampled_from(UPSTREAM_MENUS), reply=st.sampled_from(sorted(SITE_REPLIES)))
    def choice_after_an_upstream_agents_menu(self, menu: str, reply: str) -> None:
        """An upstream agent showed something like the menu, the user picked from it: no login
        (only this graph's verbatim menu, in an assistant message, opens the gate)."""
        self.cases.add("a choice after a non-verbatim menu from an upstream agent")
        shown_before = self._menu_shown()
        calls = self._run({"messages": [AIMessage(menu), HumanMessage(reply)]})
        self._no_login_without_the_menu(calls, ("choose_site", reply) if shown_before else None)

    @precondition(lambda self: (self.question or {}).get("type") == "choose_site")
    @rule(reply=st.sampled_from([*NEGATED_CHOICES, *sorted(COPIED_CHOICES)]))
    def negated_or_copied_choice(self, reply: str) -> None:
        self.cases.add("negated or copied reply to the menu")
        self.answer(reply)

    @rule()
    def market_request(self) -> None:
        calls = self._run({"messages": [HumanMessage(MARKET_REQUEST)]})
        assert calls == []
        assert self.result["outcome"] == "no_auth_needed"
        assert self.result["route"] == "okx-cex-market"

    @rule(
        argv=st.sampled_from(FAILED_ARGV),
        error=st.sampled_from(DOWNSTREAM_ERRORS),
    )
    def failed_command(self, argv: list[str], error: str) -> None:
        failure = {"argv": argv, "error": error}
        calls = self._run(
            {"messages": [HumanMessage("my command failed")], "failed_command": failure}
        )
        self._no_login_without_the_menu(calls, None)
        installs = [c for c in calls if c == ["auth", "install", "--json"]]
        assert len(installs) <= 1, calls

    @precondition(lambda self: (self.question or {}).get("type") == "choose_site")
    @rule(reply=st.sampled_from(sorted(SITE_REPLIES)))
    def choose_a_site(self, reply: str) -> None:
        self.answer(reply)

    @precondition(lambda self: (self.question or {}).get("type") == "await_authorization")
    @rule(
        reply=st.sampled_from(sorted(SIGNALS | NOT_SIGNALS)),
        browser=st.sampled_from(["approve", "deny", "expire_code", "nothing"]),
    )
    def signal_or_not(self, reply: str, browser: str) -> None:
        if browser != "nothing":
            self.world_event(browser)
        self.answer(reply)

    @precondition(lambda self: (self.question or {}).get("type") == "await_authorization")
    @rule(reply=st.sampled_from(sorted(NOT_SIGNALS)))
    def not_a_signal(self, reply: str) -> None:
        self.answer(reply)

    @precondition(lambda self: self.question is not None)
    @rule(reply=st.sampled_from(REPLIES))
    def answer(self, reply: str) -> None:
        asked = self.question
        assert asked is not None
        event(f"answered {asked['type']}")
        calls = self._run(Command(resume=reply))
        self._no_login_without_the_menu(calls, (asked["type"], reply))
        if reply in CANCELS:
            assert calls == []
            assert self.result["outcome"] == "cancelled"
        if asked["type"] == "await_authorization":
            statuses = [c for c in calls if c == ["auth", "status", "--json"]]
            others = [c for c in calls if c != ["auth", "status", "--json"]]
            if reply in NOT_SIGNALS:
                self.cases.add("non-signal reply while waiting")
                assert calls == []
            installed = bool(set(map(tuple, others)) & INSTALL_CALLS)
            assert len(statuses) <= (2 if installed else 1), calls
            if reply in SIGNALS:
                assert statuses, calls

    def _no_login_without_the_menu(
        self, calls: list[list[str]], answered: tuple[str, str] | None
    ) -> None:
        logins = [c for c in calls if c[:2] == ["auth", "login"]]
        if not logins:
            return
        event("okx auth login")
        self.cases.add("login branch")
        assert answered is not None, f"a login without a reply to the menu: {calls}"
        question_type, reply = answered
        assert question_type == "choose_site", (question_type, reply, calls)
        chosen = {**SITE_REPLIES, **COPIED_CHOICES, **FILLER_CHOICES}
        assert reply in chosen, (reply, calls)
        assert {c[-1] for c in logins} == {chosen[reply]}, (reply, calls)
        if len(logins) > 1:  # "Failed to spawn okx-auth": install, verify, retry the login once
            first, second = (i for i, c in enumerate(calls) if c[:2] == ["auth", "login"])
            assert len(logins) == 2, calls
            between = [tuple(c) for c in calls[first + 1 : second]]
            assert set(between) - INSTALL_CALLS <= {("auth", "status", "--json")}, calls
            assert set(between) >= INSTALL_CALLS, calls

    @precondition(lambda self: (self.question or {}).get("type") == "await_authorization")
    @rule(seconds=st.sampled_from([30, 599, 601, 3601]))
    def clock_moves_while_a_code_is_held(self, seconds: int) -> None:
        self.cases.add("clock moved while a code is held")
        self.emulator.advance(seconds)

    @rule(
        event=st.sampled_from(
            [
                "approve",
                "deny",
                "expire_code",
                "advance",
                "expire_session",
                "network_down",
                "network_up",
                "binary_missing",
                "binary_installed",
                "remove_config",
                "api_key_config",
            ]
        )
    )
    def world_event(self, event: str) -> None:
        emulator = self.emulator
        try:
            if event == "advance":
                emulator.advance(700)
            elif event.startswith("network_"):
                emulator.set("network", event.removeprefix("network_"))
            elif event.startswith("binary_"):
                emulator.set("binary", event.removeprefix("binary_"))
            elif event == "remove_config":
                emulator.config_path.unlink(missing_ok=True)
            elif event == "api_key_config":
                emulator.config_path.parent.mkdir(parents=True, exist_ok=True)
                emulator.config_path.write_text(tomli_w.dumps(API_KEY_CONFIG))
            else:
                getattr(emulator, event)()
        except WorldError:
            pass

    @invariant()
    def one_question_at_a_time(self) -> None:
        if self.result is not None:
            assert len(self.result.get("__interrupt__") or []) <= 1


@pytest.mark.long
def test_random_conversations_keep_the_rules(reach: Any, run_seed: int) -> None:
    STATS[:] = [
        reach(
            "state machine",
            {
                "login branch": 0.1,
                "site choice as a new message after the menu": 0.04,
                "site choice as a new message elsewhere": 0.03,
                # 16-22 % in full runs, but one run of 68 examples reached it 4 times (6 %)
                "non-signal reply while waiting": 0.02,
                "clock moved while a code is held": 0.04,
                "negated or copied reply to the menu": 0.04,
                "a choice after a non-verbatim menu from an upstream agent": 0.1,
                "login and market in one request": 0.1,
            },
        )
    ]

    @seed(run_seed)  # a fresh seed every run (tests/conftest.py), printed in the header
    class Machine(ConversationMachine):
        pass

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=80,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    STATS[0].check()
