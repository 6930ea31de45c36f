"""The rules of docs/spec.md as pure functions over a finished :class:`~.trajectory.Trajectory`.

Each invariant has a stable name (its key in :data:`INVARIANTS`) and returns a list of
:class:`Violation` (empty when the rule holds). :func:`check_all` runs them all;
:func:`as_evaluator` wraps one in the shape openevals / LangSmith evaluators use.

An *entry* is a new input (not a resume); a new input ends the previous no-poll window.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from typing_extensions import TypedDict

from okx_auth_graph.evals.texts import (
    SITES,
    asks_for_new_login,
    expires_minutes,
    is_cancel,
    is_clearly_not_a_signal,
    is_completion_signal,
    is_denial,
    is_yes,
    parse_site_choice,
    site_menu,
    template,
    template_pattern,
    user_language,
)
from okx_auth_graph.evals.trajectory import Entry, InterruptRecord, OkxCall, Trajectory

PREFLIGHT: frozenset[tuple[str, ...]] = frozenset(
    {("config", "show", "--json"), ("auth", "status", "--json")}
)
MARKET_OUTCOME = "no_auth_needed"
CLARIFY = "clarify_request"
SUCCESS_OR_STATUS_OUTCOMES = frozenset({"logged_in", "status_reported"})

TEMPLATE_MARKERS: dict[str, tuple[str, ...]] = {
    "site_menu.zh": ("您需要选择要连接的 OKX 站点", "1. Global (www.okx.com)"),
    "api_key_configured.zh": ("已配置 API key",),
    "login_challenge.zh": ("请在浏览器中打开下面的链接", "验证码:", "(有效期"),
    "login_challenge.en": ("Please open the link below in your browser", "(Valid for"),
    "login_success.zh": ("登录成功",),
    "login_success.en": ("Login successful",),
    "session_lifetime.en": ("Session stays active",),
}
_DURATION = re.compile(
    r"\d+(?:\.\d+)?\s*(?:秒|分钟|分|小时|天|周|个月|年"
    r"|(?:s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?|months?|years?)\b)",
    re.IGNORECASE,
)
_TTL = re.compile(r"\bttl\b", re.IGNORECASE)
_SCOPES = re.compile(r"[^,\[\]'\"{}]+(?:, [^,\[\]'\"{}]+)*|")


class Violation(TypedDict):
    """One broken rule: the invariant's name and what happened."""

    invariant: str
    detail: str


class EvaluatorResult(TypedDict):
    """An openevals / LangSmith evaluator result."""

    key: str
    score: bool
    comment: str


Invariant = Callable[[Trajectory], list[Violation]]


def _argv(call: OkxCall) -> tuple[str, ...]:
    return tuple(call["argv"])


def is_login(call: OkxCall) -> bool:
    """Whether a call is ``okx auth login …`` (manual or interactive)."""
    return _argv(call)[:2] == ("auth", "login")


def is_status(call: OkxCall) -> bool:
    """Whether a call is ``okx auth status …``."""
    return _argv(call)[:2] == ("auth", "status")


def login_site(call: OkxCall) -> str | None:
    """The ``--site`` value of a login call (``None`` when absent)."""
    argv = call["argv"]
    for index, arg in enumerate(argv):
        if arg == "--site" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--site="):
            return arg.split("=", 1)[1]
    return None


def _show(call: OkxCall) -> str:
    return "okx " + " ".join(call["argv"])


def _where(index: int, entry: Entry) -> str:
    return f"entry {index} ({entry['kind']} {entry['text']!r})"


def _resumed_type(entry: Entry) -> str | None:
    resumed = entry["resumed"]
    return resumed["type"] if entry["kind"] == "resume" and resumed is not None else None


def _has_install(calls: list[OkxCall]) -> bool:
    return any(_argv(c)[:2] == ("auth", "install") for c in calls)


