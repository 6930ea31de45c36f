"""How the graph reads people: what a request asks for, what a reply to a question says.

One place reads every text a user writes, for the graph and the LangChain tools alike:

- :func:`read_request` places a new request into an :data:`Intent` (``unclear`` when nothing
  places it), an optional :data:`Route` (one of the five skills; a request may carry a login
  *and* a skill: "log me in and show my balance") and the :data:`Language` to answer in.
- :func:`read_reply` reads a reply to a question of a given type into one label of the closed
  set :data:`ReplyLabel` (a site, an option number, yes, no, a completion signal, …).

Every reading records where it came from (:data:`Source`): a caller's ``hint``, a chat
``model`` (see :mod:`okx_auth_graph.reading.chat_model`) or the bilingual ``rules`` below.

The rules work on normalised text (Unicode NFKC, so full-width digits and letters become
ASCII; case folded; curly apostrophes straightened). English keywords match on word
boundaries; Chinese keywords match anywhere (Chinese has no spaces between words). A keyword
of five or more letters still matches with a one-letter slip ("logut", "balnce"): one letter
added, dropped, changed or two neighbours swapped. A keyword preceded by a negation in the same
clause ("I really do not want you to log me out", "不要退出登录") does not count.

A site choice is read by rules only, never by a model (see :func:`parse_site_choice`).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Final, Literal, get_args

from pydantic import BaseModel, ConfigDict

from okx_auth_graph.okx.sites import MENU_NUMBERS, SITE_IDS, WEB_HOSTS, SiteId
from okx_auth_graph.state import Intent, Language, Route

Source = Literal["hint", "model", "learned", "rules"]
ReplyLabel = Literal[
    "site",
    "option",
    "yes",
    "no",
    "signal",
    "not_yet",
    "denied",
    "cancel",
    "ask_code",
    "ask_validity",
    "question",
    "start_over",
    "switch_site",
    "request",
    "unclear",
]

INTENTS: Final[tuple[Intent, ...]] = get_args(Intent)
ROUTES: Final[tuple[Route, ...]] = get_args(Route)
REPLY_LABELS: Final[tuple[ReplyLabel, ...]] = get_args(ReplyLabel)
NO_AUTH_ROUTES: Final = frozenset({"okx-cex-market"})
MENU_SITES: Final[dict[str, SiteId]] = MENU_NUMBERS  # the sites are declared in sites.py
READ_LIMIT: Final = 65_536
"""The longest text the rules read, in characters (docs/spec.md D21).

Reading costs time linear in a text's length up to this limit. A longer request is not read:
the graph answers it with the text ``message_too_long`` and runs no okx call; a longer reply
reads ``unclear`` (the question is asked again), and a longer site choice is no choice.
"""

YES_NO_QUESTIONS: Final = frozenset(
    {"confirm_retry", "confirm_remove_binary", "confirm_switch_site", "confirm_start_over"}
)
"""Questions answered with yes or no."""

QUESTION_LABELS: Final[dict[str, frozenset[ReplyLabel]]] = {
    "choose_site": frozenset({"site", "cancel", "unclear"}),
    "await_authorization": frozenset(
        {
            "signal",
            "not_yet",
            "denied",
            "cancel",
            "ask_code",
            "ask_validity",
            "question",
            "start_over",
            "switch_site",
            "unclear",
        }
    ),
    "choose_api_key_fix": frozenset({"option", "cancel", "unclear"}),
    "await_profile_removal": frozenset({"signal", "not_yet", "cancel", "question", "unclear"}),
    "clarify_request": frozenset({"option", "cancel", "request"}),
    **{q: frozenset({"yes", "no", "cancel", "unclear"}) for q in YES_NO_QUESTIONS},
}
"""The labels a reply to each question type can take (anything else reads ``unclear``)."""


class RequestReading(BaseModel):
    """What a new request asks for.

    Attributes:
        intent: The auth action asked for; ``skill`` when only a skill is asked for;
            ``unclear`` when nothing places the request (the graph then asks).
        route: The skill to continue with afterwards, if any.
        language: The language to answer in.
        source: Who read it: the caller's ``hint``, a chat ``model``, the ``learned`` reader
            (it decided where the rules did not) or the ``rules``.
        rules_intent: What the rules alone read (kept when another source decided), so a
            logout the rules do not confirm can be asked about first.
        ruled_out: What the rules found words for and read as *not* asked (a login asked
            about, dismissed, meant for another service or offered as one of two; a logout
            asked about): the learned reader never decides these (docs/spec.md D21).
        fallback: Why a configured model's reading was not used (the rules read it instead).
    """

    model_config = ConfigDict(frozen=True)

    intent: Intent
    route: Route | None = None
    language: Language = "en"
    source: Source = "rules"
    rules_intent: Intent | None = None
    ruled_out: tuple[Intent, ...] = ()
    fallback: str | None = None


class ReplyReading(BaseModel):
    """What a reply to a question says.

    Attributes:
        question: The question type the reply answers.
        label: One label of :data:`ReplyLabel`.
        site: The site chosen (label ``site`` only).
        option: The option number picked (label ``option`` only).
        source: Who read it: ``model``, ``learned`` or ``rules``.
        fallback: Why a configured model's reading was not used (the rules read it instead).
    """

    model_config = ConfigDict(frozen=True)

    question: str
    label: ReplyLabel
    site: SiteId | None = None
    option: int | None = None
    source: Source = "rules"
    fallback: str | None = None

    @property
    def value(self) -> str:
        """The label with its value, as the corpora write it (``site:eea``, ``option:2``)."""
        if self.label == "site" and self.site:
            return f"site:{self.site}"
        if self.label == "option" and self.option is not None:
            return f"option:{self.option}"
        return self.label


# --------------------------------------------------------------------------- normalising

_EDGE = " \t\r\n\"'`.,;:!?()[]{}<>«»“”‘’。，、；：！？（）【】《》「」『』…-_~*#"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[a-z]+")
_LATIN_WORD_SPLIT = re.compile(r"([a-z]+)")
_LATIN_THEN_CJK = re.compile(r"([a-z])([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
_CJK_THEN_LATIN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])([a-z])")
_SPACES = re.compile(r"\s+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@lru_cache(maxsize=8)  # a text is normalised for its language, then for its reading
def normalize(text: str) -> str:
    """NFKC, case-fold, straighten apostrophes, drop control characters, squeeze spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = folded.replace("’", "'").replace("‘", "'").replace("`", "'")
    folded = _SPACES.sub(" ", folded)
    if not folded.isprintable():  # rare: one pass per character only then
        folded = _SPACES.sub(" ", "".join(ch if ch.isprintable() else " " for ch in folded))
    if _CJK.search(folded):
        folded = _LATIN_THEN_CJK.sub(r"\1 \2", folded)
        folded = _CJK_THEN_LATIN.sub(r"\1 \2", folded)
    return folded.strip()


def normalize_reply(text: str) -> str:
    """:func:`normalize`, then strip surrounding white space and punctuation."""
    return normalize(text).strip(_EDGE)


# --------------------------------------------------------------------------- typos

_KEYWORDS: Final = frozenset(
    [
        "login",
        "logout",
        "logged",
        "signin",
        "signout",
        "session",
        "status",
        "sessions",
        "install",
        "installed",
        "uninstall",
        "remove",
        "delete",
        "update",
        "reinstall",
        "binary",
        "configure",
        "setup",
        "balance",
        "balances",
        "position",
        "positions",
        "portfolio",
        "holdings",
        "assets",
        "profit",
        "order",
        "orders",
        "cancel",
        "cancelled",
        "canceled",
        "price",
        "prices",
        "ticker",
        "tickers",
        "candles",
        "candle",
        "market",
        "markets",
        "indicator",
        "indicators",
        "funding",
        "orderbook",
        "purchase",
        "finished",
        "finish",
        "complete",
        "completed",
        "authorized",
        "authorised",
        "authorize",
        "authorise",
        "approved",
        "approve",
        "rejected",
        "reject",
        "denied",
        "declined",
        "decline",
        "expire",
        "expired",
        "valid",
        "validity",
        "again",
        "retry",
        "start",
        "restart",
        "switch",
        "change",
        "another",
        "minute",
        "moment",
        "password",
        "account",
        "wallet",
        "savings",
        "staking",
        "simple",
        "earning",
        "stake",
        "redeem",
        "subscribe",
        "trade",
        "trading",
        "leverage",
        "volume",
        "please",
        "authenticate",
        "connect",
        "connected",
        "disconnect",
        "signed",
        "still",
        "active",
        "dual",
        "currency",
        "deposit",
        "chart",
        "charts",
        "amend",
        "worth",
        "minutes",
        "second",
        "third",
        "first",
        "option",
        "replace",
        "generate",
        "regenerate",
        "removed",
        "abort",
        "oauth",
        "definitely",
    ]
)
_NOT_TYPOS: Final = frozenset(
    [
        "older",
        "other",
        "under",
        "place",
        "since",
        "those",
        "there",
        "these",
        "where",
        "about",
        "never",
        "please",
        "blog",
        "login",
        "logon",
        "given",
        "plans",
        "stars",
        "start",
        "stats",
        "short",
        "longs",
        "longer",
        "prize",
        "pride",
        "orders",
        "cancer",
        "smile",
    ]
)


def _one_slip(word: str, keyword: str) -> bool:
    """Whether ``word`` is ``keyword`` with one letter added, dropped, changed or swapped."""
    if word == keyword or abs(len(word) - len(keyword)) > 1:
        return False
    if len(word) == len(keyword):
        diffs = [i for i, (a, b) in enumerate(zip(word, keyword, strict=True)) if a != b]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and word[diffs[0]] == keyword[diffs[1]]
            and word[diffs[1]] == keyword[diffs[0]]
        )
    short, long_ = (word, keyword) if len(word) < len(keyword) else (keyword, word)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


_KEYWORD_PREFIX: Final = re.compile("|".join(sorted(_KEYWORDS, key=len, reverse=True)))
_SLIP_CANDIDATES: Final[dict[tuple[str, int], tuple[str, ...]]] = {
    (first, length): tuple(
        sorted(k for k in _KEYWORDS if len(k) >= 5 and k[0] == first and abs(len(k) - length) <= 1)
    )
    for first in {k[0] for k in _KEYWORDS}
    for length in range(4, max(map(len, _KEYWORDS)) + 2)
}
"""The keywords a word could be a slip of, by its first letter and its length."""


