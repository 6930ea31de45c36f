"""What okx prints, made safe to keep: terminal controls removed, secrets masked by what they are.

okx's own texts reach graph state, checkpoints, replies, tool results and the terminal. Two
things must never travel with them:

* **Terminal control sequences** (CSI, OSC, DCS, ... and lone control characters): they can
  clear a screen or paint a fake "Login successful." :func:`clean_text` removes every whole
  sequence and every other control character except newline and tab.
* **Secrets.** okx 1.2.4 prints the whole config with ``config show --json``, echoes the
  offending lines of a broken ``~/.okx/config.toml`` (``Error: Invalid TOML document: …``)
  and an invalid ``proxy_url`` in full. A :class:`SecretSet` holds what is secret, learnt from
  what it *is*: every ``api_key`` / ``secret_key`` / ``passphrase`` value of the config file
  in every TOML string form (basic, literal, multi-line, escaped), each line of the config file
  (for error texts, which quote them), the userinfo of any URL, and the ``OKX_*`` credential
  variables. :meth:`SecretSet.mask` replaces them with ``***``.

Error kinds are classified on the raw text before masking (:mod:`okx_auth_graph.okx.adapter`); besides,
a secret occurrence that lies wholly inside one of okx's fixed error phrases (a passphrase
``spawn`` inside "Failed to spawn okx-auth") is that phrase, not the secret, and stays.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

from okx_auth_graph.okx.errors import inside_phrase

MASK = "***"
MIN_SECRET_LENGTH = 4
SECRET_KEYS = frozenset({"api_key", "secret_key", "passphrase"})
SECRET_ENV_VARS = ("OKX_API_KEY", "OKX_SECRET_KEY", "OKX_PASSPHRASE")
_MAX_PHRASE_CHECKS = 64

_CONTROLS = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?              # CSI ... final byte
  | \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC ... BEL or ST
  | \x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?        # DCS, SOS, PM, APC ... ST
  | \x1b[ -/]*[0-~]?                      # other escape sequences (nF, Fp, Fe, Fs)
  | \x9b[0-?]*[ -/]*[@-~]?                # 8-bit CSI
  | [\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x9c)?   # 8-bit DCS/SOS/OSC/PM/APC
  | [\x00-\x08\x0b-\x1f\x7f-\x9f]         # every other C0/C1 control (\t and \n stay)
  | [\u202a-\u202e\u2066-\u2069]          # bidirectional overrides (reorder shown text)
    """,
    re.VERBOSE,
)
_URL_USERINFO = re.compile(
    r"""(?<![A-Za-z0-9+.\-])([A-Za-z][A-Za-z0-9+.\-]{0,31}://)([^\s/?#@"'<>]{1,512})@"""
)
_BARE_USERINFO = re.compile(
    r"""(?<![A-Za-z0-9+.\-:/@%])([^\s/?#@"'<>:=]{1,256}:[^\s/?#@"'<>]{1,512})@(?=[A-Za-z0-9\[])"""
)
"""``user:password@host`` with no scheme (a ``proxy_url`` okx 1.2.4 echoes in full)."""
_PARTIAL_MASK = re.compile(r"[A-Za-z0-9+_\-]{0,16}\*{3,}[A-Za-z0-9+_\-]{0,16}")
"""okx's own partial masks (``AKc***789`` under ``--verbose``, ``***1234``): their ends are secret."""
_SECRET_ASSIGNMENT = re.compile(
    r"""\b(?:api_key|secret_key|passphrase)\b["']?\s*[:=]\s*"""
    r"""(?:"((?:[^"\\\n]|\\.)*)|'([^'\n]*)|([^\s,}"']+))""",
    re.IGNORECASE,
)
_TOML_SECRET_KEY = re.compile(
    r"""(?<![\w-])["']?(?:api_key|secret_key|passphrase)["']?[ \t]*=[ \t]*""", re.IGNORECASE
)
_TOML_URL_KEY = re.compile(r"""(?<![\w-])["']?\w*url["']?[ \t]*=[ \t]*""", re.IGNORECASE)


def clean_text(text: str) -> str:
    r"""Remove whole terminal escape sequences and control characters (newline and tab stay).

    ``\\r\\n`` becomes ``\\n``; a lone ``\\r`` (which could overwrite a shown line) is removed.
    """
    return _CONTROLS.sub("", text.replace("\r\n", "\n"))