def login_gate(t: Trajectory) -> list[Violation]:
    """Every ``auth login`` passes the pre-login gate.

    The call answers the site menu (the question just resumed shows the verbatim menu, or —
    for a choice sent as a new message — an earlier assistant message showed it),
    the user's most recent message is a site choice, and ``--site`` is exactly that choice. At
    most one login per choice (two only around an ``auth install``, the spec's retry once).
    """
    name = "login_gate"
    out: list[Violation] = []
    menu = site_menu()
    for index, entry in enumerate(t.entries):
        calls = t.entry_calls(entry)
        logins = [c for c in calls if is_login(c)]
        for call in logins:
            where = f"{_where(index, entry)}: {_show(call)}"
            resumed = entry["resumed"]
            if entry["kind"] != "resume" or resumed is None:
                earlier = t.messages[: entry["messages"][0]]
                if not any(m["role"] == "ai" and menu in m["content"] for m in earlier):
                    out.append(_v(name, f"{where} ran on a new input, the menu never shown before"))
                    continue
            elif menu not in str(resumed["payload"].get("message", "")):
                out.append(
                    _v(name, f"{where} answers a {resumed['type']!r} question, not the site menu")
                )
                continue
            choice = parse_site_choice(entry["text"])
            site = login_site(call)
            if choice is None:
                out.append(_v(name, f"{where}: the last user message is not a site choice"))
            elif site != choice:
                out.append(_v(name, f"{where}: --site {site} but the user chose {choice}"))
        if len(logins) > (2 if _has_install(calls) else 1):
            out.append(_v(name, f"{_where(index, entry)}: {len(logins)} logins for one choice"))
    return out


def no_silent_global(t: Trajectory) -> list[Violation]:
    """``--site global`` only when the user's own reply chose global."""
    out: list[Violation] = []
    for index, entry in enumerate(t.entries):
        for call in t.entry_calls(entry):
            chose_global = parse_site_choice(entry["text"]) == "global"
            if is_login(call) and login_site(call) == "global" and not chose_global:
                out.append(
                    _v(
                        "no_silent_global",
                        f"{_where(index, entry)}: {_show(call)} without the user choosing global",
                    )
                )
    return out


def no_auto_poll(t: Trajectory) -> list[Violation]:
    """No ``auth status`` between a challenge (or a pending status) and the user's next reply.

    In an entry that leaves an ``await_authorization`` question: no status after its last
    successful login (a failed one opened no wait), and without one at most the pre-flight
    status. While waiting, the first okx
    call of a reply is ``auth status``, and there is at most one per reply (two only when an
    ``auth install`` ran, the spec's retry once).
    """
    name = "no_auto_poll"
    out: list[Violation] = []
    for index, entry in enumerate(t.entries):
        calls = t.entry_calls(entry)
        allowed = 2 if _has_install(calls) else 1
        interrupt = entry["interrupt"]
        if interrupt is not None and interrupt["type"] == "await_authorization":
            last_login = max(
                (i for i, c in enumerate(calls) if is_login(c) and _succeeded(c)), default=None
            )
            if last_login is not None:
                polls = [c for c in calls[last_login + 1 :] if is_status(c)]
                if polls:
                    out.append(
                        _v(name, f"{_where(index, entry)}: {len(polls)} auth status after login")
                    )
            elif sum(map(is_status, calls)) > allowed:
                out.append(
                    _v(
                        name,
                        f"{_where(index, entry)}: {sum(map(is_status, calls))} auth status calls "
                        "before waiting for the user",
                    )
                )
        if _resumed_type(entry) == "await_authorization" and calls:
            if not is_status(calls[0]):
                out.append(
                    _v(name, f"{_where(index, entry)}: {_show(calls[0])} while waiting for signal")
                )
            statuses = sum(map(is_status, calls))
            if statuses > allowed:
                out.append(
                    _v(name, f"{_where(index, entry)}: {statuses} auth status calls for one reply")
                )
    return out