def _correct_word(word: str) -> str:
    if word in _KEYWORDS or word in _NOT_TYPOS or len(word) < 4:
        return word
    if _KEYWORD_PREFIX.match(word):
        return word  # an inflection ("removed", "orders"), not a slip
    candidates = _SLIP_CANDIDATES.get((word[0], len(word)), ())
    matches = {k for k in candidates if _one_slip(word, k)}
    return matches.pop() if len(matches) == 1 else word


def correct_typos(text: str) -> str:
    """Replace each English word one letter away from a unique keyword by that keyword.

    The keyword has five or more letters and the same first letter; a word that begins with
    a keyword (an inflection: "removed", "orders") is left as it is.
    """
    parts = _LATIN_WORD_SPLIT.split(text)  # text, word, text, word, …, text
    parts[1::2] = [_correct_word(word) for word in parts[1::2]]
    return "".join(parts)


# --------------------------------------------------------------------------- negation

_NEGATION = re.compile(
    r"(?:\b[a-z]+n't|\b(?:dont|doesnt|didnt|wont|cant|cannot|shouldnt|wouldnt|couldnt|mustnt"
    r"|neednt|isnt|arent|wasnt|werent|havent|hasnt|hadnt|aint|not|never|no need to|without"
    r"|stop trying to|no longer)\b"
    r"|\bno(?=\s+(?:re-?)?(?:login|logout|log-?in|log-?out|sign-?in|sign-?out|auth|oauth)\b))"
    r"(?! (?:really |quite |even )?(?:know|sure|understand|remember|certain|figure|mind)\b)"
    r"|(?<!还)(?:不要|不想|别|不用|不必|无需|没|不|勿|甭|莫)(?!知道|懂|清楚|确定|明白|会用|客气|错)"
)
"""A negation: any English "n't" ("don't", "shouldn't", "won't", "mustn't", with or without the
apostrophe), "not", "never", … (not "don't know …", "not sure …", "never mind"), or a Chinese one
(不该, 不要, 别, 不用, 没, 勿 …; not 不知道, 不确定 …: "I don't know how to log in" asks for a login)."""
_CLAUSE_END = re.compile(
    r"[,;:!?，。；：！？—\n]|\.(?!\S)|\b(?:but|and|then|so|however|although|though)\b"
    r"|但是|但|可是|不过|然后|而且|并且|所以"
)
"""Where a clause ends: punctuation, or a word that joins two clauses."""


@lru_cache(maxsize=4)
def _negation_scopes(text: str) -> tuple[list[int], list[int], list[int]]:
    """The clauses of ``text`` (where each starts) and its negations (where each starts, ends)."""
    clauses = [0, *(m.end() for m in _CLAUSE_END.finditer(text))]
    spans = [m.span() for m in _NEGATION.finditer(text)]
    return clauses, [a for a, _ in spans], [b for _, b in spans]


def _negated(text: str, start: int) -> bool:
    """Whether a keyword starting at ``start`` is negated: a negation before it, same clause.

    "I really do not want you to log me out" and "不要现在退出" negate the logout; "don't log
    me out, log me in" negates only the logout. Each check is a binary search in the clauses
    and negations found once per text, so reading stays linear in the text's length.
    """
    clauses, starts, ends = _negation_scopes(text)
    clause = clauses[bisect_right(clauses, start) - 1]
    last = bisect_right(ends, start) - 1  # the last negation that ends before the keyword
    return last >= 0 and starts[last] >= clause


@dataclass(frozen=True)
class _Then:
    """``first``, then ``later`` anywhere after it: the linear form of the regex ``first.*later``.

    A regex ``a.*b`` scans to the end of the text from every place ``a`` matches, which is
    quadratic in the text's length; a pair looks for ``a`` once and for ``b`` once.
    """

    first: str
    later: str


def _skip(pattern: str, index: int) -> int:
    """The index just past the escape, character class or group starting at ``index``."""
    if pattern[index] == "\\":
        return index + 2
    if pattern[index] == "[":
        index += 2 if pattern[index + 1] == "^" else 1
        if pattern[index] == "]":  # a "]" right after "[" or "[^" is a literal
            index += 1
        while pattern[index] != "]":
            index += 2 if pattern[index] == "\\" else 1
        return index + 1
    depth = 0
    while True:
        if pattern[index] in "\\[":
            index = _skip(pattern, index)
            continue
        depth += {"(": 1, ")": -1}.get(pattern[index], 0)
        index += 1
        if depth == 0:
            return index


def _branches(pattern: str, *, bounded: bool = False) -> list[tuple[str, bool]]:
    r"""``pattern``'s alternatives, each without a leading ``\b`` (and whether it had one).

    Top-level ``|`` splits it; a group around a whole alternative is opened. An alternative
    that starts with a letter lets Python's regex engine skip to the places where it can match,
    many times faster than trying it at every position, as a leading ``\b`` makes it do.
    """
    parts: list[str] = []
    index = start = 0
    while index < len(pattern):
        if pattern[index] == "|":
            parts.append(pattern[start:index])
            start = index + 1
        index = _skip(pattern, index) if pattern[index] in "\\[(" else index + 1
    parts.append(pattern[start:])
    out: list[tuple[str, bool]] = []
    for part in parts:
        at_boundary = bounded or part.startswith("\\b")
        part = part.removeprefix("\\b")
        if part.startswith("(?:") and _skip(part, 0) == len(part):
            out.extend(_branches(part[3:-1], bounded=at_boundary))
        else:
            out.append((part, at_boundary))
    return out


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _at_boundary(text: str, index: int) -> bool:
    r"""Whether ``\b`` holds at ``index`` of ``text`` (a word as Python's ``re`` counts it)."""
    before = index > 0 and _word_char(text[index - 1])
    return before != (index < len(text) and _word_char(text[index]))


class _Alternatives:
    """A regex read alternative by alternative, each at the speed of Python's regex engine."""

    def __init__(self, pattern: str) -> None:
        self._branches = tuple((re.compile(b), bounded) for b, bounded in _branches(pattern))

    def matches(self, text: str) -> Iterator[tuple[int, int]]:
        """``(start, end)`` at every place an alternative matches, alternative by alternative."""
        for regex, bounded in self._branches:
            at = 0
            while (match := regex.search(text, at)) is not None:
                start = match.start()
                at = start + 1
                if not bounded or _at_boundary(text, start):
                    yield start, match.end()


class _Rule:
    """A rule's alternatives: regexes, and :class:`_Then` pairs, each read in linear time.

    Reads as ``pattern`` (the one regex the alternatives make, with ``.*`` in the pairs) would
    with ``re.finditer``, except that it finds every place a match starts.
    """

    def __init__(self, *alternatives: str | _Then) -> None:
        plain = "|".join(f"(?:{a})" for a in alternatives if isinstance(a, str))
        pairs = [a for a in alternatives if isinstance(a, _Then)]
        self.pattern = "|".join(
            [plain] * bool(plain) + [f"(?:(?:{a.first}).*(?:{a.later}))" for a in pairs]
        )
        self._plain = _Alternatives(plain) if plain else None
        self._pairs = tuple((_Alternatives(a.first), _Alternatives(a.later)) for a in pairs)

    def starts(self, text: str) -> Iterator[int]:
        """Every place where a match starts (for a pair: its first part), in no fixed order."""
        if self._plain is not None:
            for start, _ in self._plain.matches(text):
                yield start
        for first, later in self._pairs:
            last: int | None = None
            for start, end in first.matches(text):
                if last is None:
                    last = max((s for s, _ in later.matches(text)), default=-1)
                if end <= last:
                    yield start

    def search(self, text: str) -> bool:
        """Whether the rule matches anywhere in ``text``."""
        return next(self.starts(text), None) is not None


def _rx(*alternatives: str | _Then) -> _Rule:
    return _Rule(*alternatives)


def _found(rule: _Rule, text: str, *, negatable: bool = True) -> bool:
    """Whether ``rule`` matches ``text`` somewhere not negated."""
    return any(not (negatable and _negated(text, start)) for start in rule.starts(text))


# --------------------------------------------------------------------------- requests

