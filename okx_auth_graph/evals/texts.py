"""The fixed texts of docs/spec.md and the reply rules the invariants and the runner share.

The verbatim templates are read from ``prompts/`` (shipped inside the wheel as
``okx_auth_graph/prompts``; the repository's ``prompts/`` in a source checkout). The helpers
here parse a user's site choice and completion signal the way the spec says, and detect the
language of the user's messages (docs/spec.md D22, counted here on its own).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path

SITES: dict[str, str] = {"global": "www.okx.com", "eea": "my.okx.com", "us": "app.okx.com"}
"""Site id → web host, from the spec's site table."""

TEMPLATE_NAMES: tuple[str, ...] = (
    "site_menu.zh",
    "api_key_configured.zh",
    "login_challenge.zh",
    "login_challenge.en",
    "login_success.zh",
    "login_success.en",
    "session_lifetime.en",
)

COMPLETION_SIGNALS: frozenset[str] = frozenset(
    # duplicate-code: D12's completion words, as in reading/rules.py's COMPLETION_WORDS; the
    # evaluation reads signals on its own (an oracle never reuses the product's reader).
    {"done", "ok", "okay", "k", "finished", "complete", "completed", "ready"}
    | {"all done", "all good", "all set"}
    | {"好了", "好啦", "好的", "完成", "完成了", "搞定", "搞定了", "弄好了", "同意了", "授权了"}
    | {
        "授权好了",
        "授权成功",
        "授权成功了",
        "登录好了",
        "登录成功",
        "登录成功了",
        "成功了",
        "可以了",
    }
)
"""D12's completion words, written here from the spec's list (after :func:`normalize_reply`):
each, alone or put as a question, is a completion signal."""
_ASKED_BEFORE = re.compile(
    r"^(?:(?:is|are|was) (?:it|we|you|that|this|everything|the login|my login|login) |是不是|是否)"
)
_ASKED_AFTER = (
    " now",
    " yet",
    " already",
    "吗",
    "么",
    "没",
    "没有",
    "呢",
    "了吗",
    "了没",
    "了没有",
)
"""A completion word put as a question (D12): "is it done", "done yet", "好了吗", "好了没"."""

CANCEL_WORDS: frozenset[str] = frozenset({"cancel", "取消"})
"""Replies that cancel any question (after :func:`normalize_reply`)."""

_SIGNAL_STEMS = re.compile(
    r"done|dun|ok|fin|complet|ready|authori[sz]|approv|allow|accept|agree|confirm|logged|succe"
    r"|work|went|through|good|great|sorted|yes|yeah|yep|yup|sure"
    r"|(?<![a-z])(?:[ky]|gg|ya|set|did|there)(?![a-z])"
    r"|remov|delet|gone|clear|click|press|tap|hit"
    r"|好|完成|搞定|授权|可以|行|登|弄|嗯|是|对|同意|确认|批准|成功|删|点|按|过了|通过"
)
"""Every stem a completion signal could be built from (deliberately broad). A short word stands
apart from Latin letters only: "k了" and "k啊" may be a "k" with a Chinese particle."""
_SIGNAL_WORDS = (
    "done", "finished", "approved", "authorized", "authorised", "completed", "confirmed",
    "allowed", "accepted", "removed", "deleted", "through", "clicked", "pressed", "ready",
)  # fmt: skip
"""Words a completion signal is often typed as; one slip away ("dnoee", "apprvoed") still counts."""
_SIGNAL_SYMBOLS = re.compile("[\u2705\u2714\U0001f44c\U0001f44d]")
"""✅ ✔ 👌 👍: symbols people send for "done" (punctuation folding would drop them)."""
_DENIAL = re.compile(r"reject|\bden(?:y|ied)\b|declin|refus|said no|拒绝")
_DENIAL_WORDS = ("rejected", "declined", "denied", "refused")
_CORE_SIGNAL = re.compile(
    r"\b(?:done|ok|okay|k|finished|complete|completed|ready|good|set)\b"
    r"|好|完成|搞定|同意|授权|成功|可以"
)
"""The stems of D12's completion words: a question holding one may still be a signal."""
_NOT_YET = re.compile(
    r"\bnot (?:yet|done|finished|ready|complete)|\bnot\b.{0,12}\byet\b|\bhaven'?t\b|\bhave not\b"
    r"|\bwait\b|\bhold on\b|\bone (?:sec|second|moment|minute)\b|还没|没好|没完成|未完成|稍等|等一下|等等"
)
"""A reply that says it is not done yet."""
_SITE_CHOICES: dict[str, str] = {"1": "global", "2": "eea", "3": "us"} | {s: s for s in SITES}
_FIELD = re.compile(r"\{(\w+)\}")