def one_status_per_signal(t: Trajectory) -> list[Violation]:
    """A completion signal while waiting gets exactly one ``auth status`` (no more, no fewer)."""
    out: list[Violation] = []
    for index, entry in enumerate(t.entries):
        if _resumed_type(entry) != "await_authorization":
            continue
        if not is_completion_signal(entry["text"]):
            continue
        calls = t.entry_calls(entry)
        statuses = sum(map(is_status, calls))
        if statuses == 0 or statuses > (2 if _has_install(calls) else 1):
            out.append(
                _v(
                    "one_status_per_signal",
                    f"{_where(index, entry)}: {statuses} auth status calls for the signal",
                )
            )
    return out


def non_signal_no_call(t: Trajectory) -> list[Violation]:
    """A reply while waiting that is clearly not a completion signal runs no okx call.

    "Clearly not a signal" is read by :func:`~.texts.is_clearly_not_a_signal` (a question, a
    "not yet", or text with no stem of any signal), never by the product's own rules; such a
    reply gets a question back, never an ``auth status``. "cancel" is judged by
    ``cancel_ends_flow``; a denial ("I rejected it") gets the status check a signal gets (D12).
    """
    out: list[Violation] = []
    for index, entry in enumerate(t.entries):
        if _resumed_type(entry) != "await_authorization" or is_cancel(entry["text"]):
            continue
        if is_denial(entry["text"]):  # D12: a denial gets the status check a signal gets
            continue
        calls = t.entry_calls(entry)
        if calls and is_clearly_not_a_signal(entry["text"]):
            shown = ", ".join(_show(c) for c in calls)
            out.append(
                _v(
                    "non_signal_no_call",
                    f"{_where(index, entry)} is not a completion signal but ran {shown}",
                )
            )
    return out


def _call_views(t: Trajectory) -> list[tuple[int, Entry, str | None, list[str] | None]]:
    """For each call: its entry, and the auth status and API-key profiles of the world then.

    The world is the entry's starting snapshot, changed by the entry's own earlier logins
    (a code is pending) and logouts; ``None`` where the snapshot is unknown.
    """
    views: list[tuple[int, Entry, str | None, list[str] | None]] = []
    for index, entry in enumerate(t.entries):
        world = entry["world"]
        status = world["auth"]["status"] if world is not None else None
        profiles = world["api_key_profiles"] if world is not None else None
        for call in t.entry_calls(entry):
            views.append((index, entry, status, profiles))
            if is_login(call) and status is not None and not profiles:
                status = _after_login(call, status)
            elif _argv(call)[:2] == ("auth", "logout") and status is not None:
                status = "not_logged_in"
    return views


def _succeeded(call: OkxCall) -> bool:
    """Whether a call exited 0 (an unknown exit code counts as success)."""
    return call.get("exit_code") in (0, None)


def _after_login(call: OkxCall, status: str | None) -> str | None:
    """The auth status after a login call.

    A ``--manual`` login leaves a code pending, the blocking login logs in, and a failed
    login changes nothing.
    """
    if not _succeeded(call):
        return status
    return "pending" if "--manual" in call["argv"] else "logged_in"


def _asks_for_new_login(entry: Entry) -> bool:
    """Whether an entry is the user's explicit start-over / other-site request or its yes."""
    resumed = _resumed_type(entry)
    if resumed in ("confirm_start_over", "confirm_switch_site"):
        return is_yes(entry["text"])
    return asks_for_new_login(entry["text"])


