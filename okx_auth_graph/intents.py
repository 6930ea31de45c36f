"""What the user's request asks for, and in which language: deterministic keyword rules.

The rules place a request into one intent. Auth intents (log in, status, log out, binary
management, API-key set-up, session lifetime) are checked before the five skills, and a market
request is recognised last among the skills, so "place a market order" is a trade.
"""

from __future__ import annotations

import re
from typing import Final

from okx_auth_graph.state import Intent, Language, Route

ROUTES: Final = (
    "okx-cex-trade",
    "okx-cex-portfolio",
    "okx-cex-earn",
    "okx-cex-bot",
    "okx-cex-market",
)
NO_AUTH_ROUTES: Final = frozenset({"okx-cex-market"})

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.IGNORECASE)


_AUTH_RULES: Final[tuple[tuple[Intent, re.Pattern[str]], ...]] = (
    ("logout", _rx(r"\blog\s*-?\s*out\b", r"\bsign\s*-?\s*out\b", r"退出登录", r"登出", r"注销")),
    (
        "binary_remove",
        _rx(
            r"\b(remove|uninstall|delete)\b.*\bokx-auth\b",
            r"okx auth remove",
            r"(删除|卸载|移除).*(okx-auth|二进制)",
        ),
    ),
    (
        "binary_status",
        _rx(
            r"install-status",
            r"\bokx-auth\b.*\b(installed|status|version)\b",
            r"(okx-auth|二进制).*(状态|装了吗|是否安装)",
        ),
    ),
    (
        "binary_install",
        _rx(
            r"\b(install|update|reinstall|repair)\b.*\bokx-auth\b",
            r"okx auth install",
            r"failed to spawn",
            r"(安装|更新|修复).*(okx-auth|二进制)",
        ),
    ),
    (
        "api_key_setup",
        _rx(
            r"\bapi[\s_-]*key\b.*\b(set\s*up|setup|configure|add|create|use)\b",
            r"\b(set\s*up|setup|configure|add|create|use)\b.*\bapi[\s_-]*key\b",
            r"config init",
            r"(配置|设置|添加|使用).*api\s*key",
            r"api\s*key.*(配置|设置)",
        ),
    ),
    (
        "session_lifetime",
        _rx(
            r"how long.*(session|login|logged)",
            r"(session|login).*(last|expire)",
            r"(会话|登录).*(多久|多长时间|有效期)",
        ),
    ),
    (
        "status",
        _rx(
            r"\b(auth|login|logged[\s-]*in|session)\s+status\b",
            r"\bam i logged in\b",
            r"\bwho am i\b",
            r"\bstatus\b.*\b(auth|login)\b",
            r"登录状态",
            r"是否登录",
            r"登录了吗",
            r"授权状态",
        ),
    ),
)

_SKILL_RULES: Final[tuple[tuple[Route, re.Pattern[str]], ...]] = (
    (
        "okx-cex-bot",
        _rx(r"\bgrid\b", r"\bdca\b", r"\bbots?\b", r"网格", r"定投", r"机器人", r"策略"),
    ),
    (
        "okx-cex-earn",
        _rx(
            r"\bearn\b",
            r"simple earn",
            r"on-?chain earn",
            r"\bdcd\b",
            r"autoearn",
            r"\bstak(e|ing)\b",
            r"理财",
            r"赚币",
            r"双币",
            r"申购",
            r"赎回",
            r"质押",
        ),
    ),
    (
        "okx-cex-trade",
        _rx(
            r"\border\b",
            r"\bbuy\b",
            r"\bsell\b",
            r"\blong\b",
            r"\bshort\b",
            r"\bamend\b",
            r"\btrade\b",
            r"下单",
            r"买入",
            r"卖出",
            r"撤单",
            r"改单",
            r"挂单",
            r"开仓",
            r"平仓",
            r"\b买\b",
            r"\b卖\b",
            r"市价单",
            r"限价单",
        ),
    ),
    (
        "okx-cex-portfolio",
        _rx(
            r"\bbalances?\b",
            r"\bpositions?\b",
            r"\bp&l\b",
            r"\bpnl\b",
            r"\bprofit\b",
            r"\bportfolio\b",
            r"\bassets?\b",
            r"\bholdings?\b",
            r"\baccount\b",
            r"余额",
            r"持仓",
            r"盈亏",
            r"资产",
            r"账户",
            r"收益",
        ),
    ),
    (
        "okx-cex-market",
        _rx(
            r"\bprices?\b",
            r"\btickers?\b",
            r"\bcandles?\b",
            r"\bcandlesticks?\b",
            r"\bk-?lines?\b",
            r"\bindicators?\b",
            r"\brsi\b",
            r"\bmacd\b",
            r"\bbollinger\b",
            r"\bmarket data\b",
            r"\bmarkets?\b",
            r"\bfunding rate\b",
            r"\border ?book\b",
            r"\bquote\b",
            r"行情",
            r"价格",
            r"报价",
            r"k线",
            r"指标",
            r"多少钱",
            r"涨跌",
            r"资金费率",
            r"深度",
        ),
    ),
)

_LOGIN = _rx(
    r"\blog\s*-?\s*in\b",
    r"\bsign\s*-?\s*in\b",
    r"\bauth",
    r"\boauth\b",
    r"登录",
    r"授权",
    r"登陆",
    r"认证",
)


def detect_language(text: str) -> Language:
    """Chinese when the text contains Chinese characters, else English."""
    return "zh" if _CJK.search(text) else "en"


def classify_request(text: str) -> tuple[Intent, Route | None] | None:
    """Place a request into an intent and, for skill requests, a route.

    Returns:
        ``(intent, route)``, or ``None`` when no rule places the request.
    """
    for intent, pattern in _AUTH_RULES:
        if pattern.search(text):
            return intent, None
    if _rx(r"order ?book").search(text) and not _rx(r"\b(place|cancel|amend)\b").search(text):
        return "skill", "okx-cex-market"
    for route, pattern in _SKILL_RULES:
        if pattern.search(text):
            return "skill", route
    if _LOGIN.search(text):
        return "login", None
    return None


_OTHER_SITE = _rx(
    r"\b(?:us|eea|global)\s+site\b",
    r"\b(?:other|another|different)\s+site\b",
    r"\b(?:switch|change)\s+(?:the\s+|my\s+)?site\b",
    r"\bsite\s+(?:instead|to\s+(?:us|eea|global))\b",
    r"(?:切换|更换|换).{0,4}站",
    r"(?:其他|别的|另一个)站点",
    r"(?:美国|欧洲|全球|us|eea|global)\s*站",
)
_START_OVER = _rx(
    r"\bstart\s+(?:over|again|afresh)\b",
    r"\brestart\s+(?:the\s+)?login\b",
    r"\b(?:new|another|fresh)\s+code\b",
    r"重新开始",
    r"(?:新的|新)验证码",
    r"重新获取验证码",
)


def asks_for_other_site(text: str) -> bool:
    """Whether a request or reply explicitly asks to use another site ("use the US site")."""
    return bool(_OTHER_SITE.search(text))


def asks_to_start_over(text: str) -> bool:
    """Whether a request or reply explicitly asks to start the login over ("start over")."""
    return bool(_START_OVER.search(text))
