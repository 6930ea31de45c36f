"""Property test: generated conversations with the graph break no rule of the spec.

Each example is a fresh emulator world (auth state, config, binary, CDN, network, CLI version)
and a bounded conversation: a first request (maybe with an upstream claim or a failed
command), then replies, completion signals, browser events, clock jumps, config edits and new
requests in random order. Every invariant must hold on the finished trajectory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okx_auth_graph.evals.runner import InProcessRunner
from okx_auth_graph.evals.scenario import parse_scenario

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
REPLIES = [
    "1",
    "2",
    "3",
    "global",
    "EEA",
    " us ",
    "２",
    "3。",
    "4",
    "europe",
    "done",
    "ok",
    "好了",
    "完成了",
    "Done!",
    "not yet",
    "what is this?",
    "还没好",
    "yes",
    "no",
    "是",
    "不要",
    "cancel",
    "取消",
    "",
    "eea please",
]
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
        "binary": st.sampled_from(["installed"] * 6 + ["missing", "corrupt"]),
        "install": st.sampled_from(["ok"] * 4 + ["cdn_failed"]),
        "network": st.sampled_from(["up"] * 6 + ["down"]),
    },
    optional={"version": st.just("1.2.4")},
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
def invocations(draw: st.DrawFn, language: str) -> dict[str, Any]:
    invocation: dict[str, Any] = {"request": draw(st.sampled_from(REQUESTS[language]))}
    upstream = draw(upstreams)
    if upstream is not None:
        invocation["upstream_status"] = upstream
    if draw(st.integers(0, 4)) == 0:
        error, argv = draw(st.sampled_from(FAILED_COMMANDS))
        invocation["failed_command"] = {"argv": argv, "error": error}
    return invocation


@st.composite
def events(draw: st.DrawFn, language: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["user"] * 8 + ["browser"] * 3 + ["clock", "invoke", "world"]))
    if kind == "user":
        reply = draw(st.one_of(st.sampled_from(REPLIES), st.text(max_size=12)))
        return {"user": reply}
    if kind == "browser":
        action = draw(st.sampled_from(["approve", "approve", "deny", "expire", "none"]))
        if action == "approve" and draw(st.booleans()):
            return {"browser": {"action": "approve", "scopes": ["live:read"]}}
        return {"browser": action}
    if kind == "clock":
        return {"clock": draw(st.sampled_from([30, 300, 599, 601, 3601, 2592001]))}
    if kind == "invoke":
        return {"invoke": draw(invocations(language))}
    config = draw(configs)
    return {"world": {"config": config}}


@st.composite
def conversations(draw: st.DrawFn) -> dict[str, Any]:
    language = draw(st.sampled_from(["zh", "en"]))
    return {
        "id": "generated",
        "okx": draw(worlds),
        "input": draw(invocations(language)),
        "steps": draw(st.lists(events(language), max_size=8)),
    }


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.Runner]:
    with asyncio.Runner() as runner:
        yield runner


@pytest.fixture(scope="module")
def runner() -> InProcessRunner:
    return InProcessRunner(latency=0.0)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
@given(conversation=conversations())
def test_generated_conversations_break_no_rule(
    conversation: dict[str, Any], runner: InProcessRunner, loop: asyncio.Runner
) -> None:
    scenario = parse_scenario(conversation, "generated")
    result = loop.run(runner.run(scenario, lenient=True, capture_logs=False))
    assert result.failures == []
    assert result.violations == [], [e["text"] for e in result.trajectory.entries]