def _logins_against_knowledge(
    t: Trajectory,
) -> Iterator[tuple[int, Entry, OkxCall, str | None, list[str] | None]]:
    """Yield each login with what the graph had last seen: the status and API-key profiles.

    The status is the world's at the last ``auth status`` (or login) before the call, or
    ``not_logged_in`` after a logout; the profiles are the world's at the last ``config show``
    before it. A world that changed unseen since (the user added a key, a code lapsed) does not
    count against the graph, nor does one a failed call could not show (``None``). A pending
    status counts as ``explicit`` once, since the entry that showed it, the user explicitly asked
    to start over or to use another site (or said yes to that question).
    """
    views = _call_views(t)
    seen_status: str | None = None
    seen_profiles: list[str] | None = None
    pending_since: int | None = None
    for position, call in enumerate(t.calls[: len(views)]):
        index, entry, status, profiles = views[position]
        if is_login(call):
            asked = pending_since is not None and any(
                _asks_for_new_login(e) for e in t.entries[pending_since : index + 1]
            )
            yield index, entry, call, "explicit" if asked else seen_status, seen_profiles
            if status is not None and not profiles:
                seen_status = _after_login(call, seen_status)
                pending_since = index if seen_status == "pending" else None
        elif is_status(call):
            seen_status = status if _succeeded(call) else None
            if seen_status == "pending" and pending_since is None:
                pending_since = index
            elif seen_status != "pending":
                pending_since = None
        elif _argv(call)[:2] == ("auth", "logout") and _succeeded(call):
            seen_status, pending_since = "not_logged_in", None
        elif _argv(call)[:3] == ("config", "show", "--json"):
            seen_profiles = profiles if _succeeded(call) else None


def no_login_while_pending(t: Trajectory) -> list[Violation]:
    """No ``auth login`` while the last status the graph saw was ``pending`` (or its own code).

    Unless the user explicitly asked to start over or to use another site since that status
    (D7); the login then still answers the menu (see :func:`login_gate`).
    """
    return [
        _v("no_login_while_pending", f"{_where(i, e)}: {_show(c)} while a login is pending")
        for i, e, c, status, _ in _logins_against_knowledge(t)
        if status == "pending"
    ]


def no_login_with_api_key(t: Trajectory) -> list[Violation]:
    """No ``auth login`` while the last ``config show`` the graph ran had an API-key profile."""
    return [
        _v(
            "no_login_with_api_key",
            f"{_where(i, e)}: {_show(c)} while profile(s) {', '.join(profiles)} have an API key",
        )
        for i, e, c, _, profiles in _logins_against_knowledge(t)
        if profiles
    ]


def _starts_request(entry: Entry) -> bool:
    """Whether an entry reads a request: a new input, or the answer to ``clarify_request``."""
    return entry["kind"] == "input" or _resumed_type(entry) == "clarify_request"


def _is_market_only(entry: Entry) -> bool:
    state = entry["state"]
    return _starts_request(entry) and state["done"] and state["outcome"] == MARKET_OUTCOME


def _clarified(entry: Entry) -> bool:
    """Whether a request entry ends asking ``clarify_request`` or is cancelled at it."""
    interrupt = entry["interrupt"]
    if interrupt is not None and interrupt["type"] == CLARIFY:
        return True
    state = entry["state"]
    return _resumed_type(entry) == CLARIFY and state["done"] and state["outcome"] == "cancelled"


def preflight_first(t: Trajectory) -> list[Violation]:
    """Every request starts with ``config show`` + ``auth status``, unless it needs none.

    A request is a new input or the answer to the clarifying question. A market-only request
    needs no pre-flight; a request that ends asking ``clarify_request`` (or is cancelled
    there) makes no okx call at all: the question comes before the pre-flight.
    """
    out: list[Violation] = []
    for index, entry in enumerate(t.entries):
        if not _starts_request(entry) or _is_market_only(entry):
            continue
        if _clarified(entry):
            calls = t.entry_calls(entry)
            if calls:
                out.append(
                    _v(
                        "preflight_first",
                        f"{_where(index, entry)}: {len(calls)} okx call(s) before asking "
                        "what the request means",
                    )
                )
            continue
        first = [_argv(c) for c in t.entry_calls(entry)[:2]]
        if set(first) != PREFLIGHT or len(first) != 2:
            shown = [" ".join(a) for a in first] or ["no okx call"]
            out.append(
                _v("preflight_first", f"{_where(index, entry)}: began with {shown}, not pre-flight")
            )
    return out


