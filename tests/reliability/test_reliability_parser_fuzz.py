"""Hypothesis fuzzing of every okx output parser in the adapter.

A scripted runner answers each adapter method with random bytes, JSON-ish text (valid, truncated,
shape-aware, deeply nested, huge numbers, noise lines) and random exit codes. The contract: a
method either returns its plain-JSON summary of the documented shape, or raises ``OkxCliError``
with a known kind. ``ValueError`` is allowed only for a site that is not a site id, and then okx
is never run.
"""

from __future__ import annotations

import asyncio
import json
import string
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.errors import ERROR_KINDS, OkxCliError
from okx_auth_graph.okx.process import RawResult
from okx_auth_graph.okx.sites import SITE_IDS as SITES
from tests.reliability.reliability_fakes import ScriptedRunner

FIELD_NAMES = (
    "status",
    "site",
    "scopes",
    "profile",
    "expiresAt",
    "ttl",
    "default_profile",
    "profiles",
    "api_key",
    "secret_key",
    "passphrase",
    "demo",
    "base_url",
    "verificationUri",
    "userCode",
    "expiresIn",
    "reason",
    "binaryPath",
    "exists",
    "platform",
    "cdnMatch",
    "source",
    "error",
    "path",
)
STATUS_WORDS = (
    "logged_in",
    "pending",
    "not_logged_in",
    "skipped",
    "installed",
    "up-to-date",
    "failed",
    "removed",
    "not-installed",
    "api_key_configured",
)
MESSAGE_LIMIT = 4100
ERROR_TEXTS = (
    "Error: Session expired — run okx auth login again",
    "Failed to spawn okx-auth",
    "Installation failed: All CDN sources failed",
    "Error: HTTP 401 from OKX: Invalid OK-ACCESS-KEY",
    "Unknown command: auth status",
    "No config found. Run okx config init first.",
    "Logged in successfully!",
    "API key already configured",
    "1.3.1-beta.17 (abc1234)",
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(STATUS_WORDS + SITES),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8)), inner),
    ),
    max_leaves=12,
)
shaped_objects = st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=8)
config_like = st.fixed_dictionaries(
    {
        "profiles": st.one_of(
            json_values,
            st.dictionaries(st.text(max_size=6), st.one_of(shaped_objects, json_values)),
        )
    },
    optional={"default_profile": json_values},
)
documents = st.one_of(json_values, shaped_objects, config_like, st.sampled_from(STATUS_WORDS)).map(
    lambda value: json.dumps(value, allow_nan=True)
)


@st.composite
def stdout_texts(draw: st.DrawFn) -> bytes:
    """One standard-output stream, from clean JSON to garbage."""
    kind = draw(st.integers(min_value=0, max_value=9))
    doc = draw(documents)
    if kind == 0:
        text = doc
    elif kind == 1:
        text = doc[: draw(st.integers(min_value=0, max_value=max(len(doc) - 1, 0)))]
    elif kind == 2:
        noise = draw(st.lists(st.text(max_size=30), max_size=3))
        text = "\n".join([*noise, doc, *draw(st.lists(st.sampled_from(["", " ", "{", "["])))])
    elif kind == 3:
        depth = draw(st.integers(min_value=900, max_value=5000))
        text = draw(st.sampled_from(["[", '{"a":'])) * depth
    elif kind == 4:
        text = draw(st.sampled_from(["", "{", "1", '{"status":'])) + "9" * draw(
            st.integers(min_value=4000, max_value=6000)
        )
    elif kind == 5:
        return draw(st.binary(max_size=200))
    elif kind == 6:
        text = draw(st.sampled_from(ERROR_TEXTS)) + draw(st.text(max_size=20))
    elif kind == 7:
        text = draw(st.text(alphabet=string.printable + '{}[]":,', max_size=200))
    elif kind == 8:
        return doc.encode() + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"]))
    else:
        text = draw(st.text(max_size=200))
    return text.encode("utf-8", errors="surrogatepass")


exit_codes = st.one_of(
    st.sampled_from([0, 0, 0, 1, 2, 127, -9, -11]), st.integers(min_value=-255, max_value=255)
)
stderr_texts = st.one_of(
    st.just(b""),
    st.sampled_from(ERROR_TEXTS).map(str.encode),
    st.binary(max_size=100),
    st.text(max_size=100).map(lambda t: t.encode("utf-8", errors="surrogatepass")),
)


def _is_json(value: Any) -> bool:
    json.dumps(value)
    return True


def _check_config(result: Any) -> None:
    assert set(result) == {"exists", "default_profile", "profiles"}
    assert isinstance(result["exists"], bool)
    assert result["default_profile"] is None or isinstance(result["default_profile"], str)
    for profile in result["profiles"]:
        assert set(profile) == {"name", "site", "demo", "has_api_key"}
        assert isinstance(profile["has_api_key"], bool)
        assert isinstance(profile["demo"], bool)


