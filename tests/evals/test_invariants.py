"""Each invariant on a hand-built passing and failing trajectory."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any, cast

import pytest

from okx_auth_graph.evals import INVARIANTS, as_evaluator, check_all, evaluators
from okx_auth_graph.evals.texts import (
    SPEC_NEUTRAL_WORDS,
    asks_for_new_login,
    deciding_language,
    render,
    site_menu,
)
from okx_auth_graph.evals.trajectory import InterruptRecord, Trajectory
from okx_auth_graph.reading.rules import LANGUAGE_NEUTRAL_WORDS
from tests.evals.builders import (
    CONFIG,
    STATUS,
    Builder,
    challenge,
    happy_login,
    login,
    menu_question,
    waiting,
    world,
)


def names(t: Trajectory) -> set[str]:
    return {v["invariant"] for v in check_all(t)}


def test_happy_login_breaks_no_rule() -> None:
    assert check_all(happy_login().t) == []
    assert check_all(happy_login("Global!", "global", "en").t) == []
    assert check_all(happy_login(" ３ ", "us").t) == []


def test_login_gate_login_on_new_input() -> None:
    t = Builder().input("log in", calls=[CONFIG, STATUS, login("eea")], interrupt=challenge()).t
    detail = [v["detail"] for v in INVARIANTS["login_gate"](t)]
    assert detail
    assert "new input" in detail[0]


def test_login_gate_site_choice_sent_as_a_new_message() -> None:
    after_menu = (
        Builder()
        .input("log in", interrupt=menu_question())
        .input("2", calls=[CONFIG, STATUS, login("eea")], interrupt=challenge())
        .t
    )
    assert INVARIANTS["login_gate"](after_menu) == []
    after_status = (
        Builder()
        .input("am I logged in?", replies=["OAuth: not logged in."])
        .input("2", calls=[CONFIG, STATUS, login("eea")], interrupt=challenge())
        .t
    )
    detail = INVARIANTS["login_gate"](after_status)
    assert len(detail) == 1
    assert "the menu never shown before" in detail[0]["detail"]
    global_after_menu = (
        Builder()
        .input("log in", interrupt=menu_question())
        .input("global", calls=[CONFIG, STATUS, login("global")], interrupt=challenge("global"))
        .t
    )
    assert INVARIANTS["no_silent_global"](global_after_menu) == []


def test_login_gate_answer_to_other_question() -> None:
    t = (
        Builder()
        .input("log in", interrupt={"type": "confirm_retry", "payload": {"message": "retry?"}})
        .resume("2", calls=[login("eea")], interrupt=challenge())
        .t
    )
    assert "confirm_retry" in INVARIANTS["login_gate"](t)[0]["detail"]


def test_login_gate_site_differs_from_choice() -> None:
    t = happy_login("3", "eea").t
    violations = INVARIANTS["login_gate"](t)
    assert len(violations) == 1
    assert "--site eea but the user chose us" in violations[0]["detail"]


@pytest.mark.parametrize("reply", ["give me 2 minutes", "1 or 2", "not 2", "Europe"])
def test_login_gate_reply_not_a_site(reply: str) -> None:
    t = happy_login(reply, "eea").t
    assert "not a site choice" in INVARIANTS["login_gate"](t)[0]["detail"]


@pytest.mark.parametrize("reply", ["2 please", "option 2", "我选2", "the second one", "第二个"])
def test_login_gate_one_choice_with_filler_words_is_a_choice(reply: str) -> None:
    assert INVARIANTS["login_gate"](happy_login(reply, "eea").t) == []


def test_login_gate_two_logins_for_one_choice() -> None:
    t = (
        Builder()
        .input("log in", interrupt=menu_question())
        .resume("2", calls=[login("eea"), login("eea")], interrupt=challenge())
        .t
    )
    assert "2 logins" in INVARIANTS["login_gate"](t)[0]["detail"]
    retried = (
        Builder()
        .input("log in", interrupt=menu_question())
        .resume(
            "2",
            calls=[
                login("eea"),
                ["auth", "install", "--json"],
                ["auth", "install-status", "--json"],
                login("eea"),
            ],
            interrupt=challenge(),
        )
        .t
    )
    assert INVARIANTS["login_gate"](retried) == []


def test_no_silent_global() -> None:
    assert INVARIANTS["no_silent_global"](happy_login("1", "global").t) == []
    bad = Builder().input("login", calls=[CONFIG, STATUS, login("global")], interrupt=challenge()).t
    assert INVARIANTS["no_silent_global"](bad)
    assert INVARIANTS["no_silent_global"](happy_login("2", "global").t)


def test_no_auto_poll_status_after_challenge() -> None:
    t = (
        Builder()
        .input("log in", interrupt=menu_question())
        .resume("2", calls=[login("eea"), STATUS], interrupt=challenge())
        .t
    )
    assert "1 auth status after login" in INVARIANTS["no_auto_poll"](t)[0]["detail"]


def test_no_auto_poll_two_statuses_for_one_reply() -> None:
    t = copy.deepcopy(happy_login().t)
    t.calls.append({"argv": STATUS, "started": 9.0, "ended": 9.1, "exit_code": 0})
    t.entries[-1]["calls"][1] += 1
    assert "2 auth status calls for one reply" in INVARIANTS["no_auto_poll"](t)[0]["detail"]


def test_no_auto_poll_other_command_while_waiting() -> None:
    t = (
        Builder()
        .input("log in", interrupt=waiting(), world_before=world("pending"))
        .resume("what now?", calls=[["auth", "install", "--json"]], interrupt=waiting())
        .t
    )
    assert "while waiting" in INVARIANTS["no_auto_poll"](t)[0]["detail"]


def test_no_auto_poll_pending_preflight_then_poll() -> None:
    ok = Builder().input("log in", interrupt=waiting(), world_before=world("pending")).t
    assert INVARIANTS["no_auto_poll"](ok) == []
    bad = (
        Builder()
        .input(
            "log in",
            calls=[CONFIG, STATUS, STATUS],
            interrupt=waiting(),
            world_before=world("pending"),
        )
        .t
    )
    assert INVARIANTS["no_auto_poll"](bad)


def test_one_status_per_signal() -> None:
    t = (
        Builder()
        .input("log in", interrupt=waiting(), world_before=world("pending"))
        .resume("完成了", calls=[], interrupt=waiting())
        .t
    )
    assert "0 auth status" in INVARIANTS["one_status_per_signal"](t)[0]["detail"]
    not_a_signal = (
        Builder()
        .input("log in", interrupt=waiting(), world_before=world("pending"))
        .resume("what is this?", calls=[], interrupt=waiting())
        .t
    )
    assert INVARIANTS["one_status_per_signal"](not_a_signal) == []


NOT_SIGNALS = (
    "what is this?",
    "how do I do that",
    "not yet",
    "还没好",
    "等一下",
    "asdf",
    "",
    "怎么办",
)
MAYBE_SIGNALS = (
    "done",
    "ok",
    "好了",
    "完成了",
    "finished",
    "I have authorized it",
    "可以了",
    "all set",
    "I did it",
    "✅",
    "👍",
    "finsihed",  # a slip in a keyword of five letters or more (D21's rules read it)
    # a denial gets the status check a signal gets (D12)
    "I rejected it",
    "I said no in the browser",
    "我拒绝了",
)


def test_non_signal_no_call() -> None:
    for text in NOT_SIGNALS:
        polled = (
            Builder()
            .input("log in", interrupt=waiting(), world_before=world("pending"))
            .resume(text, calls=[STATUS], interrupt=waiting())
            .t
        )
        violations = INVARIANTS["non_signal_no_call"](polled)
        assert len(violations) == 1, text
        assert "not a completion signal but ran okx auth status --json" in violations[0]["detail"]
        quiet = (
            Builder()
            .input("log in", interrupt=waiting(), world_before=world("pending"))
            .resume(text, calls=[], interrupt=waiting())
            .t
        )
        assert INVARIANTS["non_signal_no_call"](quiet) == [], text
    for text in MAYBE_SIGNALS:
        checked = (
            Builder()
            .input("log in", interrupt=waiting(), world_before=world("pending"))
            .resume(text, calls=[STATUS], interrupt=waiting())
            .t
        )
        assert INVARIANTS["non_signal_no_call"](checked) == [], text


@pytest.mark.parametrize(
    ("text", "new_login"),
    [
        ("start over", True),
        ("the code expired, give me a new one", True),
        ("begin from scratch", True),
        ("wrong site, I need US", True),
        ("重新获取验证码", True),
        ("我要用欧洲站", True),
        ("换一个验证码", True),
        ("what is the code?", False),
        ("好了", False),
        ("not yet", False),
    ],
)
def test_an_explicit_new_login_by_the_oracle(text: str, new_login: bool) -> None:
    assert asks_for_new_login(text) is new_login


def test_non_signal_no_call_only_judges_replies_to_the_wait() -> None:
    # A reply to the menu runs the login; a new input (not a resume) runs the pre-flight.
    assert INVARIANTS["non_signal_no_call"](happy_login().t) == []
    t = (
        Builder()
        .input("log in", interrupt=waiting(), world_before=world("pending"))
        .input("what is this?", world_before=world("pending"))
        .t
    )
    assert INVARIANTS["non_signal_no_call"](t) == []


def test_no_login_while_pending() -> None:
    t = (
        Builder()
        .input("log in", interrupt=menu_question(), world_before=world("pending"))
        .resume("2", calls=[login("eea")], interrupt=challenge(), world_before=world("pending"))
        .t
    )
    assert INVARIANTS["no_login_while_pending"](t)
    assert INVARIANTS["no_login_while_pending"](happy_login().t) == []


def _yes_no_question(kind: str) -> InterruptRecord:
    return {"type": kind, "payload": {"type": kind, "message": "Start over? (yes/no)"}}


@pytest.mark.parametrize(
    ("request_text", "question", "answer", "allowed"),
    [
        ("start over with a new code", None, None, True),
        ("use the US site instead", None, None, True),
        ("log in", "confirm_start_over", "yes", True),
        ("log in", "confirm_start_over", "no thanks", False),
        ("log in", None, None, False),
    ],
)
def test_login_while_pending_only_after_an_explicit_start_over(
    request_text: str, question: str | None, answer: str | None, allowed: bool
) -> None:
    builder = Builder()
    if question is None:
        builder.input(request_text, interrupt=menu_question(), world_before=world("pending"))
    else:
        builder.input(
            request_text, interrupt=_yes_no_question(question), world_before=world("pending")
        )
        builder.resume(str(answer), interrupt=menu_question(), world_before=world("pending"))
    builder.resume("2", calls=[login("eea")], interrupt=challenge(), world_before=world("pending"))
    found = INVARIANTS["no_login_while_pending"](builder.t)
    assert (found == []) is allowed, found


def test_a_logout_ends_the_pending_status_the_graph_saw() -> None:
    def conversation(calls: list[list[str]]) -> Trajectory:
        return (
            Builder()
            .input("log in", interrupt=menu_question(), world_before=world("pending"))
            .resume("2", calls=calls, interrupt=challenge(), world_before=world("pending"))
            .t
        )

    assert INVARIANTS["no_login_while_pending"](conversation([login("eea")]))
    after_logout = conversation([["auth", "logout"], login("eea")])
    assert INVARIANTS["no_login_while_pending"](after_logout) == []


def test_no_login_while_own_challenge_is_pending() -> None:
    t = (
        Builder()
        .input("log in", interrupt=menu_question())
        .resume(
            "2",
            calls=[login("eea"), ["auth", "install", "--json"], login("eea")],
            interrupt=challenge(),
        )
        .t
    )
    assert len(INVARIANTS["no_login_while_pending"](t)) == 1


def test_no_login_with_api_key() -> None:
    t = (
        Builder()
        .input("log in", interrupt=menu_question(), world_before=world(api_key_profiles=["demo"]))
        .resume(
            "2",
            calls=[login("eea")],
            interrupt=challenge(),
            world_before=world(api_key_profiles=["demo"]),
        )
        .t
    )
    assert "demo" in INVARIANTS["no_login_with_api_key"](t)[0]["detail"]
    assert INVARIANTS["no_login_with_api_key"](happy_login().t) == []


def test_preflight_first_missing_and_wrong_order() -> None:
    skipped = Builder().input("log in", calls=[STATUS], interrupt=menu_question()).t
    assert INVARIANTS["preflight_first"](skipped)
    other_first = (
        Builder()
        .input("log in", calls=[["--version"], CONFIG, STATUS], interrupt=menu_question())
        .t
    )
    assert INVARIANTS["preflight_first"](other_first)
    reversed_pair = Builder().input("log in", calls=[STATUS, CONFIG], interrupt=menu_question()).t
    assert INVARIANTS["preflight_first"](reversed_pair) == []


def test_preflight_first_not_needed_for_market_only() -> None:
    market = (
        Builder()
        .input(
            "BTC price?", calls=[], state={"outcome": "no_auth_needed", "route": "okx-cex-market"}
        )
        .t
    )
    assert INVARIANTS["preflight_first"](market) == []
    assert INVARIANTS["market_no_okx_call"](market) == []


def test_preflight_concurrent() -> None:
    sequential = Builder().input("log in", interrupt=menu_question(), overlap=False).t
    assert "one after the other" in INVARIANTS["preflight_concurrent"](sequential)[0]["detail"]
    assert INVARIANTS["preflight_concurrent"](happy_login().t) == []


def test_templates_verbatim_menu_altered() -> None:
    t = (
        Builder()
        .input(
            "log in",
            interrupt={
                "type": "choose_site",
                "payload": {"message": site_menu().replace("Global", "global")},
            },
        )
        .t
    )
    details = [v["detail"] for v in INVARIANTS["templates_verbatim"](t)]
    assert any("verbatim site menu" in d for d in details)
    assert any("site_menu.zh is not verbatim" in d for d in details)


def test_templates_verbatim_success_changed() -> None:
    t = copy.deepcopy(happy_login().t)
    t.messages[-1]["content"] = "登录成功!\n站点: eea\n权限: live:read, live:trade"
    assert "login_success.zh is not verbatim" in INVARIANTS["templates_verbatim"](t)[0]["detail"]


def test_templates_verbatim_scopes_as_list() -> None:
    t = copy.deepcopy(happy_login().t)
    t.messages[-1]["content"] = render(
        "login_success.zh", site="eea", scopes="['live:read', 'live:trade']"
    )
    assert "scopes" in INVARIANTS["templates_verbatim"](t)[0]["detail"]


def test_templates_verbatim_wrong_language() -> None:
    t = copy.deepcopy(happy_login().t)
    t.messages[-1]["content"] = render("login_success.en", site="eea", scopes="live:read")
    assert "shown after zh messages" in INVARIANTS["templates_verbatim"](t)[0]["detail"]


def test_templates_verbatim_challenge_fields_differ_from_payload() -> None:
    q = challenge(expires_in=600)
    q["payload"]["message"] = q["payload"]["message"].replace("10", "600")
    t = (
        Builder()
        .input("登录", interrupt=menu_question())
        .resume("2", calls=[login("eea")], interrupt=q)
        .t
    )
    assert "expires_minutes='600'" in INVARIANTS["templates_verbatim"](t)[0]["detail"]


def test_templates_verbatim_challenge_rounding() -> None:
    t = (
        Builder()
        .input("登录", interrupt=menu_question())
        .resume("2", calls=[login("eea")], interrupt=challenge(expires_in=59))
        .t
    )
    assert INVARIANTS["templates_verbatim"](t) == []


def test_templates_verbatim_api_key_sentence() -> None:
    good = (
        Builder()
        .input(
            "balance",
            replies=["已配置 API key (profile: demo)"],
            state={"outcome": "api_key_configured"},
        )
        .t
    )
    assert INVARIANTS["templates_verbatim"](good) == []
    bad = Builder().input("balance", replies=["已配置 API key: demo"]).t
    assert INVARIANTS["templates_verbatim"](bad)


def test_no_token_details() -> None:
    state = {"outcome": "status_reported"}
    lw = world("logged_in")
    cases = {
        "expiresAt": "Logged in. expiresAt: 2026-04-11T20:30:00+00:00",
        "ttl": "Logged in (ttl 3600)",
        "profile": 'Logged in, "profile": "oauth"',
        "duration": "Logged in, your session lasts 1 hour.",
        "chinese duration": "已登录,会话还有 60 分钟。",
    }
    for label, text in cases.items():
        t = Builder().input("status?", replies=[text], state=state, world_before=lw).t
        assert INVARIANTS["no_token_details"](t), label
    fine = (
        Builder()
        .input(
            "status?",
            replies=["Session stays active as long as you use the CLI periodically."],
            state=state,
            world_before=lw,
        )
        .t
    )
    assert INVARIANTS["no_token_details"](fine) == []
    assert INVARIANTS["no_token_details"](happy_login().t) == []


def test_no_secret_leak() -> None:
    secret = "SECRET-KEY-VALUE-123"
    clean = Builder(secrets=[secret]).input("balance", replies=["已配置 API key (profile: demo)"]).t
    assert INVARIANTS["no_secret_leak"](clean) == []
    leaked = copy.deepcopy(clean)
    leaked.final_state = {"config": {"secret_key": secret}}
    detail = INVARIANTS["no_secret_leak"](leaked)[0]["detail"]
    assert "final state" in detail
    assert secret not in detail
    logged = copy.deepcopy(clean)
    logged.log = [f"ran with {secret}"]
    assert "log" in INVARIANTS["no_secret_leak"](logged)[0]["detail"]


def test_market_no_okx_call() -> None:
    t = Builder().input("BTC price?", calls=[CONFIG, STATUS], state={"outcome": "no_auth_needed"}).t
    assert INVARIANTS["market_no_okx_call"](t)


def test_cancel_ends_flow() -> None:
    good = (
        Builder()
        .input("log in", interrupt=menu_question())
        .resume("取消", state={"outcome": "cancelled"})
        .t
    )
    assert INVARIANTS["cancel_ends_flow"](good) == []
    bad = (
        Builder()
        .input("log in", interrupt=menu_question())
        .resume("cancel", calls=[login("eea")], interrupt=challenge())
        .t
    )
    assert len(INVARIANTS["cancel_ends_flow"](bad)) == 2


@pytest.mark.parametrize("name", sorted(INVARIANTS))
def test_evaluator_adapter(name: str) -> None:
    evaluator = as_evaluator(name)
    ok = evaluator(outputs=happy_login().t.to_dict())
    assert ok == {"key": name, "score": True, "comment": "ok"}
    assert evaluator(outputs={"trajectory": happy_login().t})["score"] is True


def test_evaluator_reports_violation_and_reads_runs() -> None:
    bad = (
        Builder().input("log in", calls=[CONFIG, STATUS, login("global")], interrupt=challenge()).t
    )

    class Run:
        def __init__(self) -> None:
            self.outputs = {"trajectory": bad.to_dict()}

    result = as_evaluator("no_silent_global")(Run())
    assert result["score"] is False
    assert "global" in result["comment"]
    assert {e.__name__ for e in evaluators()} == set(INVARIANTS)


def test_trajectory_round_trips() -> None:
    t = happy_login().t
    assert Trajectory.from_dict(t.to_dict()) == t
    assert names(Trajectory.from_dict(t.to_dict())) == set()


def test_no_login_with_api_key_judges_what_the_graph_saw() -> None:
    stale = (
        Builder()
        .input("log in", interrupt=menu_question())
        .resume("2", calls=[login("eea"), CONFIG], world_before=world(api_key_profiles=["demo"]))
        .t
    )
    assert INVARIANTS["no_login_with_api_key"](stale) == []
    removed = (
        Builder()
        .input("balance", interrupt=waiting(), world_before=world(api_key_profiles=["demo"]))
        .resume("done", calls=[CONFIG], interrupt=menu_question())
        .resume("2", calls=[login("eea")], interrupt=challenge())
        .t
    )
    assert INVARIANTS["no_login_with_api_key"](removed) == []


def test_no_login_while_pending_after_code_lapsed_unseen() -> None:
    t = (
        Builder()
        .input("log in", interrupt=waiting(), world_before=world("pending"))
        .resume("2", calls=[login("eea")], interrupt=challenge(), world_before=world())
        .t
    )
    assert len(INVARIANTS["no_login_while_pending"](t)) == 1


def test_templates_language_override() -> None:
    t = copy.deepcopy(happy_login(language="en").t)
    t.language = "zh"
    assert "shown after zh messages" in INVARIANTS["templates_verbatim"](t)[0]["detail"]


def test_templates_challenge_required_only_on_first_wait_of_a_code() -> None:
    again = challenge()
    again["payload"]["message"] = "Not done yet, tell me when you are done."
    t = (
        Builder()
        .input("登录", interrupt=menu_question())
        .resume("2", calls=[login("eea")], interrupt=challenge())
        .resume("what?", interrupt=again)
        .t
    )
    assert INVARIANTS["templates_verbatim"](t) == []
    first_without = (
        Builder()
        .input("登录", interrupt=menu_question())
        .resume("2", calls=[login("eea")], interrupt=again)
        .t
    )
    assert "no verbatim challenge" in INVARIANTS["templates_verbatim"](first_without)[0]["detail"]


def test_no_login_while_pending_ignores_a_world_the_graph_could_not_see() -> None:
    t = (
        Builder()
        .input("log in", interrupt=menu_question(), world_before=world("pending"))
        .resume("2", calls=[login("eea")], interrupt=challenge(), world_before=world("pending"))
        .t
    )
    assert INVARIANTS["no_login_while_pending"](t)
    t.calls[1]["exit_code"] = 1
    assert INVARIANTS["no_login_while_pending"](t) == []


def test_questions_shown() -> None:
    assert INVARIANTS["questions_shown"](happy_login().t) == []
    t = copy.deepcopy(happy_login().t)
    t.messages = [m for m in t.messages if "验证码" not in m["content"]]
    detail = INVARIANTS["questions_shown"](t)[0]["detail"]
    assert "'await_authorization' question" in detail


def test_altered_challenge_detected_by_any_marker() -> None:
    q = challenge()
    q["payload"]["message"] = q["payload"]["message"].replace("请在浏览器中打开", "请打开")
    t = (
        Builder()
        .input("登录", interrupt=menu_question())
        .resume("2", calls=[login("eea")], interrupt=q)
        .t
    )
    assert any("not verbatim" in v["detail"] for v in INVARIANTS["templates_verbatim"](t))


def test_evaluators_work_with_langsmith_run_evaluator() -> None:
    import datetime
    import uuid

    from langsmith.evaluation import run_evaluator
    from langsmith.schemas import Run

    def run_with(t: Trajectory) -> Run:
        return Run(
            id=uuid.uuid4(),
            trace_id=uuid.uuid4(),
            name="okx_auth",
            run_type="chain",
            start_time=datetime.datetime.now(datetime.UTC),
            inputs={},
            outputs={"trajectory": t.to_dict()},
        )

    gate = cast(Any, as_evaluator("login_gate"))  # keyword evaluator; langsmith types positional
    ok = run_evaluator(gate).evaluate_run(run_with(happy_login().t), None)
    assert ok.key == "login_gate"
    assert ok.score is True
    bad = Builder().input("x", calls=[CONFIG, STATUS, login("global")], interrupt=challenge()).t
    failed = run_evaluator(gate).evaluate_run(run_with(bad), None)
    assert failed.score is False
    assert failed.comment is not None
    assert "new input" in failed.comment


def test_a_failed_login_leaves_nothing_pending() -> None:
    retried = (
        Builder()
        .input("log in", interrupt=menu_question())
        .resume(
            "2",
            calls=[
                login("eea"),
                ["auth", "install", "--json"],
                ["auth", "install-status", "--json"],
                STATUS,
                login("eea"),
            ],
            interrupt=challenge(),
        )
        .t
    )
    assert len(INVARIANTS["no_login_while_pending"](retried)) == 1
    retried.calls[2]["exit_code"] = 1
    assert INVARIANTS["no_login_while_pending"](retried) == []
    interactive = (
        Builder()
        .input("log in", interrupt=menu_question())
        .resume("2", calls=[["auth", "login", "--site", "eea"], ["auth", "login", "--site", "eea"]])
        .t
    )
    assert INVARIANTS["no_login_while_pending"](interactive) == []


def test_status_after_a_failed_login_is_not_a_poll() -> None:
    t = (
        Builder()
        .input("log in", interrupt=menu_question())
        .resume(
            "1",
            calls=[
                login("global"),
                ["auth", "install", "--json"],
                ["auth", "install-status", "--json"],
                STATUS,
            ],
            interrupt=waiting(),
        )
        .t
    )
    assert len(INVARIANTS["no_auto_poll"](t)) == 1
    t.calls[2]["exit_code"] = 1
    assert INVARIANTS["no_auto_poll"](t) == []


def clarify_question() -> InterruptRecord:
    return {
        "type": "clarify_request",
        "payload": {"type": "clarify_request", "message": "1. Log in …"},
    }


def test_preflight_first_a_clarifying_question_comes_before_any_okx_call() -> None:
    asked = Builder().input("hello", calls=[], interrupt=clarify_question()).t
    assert INVARIANTS["preflight_first"](asked) == []
    probed = Builder().input("hello", interrupt=clarify_question()).t
    assert "before asking" in INVARIANTS["preflight_first"](probed)[0]["detail"]


def test_preflight_first_the_answer_to_the_clarifying_question_starts_a_request() -> None:
    answered = (
        Builder()
        .input("hello", calls=[], interrupt=clarify_question())
        .resume("1", calls=[CONFIG, STATUS], interrupt=menu_question())
        .t
    )
    assert INVARIANTS["preflight_first"](answered) == []
    skipped = (
        Builder()
        .input("hello", calls=[], interrupt=clarify_question())
        .resume("1", calls=[STATUS], interrupt=menu_question())
        .t
    )
    assert INVARIANTS["preflight_first"](skipped)
    cancelled = (
        Builder()
        .input("hello", calls=[], interrupt=clarify_question())
        .resume("cancel", calls=[], state={"outcome": "cancelled"})
        .t
    )
    assert INVARIANTS["preflight_first"](cancelled) == []


def _with_user_texts(t: Trajectory, *texts: str) -> Trajectory:
    """``t`` with its user's messages (requests and replies, oldest first) rewritten."""
    t = copy.deepcopy(t)
    humans = [m for m in t.messages if m["role"] == "human"]
    assert len(humans) == len(texts)
    for message, text in zip(humans, texts, strict=True):
        message["content"] = text
    return t