def preflight_concurrent(t: Trajectory) -> list[Violation]:
    """The two pre-flight calls of an entry overlap in time (started/ended stamps)."""
    out: list[Violation] = []
    for index, entry in enumerate(t.entries):
        if not _starts_request(entry):
            continue
        first = t.entry_calls(entry)[:2]
        if len(first) != 2 or {_argv(c) for c in first} != PREFLIGHT:
            continue
        a, b = first
        if not max(a["started"], b["started"]) < min(a["ended"], b["ended"]):
            out.append(
                _v(
                    "preflight_concurrent",
                    f"{_where(index, entry)}: pre-flight calls ran one after the other "
                    f"([{a['started']:.6f}, {a['ended']:.6f}] and "
                    f"[{b['started']:.6f}, {b['ended']:.6f}])",
                )
            )
    return out


def _user_language(t: Trajectory, before: int) -> str:
    """The language a text shown at message position ``before`` must be in (D22).

    The run's override, else that of the user's latest message before it that decides one,
    requests and replies alike.
    """
    if t.language is not None:
        return t.language
    return user_language([m["content"] for m in t.messages[:before] if m["role"] == "human"])


def _entry_of_message(t: Trajectory) -> list[int | None]:
    owner: list[int | None] = [None] * len(t.messages)
    for index, entry in enumerate(t.entries):
        start, end = entry["messages"]
        for position in range(start, min(end, len(t.messages))):
            owner[position] = index
    return owner


def _shown_texts(t: Trajectory) -> Iterator[tuple[str, str, int | None, int]]:
    """Every shown text: ``(where, text, entry index, position)``, AI and interrupt messages.

    ``position`` is where the text stands in the dialogue: the user's messages before it are
    those it answers.
    """
    owner = _entry_of_message(t)
    for position, message in enumerate(t.messages):
        if message["role"] == "ai":
            yield f"message {position}", message["content"], owner[position], position
    for index, entry in enumerate(t.entries):
        interrupt = entry["interrupt"]
        if interrupt is not None:
            text = interrupt["payload"].get("message")
            if isinstance(text, str):
                where = f"interrupt of entry {index} ({interrupt['type']})"
                yield where, text, index, entry["messages"][1]


def _check_template_fields(name: str, match: re.Match[str]) -> str | None:
    fields = match.groupdict()
    if "site" in fields and fields["site"] not in SITES:
        return f"site {fields['site']!r} is not a site id"
    if "expires_minutes" in fields and not re.fullmatch(r"[1-9]\d*", fields["expires_minutes"]):
        return f"expires_minutes {fields['expires_minutes']!r} is not a positive whole number"
    if "scopes" in fields and not _SCOPES.fullmatch(fields["scopes"]):
        return f"scopes {fields['scopes']!r} are not joined by ', '"
    if "profile" in fields and not fields["profile"].strip():
        return "empty profile"
    if name.startswith("login_challenge") and not all(
        fields[k].strip() for k in ("verificationUri", "userCode")
    ):
        return "empty URL or code"
    return None


def templates_verbatim(t: Trajectory) -> list[Violation]:
    """Each template the graph shows is byte-exact, with sane fields and the user's language.

    The menu and the API-key sentence are always Chinese; the challenge and success templates
    follow the language of the user's latest message before them that decides one, request
    or reply (D22: Chinese characters against Latin words, counted here on its own), or the
    run's language override. A
    ``choose_site`` question shows the menu; the first ``await_authorization`` question of a
    code shows the challenge with the payload's fields.
    """
    name = "templates_verbatim"
    out: list[Violation] = []
    for where, text, _, position in _shown_texts(t):
        for template_name, markers in TEMPLATE_MARKERS.items():
            if not any(marker in text for marker in markers):
                continue
            match = template_pattern(template_name).search(text)
            if match is None:
                out.append(_v(name, f"{where}: {template_name} is not verbatim: {text!r}"))
                continue
            problem = _check_template_fields(template_name, match)
            if problem:
                out.append(_v(name, f"{where}: {template_name}: {problem}"))
            suffix = template_name.rsplit(".", 1)[1]
            if template_name.startswith(("login_challenge", "login_success")):
                language = _user_language(t, position)
                if suffix != language:
                    out.append(
                        _v(name, f"{where}: {template_name} shown after {language} messages")
                    )
    codes_shown: set[str] = set()
    for index, entry in enumerate(t.entries):
        interrupt = entry["interrupt"]
        if interrupt is not None:
            out.extend(_check_interrupt_text(index, interrupt, codes_shown))
    return _unique(out)