_OKX = r"(?:okx|okx-auth)"
_TICKERS = (
    r"btc|eth|sol|doge|xrp|pepe|arb|link|bnb|ada|avax|dot|matic|op|ltc|trx|ton|shib|sui|apt|okb"
    r"|比特币|以太坊|大饼|姨太|狗狗币"
)
"""Coins traders name after "long" or "short" ("long btc", "short arb with 5x")."""
_NOT_HELD = r"(?<!been )(?<!i'm )(?<!im )(?<!am )(?<!are )(?<!still )(?<!was )"
"""Not a position one holds ("i've been long btc"): that is the portfolio's, not an order."""
_BINARY = r"(?:okx-auth|okx auth binary|auth binary|the binary|二进制|okx auth 二进制)"
_REQUEST_RULES: Final[tuple[tuple[Intent, _Rule], ...]] = (
    (
        "binary_remove",
        _rx(
            _Then(r"\b(?:remove|uninstall|delete|wipe|purge|nuke|get rid of)\b", _BINARY),
            _Then(_BINARY, r"\b(?:remove|uninstall|delete|wipe) (?:it|that|this)\b"),
            r"okx auth remove",
            _Then(r"删除|卸载|移除|删掉", _BINARY),
            _Then(_BINARY, r"(?:删除|卸载|移除|删掉)(?!了吗|了没|吗|没)"),
        ),
    ),
    (
        "binary_install",
        _rx(
            _Then(r"\b(?:install|update|reinstall|repair|fix|upgrade)\b", _BINARY),
            r"okx auth install(?!-)",
            r"failed to spawn",
            _Then(r"安装|更新|修复|重装|升级|装一下|装上|装个", _BINARY),
            _Then(_BINARY, r"(?:安装|更新|修复|重装|升级|装)一下"),
        ),
    ),
    (
        "binary_status",
        _rx(
            r"install-status",
            _Then(_BINARY, r"\b(?:installed|status|version|there|present)\b"),
            rf"\bis {_BINARY} (?:installed|there)",
            _Then(r"\bversion\b", _BINARY),
            _Then(_BINARY, r"状态|装了吗|安装了吗|是否安装|版本|装好了吗|装好了没|装了没"),
        ),
    ),
    (
        "logout",
        _rx(
            r"\blog\s*-?\s*(?:me\s+)?(?:out|off)\b",
            r"\blogout\b",
            r"\bsign\s*-?\s*(?:me\s+)?(?:out|off)\b",
            r"\bsignout\b",
            r"\bdisconnect\b",
            _Then(r"\brevoke\b", rf"\b(?:access|token|session|login|{_OKX})\b"),
            r"\b(?:end|terminate) (?:my|the|this) (?:okx )?session\b",
            r"\bunlink\b",
            r"\b(?:remove|delete|clear|wipe|erase)\s+(?:my\s+|the\s+|this\s+)?(?:okx\s+)?"
            r"(?:login|session|credentials|token|auth|authori[sz]ation)s?\b",
            r"(?:删除|清除|移除|删掉|清掉)(?:我的|这台电脑上的|电脑上的|本机上?的)?\s*(?:okx|欧易)?\s*的?\s*"
            r"(?:登录|授权|会话|凭证)",
            r"退出登录|登出|注销|解除授权|取消授权|下线|断开",
            r"退出.{0,4}(?:okx|账号|账户|登录|授权)",
        ),
    ),
    (
        "login",  # a failing API key: the pre-flight's step 0.2 (0.2.a) decides what to do
        _rx(
            _Then(
                r"\bapi[\s_-]*keys?\b",
                r"\b(?:stopped|not working|doesn't work|invalid|rejected|"
                r"error|fails?|failing|broken|401|expired)\b",
            ),
            r"\binvalid (?:sign|api[\s_-]*key|ok-access-key)\b",
            r"\b5011[13]\b",
            r"api\s*key.{0,8}(?:失效|无效|不能用|报错|出错|错误)",
        ),
    ),
    (
        "api_key_setup",
        _rx(
            r"\bapi[\s_-]*keys?\b",
            r"config init",
            r"api\s*密钥",
        ),
    ),
    (
        "session_lifetime",
        _rx(
            _Then(r"\bhow long\b", r"\b(?:session|login|logged|signed|stay|last)\b"),
            _Then(r"\bwhen (?:does|will) (?:my |the )?(?:session|login)\b", r"\bexpires?\b"),
            _Then(r"(?<!did my )(?<!did the )(?<!has my )\b(?:session|login)s?\b", r"\bexpires?\b"),
            _Then(r"\b(?:time ?limit|timeout|expiry|lifetime)\b", r"\b(?:session|login)\b"),
            _Then(r"\b(?:session|login)\b", r"\b(?:time ?limit|timeout|expiry|lifetime)\b"),
            r"(?:会话|登录|session).{0,8}(?:多久|多长时间|有效期|过期|几天|几个?小时)",
            r"授权.{0,8}(?:多久|多长时间|有效期|几天|几个?小时)",
            _Then(
                r"\b(?:does|do|will|would|can) (?:the |my |a )?(?:okx )?(?:session|login)s?\b",
                r"\btimes? out\b",
            ),
            _Then(r"\bhow often\b", r"\b(?:log ?in|login|re-?log ?in|sign in|re-?auth|session)"),
            _Then(
                r"\b(?:do|will|must|should) (?:i|we) (?:have|need) to (?:re-?)?(?:log ?in|login|sign in)",
                r"\b(?:every|each|again|daily)\b",
            ),
            r"(?:每天|每次|多久|经常).{0,6}(?:都要|要|得|需要)?.{0,2}(?:重新)?(?:登录|登陆)",
            r"(?:多久|多长时间).{0,4}(?:过期|失效)",
        ),
    ),
    (
        "status",
        _rx(
            _Then(r"\bam i\b", r"\b(?:logged|signed|connected|authenticated|authori[sz]ed)\b"),
            _Then(r"\bare (?:we|you)\b", r"\b(?:logged|signed|connected|authenticated)\b"),
            _Then(
                r"\bis (?:my|the) (?:okx )?(?:login|session|account|connection)\b",
                r"\b(?:valid|active|alive|ok|good|fine|still|working|connected|linked|logged)\b",
            ),
            r"\b(?:auth|login|logged[\s-]*in|session|authentication|connection) status\b",
            r"\bstatus of (?:my |the )?(?:login|session|auth)",
            r"\b(?:which|what) (?:okx )?site\b",
            r"\bwho am i\b",
            r"\b(?:was|were|did) (?:i|we) (?:get )?(?:logged|signed) (?:out|off)\b",
            r"\bstill (?:connected|logged in|linked|signed in)\b",
            r"\b(?:auth|login|session)\b.{0,12}\bstill (?:active|valid|alive|good|working)\b",
            r"还在线",
            r"(?:是否|有没有|是不是)(?:已经|还)?(?:登录|登陆|授权)",
            _Then(
                r"\b(?:did|has) (?:my|the) (?:okx )?(?:login|session)\b",
                r"\b(?:expired?|timed? out|ended|died|run out)\b",
            ),
            _Then(
                r"\bdid (?:my |the )?(?:login|sign ?in)\b",
                r"\b(?:work|go through|went through|succeed|complete)",
            ),
            r"^still logged in",
            r"\bcheck (?:my |the )?(?:login|auth|session)\b",
            _Then(
                r"\b(?:tell me|let me know|check|see|find out|confirm)\s+(?:if|whether)\b",
                r"\b(?:logged|signed|connected|authenticated|authori[sz]ed)\b",
            ),
            r"(?:登录|授权|认证)(?:是不是|有没有|是否)?(?:成功|好|完成|通过)了?(?:没|吗|么|没有)",
            r"登录状态|是否登录|登录了吗|登录着吗|授权状态|认证状态|还在登录|登录还有效|有没有登录",
            r"登录了没|哪个站点|什么站点|已经登录了吗|是不是登录",
            r"(?:登录|授权|会话).{0,4}(?:还在|还有效|还能用|还活着)",
        ),
    ),
)
_SKILL_RULES: Final[tuple[tuple[Route, _Rule], ...]] = (
    (
        "okx-cex-bot",
        _rx(
            r"\bgrids?\b",
            r"\bdca\b",
            r"(?<!hey )(?<!hi )(?<!yo )(?<!hello )(?<!thanks )\bbots?\b",
            r"\bmartingale\b",
            r"\brecurring buys?\b",
            r"网格|定投|机器人|策略|量化",
        ),
    ),
    (
        "okx-cex-earn",
        _rx(
            r"\bearn\b",
            r"\bsavings?\b",
            r"\bdcd\b",
            r"\bdual (?:currency|investment)\b",
            r"\bauto-?earn\b",
            r"\bstak(?:e|ing)\b",
            r"\byield\b",
            r"\bapy\b",
            r"\bapr\b",
            r"(?<!open )\binterest\b",
            r"\blend(?:ing)?\b",
            r"\bredeem\b",
            r"\bflexible\b",
            r"理财|赚币|双币|申购|赎回|质押|余币宝|活期|定期|利息|年化|收益率",
        ),
    ),
    (
        "okx-cex-trade",
        _rx(
            r"\b(?<!order )orders?\b(?! ?book)",
            r"\borderz\b",
            r"\bbuy(?:ing)?\b",
            r"\bsell(?:ing)?\b",
            r"\bpurchase\b",
            r"\b(?:go|going|open|close)\s+(?:a\s+)?(?:long|short)\b",
            rf"{_NOT_HELD}\b(?:long|short)\s+(?:{_TICKERS}|\d)",
            _Then(rf"{_NOT_HELD}\b(?:long|short)\b", r"\b\d+(?:\.\d+)?x\b"),
            r"\bape(?:d)? in(?:to)?\b",
            r"\bdump (?:my|all|the|some)\b",
            r"\btrailing stop\b",
            r"\bset (?:a |my |the )?stop\b",
            r"\bflatten\b",
            r"\btake me out of\b",
            r"梭哈|抄底|加仓|减仓|开\s*(?:long|short)",
            r"\bclose (?:my |the |a )?(?:long|short|position)",
            r"\bamend\b",
            r"\btrad(?:e|ing)\b(?! (?:at|now|right now|around)\b)",
            r"\bstop[\s-]?loss\b",
            r"\btake[\s-]?profit\b",
            r"\b(?:sl|tp)\b",
            r"掉.{0,8}(?:仓位|持仓)|(?:仓位|持仓).{0,4}(?:平掉|清掉|砍掉|关掉)",
            r"\bleverage\b",
            r"下单|买|卖|撤单|撤掉|改单|挂单|开仓|平仓|订单|委托|做多|做空|开多|开空|止盈|止损|杠杆|限价|市价单",
        ),
    ),
    (
        "okx-cex-portfolio",
        _rx(
            r"\bbalances?\b",
            r"\bpositions?\b",
            r"\bp&l\b",
            r"\bpnl\b",
            r"\bp/l\b",
            r"\bprofits?\b",
            r"\bportfolio\b",
            r"\bassets?\b",
            r"\bholdings?\b",
            r"\bwallet\b",
            _Then(
                r"\bhow (?:much|many)\b", r"\b(?:do i (?:have|hold|own)|have i got|in my account)\b"
            ),
            r"\bmy (?:[a-z]+ )?(?:is |are )?worth\b",
            r"\bwhat(?:'s| is) my [a-z]+ worth\b",
            r"\bwhat do i (?:own|have|hold)\b",
            r"\b(?:everything|all|stuff|what) i (?:own|have|hold)\b",
            r"\b(?:am i|are we) (?:up|down|green|red|rekt|profitable|in (?:profit|loss|the green|the red))\b",
            r"\bhow (?:red|green|rekt|leveraged|exposed) am i\b",
            r"\bhow much (?:have i|did i|i've|i have) (?:lost|lose|made|make|gained|earned|won)\b",
            r"\bmy (?:[a-z]+ )?liq(?:uidation)?\b",
            r"(?:账户|账号).{0,6}多少",
            r"(?:赚|亏|挣)了多少|浮亏|浮盈|余额|持仓(?!量)|盈亏|资产|仓位|钱包|我.{0,2}有(?:多少|哪些)|我的.{0,8}值多少",
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
            r"\bcharts?\b",
            r"\bindicators?\b",
            r"\brsi\b",
            r"\bmacd\b",
            r"\bbollinger\b",
            r"\bmarket data\b",
            r"\bfunding rates?\b",
            r"\border ?book\b",
            r"\bquotes?\b",
            r"\bvolume\b",
            r"\bhow much is\b",
            r"\bwhat(?:'s| is) [a-z]+ at\b",
            r"\b(?:where|what)(?:'s| is) [a-z]+ trading\b",
            r"\b(?:up|down) today\b",
            r"\bopen interest\b",
            r"持仓量|未平仓",
            r"(?:现在|目前|当前)(?:多少|几刀|什么价)|几刀|拉盘|砸盘|破位|"
            r"行情|价格|报价|k\s?线|指标|多少钱|涨跌|资金费率|深度|走势|涨了|跌了|现价",
        ),
    ),
)
_WEAK_PORTFOLIO = _rx(r"\baccount\b", r"账户|账号")
_LOGIN = _rx(
    r"\blog\s*-?\s*(?:me\s+)?in(?:to)?\b",
    r"\blogin\b",
    r"\bsign\s*-?\s*(?:me\s+)?in(?:to)?\b",
    r"\bsignin\b",
    r"\bauthenticate\b",
    r"\bauthori[sz]e\b",
    r"\boauth\b",
    r"\b(?:re)?connect\b",
    r"\bhook (?:me |it )?up\b",
    r"\bplug (?:me )?in(?:to)? (?:my |the )?(?:okx|account)\b",
    r"\bauth (?:me|us)\b",
    r"\blink(?= (?:me|my|your|our|the|this|it|up|okx|account|cli)\b)",
    r"\bre-?(?:auth|login|log in)\b",
    r"\bsession expired\b",
    r"\b(?:get|getting|got) (?:me )?logged in\b",
    r"\b(?:log|sign)\s*(?:me\s+)?back\s+in\b",
    r"登录|登陆|授权|认证|连接|连上|绑定|登入|登个录|登进去|登一下|连一下",
)
_LOGIN_NOUN = re.compile(
    r"(?:\b(?:my|the|your|our|this|that|a|okx) (?:okx )?)(?:login|log-?in|sign-?in|session)\b"
    r"|\b(?:login|log-?in|sign-?in) (?:session|status|state|token)\b"
)
"""The login as a thing one asks about ("my login", "the login session"), not as an act."""
_QUESTION_ABOUT = re.compile(
    r"^\W*(?:(?:hi|hey|yo|ok|so|pls|please|bro|gm|quick q)\W+)*"
    r"(?:is|are|was|were|does|did|has|have|which|what|what's|whats|when|where|how|why|who)\b"
)
"""A question that asks about something (not "can you …", "could you …", which ask for it)."""
_ASKS_WHY_OR_WHAT = re.compile(
    r"^\W*(?:(?:hi|hey|yo|ok|so|pls|please|bro|gm|quick q)\W+)*"
    r"(?:why|what|what's|whats|when|was|were|did|has|have|does)\b"
)
"""A question about an act, its reason, its meaning or its past ("why did it log me out"): a
logout keyword in it names the act, it does not ask for it."""
_ASKS_ABOUT_THE_ACT = re.compile(
    r"^\W*(?:(?:hi|hey|yo|ok|so|pls|please|bro|gm|quick q)\W+)*"
    r"(?:(?:is|are|will|would|does|do|can|could|should|might)\s+(?:a\s+|the\s+)?"
    r"(?:logout|log\s*-?\s*out|logging\s+(?:out|off)|sign\s*-?\s*out|signing\s+(?:out|off))\b"
    r"|if\s+(?:i|we)\s+(?:log|sign)\s*-?\s*(?:out|off)\b"
    r"|(?:should|shall|must|do|does|would|will)\s+(?:i|we)\s+"
    r"(?:(?:really|still|also|ever|even)\s+)?(?:(?:need|have|ought)\s+to\s+|be\s+)?"
    r"(?:log|sign)(?:ging)?\s*-?\s*(?:out|off)\b"
    r"|is\s+it\s+(?:[a-z]+\s+){1,3}to\s+(?:log|sign)\s*-?\s*(?:out|off)\b)"
)
"""The act as the subject of a question or a condition ("is logout gonna kill my grid bot?",
"will logging out cancel my orders", "if i log out, do my bots stop?"): asked about, not asked
for ("will you log me out" has the person, not the act, as its subject); advice asked about
it ("should I log out?", "do I need to log out?", "is it safer to log out?")."""
_LOGIN_STATE_ZH = re.compile(
    r"(?:登录|登陆|授权|认证).{0,4}(?:还在|还有效|有效|还能用|过期|多久|多长)"
    r".*(?:吗|呢|么|没|[?？])\W*$"
)
"""A Chinese question about the login's state ("授权还在吗"), not a request for one."""
_ASKS_ABOUT_LOGOUT_ZH = re.compile(
    r"(?:退出登录|登出|退出|注销|下线)(?:的话|之后|以后|后)?\s*(?:会|会不会|能不能|是否|要不要|有没有|影响|导致)"
)
"""A Chinese question with the logout as its subject ("退出登录会影响我的网格机器人吗")."""
_ZH_LOGOUT_WORD = re.compile(r"退出|登出|注销|下线|解除授权|取消授权")
_ZH_ASKS_FOR = re.compile(r"帮|请|给我|麻烦|替我|能|可以|可不可以|好吗|行吗|好不好|行不行")
"""What makes a Chinese question a request ("能帮我退出登录吗", "退出登录好吗")."""
_SMALL_TALK = re.compile(
    r"(?:[\W_]|\b(?:hi|hello|hey|yo|gm|gn|good (?:morning|evening|night|afternoon|day)|how are you"
    r"|how r u|how's it going|hows it going|what's up|whats up|sup|thanks|thank you|thx|ty|cool"
    r"|nice|lol|bro|ser|sir|mate|there|doing|today|please|pls|help|help me"
    r"|how (?:does|do) (?:this|it|you) work|what can you do|what (?:is|are) (?:this|you)|who are you)\b"
    r"|你好|您好|在吗|在不在|谢谢|早上好|晚上好|哈哈|嗨|你是谁|你能做什么|怎么用)*"
)
"""A greeting, small talk or a question about the assistant itself, and nothing else ("how are
you", "gm ser", "你好，在吗", "how does this work", "你能做什么"): no request."""
_ALL_ACTS: Final[tuple[Intent, ...]] = tuple(i for i in INTENTS if i != "unclear")
_EITHER_OR = re.compile(
    r"\b(?:log|sign)\s*-?\s*(?:me\s+)?(?:in|out)\s+(?:or|/)\s+(?:(?:log|sign)\s*-?\s*)?(?:in|out)\b"
    r"|\b(?:login|logout|log-?in|log-?out|sign-?in|sign-?out)\s*(?:or|/)\s*"
    r"(?:login|logout|log-?in|log-?out|sign-?in|sign-?out)\b"
    r"|(?:登录|登陆|登出|退出登录|退出)\s*(?:还是|或者|或|/)\s*(?:登录|登陆|登出|退出)"
)
"""A login and a logout offered as one of two ("log in or out, whatever is needed", "登录还是
退出都行"): neither is asked for."""