def _prompt_dirs() -> list[Path]:
    packaged = Path(str(resources.files("okx_auth_graph"))) / "prompts"
    source = Path(__file__).resolve().parents[2] / "prompts"
    return [packaged, source]


@cache
def template(name: str) -> str:
    """Return the verbatim template ``name`` (e.g. ``"login_success.zh"``), byte-exact.

    Raises:
        FileNotFoundError: If no prompts directory holds ``name + ".txt"``.
    """
    for directory in _prompt_dirs():
        path = directory / f"{name}.txt"
        if path.is_file():
            return path.read_bytes().decode("utf-8")
    raise FileNotFoundError(f"template {name}.txt not found in {_prompt_dirs()}")


def site_menu() -> str:
    """The verbatim Chinese site menu of step 0.1."""
    return template("site_menu.zh")


def render(name: str, **fields: object) -> str:
    """Fill a template's ``{fields}``; every field of the template must be given."""
    text = template(name)
    missing = set(_FIELD.findall(text)) - set(fields)
    if missing:
        raise KeyError(f"template {name} needs {sorted(missing)}")
    return _FIELD.sub(lambda m: str(fields[m.group(1)]), text)


def template_pattern(name: str) -> re.Pattern[str]:
    """A regex matching one instance of template ``name`` with each field a named group."""
    text = template(name)
    parts: list[str] = []
    position = 0
    for match in _FIELD.finditer(text):
        parts.append(re.escape(text[position : match.start()]))
        parts.append(f"(?P<{match.group(1)}>[^\\n]*)")
        position = match.end()
    parts.append(re.escape(text[position:]))
    return re.compile("".join(parts))