def clean_data(data: Any) -> Any:
    """:func:`clean_text` applied to every string (keys too) of parsed JSON, at any depth.

    Walked with a stack, not recursion, so JSON nested as deep as :func:`json.loads` reads is
    cleaned whole. Two keys that clean to the same text keep the later value, as JSON does.
    """
    holder: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(data, holder, 0)]
    while stack:
        value, parent, slot = stack.pop()
        if isinstance(value, str):
            parent[slot] = clean_text(value)
        elif isinstance(value, list):
            items: list[Any] = [None] * len(value)
            parent[slot] = items
            stack.extend((item, items, index) for index, item in enumerate(value))
        elif isinstance(value, dict):
            fields: dict[str, Any] = {clean_text(str(key)): None for key in value}
            parent[slot] = fields
            stack.extend((v, fields, clean_text(str(k))) for k, v in reversed(value.items()))
        else:
            parent[slot] = value
    return holder[0]


def mask_url_userinfo(text: str) -> str:
    """``scheme://user:password@host`` → ``scheme://***@host`` wherever a URL appears.

    A scheme-less ``user:password@host`` (an invalid ``proxy_url`` okx echoes) becomes ``***@host``.
    """
    text = _BARE_USERINFO.sub(MASK + "@", text)
    return _URL_USERINFO.sub(lambda m: m.group(1) + MASK + "@", text)


def mask_partial_masks(text: str) -> str:
    """The partial masks okx prints (``AKc***789``, ``***1234``) become ``***``: the ends are secret."""
    return _PARTIAL_MASK.sub(MASK, text)


def find_secrets(text: str) -> set[str]:
    """Values assigned to ``api_key`` / ``secret_key`` / ``passphrase`` in JSON or TOML text.

    Works on truncated output too, so a secret is known (and masked) even when the JSON
    around it does not parse.
    """
    return {value for m in _SECRET_ASSIGNMENT.finditer(text) for value in m.groups() if value}


def secret_values(data: Any) -> set[str]:
    """Every string under a secret key at any depth, and the userinfo of every URL string.

    Walked with a stack, not recursion (as :func:`clean_data`), so a secret nested however deep
    in okx's JSON or in a config file's tables is found, and hostile nesting cannot crash it.
    """
    found: set[str] = set()
    stack: list[Any] = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if str(key).lower() in SECRET_KEYS and isinstance(item, str):
                    found |= _with_lines(item)
                else:
                    stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str):
            found |= url_userinfo(value)
    return found


def url_userinfo(text: str) -> set[str]:
    """The userinfo (``user:password``) of each URL in ``text``, and its password part."""
    found: set[str] = set()
    userinfos = [m.group(2) for m in _URL_USERINFO.finditer(text)]
    userinfos += [m.group(1) for m in _BARE_USERINFO.finditer(text)]
    for userinfo in userinfos:
        found.add(userinfo)
        if ":" in userinfo:
            found.add(userinfo.split(":", 1)[1])
    return found


def config_file_secrets(text: str) -> tuple[set[str], set[str]]:
    """What a ``config.toml`` holds that is secret, whether or not it parses.

    Returns:
        ``(values, lines)``: every secret value in its decoded and in its source form (each
        line of a multi-line string too) plus URL userinfo; and every line of the file, for
        error texts that quote them.
    """
    values: set[str] = set()
    with contextlib.suppress(tomllib.TOMLDecodeError, RecursionError, ValueError):
        values |= secret_values(tomllib.loads(text))
    for match in _TOML_SECRET_KEY.finditer(text):
        values |= _toml_value_forms(text, match.end())
    for match in _TOML_URL_KEY.finditer(text):
        line_end = text.find("\n", match.end())
        values |= url_userinfo(text[match.end() : line_end if line_end >= 0 else len(text)])
    lines = {line.strip() for line in text.splitlines()}
    return values, {line for line in lines if len(line) >= MIN_SECRET_LENGTH}


def _toml_value_forms(text: str, start: int) -> set[str]:
    """The string token starting at ``start``: its source body, decoded value and lines."""
    for quote in ('"""', "'''", '"', "'"):
        if text.startswith(quote, start):
            break
    else:
        quote = ""
    body_start = start + len(quote)
    if quote in ('"""', "'''"):
        end = text.find(quote, body_start)
        while quote == '"""' and end > 0 and _escaped(text, end):
            end = text.find(quote, end + 1)
    elif quote:
        end = body_start
        while end < len(text) and text[end] not in (quote, "\n"):
            end += 2 if quote == '"' and text[end] == "\\" else 1
        end = min(end, len(text))
        if end >= len(text) or text[end] != quote:
            end = -1
    else:
        end = -1
    if end < 0:
        line_end = text.find("\n", body_start)
        stop = line_end if line_end >= 0 and len(quote) < 3 else len(text)
        body = text[body_start:stop]
        if not quote:
            body = body.split(" #", 1)[0]
        return _with_lines(body.strip())
    body = text[body_start:end]
    forms = _with_lines(body)
    try:
        decoded = tomllib.loads("v = " + text[start : end + len(quote)])["v"]
    except (tomllib.TOMLDecodeError, ValueError):
        decoded = None
    if isinstance(decoded, str):
        forms |= _with_lines(decoded)
    return forms