def _language_violations(t: Trajectory) -> list[str]:
    """The templates shown in the wrong language (each once, wherever it was shown)."""
    details = [v["detail"] for v in INVARIANTS["templates_verbatim"](t)]
    return sorted({d.split(": ", 1)[1] for d in details if "shown after" in d})


def test_templates_follow_the_latest_reply_language() -> None:
    english = happy_login(language="en").t  # en challenge after the reply "2", en success
    assert _language_violations(_with_user_texts(english, "show my balance", "2", "done")) == []
    switched = _with_user_texts(english, "show my balance", "2", "我已经在浏览器里授权好了")
    assert _language_violations(switched) == ["login_success.en shown after zh messages"]
    # a message with no letters, or a tie, keeps the language before it
    for keeps in ("✅", "2", "", "ok 好", "okx BTC"):
        assert _language_violations(_with_user_texts(english, "show my balance", "2", keeps)) == []
        flipped = _with_user_texts(english, "帮我查一下余额", "2", keeps)
        assert _language_violations(flipped) == [
            "login_challenge.en shown after zh messages",
            "login_success.en shown after zh messages",
        ], keeps


def test_templates_language_a_chinese_name_stays_english() -> None:
    english = happy_login(language="en").t
    named = _with_user_texts(english, "Please log in to okx, I am 张伟", "2", "done")
    assert _language_violations(named) == []
    chinese = happy_login(language="zh").t
    named = _with_user_texts(chinese, "Please log in to okx, I am 张伟", "2", "好了")
    assert _language_violations(named) == [
        "login_challenge.zh shown after en messages",
        "login_success.zh shown after en messages",  # D22: "好了" (two units) keeps English
    ]
    mixed = _with_user_texts(english, "Please log in to okx, I am 张伟", "2", "好了")
    assert _language_violations(mixed) == []
    # the challenge follows the request; the success follows a longer Chinese reply
    mixed = _with_user_texts(english, "Please log in to okx, I am 张伟", "2", "我已经好了")
    assert _language_violations(mixed) == ["login_success.en shown after zh messages"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Please log in to okx, I am 张伟", "en"),
        ("okx登录", "zh"),
        ("我想申购简单赚币 Simple Earn", "zh"),
        ("帮我下单买入 BTC", "zh"),
        ("好了吗", "zh"),
        ("ＬＯＧ ＩＮ", "en"),
        ("2", None),
        ("✅", None),
        ("BTC", None),
        ("ok 好", None),
        ("", None),
    ],
)
def test_the_oracle_counts_letters_as_the_spec_says(text: str, language: str | None) -> None:
    assert deciding_language(text) == language


