"""The rules that read user replies and requests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okx_auth_graph.intents import classify_request, detect_language
from okx_auth_graph.replies import (
    classify_completion_signal,
    is_cancel,
    normalize_reply,
    parse_option,
    parse_site_choice,
    parse_yes_no,
)


@pytest.mark.parametrize(
    ("reply", "site"),
    [
        ("1", "global"),
        ("2", "eea"),
        ("3", "us"),
        ("１", "global"),
        ("３", "us"),
        ("Global", "global"),
        ("EEA", "eea"),
        (" us ", "us"),
        ("2.", "eea"),
        ("「eea」", "eea"),
        ("ＵＳ", "us"),
        ("2。", "eea"),
        ("(1)", "global"),
    ],
)
def test_site_choices(reply, site):
    assert parse_site_choice(reply) == site


@pytest.mark.parametrize(
    "reply", ["", "0", "4", "12", "europe", "us please", "1 2", "global site", "二"]
)
def test_not_site_choices(reply):
    assert parse_site_choice(reply) is None


@given(st.text(max_size=40))
def test_a_site_choice_is_always_one_of_six_tokens(text):
    site = parse_site_choice(text)
    if site is not None:
        assert normalize_reply(text) in {"1", "2", "3", "global", "eea", "us"}


@pytest.mark.parametrize(
    "reply", ["done", "Done!", "ok", "OK", "好了", "完成了", "I'm done", "authorized it"]
)
def test_completion_signals(reply):
    assert classify_completion_signal(reply) == "signal"


@pytest.mark.parametrize("reply", ["not yet", "还没好", "is it done?", "I haven't finished", ""])
def test_not_completion_signals(reply):
    assert classify_completion_signal(reply) == "not_signal"


def test_unclear_replies_are_unclear():
    assert classify_completion_signal("what does the code mean") == "unclear"


@pytest.mark.parametrize(
    ("reply", "answer"),
    [("yes", True), ("Y", True), ("重试", True), ("no", False), ("不", False), ("maybe", None)],
)
def test_yes_no(reply, answer):
    assert parse_yes_no(reply) is answer


def test_cancel_words():
    assert is_cancel("Cancel")
    assert is_cancel(" 取消。")
    assert not is_cancel("cancel my order")


def test_options():
    assert parse_option("2", 2) == 2
    assert parse_option("option 1", 2) == 1
    assert parse_option("3", 2) is None
    assert parse_option("two", 2) is None


@pytest.mark.parametrize(
    ("request_text", "placed"),
    [
        ("place a market order for BTC", ("skill", "okx-cex-trade")),
        ("BTC price", ("skill", "okx-cex-market")),
        ("show me the ETH candles", ("skill", "okx-cex-market")),
        ("我的持仓和盈亏", ("skill", "okx-cex-portfolio")),
        ("帮我开一个网格机器人", ("skill", "okx-cex-bot")),
        ("set up a DCA bot", ("skill", "okx-cex-bot")),
        ("subscribe to Simple Earn", ("skill", "okx-cex-earn")),
        ("双币赢 DCD", ("skill", "okx-cex-earn")),
        ("log out", ("logout", None)),
        ("退出登录", ("logout", None)),
        ("am I logged in", ("status", None)),
        ("install okx-auth", ("binary_install", None)),
        ("remove okx-auth", ("binary_remove", None)),
        ("configure an API key", ("api_key_setup", None)),
        ("log in", ("login", None)),
        ("登录 OKX", ("login", None)),
        ("how long does the session last", ("session_lifetime", None)),
    ],
)
def test_request_routing(request_text, placed):
    assert classify_request(request_text) == placed


def test_unplaceable_request():
    assert classify_request("hello there") is None


def test_language_detection():
    assert detect_language("查余额") == "zh"
    assert detect_language("check balance") == "en"