def _escaped(text: str, index: int) -> bool:
    slashes = 0
    while index - slashes - 1 >= 0 and text[index - slashes - 1] == "\\":
        slashes += 1
    return slashes % 2 == 1


def _with_lines(value: str) -> set[str]:
    """A value, and each of its lines when it has several (stripped)."""
    found = {value}
    if "\n" in value:
        found |= {line.strip() for line in value.splitlines()}
        found.add(value.strip())
    return {v for v in found if len(v) >= MIN_SECRET_LENGTH}


def secret_forms(secrets: Iterable[str]) -> set[str]:
    """Each secret (4+ characters) as itself and JSON-escaped (ASCII or not)."""
    forms: set[str] = set()
    for secret in secrets:
        if len(secret) >= MIN_SECRET_LENGTH:
            forms.add(secret)
            forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
            forms.add(json.dumps(secret)[1:-1])
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


def mask_secrets(text: str, secrets: Iterable[str], lines: Iterable[str] = ()) -> str:
    """Replace every occurrence of each secret (4+ characters) in ``text`` with ``***``.

    Occurrences are found at every position (overlapping ones too) and each run of masked
    characters becomes one ``***``. URL userinfo (with a scheme or without) and okx's own
    partial masks (``AKc***789``) are masked too, and so is a secret cut short at the very end
    of the text. An occurrence wholly inside one of okx's fixed error phrases
    (see :func:`okx_auth_graph.okx.errors.inside_phrase`) is left: it is the phrase, not the secret.

    Args:
        text: Any text that may contain a secret.
        secrets: The secret values to hide; short or empty ones are ignored.
        lines: Lines of the config file to hide as well (whole occurrences only).

    Returns:
        The masked text.
    """
    text = mask_url_userinfo(text)
    forms = secret_forms(secrets)
    every = forms | secret_forms(lines)
    if not every or not text:
        return mask_partial_masks(text)
    marked = bytearray(len(text))
    found = False
    for form in every:
        index = text.find(form)
        checks = 0
        while index >= 0:
            end = index + len(form)
            checks += 1
            if checks > _MAX_PHRASE_CHECKS or not inside_phrase(text, index, end):
                marked[index:end] = b"\x01" * len(form)
                found = True
            index = text.find(form, index + 1)
    if found:
        pieces: list[str] = []
        index = 0
        while index < len(text):
            if marked[index]:
                while index < len(text) and marked[index]:
                    index += 1
                pieces.append(MASK)
            else:
                start = index
                while index < len(text) and not marked[index]:
                    index += 1
                pieces.append(text[start:index])
        text = "".join(pieces)
    return mask_partial_masks(_mask_cut_secret(text, forms))


def _mask_cut_secret(text: str, forms: set[str]) -> str:
    """Mask a secret that output cut short: the text ends with the secret's first 4+ characters."""
    body = text.rstrip()
    for form in sorted(forms, key=len, reverse=True):
        for size in range(len(form) - 1, MIN_SECRET_LENGTH - 1, -1):
            if body.endswith(form[:size]):
                return body[: len(body) - size] + MASK + text[len(body) :]
    return text


class SecretSet:
    """The secrets one okx adapter has learnt, safe to share between threads.

    Args:
        env: The child's environment; its ``OKX_*`` credential values are secrets from the start.
    """

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._lines: set[str] = set()
        env = env or {}
        self.add(env[name] for name in SECRET_ENV_VARS if env.get(name))
        for name, value in env.items():
            if name.startswith("OKX_") and value:
                self.add(url_userinfo(value))

    def add(self, values: Iterable[str]) -> None:
        """Remember more secret values."""
        new = {v for v in values if isinstance(v, str) and len(v) >= MIN_SECRET_LENGTH}
        if new:
            with self._lock:
                self._values |= new

    def add_lines(self, lines: Iterable[str]) -> None:
        """Remember lines of the config file (masked in error texts only)."""
        new = {v for v in lines if len(v) >= MIN_SECRET_LENGTH}
        if new:
            with self._lock:
                self._lines |= new

    def snapshot(self) -> tuple[frozenset[str], frozenset[str]]:
        """A copy of ``(values, lines)`` taken under the lock."""
        with self._lock:
            return frozenset(self._values), frozenset(self._lines)

    def mask(self, text: str, *, error: bool = False) -> str:
        """Mask every known secret in ``text``; an ``error`` text also loses config-file lines."""
        values, lines = self.snapshot()
        return mask_secrets(text, values, lines if error else ())