def _check_status(result: Any) -> None:
    assert set(result) == {"status", "site", "scopes"}
    assert result["status"] in ("logged_in", "pending", "not_logged_in")
    assert all(isinstance(scope, str) for scope in result["scopes"])


def _check_login(result: Any) -> None:
    if result.get("status") == "skipped":
        assert set(result) == {"status", "reason", "profile"}
    else:
        assert set(result) == {"verificationUri", "userCode", "expiresIn"}
        assert isinstance(result["expiresIn"], int)
        assert result["expiresIn"] >= 0


def _check_outcome(allowed: tuple[str, ...]) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert set(result) == {"status", "text"}
        assert result["status"] in allowed

    return check


def _check_install_status(result: Any) -> None:
    assert set(result) == {"installed", "platform", "cdn_match"}
    assert isinstance(result["installed"], bool)


def _check_run(result: Any) -> None:
    assert set(result) == {"argv", "stdout", "json"}
    assert result["argv"] == ["market", "ticker", "BTC-USDT", "--json"]


Method = Callable[[OkxCli], Awaitable[Any]]
PARSERS: dict[str, tuple[Method, Callable[[Any], object]]] = {
    "version": (lambda cli: cli.version(), lambda r: isinstance(r, str) and r[:1].isdigit()),
    "config_show": (lambda cli: cli.config_show(), _check_config),
    "auth_status": (lambda cli: cli.auth_status(), _check_status),
    "login_manual": (lambda cli: cli.login_manual("eea"), _check_login),
    "login_interactive": (
        lambda cli: cli.login_interactive("us"),
        _check_outcome(("logged_in", "skipped")),
    ),
    "logout": (lambda cli: cli.logout(), _check_outcome(("logged_out",))),
    "install": (lambda cli: cli.install(), _check_outcome(("installed", "up-to-date"))),
    "install_status": (lambda cli: cli.install_status(), _check_install_status),
    "remove": (lambda cli: cli.remove(), _check_outcome(("removed", "not-installed"))),
    "run": (lambda cli: cli.run(["market", "ticker", "BTC-USDT", "--json"]), _check_run),
}


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.Runner]:
    """One event loop for a generated test's examples: a loop started and shut down per example
    (``asyncio.run``, its executor's threads with it) cost more than the reading it ran."""
    with asyncio.Runner() as runner:
        yield runner


def _call(
    method: Method, runner: ScriptedRunner, loop: asyncio.Runner | None = None
) -> tuple[str, Any]:
    cli = OkxCli(runner=runner, env={"OKX_API_KEY": "", "OKX_SECRET_KEY": "", "OKX_PASSPHRASE": ""})
    run = asyncio.run if loop is None else loop.run
    try:
        return "ok", run(method(cli))  # type: ignore[arg-type]
    except OkxCliError as exc:
        return "error", exc


def _check_parser(
    loop: asyncio.Runner, name: str, exit_code: int, stdout: bytes, stderr: bytes
) -> None:
    method, check = PARSERS[name]
    runner = ScriptedRunner(exit_code, stdout, stderr)
    outcome, value = _call(method, runner, loop)
    assert len(runner.calls) == 1
    if outcome == "error":
        assert value.kind in ERROR_KINDS
        assert isinstance(value.message, str)
        assert value.message
        assert len(value.message) <= MESSAGE_LIMIT
        assert isinstance(value.action, str)
        assert value.action
        assert _is_json(value.to_dict())
    else:
        assert exit_code == 0, "a failing exit code must never look like success"
        assert check(value) is not False
        assert _is_json(value)