_LOGIN_NOUN_PHRASE = re.compile(
    r"\b(?:my|the|your|our|this|that|a|okx)\s+(?:[a-z]+\s+)?(?:login|log-?in|sign-?in|session)\b"
)
"""The login as a thing, with a word between ("my current login", "the last login")."""
_ABOUT_THE_LOGIN = re.compile(
    r"\bis it\s+(?:[a-z]+\s+){1,3}to\s+$"  # "is it safe to …", "is it a good idea to …"
    r"|\b(?:if|when|whether|once|after|before)\s+(?:i|we|you)\s+(?:[a-z]+\s+){0,2}$"
)
"""In a question, what comes just before a login word that is asked about, not asked for:
"is it safe to log in on a shared computer?", "what happens when i log in?"."""
_EMBEDDED_QUESTION = re.compile(
    r"\b(?:tell me|let me know|check|see|find out|ask|know|wonder|wondering)\s+(?:if|whether)\b"
)
"""A question put inside a request ("tell me if the okx cli sees me as logged in"): what
follows it in the clause is asked about."""
_DISMISSED = re.compile(r"\b(?:never\s?mind|nvm|forget(?: about)?|skip|ignore|drop)\b")
"""A dismissal: a login word after it in the clause is not asked for ("never mind the login
stuff"); a negation (:data:`_NEGATION`) covers "不用登录了", "no need to log in"."""
_DONE_AFTER = re.compile(
    r"\s*(?:(?:has|is|was|just|already|finally)\s+)*(?:worked|succeeded|went through|"
    r"(?:is |was )?done|completed?|finished|ok|okay|good)\b(?!\s*\?)"
    r"|(?:已经|已)?(?:成功|好|完成|完|通过)了(?![吗么没呢嘛]|没有|\s*[?？])"
)
"""A login reported as done ("now that the login worked, buy …", "登录成功了，看看持仓"):
the premise of a request, not one."""
_ABOUT_LOGIN_ZH = re.compile(
    r"\s*(?:还|是不是|有没有|是否|会不会|能不能|成功|好了|完成|通过|有效|失效|过期|多久|多长|范围|权限|"
    r"[^\u4e00-\u9fff]{0,12}pending)"
)
"""What follows a Chinese login word that is the subject of a question about it ("我刚才那个授权
是不是还在pending", "上次的登录成功了没", "授权会不会过几个小时就失效")."""
_ZH_QUESTION_END = re.compile(r"(?:[吗么呢嘛没]|没有|[?？])\W*$")
_ZH_QUESTION = re.compile(r"(?:[吗么呢嘛没]|没有|[?？])\W*$|是不是|有没有|会不会|能不能|是否")
"""A Chinese question: a question particle at its end, or an A-not-A form inside."""
_LOGIN_OBJECT_EN = re.compile(
    r"\s*(?:(?:in\s*to|into|onto|on|at|to)\s+)"
    r"(?:(?P<det>my|your|our|the|a|an|this|that)\s+)?"
    r"(?P<name>[a-z][a-z0-9.-]*)(?P<then>\s+[a-z]+)?"
)
"""What a login verb is done to: "log me into binance", "sign in to coinbase", "log into my
bybit account"."""
_LOGIN_OBJECT_ZH = re.compile(
    r"(?:到|进|进入|上)?\s*(?:(?P<latin>[a-z][a-z0-9.-]*)|(?P<name>[\u4e00-\u9fff]{2,4}))"
    r"(?:的?(?:账号|账户|帐号|帐户|app|网站|钱包))?(?=$|[^\w]|[,.!，。！、])"
)
"""What a Chinese login word is done to, when the clause ends there: "登录币安", "帮我登录微信"."""
OKX_NAMES: Final = frozenset(
    {
        "okx",
        "okx-auth",
        "okx.com",
        "www.okx.com",
        "my.okx.com",
        "app.okx.com",
        "oauth",
        "cli",
        "account",
        "acct",
        "accounts",
        "exchange",
        "app",
        "site",
        "it",
        "me",
        "us",
        "eea",
        "global",
        "here",
        "there",
        "this",
        "that",
        "again",
        "now",
        "first",
        "please",
        "pls",
        "plz",
        "asap",
        "for",
        "with",
        "and",
        "then",
        "so",
        "the",
        "my",
        "your",
        "our",
        "a",
        "an",
    }
)
"""Words after a login verb that name OKX, the user's account, a site or nothing at all (a
filler): a login to them is an OKX login."""
_TO_VERBS: Final = frozenset(
    {
        "check",
        "see",
        "view",
        "show",
        "look",
        "get",
        "do",
        "use",
        "make",
        "start",
        "stop",
        "open",
        "close",
        "cancel",
        "set",
        "manage",
        "access",
        "read",
        "withdraw",
        "deposit",
        "transfer",
        "continue",
        "proceed",
        "run",
        "try",
        "finish",
        "complete",
        "confirm",
        "verify",
        "test",
        "place",
        "grab",
        "pull",
        "fetch",
        "put",
        "move",
        "buy",
        "sell",
        "trade",
    }
)
"""Verbs after "log in to": the login's purpose, not its object ("log in to check my balance")."""
_LOGIN_VERB_EN = re.compile(
    r"(?:log|sign)\s*-?\s*(?:me\s+|us\s+)?in|login|signin|(?:re)?connect(?:\s+me)?"
    r"|authenticate(?:\s+me)?|authori[sz]e(?:\s+me)?|auth(?:\s+me)?"
)
_ZH_NOT_A_NAME: Final = "一下了吗么呢吧呗呀啊哈着过好完成先再就马立现谢多拜麻请并然后还是会能要我你他的看查帮给把范什怎哪"
"""Characters a Chinese name after 登录 does not start with (particles, adverbs, verbs, persons)."""
_OKX_NAMES_ZH: Final = ("欧易", "账号", "账户", "帐号", "帐户", "进去", "上去", "系统")


