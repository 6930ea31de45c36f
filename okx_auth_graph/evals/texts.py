"""The fixed texts of docs/spec.md and the reply rules the invariants and the runner share.

The verbatim templates are read from ``prompts/`` (shipped inside the wheel as
``okx_auth_graph/prompts``; the repository's ``prompts/`` in a source checkout). The helpers
here parse a user's site choice and completion signal the way the spec says, and detect the
language of the user's messages (docs/spec.md D22, counted here on its own).
"""

from __future__ import annotations

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

COMPLETION_SIGNALS: frozenset[str] = frozenset({"done", "ok", "好了", "完成了"})
"""The spec's own examples of a completion signal (after :func:`normalize_reply`)."""

CANCEL_WORDS: frozenset[str] = frozenset({"cancel", "取消"})
"""Replies that cancel any question (after :func:`normalize_reply`)."""

_SIGNAL_STEMS = re.compile(
    r"done|ok|fin|complet|ready|authori[sz]|approv|logged|success|yes|yeah|yep|sure|\b[ky]\b"
    r"|\bset\b|\bdid\b|好|完成|搞定|授权|可以|行|登|弄|嗯|是|对"
)
_SIGNAL_SYMBOLS = re.compile("[\u2705\u2714\U0001f44c\U0001f44d]")
"""✅ ✔ 👌 👍: symbols people send for "done" (punctuation folding would drop them)."""
_DENIAL = re.compile(r"reject|\bden(?:y|ied)\b|declin|refus|said no|拒绝")
"""Every stem a completion signal could be built from (deliberately broad)."""
_NEGATION = re.compile(r"\b(not|no|never|yet|wait)\b|n't|还没|没|未|不|等")
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


SITE_FILLER_WORDS: frozenset[str] = frozenset(
    [
        "option",
        "number",
        "num",
        "choice",
        "site",
        "the",
        "a",
        "please",
        "pls",
        "plz",
        "i",
        "i'll",
        "ill",
        "i'd",
        "i'm",
        "im",
        "choose",
        "chose",
        "pick",
        "select",
        "want",
        "like",
        "take",
        "go",
        "with",
        "use",
        "let's",
        "lets",
        "me",
        "one",
        "is",
        "it",
        "that",
        "thanks",
        "thank",
        "you",
        "okay",
        "ok",
        "would",
        "prefer",
        "for",
    ]
)
"""Filler words a site choice may carry (the list docs/understanding.md documents)."""

SITE_FILLER_ZH: tuple[str, ...] = (
    "选择",
    "站点",
    "我",
    "选",
    "要",
    "用",
    "吧",
    "就",
    "站",
    "个",
    "号",
    "那",
    "这",
    "请",
    "的",
    "项",
)
_ORDINAL_WORDS = {"first": "1", "1st": "1", "second": "2", "2nd": "2", "third": "3", "3rd": "3"}
_ZH_ORDINAL = re.compile(r"第\s*([一二三123])")


def parse_site_choice(text: str) -> str | None:
    """The site id a reply to the menu chooses, per the spec's matching decision.

    Matching ignores case, space and punctuation, and accepts full-width digits. A reply that
    names exactly one choice (a digit 1-3, a site id, or an ordinal: "the second one",
    "第二个") with nothing but filler words (:data:`SITE_FILLER_WORDS`, :data:`SITE_FILLER_ZH`)
    is that choice; none, two, a negation or any other word is no choice (``None``).
    """
    exact = _SITE_CHOICES.get(normalize_reply(text))
    if exact is not None:
        return exact
    folded = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    folded = _ZH_ORDINAL.sub(
        lambda m: " " + {"一": "1", "二": "2", "三": "3"}.get(m.group(1), m.group(1)) + " ",
        folded,
    )
    for word in sorted(SITE_FILLER_ZH, key=len, reverse=True):
        folded = folded.replace(word, " ")
    chosen = set()
    for word in re.findall(r"[^\W_]+(?:'[^\W_]+)?", folded):
        word = _ORDINAL_WORDS.get(word, word)
        if word in _SITE_CHOICES:
            chosen.add(_SITE_CHOICES[word])
        elif word not in SITE_FILLER_WORDS:
            return None
    return chosen.pop() if len(chosen) == 1 else None


def is_completion_signal(text: str) -> bool:
    """Whether a reply is one of the spec's example completion signals."""
    return normalize_reply(text) in COMPLETION_SIGNALS


def is_clearly_not_a_signal(text: str) -> bool:
    """Whether a reply while waiting cannot be a completion signal, by any reading.

    Empty replies, questions, replies that say "not (yet)" / "还没" / "等", and replies built from
    no stem of any completion signal ("what is this", "asdf", "怎么办") are clearly not signals;
    anything that might be one (a stem such as "done", "ok", "好", "完成", "授权") is not judged.
    """
    reply = normalize_reply(text)
    if text.strip().endswith(("?", "？")):
        return True
    if not reply:
        return not _SIGNAL_SYMBOLS.search(text)
    return bool(_NEGATION.search(reply)) or not _SIGNAL_STEMS.search(reply)


def is_denial(text: str) -> bool:
    """Whether a reply while waiting may say the user denied the authorisation in the browser.

    Deliberately broad ("I rejected it", "declined", "我拒绝了"): docs/spec.md D12 gives a
    denial the one status check a signal gets.
    """
    return bool(_DENIAL.search(normalize_reply(text)))


def is_cancel(text: str) -> bool:
    """Whether a reply is "cancel" / "取消"."""
    return normalize_reply(text) in CANCEL_WORDS


SPEC_NEUTRAL_WORDS: frozenset[str] = frozenset(
    {"okx", "btc", "eth", "usdt", "usdc", "sol", "xrp", "doge", "api", "key", "id", "url"}
    | {"oauth", "dcd", "dca", "rsi", "macd", "p", "pnl", "k", "cli"}
)
"""The ticker and product names docs/spec.md D22 counts for neither language."""


def _letter_counts(text: str) -> tuple[int, int]:
    """D22's count: (Chinese characters, Latin words that are not neutral names)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
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
    """The language of the latest of the user's ``texts`` (oldest first) that decides one.

    English when none does (D22).
    """
    for text in reversed(texts):
        language = deciding_language(text)
        if language is not None:
            return language
    return "en"


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
_YES = frozenset(
    {"yes", "y", "yeah", "yep", "sure", "ok", "okay", "是", "是的", "好", "好的", "确定", "要"}
)


def asks_for_new_login(text: str) -> bool:
    """Whether the user explicitly asks to start the login over or to use another site."""
    return bool(_EXPLICIT_NEW_LOGIN.search(text))


def is_yes(text: str) -> bool:
    """Whether a reply to a yes/no question is a plain yes."""
    return normalize_reply(text) in _YES