def _check_interrupt_text(
    index: int, interrupt: InterruptRecord, codes_shown: set[str]
) -> list[Violation]:
    """The menu question shows the menu; a code's first question shows the challenge."""
    name = "templates_verbatim"
    payload = interrupt["payload"]
    message = str(payload.get("message", ""))
    where = f"interrupt of entry {index} ({interrupt['type']})"
    if interrupt["type"] == "choose_site" and site_menu() not in message:
        return [_v(name, f"{where} does not show the verbatim site menu")]
    code = payload.get("userCode")
    if interrupt["type"] != "await_authorization" or not code or str(code) in codes_shown:
        return []
    codes_shown.add(str(code))
    for template_name in ("login_challenge.zh", "login_challenge.en"):
        match = template_pattern(template_name).search(message)
        if match is None:
            continue
        expected = {
            "site": payload.get("site"),
            "verificationUri": payload.get("verificationUri"),
            "userCode": payload.get("userCode"),
        }
        if isinstance(payload.get("expiresIn"), int):
            expected["expires_minutes"] = str(expires_minutes(payload["expiresIn"]))
        wrong = [
            f"{key}={match.group(key)!r} (payload {value!r})"
            for key, value in expected.items()
            if value is not None and match.group(key) != str(value)
        ]
        return [_v(name, f"{where}: challenge fields differ: {', '.join(wrong)}")] if wrong else []
    return [_v(name, f"{where} has a code but no verbatim challenge template: {message!r}")]


def questions_shown(t: Trajectory) -> list[Violation]:
    """Every question the user answered is in the dialogue as the assistant's own message.

    The URL and code of a challenge must be in the assistant's reply text, never only in a
    payload (many UIs collapse tool output).
    """
    shown = {m["content"] for m in t.messages if m["role"] == "ai"}
    out: list[Violation] = []
    for index, entry in enumerate(t.entries):
        resumed = entry["resumed"]
        if entry["kind"] != "resume" or resumed is None:
            continue
        text = resumed["payload"].get("message")
        if isinstance(text, str) and text not in shown:
            out.append(
                _v(
                    "questions_shown",
                    f"{_where(index, entry)} answers a {resumed['type']!r} question whose text "
                    f"is not an assistant message: {text[:80]!r}",
                )
            )
    return out


def no_token_details(t: Trajectory) -> list[Violation]:
    """No reply shows ``expiresAt``, ``ttl``, the status ``profile`` or a session-lifetime number.

    ``expiresAt``/``ttl`` (and their values) and the ``profile`` field of ``auth status`` never
    appear in a shown text; success and status replies also quote no duration (the challenge's
    ``expires_minutes`` is the spec's own and is exempt).
    """
    name = "no_token_details"
    out: list[Violation] = []
    hidden_values: set[str] = set()
    profiles: set[str] = set()
    for entry in t.entries:
        world = entry["world"]
        if world is None:
            continue
        auth = world["auth"]
        if auth["expiresAt"]:
            hidden_values.add(auth["expiresAt"])
        if auth["profile"]:
            profiles.add(auth["profile"])
    challenges = [template_pattern(n) for n in ("login_challenge.zh", "login_challenge.en")]
    success = [template_pattern(n) for n in ("login_success.zh", "login_success.en")]
    for where, text, entry_index, _ in _shown_texts(t):
        if "expiresat" in text.casefold() or _TTL.search(text):
            out.append(_v(name, f"{where} mentions expiresAt/ttl: {text!r}"))
        out.extend(
            _v(name, f"{where} shows the token expiry {value!r}")
            for value in hidden_values
            if value in text
        )
        for profile in profiles:
            field = re.compile(
                r"""["']?profile["']?\s*[:=]\s*["']?""" + re.escape(profile) + r"(?![\w-])"
            )
            if field.search(text) and f"已配置 API key (profile: {profile})" not in text:
                out.append(_v(name, f"{where} shows the auth status profile {profile!r}"))
        owner = t.entries[entry_index] if entry_index is not None else None
        is_success_or_status = any(p.search(text) for p in success) or (
            owner is not None
            and owner["state"]["done"]
            and owner["state"]["outcome"] in SUCCESS_OR_STATUS_OUTCOMES
        )
        if is_success_or_status:
            stripped = text
            for pattern in challenges:
                stripped = pattern.sub("", stripped)
            duration = _DURATION.search(stripped)
            if duration:
                out.append(_v(name, f"{where} quotes a duration {duration.group(0)!r}"))
    return _unique(out)


