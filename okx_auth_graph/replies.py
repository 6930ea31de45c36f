"""Rules that read the user's replies: site choices, cancel, completion signals, yes/no, options.

Every rule works on normalised text: Unicode NFKC (full-width digits and letters become ASCII),
case folded, surrounding white space and punctuation removed. These rules decide every gate;
an optional chat model may only help with completion signals the rules cannot place.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from okx_auth_graph.sites import MENU_NUMBERS, SITE_IDS

_EDGE_PUNCTUATION = " \t\r\n\"'`.,;:!?()[]{}<>«»“”‘’。，、；：！？（）【】《》「」『』…-_~*#"
CANCEL_WORDS = frozenset({"cancel", "取消", "stop", "abort", "quit", "exit", "退出"})
_SIGNAL_WORDS = frozenset(
    {
        "done",
        "ok",
        "okay",
        "k",
        "yes",
        "y",
        "ready",
        "finished",
        "complete",
        "completed",
        "authorized",
        "authorised",
        "approved",
        "logged in",
        "all done",
        "it's done",
        "im done",
        "i'm done",
        "i am done",
        "done now",
        "好",
        "好了",
        "好的",
        "完成",
        "完成了",
        "已完成",
        "搞定",
        "搞定了",
        "授权了",
        "已授权",
        "授权好了",
        "可以了",
        "行了",
        "ok了",
        "好啦",
        "登录了",
        "登好了",
        "弄好了",
        "done!",
        "嗯",
        "是的",
    }
)
_SIGNAL_PATTERN = re.compile(
    r"\b(done|finished|completed|authori[sz]ed|approved|logged in)\b|完成|授权好|搞定|好了|授权了"
)
_NEGATION_PATTERN = re.compile(
    r"\b(not|no|n't|never|yet to|haven't|havent|didn't|didnt|can't|cannot|failed)\b|还没|没有|未|不"
)
_YES_WORDS = frozenset(
    {
        "yes",
        "y",
        "yeah",
        "yep",
        "sure",
        "ok",
        "okay",
        "retry",
        "again",
        "try again",
        "please",
        "是",
        "是的",
        "好",
        "好的",
        "重试",
        "再试",
        "再试一次",
        "确认",
        "确定",
        "可以",
        "行",
        "要",
    }
)
_NO_WORDS = frozenset(
    {
        "no",
        "n",
        "nope",
        "don't",
        "dont",
        "no thanks",
        "not now",
        "否",
        "不",
        "不要",
        "不用",
        "算了",
        "不了",
        "先不",
    }
)

Signal = Literal["signal", "not_signal", "unclear"]


def normalize_reply(text: str) -> str:
    """NFKC-normalise, case-fold and strip surrounding white space and punctuation."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = "".join(ch for ch in folded if ch.isprintable() or ch in " \t\n")
    return folded.strip(_EDGE_PUNCTUATION)


def parse_site_choice(text: str) -> str | None:
    """Map a reply to the site menu onto a site id (``1``/``2``/``3`` or a site id), else None."""
    reply = normalize_reply(text)
    if reply in MENU_NUMBERS:
        return MENU_NUMBERS[reply]
    if reply in SITE_IDS:
        return reply
    return None


def is_cancel(text: str) -> bool:
    """Whether a reply asks to cancel the flow ("cancel", "取消", …)."""
    return normalize_reply(text) in CANCEL_WORDS


def classify_completion_signal(text: str) -> Signal:
    """Whether a reply says the browser authorisation is done.

    Returns:
        ``signal`` for "done", "ok", "好了", "完成了" and the like; ``not_signal`` for replies that
        say it is not done or that are questions; ``unclear`` for anything else.
    """
    reply = normalize_reply(text)
    if not reply:
        return "not_signal"
    if reply in _SIGNAL_WORDS:
        return "signal"
    if len(reply) > 200:
        return "not_signal"
    if _NEGATION_PATTERN.search(reply) or text.strip().endswith(("?", "？")):
        return "not_signal"
    if _SIGNAL_PATTERN.search(reply):
        return "signal"
    return "unclear"


def parse_yes_no(text: str) -> bool | None:
    """``True`` for yes, ``False`` for no, ``None`` when the reply is neither."""
    reply = normalize_reply(text)
    if reply in _YES_WORDS:
        return True
    if reply in _NO_WORDS:
        return False
    return None


def parse_option(text: str, count: int) -> int | None:
    """The option number ``1``…``count`` a reply picks, else None."""
    reply = normalize_reply(text)
    reply = re.sub(r"^(option|选项|选)\s*", "", reply)
    if reply.isdigit() and 1 <= int(reply) <= count:
        return int(reply)
    return None