def _another_service(t: str, start: int) -> bool:
    """Whether the login word at ``start`` logs in to a named service that is not OKX.

    "log me into binance", "sign in to coinbase", "log into my bybit account", "登录币安",
    "帮我登录微信": its object is a name that is not OKX, the user's account, a site, a
    filler or (after "to") a verb of purpose.
    """
    word = _LOGIN_WORD.match(t, start)
    end = word.end() if word else start
    if _CJK.match(t, start):
        zh = _LOGIN_OBJECT_ZH.match(t, end)
        if zh is None:
            return False
        if zh.group("latin"):
            return zh.group("latin") not in OKX_NAMES
        name = zh.group("name")
        return name[0] not in _ZH_NOT_A_NAME and not any(w in name for w in _OKX_NAMES_ZH)
    verb = _LOGIN_VERB_EN.match(t, start)
    if verb is None:
        return False
    obj = _LOGIN_OBJECT_EN.match(t, verb.end())
    if obj is None:
        return False
    name, then = obj.group("name"), (obj.group("then") or "").strip()
    if name in OKX_NAMES or (name in _TO_VERBS and obj.group(0).lstrip().startswith("to")):
        return False
    if obj.group("det"):  # "my bybit account": a name before the account's noun
        return then in ("account", "acct", "app", "wallet", "exchange", "profile")
    return not _names_a_skill(name)


@lru_cache(maxsize=256)
def _names_a_skill(word: str) -> bool:
    """Whether ``word`` alone is a skill's keyword ("log in to trade": a purpose, not a name)."""
    return _skill_route(word) is not None


def _spans(pattern: re.Pattern[str], t: str) -> set[int]:
    """Every place inside a match of ``pattern`` in ``t``."""
    return {i for m in pattern.finditer(t) for i in range(*m.span())}


@lru_cache(maxsize=8)
def _marks(pattern: re.Pattern[str], t: str) -> tuple[list[int], list[int]]:
    """Where the matches of ``pattern`` in ``t`` start and end (found once per text)."""
    spans = [m.span() for m in pattern.finditer(t)]
    return [a for a, _ in spans], [b for _, b in spans]


def _after_in_clause(pattern: re.Pattern[str], t: str, start: int) -> bool:
    """Whether a match of ``pattern`` ends before ``start`` in the same clause.

    A binary search in the matches found once per text, as :func:`_negated` does.
    """
    clauses = _negation_scopes(t)[0]
    clause = clauses[bisect_right(clauses, start) - 1]
    starts, ends = _marks(pattern, t)
    last = bisect_right(ends, start) - 1
    return last >= 0 and starts[last] >= clause


_LOGIN_WORD = re.compile(
    r"(?:log|sign)\s*-?\s*(?:me\s+)?in|login|signin|登录|登陆|授权|认证|登入|[a-z]+|[\u4e00-\u9fff]{2}"
)
"""The login word at a place ``_LOGIN`` matched (to see what follows it)."""


_LOGOUT_VERB_ZH = re.compile(r"(?:退出|取消|解除|注销)$")
_ZH_MODIFIED = re.compile(r"(?:的|那次|这次|上次|当前|目前|现在的|刚才的?|那个|这个)\s*$")
"""Before a Chinese login word: it names a login (当前登录, 那次授权), it does not ask for one."""
_ALREADY = re.compile(r"(?:\balready\s+(?:[a-z]+\s+)?|已经|已)\s*$")
"""Before a login word: the login is done ("already authorized", 已经登录过了)."""
"""A Chinese logout verb right before a login word (退出登录, 取消授权)."""


@dataclass(frozen=True)
class _LoginWords:
    """What a request's login words say: a login asked for, or only named (and where)."""

    asked: bool = False
    named: bool = False
    elsewhere: bool = False


def _login_words(t: str) -> _LoginWords:
    """Whether ``t`` asks for a login, or only names one (and whether another service's).

    A login word asks for a login unless it is negated or dismissed ("don't log me in", "never
    mind the login stuff", "不用登录了"), names another service's login ("log me into binance",
    "登录币安"), reports the login done ("now that the login worked, buy …") or is asked about:
    in a question about something ("is my login still good?", "which site is my login for",
    "what scopes does my current login have?", "is it safe to log in on a shared computer?",
    "授权还在吗", "上次的登录成功了没"), or after "tell me if …". A question about the login
    names it as a thing; the status and lifetime rules, or the learned reader, read it.
    """
    starts = _LOGIN.starts(t)  # lazily: the first login word asked for decides
    first = next(starts, None)
    if first is None:
        return _LoginWords()
    if _LOGIN_STATE_ZH.search(t):
        return _LoginWords(named=True)
    question = _QUESTION_ABOUT.search(t) is not None
    zh_question = _ZH_QUESTION.search(t) is not None
    nouns = _spans(_LOGIN_NOUN, t) | _spans(_LOGIN_NOUN_PHRASE, t) if question else set()
    elsewhere = False
    for start in chain((first,), starts):
        if _negated(t, start) or _after_in_clause(_DISMISSED, t, start):
            continue
        if _after_in_clause(_EMBEDDED_QUESTION, t, start):
            continue
        word = _LOGIN_WORD.match(t, start)
        after = word.end() if word else start
        if zh_question and _CJK.match(t, start) and _ABOUT_LOGIN_ZH.match(t, after):
            continue
        if _another_service(t, start):
            elsewhere = True
            continue
        if _DONE_AFTER.match(t, after) and not question:
            continue
        if question and (start in nouns or _ABOUT_THE_LOGIN.search(t, max(0, start - 60), start)):
            continue
        if _CJK.match(t, start) and (
            _ZH_MODIFIED.search(t, max(0, start - 4), start) or t.startswith("的", after)
        ):
            continue  # 我登录的站点, 那次授权, 当前登录的 scope: the login as a thing
        if _ALREADY.search(t, max(0, start - 12), start):
            continue  # 已经登录过了, "i already logged in": done, not asked
        if _LOGOUT_VERB_ZH.search(t, max(0, start - 2), start):
            continue  # 退出登录, 取消授权: the login is the logout's object
        return _LoginWords(asked=True)
    return _LoginWords(named=True, elsewhere=elsewhere)


_RESTART_RULES: Final[tuple[tuple[Intent, _Rule], ...]] = (
    (
        "start_over",
        _rx(
            r"\bstart\s+(?:over|again|afresh)\b",
            r"\brestart\s+(?:the\s+)?login\b",
            r"\b(?:new|another|fresh)\s+code\b",
            r"重新开始",
            r"(?:新的|新)验证码",
            r"重新获取验证码",
        ),
    ),
    (
        "switch_site",
        _rx(
            r"\b(?:us|eea|global)\s+site\b",
            r"\b(?:other|another|different)\s+site\b",
            r"\b(?:switch|change)\s+(?:the\s+|my\s+)?site\b",
            r"\bsite\s+(?:instead|to\s+(?:us|eea|global))\b",
            r"(?:切换|更换|换).{0,4}站",
            r"(?:其他|别的|另一个)站点",
            r"(?:美国|欧洲|全球|us|eea|global)\s*站",
        ),
    ),
)
"""A login request (or one nothing else places) that asks to start over or for another site."""


def too_long(text: str) -> bool:
    """Whether ``text`` is longer than :data:`READ_LIMIT` (the rules do not read it)."""
    return len(text) > READ_LIMIT