def test_the_neutral_names_are_the_specs_in_the_oracle_and_the_product() -> None:
    spec = (Path(__file__).resolve().parents[2] / "docs" / "spec.md").read_text(encoding="utf-8")
    decision = spec[spec.index("**Project decision D22") :]
    listed = re.search(r"except the ticker and product names `([^`]+)`", decision, re.S)
    assert listed is not None
    names = frozenset(listed.group(1).split())
    assert names == SPEC_NEUTRAL_WORDS
    assert names == LANGUAGE_NEUTRAL_WORDS


def question(kind: str, message: str) -> InterruptRecord:
    return {"type": kind, "payload": {"type": kind, "message": message}}


YES_NO = "Remove the okx-auth binary? (yes/no)"


@pytest.mark.parametrize(
    ("reply", "shown", "broken"),
    [
        ("eu", site_menu() + "\n\n" + render("site_menu_hint.en"), False),
        ("欧洲那个站", site_menu() + "\n\n" + render("site_menu_hint.zh"), False),
        ("eu", site_menu(), True),  # no hint
        ("欧洲那个站", site_menu() + "\n\n" + render("site_menu_hint.en"), True),  # wrong language
        ("eu", site_menu() + "\n\n" + render("site_menu_hint.en") * 2, True),  # twice
        (
            "eu",  # an earlier hint left in place, the new one under it
            "\n\n".join([site_menu(), render("site_menu_hint.zh"), render("site_menu_hint.en")]),
            True,
        ),
    ],
)
def test_reask_hint_on_the_menu(reply: str, shown: str, broken: bool) -> None:
    t = (
        Builder()
        .input("log me in", interrupt=menu_question())
        .resume(reply, interrupt=question("choose_site", shown))
        .t
    )
    assert bool(INVARIANTS["reask_hint"](t)) is broken