def no_secret_leak(t: Trajectory) -> list[Violation]:
    """No config secret appears in state, messages, interrupts, checkpoints, calls or logs."""
    secrets = sorted({s for s in t.secrets if len(s) >= 4}, key=len, reverse=True)
    if not secrets:
        return []
    places: dict[str, Any] = {
        "messages": t.messages,
        "interrupts": t.interrupts,
        "entries": t.entries,
        "final state": t.final_state,
        "checkpoints": t.snapshots,
        "okx calls": t.calls,
        "log": t.log,
    }
    out: list[Violation] = []
    for place, value in places.items():
        blob = json.dumps(value, ensure_ascii=False, default=str)
        for secret in secrets:
            if secret in blob:
                masked = secret[:2] + "…" + f"({len(secret)} chars)"
                out.append(_v("no_secret_leak", f"config secret {masked} found in {place}"))
    return out


def market_no_okx_call(t: Trajectory) -> list[Violation]:
    """A market-only request (outcome ``no_auth_needed``) makes no okx call at all."""
    return [
        _v(
            "market_no_okx_call",
            f"{_where(i, e)}: {len(t.entry_calls(e))} okx call(s) for a market-only request",
        )
        for i, e in enumerate(t.entries)
        if _is_market_only(e) and t.entry_calls(e)
    ]


def cancel_ends_flow(t: Trajectory) -> list[Violation]:
    """A "cancel" / "取消" reply to any question ends the flow (``cancelled``), no okx call."""
    out: list[Violation] = []
    for index, entry in enumerate(t.entries):
        if entry["kind"] != "resume" or not is_cancel(entry["text"]):
            continue
        calls = t.entry_calls(entry)
        state = entry["state"]
        if calls:
            out.append(_v("cancel_ends_flow", f"{_where(index, entry)}: {len(calls)} okx call(s)"))
        if not state["done"] or state["outcome"] != "cancelled":
            outcome = state["outcome"] if state["done"] else "a pending question"
            out.append(_v("cancel_ends_flow", f"{_where(index, entry)}: ended in {outcome}"))
    return out


REASK_HINTS: dict[str, str] = {
    "choose_site": "site_menu_hint",
    "confirm_retry": "yes_no_hint",
    "confirm_remove_binary": "yes_no_hint",
    "confirm_switch_site": "yes_no_hint",
    "confirm_start_over": "yes_no_hint",
    "choose_api_key_fix": "api_key_fix_hint",
    "clarify_request": "clarify_request_hint",
    "await_profile_removal": "profile_removal_hint",
}
"""The hint under each question asked again after a reply that answers none of its choices."""