def read_request_rules(text: str, *, language: Language | None = None) -> RequestReading:
    """Read a new request with the bilingual rules.

    Auth intents are placed first (binary management, logout, API key, session lifetime,
    status), then the five skills and a login; a login with a skill keeps both. A login (or
    a request nothing else places) that asks to start over or for another site reads
    ``start_over`` / ``switch_site``.

    Args:
        text: The user's request.
        language: The language to answer in; detected from ``text`` when ``None``.

    Returns:
        The reading (``source="rules"``).
    """
    lang = language or language_of(text) or "en"
    if too_long(text):
        return RequestReading(intent="unclear", language=lang, rules_intent="unclear")
    t = correct_typos(normalize(text))
    asks_about = _QUESTION_ABOUT.search(t) is not None
    if _SMALL_TALK.fullmatch(t):  # "how are you", "gm", "在吗": no request at all
        return RequestReading(
            intent="unclear", language=lang, rules_intent="unclear", ruled_out=_ALL_ACTS
        )
    if _EITHER_OR.search(t):  # "log in or out, whatever is needed": neither is asked for
        return RequestReading(
            intent="unclear", language=lang, rules_intent="unclear", ruled_out=("login", "logout")
        )
    ruled_out: tuple[Intent, ...] = ()
    for intent, pattern in _REQUEST_RULES:
        if intent == "logout" and _asks_about_logout(t):
            # "what happens to my orders if i log out?", "will logging out cancel my orders?"
            if _found(pattern, t) or _ASKS_ABOUT_THE_ACT.search(t):  # asks, acts not
                ruled_out = ("logout", "login", "skill")
            continue
        if intent == "logout" and _found(pattern, t) and not _asks_for_okx_logout(t, pattern):
            ruled_out = (
                "logout",
                "skill",
            )  # "log me out of binance", "被登出了": not ours, not asked
            continue
        if _found(pattern, t):
            return RequestReading(intent=intent, language=lang, rules_intent=intent)
    route = None if ruled_out else _skill_route(t)
    words = _login_words(t)
    login = words.asked
    if words.named and "login" not in ruled_out:
        ruled_out = (*ruled_out, "login")
    if words.elsewhere:  # "log me into binance and show my balance": another service's
        ruled_out, route = tuple(dict.fromkeys((*ruled_out, "skill"))), None
    if (login or route is None) and not asks_about:  # "is my login on the us site?" asks
        for intent, pattern in _RESTART_RULES:
            if _found(pattern, t):
                return RequestReading(
                    intent=intent, route=route, language=lang, rules_intent=intent
                )
    if login:
        return RequestReading(intent="login", route=route, language=lang, rules_intent="login")
    if route is None and not ruled_out and _found(_WEAK_PORTFOLIO, t) and _CHARS.search(t):
        route = "okx-cex-portfolio" if _has_verb_for_account(t) else None
    if route is not None:
        return RequestReading(
            intent="skill", route=route, language=lang, rules_intent="skill", ruled_out=ruled_out
        )
    return RequestReading(
        intent="unclear", language=lang, rules_intent="unclear", ruled_out=ruled_out
    )


def _asks_for_okx_logout(t: str, pattern: _Rule) -> bool:
    """Whether a logout word in ``t`` asks for an OKX logout.

    Not negated, not passive (被登出: it happened), and not of another named service ("log me
    out of binance", "退出币安账号").
    """
    return any(
        not _negated(t, start)
        and not _PASSIVE_ZH.search(t, max(0, start - 3), start)
        and not _logout_elsewhere(t, start)
        for start in pattern.starts(t)
    )


_PASSIVE_ZH = re.compile(r"被.{0,2}$")
_LOGOUT_OBJECT_EN = re.compile(
    r"(?:(?:log|sign)\s*-?\s*(?:me\s+|us\s+)?(?:out|off)|logout|signout|disconnect(?:\s+me)?)"
    r"\s+(?:of|from)\s+(?:(?:my|your|our|the|this|that)\s+)?(?P<name>[a-z][a-z0-9.-]*)"
)
_LOGOUT_OBJECT_ZH = re.compile(
    r"(?:退出|登出|注销)(?:我的)?\s*(?:(?P<latin>[a-z][a-z0-9.-]*)|(?P<name>[\u4e00-\u9fff]{2,4}?))"
    r"\s*(?:的?(?:账号|账户|帐号|帐户|app))?(?=$|[^\w]|[,.!，。！、])"
)


def _logout_elsewhere(t: str, start: int) -> bool:
    """Whether the logout word at ``start`` logs out of another named service, not OKX."""
    en = _LOGOUT_OBJECT_EN.match(t, start)
    if en is not None:
        return en.group("name") not in OKX_NAMES | {"everything", "all", "everywhere"}
    zh = _LOGOUT_OBJECT_ZH.match(t, start)
    if zh is None:
        return False
    if zh.group("latin"):
        return zh.group("latin") not in OKX_NAMES
    name = zh.group("name")
    return name[0] not in _ZH_NOT_A_NAME + "登授账帐" and not any(w in name for w in _OKX_NAMES_ZH)


def _asks_about_logout(t: str) -> bool:
    """Whether ``t`` asks about a logout rather than for one.

    "why did it log me out", "what does logging out do", "is logout gonna kill my grid bot?",
    "退出登录会影响我的网格机器人吗", "should I log out?", "要退出登录吗" (a Chinese question
    about a logout that asks nobody to do it: no 帮, 请, 能 …).
    """
    return bool(
        _ASKS_WHY_OR_WHAT.search(t)
        or _ASKS_ABOUT_THE_ACT.search(t)
        or (
            _ZH_QUESTION_END.search(t) is not None
            and _ZH_LOGOUT_WORD.search(t) is not None
            and (_ASKS_ABOUT_LOGOUT_ZH.search(t) is not None or _ZH_ASKS_FOR.search(t) is None)
        )
    )


def _skill_route(t: str) -> Route | None:
    """The skill ``t`` asks for: the first route with a keyword not negated, not done to a device.

    "I'm selling this computer", "lending laptop to my bro", "卖电脑": not a trade.
    """
    if re.search(r"order ?book", t) and not re.search(r"\b(?:place|cancel|amend)\b|下单", t):
        return "okx-cex-market"
    for route, pattern in _SKILL_RULES:
        if any(not _negated(t, at) and not _done_to_a_device(t, at) for at in pattern.starts(t)):
            return route
    return None


_DEVICE_OBJECT = re.compile(
    r"(?:[a-z]+\s+(?:(?:this|that|my|the|a|an|our|his|her|their|old|work)\s+)?"
    r"|[\u4e00-\u9fff]{1,2}?(?:这台|那台|我的|旧)?)"
    r"(?:computer|laptop|pc|mac|macbook|machine|device|phone|desktop|notebook|电脑|笔记本|手机|设备)"
)
_DEVICE_BEFORE = re.compile(r"(?:把|将)(?:这台|那台|我的|旧)?(?:电脑|笔记本|手机|设备)\s*$")
"""A device named before a Chinese verb (要把电脑卖了)."""


def _done_to_a_device(t: str, at: int) -> bool:
    """Whether the skill word at ``at`` is done to a device: the user's reason, not an act.

    "I'm selling this computer", "lending laptop to my bro", "要把电脑卖了": not a trade or a loan.
    """
    return bool(_DEVICE_OBJECT.match(t, at) or _DEVICE_BEFORE.search(t, max(0, at - 8), at))


def _has_verb_for_account(t: str) -> bool:
    """Whether a bare "account" asks to see it ("show my account"), not about trouble with it.

    "something's wrong with my account", "账户出问题了": no portfolio request.
    """
    if _ACCOUNT_TROUBLE.search(t):
        return False
    return bool(re.search(r"\b(?:show|check|view|see|my)\b|查|看|我的", t))


_ACCOUNT_TROUBLE = re.compile(
    r"\b(?:wrong|problems?|issues?|broken|bug|errors?|hacked|locked|frozen|stuck|weird)\b"
    r"|问题|出错|报错|被盗|冻结|锁了|异常|不对劲"
)
_CHARS = re.compile(r"[a-z\u4e00-\u9fff]")


# --------------------------------------------------------------------------- replies

