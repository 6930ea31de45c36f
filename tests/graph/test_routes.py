"""Each skill's requests reach that skill: a hand-written table of requests and routes.

The world has an API-key profile, so every non-market request ends at once with the API-key
sentence and hands off to its route; a market request hands off with no okx call.
"""

from __future__ import annotations

import pytest

ROUTES = {
    "show my balance": "okx-cex-portfolio",
    "what are my open positions?": "okx-cex-portfolio",
    "看看我的持仓": "okx-cex-portfolio",
    "帮我查一下账户余额": "okx-cex-portfolio",
    "buy 0.1 BTC": "okx-cex-trade",
    "place a limit order to sell ETH": "okx-cex-trade",
    "帮我下单买入 BTC": "okx-cex-trade",
    "start a grid bot on BTC-USDT": "okx-cex-bot",
    "开一个网格机器人": "okx-cex-bot",
    "subscribe to simple earn for USDT": "okx-cex-earn",
    "我想申购理财": "okx-cex-earn",
    "what is the BTC price?": "okx-cex-market",
    "BTC 现在价格多少": "okx-cex-market",
}
API_KEY_CONFIG = {
    "default_profile": "demo",
    "profiles": {"demo": {"api_key": "AK-route-1234", "secret_key": "SK-route-1234", "site": "us"}},
}


@pytest.mark.parametrize(("request_text", "route"), list(ROUTES.items()))
async def test_each_request_reaches_its_skill(converse, emulator, request_text, route):
    emulator.init_world(config=API_KEY_CONFIG)
    turn = await converse().start(request_text)
    assert turn.interrupt is None
    assert turn.state["route"] == route
    market = route == "okx-cex-market"
    assert turn.state["outcome"] == ("no_auth_needed" if market else "api_key_configured")
    assert len(emulator.calls()) == (0 if market else 2)


@pytest.mark.parametrize(
    "request_text",
    [
        "log me in and show the BTC price",
        "sign in, then what is the ETH price?",
        "登录然后看看 BTC 价格",
    ],
)
async def test_a_login_with_a_market_request_logs_in_first(converse, emulator, request_text):
    # A market request alone needs no login (D1); asked together with one, the login comes first.
    chat = converse()
    turn = await chat.start(request_text)
    assert turn.kind == "choose_site"
    assert sorted(chat.argvs()) == sorted(
        [["config", "show", "--json"], ["auth", "status", "--json"]]
    )
    assert turn.state.get("outcome") is None
    await chat.reply("2")
    emulator.approve()
    done = await chat.reply("done")
    assert done.state["outcome"] == "logged_in"
    assert done.state["route"] == "okx-cex-market"