def reask_hint(t: Trajectory) -> list[Violation]:
    """A question asked again carries its hint once, last, in the user's language (D20, D4).

    A reply to a question that ends its entry asking the same question again, with no okx call
    in between, did not answer it: the new question ends with a blank line and the hint in the
    language of the user's latest message that decides one (or the run's override), and holds
    no other copy of the hint in either language.
    """
    name = "reask_hint"
    out: list[Violation] = []
    for index, entry in enumerate(t.entries):
        asked = _resumed_type(entry)
        interrupt = entry["interrupt"]
        if asked not in REASK_HINTS or interrupt is None or interrupt["type"] != asked:
            continue
        if t.entry_calls(entry):
            continue
        message = str(interrupt["payload"].get("message", ""))
        language = _user_language(t, entry["messages"][1])
        hints = {lang: template(f"{REASK_HINTS[asked]}.{lang}") for lang in ("en", "zh")}
        where = f"{_where(index, entry)} ({asked} asked again)"
        if not message.endswith("\n\n" + hints[language]):
            out.append(_v(name, f"{where} does not end with the {language} hint: {message!r}"))
        if sum(message.count(hint) for hint in hints.values()) != 1:
            out.append(_v(name, f"{where} shows the hint more than once: {message!r}"))
    return out


INVARIANTS: dict[str, Invariant] = {
    "login_gate": login_gate,
    "no_silent_global": no_silent_global,
    "no_auto_poll": no_auto_poll,
    "one_status_per_signal": one_status_per_signal,
    "non_signal_no_call": non_signal_no_call,
    "no_login_while_pending": no_login_while_pending,
    "no_login_with_api_key": no_login_with_api_key,
    "preflight_first": preflight_first,
    "preflight_concurrent": preflight_concurrent,
    "templates_verbatim": templates_verbatim,
    "questions_shown": questions_shown,
    "no_token_details": no_token_details,
    "no_secret_leak": no_secret_leak,
    "market_no_okx_call": market_no_okx_call,
    "cancel_ends_flow": cancel_ends_flow,
    "reask_hint": reask_hint,
}
"""Every invariant by its stable name."""


def check_all(t: Trajectory, names: list[str] | None = None) -> list[Violation]:
    """Run every invariant (or those named) and return all violations."""
    selected = names if names is not None else list(INVARIANTS)
    return [v for name in selected for v in INVARIANTS[name](t)]


def _trajectory_from(value: Any) -> Trajectory:
    if isinstance(value, Trajectory):
        return value
    if isinstance(value, dict):
        inner = value.get("trajectory", value)
        if isinstance(inner, Trajectory):
            return inner
        if isinstance(inner, dict):
            return Trajectory.from_dict(inner)
    outputs = getattr(value, "outputs", None)
    if outputs is not None:
        return _trajectory_from(outputs)
    raise TypeError(f"no trajectory in {type(value).__name__}")


def as_evaluator(name: str) -> Callable[..., EvaluatorResult]:
    """Wrap invariant ``name`` as an openevals / LangSmith-style evaluator.

    The evaluator accepts ``outputs=`` (a :class:`Trajectory`, its ``to_dict()`` form, or a
    dict with a ``"trajectory"`` key), or a LangSmith ``run`` whose ``outputs`` hold one, and
    returns ``{"key": name, "score": bool, "comment": …}``.
    """
    invariant = INVARIANTS[name]

    def evaluator(
        run: Any = None,
        example: Any = None,
        *,
        inputs: Any = None,
        outputs: Any = None,
        reference_outputs: Any = None,
        **_: Any,
    ) -> EvaluatorResult:
        trajectory = _trajectory_from(outputs if outputs is not None else run)
        violations = invariant(trajectory)
        comment = "; ".join(v["detail"] for v in violations) or "ok"
        return {"key": name, "score": not violations, "comment": comment}

    evaluator.__name__ = name
    evaluator.__doc__ = invariant.__doc__
    return evaluator


def evaluators() -> list[Callable[..., EvaluatorResult]]:
    """Every invariant as an evaluator (see :func:`as_evaluator`)."""
    return [as_evaluator(name) for name in INVARIANTS]


def _v(invariant: str, detail: str) -> Violation:
    return {"invariant": invariant, "detail": detail}


def _unique(violations: list[Violation]) -> list[Violation]:
    seen: set[tuple[str, str]] = set()
    out: list[Violation] = []
    for violation in violations:
        key = (violation["invariant"], violation["detail"])
        if key not in seen:
            seen.add(key)
            out.append(violation)
    return out