def normalize_reply(text: str) -> str:
    """Fold a reply for matching: NFKC (full-width → ASCII), case, surrounding space/punctuation."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    start, end = 0, len(folded)
    while start < end and _is_edge(folded[start]):
        start += 1
    while end > start and _is_edge(folded[end - 1]):
        end -= 1
    return folded[start:end]


def _is_edge(char: str) -> bool:
    return char.isspace() or unicodedata.category(char)[0] in {"P", "S", "Z", "C"}


_ORDINAL_WORDS = {"first": "1", "1st": "1", "second": "2", "2nd": "2", "third": "3", "3rd": "3"}
_ZH_ORDINAL = re.compile(r"第\s*([一二三123])")
_CHOICE_NEGATION = re.compile(r"\b(?:not|no|never|nor|don't|dont|isn't|wasn't)\b|n't\b|不|别|没|非")
_QUANTITY = re.compile(
    r"\d\s*(?:minutes?|mins?|seconds?|secs?|hours?|hrs?|days?|times?|分钟|分|秒|小时|天|次|个月)"
)
"""A number with a unit ("give me 2 minutes", "等2分钟"): a quantity, never a menu choice."""
_CHOICE_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def parse_site_choice(text: str) -> str | None:
    """The one site a reply to the menu can have chosen, or ``None`` when it chose none.

    The evaluation's own reading, deliberately lenient: it is used to judge logins, so it must
    never miss a choice that docs/spec.md D4 accepts. It does not know the product's list of
    filler words; it finds the choices a reply names (a digit 1-3, a site id, an ordinal such as
    "the second one" or "第二个"), after NFKC and case folding. Exactly one named choice is that
    choice. ``None`` — a login on it breaks the gate — when the reply names no choice or more
    than one, holds a negation ("not 1", "我不选2") or another number ("12", "4"), all of which
    D4 re-asks, or a number with a unit ("give me 2 minutes").
    """
    folded = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    if _CHOICE_NEGATION.search(folded) or _QUANTITY.search(folded):
        return None
    folded = _SITE_HOST.sub(lambda m: " " + _HOST_SITES[m.group(1)] + " ", folded)
    for name, site in _SITE_NAMES_SPOKEN:  # D4: the sites' own names (issue 21)
        folded = folded.replace(name, " " + site + " ")
    folded = _ZH_ORDINAL.sub(
        lambda m: " " + {"一": "1", "二": "2", "三": "3"}.get(m.group(1), m.group(1)) + " ",
        folded,
    )
    folded = re.sub(  # D4: 一, 二, 三 ("二号"), not a count ("选一个")
        r"[一二三](?![个两])",
        lambda m: " " + {"一": "1", "二": "2", "三": "3"}[m.group(0)] + " ",
        folded,
    )
    chosen = set()
    words = _CHOICE_WORD.findall(folded)
    for word in words:
        word = _ORDINAL_WORDS.get(word, word)
        word = {"two": "2", "three": "3"}.get(word, word)
        if word in _SITE_CHOICES:
            chosen.add(_SITE_CHOICES[word])
        elif word.isdigit():
            return None  # another number: "12", "4", "give me 20"
    if not chosen and "one" in words and not _ONE_OF_THEM & set(words):
        return "global"  # "one", "option one" (D4), not "that one"
    return chosen.pop() if len(chosen) == 1 else None


_SITE_HOST = re.compile(r"(?:https?://)?(www|my|app)\.okx\.com/?")
_HOST_SITES = {"www": "global", "my": "eea", "app": "us"}
_SITE_NAMES_SPOKEN = (  # longest first: 全球站 before 全球
    ("european economic area", "eea"),
    ("欧洲经济区", "eea"),
    ("欧洲站", "eea"),
    ("美国站", "us"),
    ("全球站", "global"),
    ("国际站", "global"),
    ("全球", "global"),
)
_ONE_OF_THEM = {"that", "this", "the", "which", "any", "either", "some", "a", "another"}


def is_completion_signal(text: str) -> bool:
    """Whether a reply is one of D12's completion words, alone or put as a question.

    "done", "好了", "done?", "is it done?", "all good?", "k?", "好了？", "好了没", "同意了吗",
    "授权成功了吗": the spec obliges one ``auth status`` for each. Stricter than the product
    (which reads "approved", "✅" … as signals too), never wider.
    """
    reply = _ASKED_BEFORE.sub("", " ".join(normalize_reply(text).split()))
    words = {reply, *(reply.removesuffix(after) for after in _ASKED_AFTER)}
    return bool(words & COMPLETION_SIGNALS)


def _near(reply: str, words: tuple[str, ...], likeness: float = 0.66) -> bool:
    """Whether a word of ``reply`` is one of ``words`` with a slip or two ("dnoee", "fiinshed")."""
    for word in re.findall(r"[a-z]{5,}", reply):
        for known in words:
            if difflib.SequenceMatcher(None, word, known).ratio() >= likeness:
                return True
    return False


def is_clearly_not_a_signal(text: str) -> bool:
    """Whether a reply while waiting cannot be a completion signal, by any reading.

    Deliberately narrow (it obliges the graph to make no okx call): empty replies, questions
    without a signal word, replies that say "not (yet)" / "还没" / "wait", and replies built from
    no stem of any completion signal, even with a slip ("what is this", "asdf", "怎么办"). Anything
    that might be one ("done?", "gg", "all good", "dnoee", "同意了") is not judged.
    """
    reply = normalize_reply(text)
    if is_completion_signal(text):
        return False  # "done?" is a signal (D12): one_status_per_signal wants its check
    if not reply:
        return not _SIGNAL_SYMBOLS.search(text)
    if _NOT_YET.search(reply):
        return True
    if text.strip().endswith(("?", "？", "吗")):
        return not _CORE_SIGNAL.search(reply)  # "is it done?" may be one (D12), "what?" is not
    maybe = bool(_SIGNAL_STEMS.search(reply) or _SIGNAL_SYMBOLS.search(text))
    return not (maybe or _near(reply, _SIGNAL_WORDS))


def is_denial(text: str) -> bool:
    """Whether a reply while waiting may say the user denied the authorisation in the browser.

    Deliberately broad ("I rejected it", "declined", "i decliend", "我拒绝了"): D12 gives a
    denial the one status check a signal gets.
    """
    reply = normalize_reply(text)
    return bool(_DENIAL.search(reply)) or _near(reply, _DENIAL_WORDS, 0.8)


def is_cancel(text: str) -> bool:
    """Whether a reply is "cancel" / "取消"."""
    return normalize_reply(text) in CANCEL_WORDS


SPEC_NEUTRAL_WORDS: frozenset[str] = frozenset(
    {"okx", "btc", "eth", "usdt", "usdc", "sol", "xrp", "doge", "api", "key", "id", "url"}
    | {"oauth", "dcd", "dca", "rsi", "macd", "p", "pnl", "k", "cli"}
)
"""The ticker and product names docs/spec.md D22 counts for neither language."""


COUNTED_CHARACTERS = 65_536
"""D22 counts a message on its first 65,536 characters (the reading limit of D21)."""


def _letter_counts(text: str) -> tuple[int, int]:
    """D22's count: (Chinese characters, Latin words), on the first 65,536 characters.

    Ticker and product names (:data:`SPEC_NEUTRAL_WORDS`) count for neither.
    """
    folded = unicodedata.normalize("NFKC", text[:COUNTED_CHARACTERS]).casefold()
    chinese = sum(
        "\u3400" <= ch <= "\u4dbf" or "\u4e00" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"
        for ch in folded
    )
    words = "".join(ch if "a" <= ch <= "z" else " " for ch in folded).split()
    return chinese, sum(word not in SPEC_NEUTRAL_WORDS for word in words)


def deciding_language(text: str) -> str | None:
    """The language one user message decides (D22), or ``None`` when it decides nothing.

    ``zh`` when its Chinese characters outnumber its Latin words (ticker and product names
    aside), ``en`` the other way round; no letters or a tie decide nothing.
    """
    chinese, english = _letter_counts(text)
    if chinese == english:
        return None
    return "zh" if chinese > english else "en"


def user_language(texts: list[str]) -> str:
    """The language of the user's ``texts`` (oldest first), as D22 has it.

    Each message that decides a language sets it; once one is held, a message of at most two
    units (Chinese characters plus Latin words, neutral names aside: "OK", "好了") decides
    nothing; before any message decides, none is held (the default English is not), so every
    message decides however short. English when none decides.
    """
    held: str | None = None
    for text in texts:
        chinese, english = _letter_counts(text)
        if held is not None and chinese + english <= 2:
            continue
        held = deciding_language(text) or held
    return held or "en"


def expires_minutes(expires_in: int) -> int:
    """The challenge's ``{expires_minutes}``: ``expiresIn // 60``, at least 1."""
    return max(1, expires_in // 60)


_EXPLICIT_NEW_LOGIN = re.compile(
    r"start (?:over|again)|new code|restart|another site|other site|different site"
    r"|\b(?:us|eea|global) site\b|switch|change (?:the |my )?site"
    r"|new one|from scratch|wrong site"
    r"|重新|重来|新的?验证码|换.{0,4}(?:站|验证码)|切换|其他站点|别的站点|(?:欧洲|美国|全球|国际)站",
    re.IGNORECASE,
)
_MAYBE_YES = re.compile(
    r"\b(?:y|ye|yes|yse|yess|yeah|yea|yep|yup|ya|sure|ok|okay|k|please|pls|go|do it|retry|again"
    r"|try|confirm|confirmed|correct|right|fine|alright|absolutely|defin\w*|start over|new"
    r"|remove)\b|是|好|行|可以|要|确定|确认|嗯|对|重试|再试|重新|来|删|没问题"
)
_PLAIN_NO = re.compile(
    r"^(?:no|nope|nah|never|not|don't|dont|n)\b|^(?:不|否|别|算了|先不)|\bnot sure\b|\bcancel\b"
)


def asks_for_new_login(text: str) -> bool:
    """Whether the user explicitly asks to start the login over or to use another site."""
    return bool(_EXPLICIT_NEW_LOGIN.search(text))


def is_yes(text: str) -> bool:
    """Whether a reply to a yes/no question may be a yes ("yes please", "sure, go ahead", "好的").

    Deliberately broad: it only excuses a login after the start-over question (D7), so it must
    never miss a yes; a reply that opens with a no ("no", "not now", "不要") is not one.
    """
    reply = normalize_reply(text)
    return bool(_MAYBE_YES.search(reply)) and not _PLAIN_NO.search(reply)