@settings(
    max_examples=200,  # every parser reads each example (10 parsers), a fresh seed each run
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(exit_code=exit_codes, stdout=stdout_texts(), stderr=stderr_texts)
def test_parser_returns_summary_or_typed_error(
    loop: asyncio.Runner, exit_code: int, stdout: bytes, stderr: bytes
) -> None:
    """Each parser on the same output: drawing an example costs ~10 times what reading it does,
    so one draw serves them all (as a test per parser, 150 draws each, did not)."""
    failed: dict[str, str] = {}
    for name in sorted(PARSERS):
        try:
            _check_parser(loop, name, exit_code, stdout, stderr)
        except AssertionError as exc:
            failed[name] = f"{type(exc).__name__}: {exc}"
    assert not failed, failed


@pytest.mark.parametrize("method_name", ["login_manual", "login_interactive"])
@given(site=st.text(max_size=40).filter(lambda s: s not in SITES))
@settings(max_examples=200, deadline=None)
def test_invalid_site_is_a_value_error_and_never_runs_okx(
    loop: asyncio.Runner, method_name: str, site: str
) -> None:
    runner = ScriptedRunner(0, b'{"verificationUri":"u","userCode":"c","expiresIn":600}')
    cli = OkxCli(runner=runner)
    with pytest.raises(ValueError, match="site must be one of"):
        loop.run(getattr(cli, method_name)(site))
    assert runner.calls == []


@pytest.mark.parametrize(
    ("name", "stdout"),
    [
        ("config_show", b'{"profiles":{}}'),
        ("auth_status", b'{"status":"not_logged_in","site":"global"}'),
        ("login_manual", b'{"verificationUri":"https://x/y","userCode":"AB-CD","expiresIn":600}'),
        ("install", b'{"status":"installed","source":"cdn"}'),
        ("install_status", b'{"exists":true,"platform":"linux-x64"}'),
        ("remove", b'{"status":"removed","path":"/p"}'),
        ("version", b"1.3.1-beta.17 (abc)\n"),
        ("run", b"[]"),
    ],
)
def test_well_formed_output_parses(name: str, stdout: bytes) -> None:
    """The fuzz contract is not vacuous: valid output is accepted by each parser."""
    method, check = PARSERS[name]
    outcome, value = _call(method, ScriptedRunner(0, stdout))
    assert outcome == "ok", value
    assert check(value) is not False


@pytest.mark.parametrize("name", sorted(PARSERS))
@pytest.mark.parametrize(
    "stdout",
    [
        b"9" * 5000,
        b'{"status":' + b"9" * 5000 + b"}",
        b"[" * 100_000,
        b'{"a":' * 50_000,
    ],
    ids=["huge-int", "huge-int-field", "deep-list", "deep-object"],
)
def test_pathological_json(name: str, stdout: bytes) -> None:
    method, _ = PARSERS[name]
    outcome, value = _call(method, ScriptedRunner(0, stdout))
    if name in ("run", "logout"):
        assert outcome == "ok"
        if name == "run":
            assert value["json"] is None
    elif name in ("version", "login_interactive"):
        assert outcome == "error"
        assert value.kind in ("unparseable_output", "unknown")
    else:
        assert outcome == "error"
        assert value.kind == "unparseable_output"


class _SequenceRunner:
    """Answers the calls in order with the given (exit code, stdout, stderr) triples."""

    def __init__(self, *answers: tuple[int, bytes, bytes]) -> None:
        self.answers = list(answers)

    async def __call__(self, argv: Any, *, timeout: float, stdin: bytes | None = None) -> RawResult:
        code, out, err = self.answers.pop(0)
        return RawResult(tuple(argv), code, out, err)


secret_texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    min_size=7,
    max_size=40,
).map(lambda body: "§" + body)  # a character no fixed text of the adapter contains


@settings(max_examples=300, deadline=None)
@given(
    secret=secret_texts,
    field=st.sampled_from(["api_key", "secret_key", "passphrase"]),
    stream=st.sampled_from(["stdout", "stderr"]),
    form=st.sampled_from(["raw", "json", "json-ascii", "truncated-json"]),
    exit_code=st.sampled_from([0, 1]),
)
def test_a_secret_seen_in_config_is_masked_in_every_later_error(
    loop: asyncio.Runner, secret: str, field: str, stream: str, form: str, exit_code: int
) -> None:
    profile = {"api_key": "k" * 8, "secret_key": "s" * 8, "passphrase": "p" * 8, "site": "eea"}
    profile[field] = secret
    config = json.dumps({"default_profile": "live", "profiles": {"live": profile}})
    shown = {
        "raw": f"Error: rejected credential {secret} (code 50111)",
        "json": json.dumps({"error": f"bad {secret}"}, ensure_ascii=False),
        "json-ascii": json.dumps({"error": f"bad {secret}"}),
        "truncated-json": json.dumps({"error": f"bad {secret}"}, ensure_ascii=False)[:-2],
    }[form].encode()
    failing = (exit_code, shown, b"") if stream == "stdout" else (exit_code, b"", shown)
    cli = OkxCli(runner=_SequenceRunner((0, config.encode(), b""), failing))
    summary = loop.run(cli.config_show())
    assert secret not in json.dumps(summary, ensure_ascii=False)
    try:
        loop.run(cli.auth_status())
    except OkxCliError as exc:
        text = json.dumps(exc.to_dict(), ensure_ascii=False) + str(exc)
        assert secret not in text
        assert json.dumps(secret)[1:-1] not in text
        assert json.dumps(secret, ensure_ascii=False)[1:-1] not in text
    else:
        raise AssertionError("auth status output without a status must fail")


def test_a_secret_cut_short_by_the_end_of_the_output_is_masked() -> None:
    secret = "PPsecret-passphrase-0123456789"
    profile = {"api_key": "AK-aaaaaaaa", "secret_key": "SK-bbbbbbbb", "passphrase": secret}
    config = json.dumps({"profiles": {"live": profile}}).encode()
    cut = f'Error: rejected "{secret[:16]}'.encode()
    cli = OkxCli(runner=_SequenceRunner((0, config, b""), (1, b"", cut)))
    asyncio.run(cli.config_show())
    with pytest.raises(OkxCliError) as info:
        asyncio.run(cli.auth_status())
    assert secret[:16] not in info.value.message