def test_reask_hint_on_a_yes_no_question_follows_the_reply_language() -> None:
    hinted = f"{YES_NO}\n\n{render('yes_no_hint.en')}"
    asked = Builder().input("remove okx-auth", interrupt=question("confirm_remove_binary", YES_NO))
    good = copy.deepcopy(asked).resume("maybe", interrupt=question("confirm_remove_binary", hinted))
    assert INVARIANTS["reask_hint"](good.t) == []
    bare = copy.deepcopy(asked).resume("maybe", interrupt=question("confirm_remove_binary", YES_NO))
    assert "does not end with the en hint" in INVARIANTS["reask_hint"](bare.t)[0]["detail"]
    chinese = copy.deepcopy(asked).resume(
        "这是什么意思", interrupt=question("confirm_remove_binary", hinted)
    )
    assert "zh hint" in INVARIANTS["reask_hint"](chinese.t)[0]["detail"]


def test_reask_hint_judges_only_a_question_asked_again_with_no_okx_call() -> None:
    other = (
        Builder().input("log me in", interrupt=menu_question()).resume("2", interrupt=challenge())
    )
    assert INVARIANTS["reask_hint"](other.t) == []  # answered: another question follows
    checked = (
        Builder()
        .input("check my balance", interrupt=question("await_profile_removal", "Remove it."))
        .resume("done", calls=[CONFIG], interrupt=question("await_profile_removal", "Still there."))
    )
    assert INVARIANTS["reask_hint"](checked.t) == []  # a signal re-read the config