_CANCEL_WORDS = r"cancel|abort|stop|quit|exit|never ?mind|nvm|forget (?:it|about it)|取消|算了|退出"
_CANCEL = re.compile(
    rf"\b(?:{_CANCEL_WORDS})\b|取消|算了|不登了|不弄了|不要了|不玩了|不登录了|别弄了|别登了"
    r"|不搞了|别搞了|别登录了|不想(?:登录|登|弄|搞)了"
    r"|\b(?:i )?(?:don't|dont|do not) want to (?:log ?in|login|sign in|continue|do (?:this|it))"
    r"(?: (?:anymore|any more))?\b"
)
_CANCEL_OBJECT = re.compile(
    r"(?:\s|[,.!。，！]|it|this|that|the|login|log in|everything|all|please|pls|now|then|"
    r"for now|process|flow|auth|authori[sz]ation|keep the key|登录|吧|了|掉|授权|这个|操作|流程|啦|"
    r"a|oh|ok|of|哈|啊|呀|哦|~|…|[\U0001F300-\U0001FAFF\u2600-\u27BF])*"
)
_DENIED = _rx(
    r"\b(?:rejected|reject|denied|deny|declined|decline|refused|refuse)\b",
    r"\bsaid no\b",
    r"\bcancel+ed (?:it )?(?:in|on) the (?:browser|page)\b",
    r"拒绝",
)
_ASK_VALIDITY = _rx(
    r"\bhow long\b",
    r"\bhow (?:many|much) (?:minutes|time)\b",
    r"\bexpire",
    r"\b(?:still )?valid\b",
    r"\btime left\b|\bminutes left\b",
    r"\btimes? out\b",
    r"有效期|多久|多长时间|过期|还有效|剩多少|剩余时间|还有(?:几|多少)分钟",
)
_ASK_CODE = _rx(
    r"\b(?:code|link|url)\b.{0,20}\bagain\b",
    r"\bagain\b.{0,20}\b(?:code|link|url)\b",
    r"\b(?:what|where)(?:'s| is| was| were)? (?:the |my )?(?:code|link|url|verification code)\b"
    r"(?! for\b)",
    r"\b(?:lost|forgot|missed|repeat|resend|re-send|send)\b.{0,20}\b(?:code|link|url)\b",
    r"\bshow\b.{0,12}\b(?:code|link|url)\b",
    r"\bwhere do i enter\b",
    r"^(?:the )?(?:code|link|url)(?: \?)?$",
    r"验证码是|验证码再|再发|链接呢|验证码呢|链接是|验证码多少|重新发|再给",
    r"^(?:the |my )?(?:code|link|url)(?: (?:pls|plz|please|again|now))*(?: \?)?$",
    r"\bwhats? (?:the |my )?(?:code|link|url)\b",
    r"\b(?:send|give) (?:me )?(?:the |my )?(?:code|link|url)\b",
    r"(?:链接|验证码|网址|地址)(?:在哪|呢|是多少|是什么|发我|给我)",
    r"(?:链接|验证码|网址|地址|码)(?:是多少|发一下|再发|.{0,3}(?:找不到|不见了|丢了))",
    r"给我.{0,2}(?:链接|验证码|网址|地址)",
    r"(?:发|给|再给)(?:我|给我)?(?:一下|一次)?(?:那个|这个)?(?:链接|验证码|网址|地址|码)",
    r"\b(?:the |my )?(?:code|link|url) (?:pls|plz|please)\b",
)
_START_OVER = _rx(
    r"\bstart (?:over|again)\b",
    r"\brestart\b",
    r"\bnew (?:code|one|login)\b",
    r"\bfrom scratch\b",
    r"重新开始|重来|重新登录|换一个验证码|新的验证码|重新获取",
)
_SWITCH_SITE = _rx(
    r"\b(?:another|other|different|wrong) site\b",
    r"\b(?:switch|change)\b.{0,12}\b(?:site|global|eea|us)\b",
    r"\bi (?:meant|need|want)\b.{0,12}\b(?:global|eea|us)\b",
    r"\b(?:global|eea|us) site\b",
    r"换.{0,3}站|切换.{0,6}站|欧洲站|美国站|全球站|站点|选错.{0,3}站",
)
_NOT_YET = _rx(
    r"\bnot (?:yet|done|finished|ready|complete)",
    r"\bhaven't\b|\bhavent\b|\bhave not\b|\bnot\b.{0,12}\byet\b",
    r"\b(?:didn't|didnt|did not)\b",  # "I didn't approve it": the challenge again, no okx call
    r"\bwait\b",
    r"\bhold on\b",
    r"\bone (?:moment|sec|second|minute)\b",
    r"\bgive me (?:a|one|\d+) (?:minute|sec|second|moment)",
    r"\bstill (?:working|doing|on it)",
    r"\bin a (?:minute|moment|sec)\b",
    r"\bworking on it\b",
    r"还没|没有|未完成|稍等|等一下|等等|马上|正在|等会|一会|等我.{0,2}一下|等下|快好了|快了|还在(?!.*[吗呢]$)",
)
_SIGNAL = _rx(
    r"\b(?:done|ok|okay|k|finished|finish|complete|completed|ready|approved|approve|"
    r"authori[sz]ed|yes|yep|yeah|yup|did it|all set|logged in|entered)\b",
    r"✅|👍|✔|👌",
    r"好了|好的|^好$|好啦|完成|搞定|弄完|弄好|授权了|已授权|已经授权|授权好|可以了|行了|登录好|批准|确认了"
    r"|同意了|已同意|成功了|\ball good\b",
    r"删掉了|删了|删除了|已删除|\bremoved\b|\bdeleted\b",
    r"\b(?:hit|pressed|clicked|tapped|pushed)\b.{0,12}\b(?:authori[sz]e|allow|approve|confirm|accept)\b",
    r"\b(?:profile|it)(?:'s| is) gone\b",
)
COMPLETION_WORDS: Final = (
    *("done", "ok", "okay", "k", "finished", "complete", "completed", "ready"),
    *("all done", "all good", "all set"),
    *("好了", "好啦", "好的", "完成", "完成了", "搞定", "搞定了", "弄好了", "同意了", "授权了"),
    *(
        "授权好了",
        "授权成功",
        "授权成功了",
        "登录好了",
        "登录成功",
        "登录成功了",
        "成功了",
        "可以了",
    ),
)
"""D12's completion words: each, and each put as a question ("done?", "is it done?", "好了？",
"好了没", "同意了吗"), is a completion signal. docs/spec.md lists the same words."""
_COMPLETION_WORD = "(?:" + "|".join(sorted(COMPLETION_WORDS, key=len, reverse=True)) + ")"
_SIGNAL_QUESTION = re.compile(
    r"^(?:(?:is|are|was) (?:it|we|you|that|this|everything|the login|my login|login) )?"
    rf"{_COMPLETION_WORD}(?: (?:now|yet|already))?(?: \?)?$"
    rf"|^(?:是不是|是否)?{_COMPLETION_WORD}(?:吗|么|没|没有|呢|了吗|了没|了没有)?(?: \?)?$"
)
"""A completion word put as a question (docs/spec.md D12): a signal, one status check."""
_QUESTION = _rx(
    r"[?]$",
    r"^(?:what(?! an? )|why|how|where|when|who|which|is|are|do|does|did|can|could|should|will)\b",
    r"[吗呢嘛]$",
    r"什么|为什么|怎么|如何|安全吗",
)
_YES = _rx(
    r"^(?:yes|y|ye|yeah|yep|yup|ya|yea|sure|for sure|ok|okay|k|please|retry|again|go|confirm|"
    r"confirmed|correct|fine|alright|definitely|absolutely)\b",
    r"\btry again\b|\bgo ahead\b|\bdo it\b|\blet's (?:do it|try|retry|go)\b|\bremove it\b",
    r"^(?:是|好(?!了)|行|可以|要|确认|确定|嗯|对|重试|再试|删吧|删除吧|来吧)",  # 好了: "done", not a yes
)
_NO = _rx(
    r"^(?:no|n|nope|nah|negative|don't|dont|never)\b",
    r"\bno thanks\b|\bnot now\b|\bkeep it\b|\bleave it\b|\bdon't\b|\bskip\b",
    r"^(?:不|否|别|先不)",
)
_OPTION_WORDS: Final = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_OPTION_NAMES: Final = (
    (
        2,
        _rx(
            r"\boauth\b",
            r"\bswitch\b",
            r"改用|切换|换成",
        ),
    ),
    (
        1,
        _rx(
            r"\b(?:replace|new|another|generate|regenerate|fix)\b.{0,20}\b(?:key|api)\b",
            r"\bnew key\b",
            r"\b(?:replace|regenerate|rotate) (?:it|them|that)\b",
            r"\bregenerate\b",
            r"替换|更换|换.{0,4}(?:key|密钥)|新的\s*(?:api\s*)?key|重新生成",
        ),
    ),
)


def read_reply_rules(question: str, text: str, *, options: int = 2) -> ReplyReading:
    """Read a reply to question type ``question`` with the bilingual rules.

    Args:
        question: The question's type (``choose_site``, ``await_authorization``, …).
        text: The user's reply.
        options: How many numbered options the question shows (``choose_api_key_fix``,
            ``clarify_request``).

    Returns:
        The reading (``source="rules"``); a label outside the question's set is ``unclear``.
    """
    if too_long(text):
        text = ""  # not read: the question is asked again
    t = correct_typos(normalize_reply(text))
    if normalize(text).endswith("?"):
        t += " ?"  # a question mark is kept as a word of its own
    label, site, option = _reply_label(question, t, options)
    allowed = QUESTION_LABELS.get(question, frozenset(REPLY_LABELS))
    if label not in allowed:
        label, site, option = (
            ("request" if question == "clarify_request" else "unclear"),
            None,
            None,
        )
    return ReplyReading(question=question, label=label, site=site, option=option)


def _reply_label(
    question: str, t: str, options: int
) -> tuple[ReplyLabel, SiteId | None, int | None]:
    if not t and question != "await_authorization":
        return "unclear", None, None
    if is_cancel_text(t):
        return "cancel", None, None
    if question == "choose_site":
        site = parse_site_choice(t)
        return ("site", site, None) if site else ("unclear", None, None)
    if question in ("choose_api_key_fix", "clarify_request"):
        option = _parse_option(t, options, named=question == "choose_api_key_fix")
        return ("option", None, option) if option else ("unclear", None, None)
    if question in YES_NO_QUESTIONS:
        return _yes_no(t), None, None
    return _waiting_label(t), None, None


def _waiting_label(t: str) -> ReplyLabel:
    """A reply while the user is to finish something in the browser or in their config."""
    if not t:
        return "unclear"
    if _found(_DENIED, t):
        return "denied"
    if _found(_ASK_CODE, t, negatable=False):
        return "ask_code"
    if _found(_START_OVER, t) and not _asked_about(t):
        return "start_over"
    if _found(_ASK_VALIDITY, t, negatable=False):
        return "ask_validity"
    if _found(_SWITCH_SITE, t) and not _asked_about(t):
        return "switch_site"
    if _SIGNAL_QUESTION.search(t):
        return "signal"  # "done?", "is it done?", "好了吗": the user asks for the status check
    if _NOT_YET.search(t):
        return "not_yet"
    if _QUESTION.search(t):
        return "question"
    if _found(_SIGNAL, t):
        return "signal"
    return "unclear"


_ASKS_FOR_IT = re.compile(
    r"^(?:(?:hi|hey|ok|so|pls|please)\W+)*(?:can|could|would|will|may) (?:you|we|i|u)\b"
    r"|\b(?:please|pls|plz)\b|帮|请|给我|麻烦|能|可以|可不可以|好吗|行吗"
)
"""A question that asks for something ("can we start over?", "能换个站点吗"), not about it."""


def _asked_about(t: str) -> bool:
    """Whether ``t`` is a question about something rather than a request put as a question.

    "should I start over?", "is it on the us site?", "站点是哪个?", "重新开始吗" ask; "can we
    start over?", "can you switch me to the us site?", "能换个站点吗" ask for it (D12, D21).
    """
    return _QUESTION.search(t) and not _ASKS_FOR_IT.search(t)


def _yes_no(t: str) -> ReplyLabel:
    if re.search(r"\bor\b|还是|不知道|不确定|不清楚|\bmaybe\b|\bperhaps\b", t):
        return "unclear"
    if re.search(r"[?吗]$", t):
        return "unclear"
    if _NO.search(t):
        return "no"
    if _found(_YES, t):
        return "unclear" if _ALSO_NO.search(t) else "yes"  # "yes no": both, so neither
    return "unclear"


_ALSO_NO = re.compile(r"\b(?:no|nope|nah)\b(?! (?:problem|prob|worries|issue|doubt)s?\b)")
"""A no after a yes ("yes no"), not in "ok no problem"."""


def is_cancel_text(t: str) -> bool:
    """Whether normalised reply ``t`` asks to cancel: a cancel word, not negated, no object."""
    # only the last cancel word can be followed by nothing but its objects
    last = next(iter(deque(_CANCEL.finditer(t), maxlen=1)), None)
    if last is None or _negated(t, last.start()):
        return False
    return _CANCEL_OBJECT.fullmatch(t, last.end()) is not None


def cancel_is_not_ours(text: str) -> bool:
    """Whether a reply's cancel words cancel nothing of ours.

    Each is negated ("不取消", "don't cancel"), or they cancel a trading thing ("cancel my
    order": a skill's words).
    """
    t = correct_typos(normalize_reply(text))
    starts = [m.start() for m in _CANCEL.finditer(t)]
    return bool(starts) and (
        all(_negated(t, start) for start in starts) or _skill_route(t) is not None
    )


def is_cancel(text: str) -> bool:
    """Whether a reply asks to cancel the flow ("cancel", "取消", "never mind", "算了", …)."""
    return is_cancel_text(correct_typos(normalize_reply(text)))


# --------------------------------------------------------------------------- choices

SITE_FILLER_EN: Final = frozenset(
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
"""English words a site choice may carry besides the choice itself."""

SITE_FILLER_ZH: Final = (
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
"""Chinese words a site choice may carry besides the choice itself."""
_SITE_FILLER_ZH_LONGEST_FIRST: Final = sorted(SITE_FILLER_ZH, key=len, reverse=True)

_ORDINALS: Final = {
    "first": "1",
    "1st": "1",
    "second": "2",
    "2nd": "2",
    "third": "3",
    "3rd": "3",
    "fourth": "4",
    "4th": "4",
    "fifth": "5",
    "5th": "5",
}
_ZH_ORDINAL = re.compile(r"第\s*([一二三四五123456])")
_ZH_NUMBERS: Final = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5"}
_ZH_COUNT = re.compile(r"[一二三四五两]个")
"""A number of things ("一个": one of them, any), not a choice."""
_CHOICE_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)?|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _choices(t: str, names: dict[str, str]) -> tuple[list[str], bool]:
    """The choices a normalised reply names, and whether it has only filler words besides.

    Args:
        t: The normalised reply.
        names: Choice words (digits, site ids) to the value they stand for.
    """
    picked: list[str] = []
    only_filler = True
    t = _ZH_ORDINAL.sub(lambda m: f" {_ZH_NUMBERS.get(m.group(1), m.group(1))} ", t)
    for token in _CHOICE_TOKEN.findall(t):
        key = _ORDINALS.get(token, token)
        if key in names:
            picked.append(names[key])
        elif _CJK.match(token):
            rest = token
            for word in _SITE_FILLER_ZH_LONGEST_FIRST:
                rest = rest.replace(word, "")
            number = _ZH_NUMBERS.get(rest)
            if number in names and not _ZH_COUNT.search(token):
                picked.append(names[number])  # "二", "二号", "我选二" (not "选一个": any one)
            else:
                only_filler = only_filler and not rest
        elif token not in SITE_FILLER_EN:
            only_filler = False
    leftover = set(_CHOICE_TOKEN.sub(" ", t))
    if any(unicodedata.category(ch)[0] not in "PSZ" for ch in leftover):
        only_filler = False  # a mark or a letter of another script is another word
    return picked, only_filler


_SITE_NAMES: Final[dict[str, str]] = {
    **MENU_SITES,
    **{site: site for site in SITE_IDS},
    "two": "eea",
    "three": "us",
}
_SITE_PHRASES: Final = re.compile(
    r"(?:https?://)?("
    + "|".join(re.escape(host) for host in WEB_HOSTS.values())
    + r")/?|european economic area|欧洲经济区|(?:欧洲站|美国站|全球站|国际站)点?|全球"
)
"""What names a site besides its number and id: the menu's hosts and the sites' own names."""
_SITE_PHRASE_IDS: Final = {
    **{host: site for site, host in WEB_HOSTS.items()},
    "european economic area": "eea",
    "欧洲经济区": "eea",
    "欧洲站": "eea",
    "美国站": "us",
    "全球站": "global",
    "国际站": "global",
    "全球": "global",
}
_ANY_ONE = frozenset(["that", "this", "the", "which", "any", "either", "some", "a", "another"])
"""Words that make "one" mean "one of them", not the choice 1 ("that one", "any one")."""


def parse_site_choice(text: str) -> SiteId | None:
    """The site a reply to the menu chooses, or ``None`` (the menu is asked again).

    A reply that names exactly one site with nothing but the filler words
    :data:`SITE_FILLER_EN` / :data:`SITE_FILLER_ZH` is that site (docs/spec.md D4). A site is
    named by its number (a digit 1-3; "one" when no "that", "any" … makes it "one of them";
    "two", "three"; 一, 二, 三 but not 一个), an ordinal ("the second one", "第二个"), its id, a
    host of the menu (``my.okx.com``; so a menu line copied back, "2. EEA (my.okx.com)"), or its
    own name ("European Economic Area", "欧洲站"; "美国站"; "全球", "全球站", "国际站"). A region
    or a country ("Europe", "the EU", "USA", "美国", "I'm in Spain") names no site. None, two
    different sites, a negation or other words: ``None``. Rules only: no model reads a site.
    """
    if too_long(text):
        return None
    t = _SITE_PHRASES.sub(
        # "全球站点": the name and the filler 站点 (the name's 站 is the filler's first half)
        lambda m: f" {_SITE_PHRASE_IDS[(m.group(1) or m.group(0)).removesuffix('点')]} ",
        normalize_reply(text),
    )
    picked, only_filler = _choices(t, _SITE_NAMES)
    words = set(_CHOICE_TOKEN.findall(t))
    if not picked and "one" in words and not words & _ANY_ONE:
        picked = ["global"]  # "one", "option one", "number one please"
    if not only_filler or len(set(picked)) != 1:
        return None
    site = picked[0]
    return next((known for known in SITE_IDS if known == site), None)


_ORDINAL_ONE = re.compile(r"\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th) one\b")


def _parse_option(t: str, count: int, *, named: bool) -> int | None:
    t = _ORDINAL_ONE.sub(r"\1", t)  # "the second one": "one" is no option there
    names = {str(n): str(n) for n in range(1, 10)}
    names.update({w: str(n) for w, n in _OPTION_WORDS.items()})
    picked, only_filler = _choices(t, names)
    if only_filler and len(set(picked)) == 1:
        number = int(picked[0])
        return number if 1 <= number <= count else None
    if named and not picked:
        found = {n for n, pattern in _OPTION_NAMES if _found(pattern, t)}
        if len(found) == 1:
            return found.pop()
    return None


# --------------------------------------------------------------------------- language

LANGUAGE_NEUTRAL_WORDS: Final = frozenset(
    [
        "okx",
        "btc",
        "eth",
        "usdt",
        "usdc",
        "sol",
        "xrp",
        "doge",
        "api",
        "key",
        "id",
        "url",
        "oauth",
        "dcd",
        "dca",
        "rsi",
        "macd",
        "p",
        "pnl",
        "k",
        "cli",
    ]
)
"""Latin words that count for neither language (tickers and product names)."""


SHORT_MESSAGE_UNITS: Final = 2
"""A message of at most this many units (Chinese characters and Latin words, as counted by
:func:`language_of`) does not change a language already held (docs/spec.md D22)."""


def language_of(text: str, previous: Language | None = None) -> Language | None:
    """The language one message decides, by the majority of its letters (docs/spec.md D22).

    After NFKC and case folding, each Chinese character counts one for Chinese (a character
    is about a word: Chinese has no spaces) and each Latin word (a run of ``a``-``z``) one for
    English, except the ticker and product names :data:`LANGUAGE_NEUTRAL_WORDS`. So "Please
    log in to okx, I am 张伟" is English and "我想申购简单赚币 Simple Earn" Chinese. A message
    with no letters ("2", "✅") or a tie decides nothing: ``previous`` holds. Once a language is
    held (``previous``), a message of at most :data:`SHORT_MESSAGE_UNITS` units ("OK", "done",
    "好了", "yes") decides nothing either.

    Returns:
        ``zh`` or ``en``; ``previous`` when the text does not decide.
    """
    folded = normalize(text[:READ_LIMIT])
    chinese = sum(map(len, _CJK_RUN.findall(folded)))
    latin = sum(1 for w in _LATIN_WORD.findall(folded) if w not in LANGUAGE_NEUTRAL_WORDS)
    if previous is not None and chinese + latin <= SHORT_MESSAGE_UNITS:
        return previous  # "OK", "done", "好了" once a language is held: it holds
    if chinese > latin:
        return "zh"
    if latin > chinese:
        return "en"
    return previous


def held_language(texts: Iterable[str], previous: Language | None = None) -> Language | None:
    """The language held after ``texts`` (oldest first), ``None`` while no message decided one.

    ``previous`` is a language already held (a message decided it), never the default: before
    any language is held every message decides, however short (docs/spec.md D22).
    """
    language = previous
    for text in texts:
        language = language_of(text, language)
    return language


def latest_language(texts: Iterable[str], previous: Language | None = None) -> Language:
    """The language to answer in: that of the latest of ``texts`` (oldest first) that decides.

    Requests and replies alike; a text that decides nothing keeps the language before it, and
    before any text decides it is ``previous``, else English (docs/spec.md D22).
    """
    language = previous
    for text in texts:
        language = language_of(text, language)
    return language or "en"


def read_request(
    text: str, *, language: Language | None = None, previous: Language | None = None
) -> RequestReading:
    """Read a new request offline: the learned reader behind the rules (docs/spec.md D21).

    See :func:`okx_auth_graph.reading.learned.read_request_offline`; the rules alone are
    :func:`read_request_rules`.

    Args:
        text: The user's request.
        language: A language that overrides detection (``Context.language``).
        previous: The conversation's language so far (kept when the text does not decide).
    """
    from okx_auth_graph.reading.learned import read_request_offline  # it builds on this module

    lang = language or language_of(text, previous) or "en"
    return read_request_offline(text, language=lang)


def read_reply(question: str, text: str, *, options: int = 2) -> ReplyReading:
    """Read a reply offline: the learned reader behind the rules (docs/spec.md D21).

    See :func:`okx_auth_graph.reading.learned.read_reply_offline`; the rules alone are
    :func:`read_reply_rules`. A site comes from the rules only.
    """
    from okx_auth_graph.reading.learned import read_reply_offline  # it builds on this module

    return read_reply_offline(question, text, options=options)
