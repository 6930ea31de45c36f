"""The adapter's contract at its edges: argv, timeouts, okx's answers, classification, masking.

Each okx here is an in-process runner that answers as okx prints (docs/spec.md's outputs and
error reference, okx 1.2.4's measured texts): it records the argv and timeout it was given and
returns one scripted answer (exit code, stdout, stderr), the way the subprocess runner returns
a finished process. Expected values are written from the spec, docs/security.md and the
adapter's docstrings, never computed with the adapter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from okx_auth_graph.okx.adapter import OkxCli, parse_version, supports_auth
from okx_auth_graph.okx.errors import OkxCliError
from okx_auth_graph.okx.models import LoginChallenge
from okx_auth_graph.okx.process import RawResult

SECRET = "sk-EDGE-case-secret-4242"


class Answers:
    """An okx that answers every call with one output; records each argv and its timeout."""

    def __init__(
        self, stdout: str | bytes = b"", stderr: str | bytes = b"", exit_code: int = 0
    ) -> None:
        self.stdout = stdout.encode() if isinstance(stdout, str) else stdout
        self.stderr = stderr.encode() if isinstance(stderr, str) else stderr
        self.exit_code = exit_code
        self.calls: list[tuple[list[str], float]] = []

    async def __call__(
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> RawResult:
        self.calls.append((list(argv), timeout))
        return RawResult(tuple(argv), self.exit_code, self.stdout, self.stderr)


class Raises:
    """A runner that cannot run okx: raises ``error`` (what the subprocess runner raises)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    async def __call__(
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> RawResult:
        raise self.error


async def raised(call: Any) -> OkxCliError:
    with pytest.raises(OkxCliError) as caught:
        await call
    return caught.value


# --- versions (the okx auth commands exist from 1.3.1-beta.17 on: docs/spec.md) ---


def test_a_release_sorts_after_its_betas_and_auth_starts_at_beta_17() -> None:
    assert parse_version("1.3.1-beta.17 (abc1234)") == (1, 3, 1, 0, 17)
    assert parse_version("okx 1.3.1") == (1, 3, 1, 1, 0)
    assert parse_version("2.10.0-rc1") == (2, 10, 0, 0, 1)
    assert parse_version("1.3.1-beta") == (1, 3, 1, 0, 0)
    for version, has_auth in [
        ("1.2.4", False),
        ("1.3.0", False),
        ("1.3.1-beta.16", False),
        ("1.3.1-beta.17", True),
        ("1.3.1-beta.18", True),
        ("1.3.1", True),
        ("1.4.0-beta.1", True),
    ]:
        assert supports_auth(version) is has_auth, version
    with pytest.raises(ValueError, match=r"^no version number in 'okx'$"):
        parse_version("okx")


async def test_require_auth_support_names_the_version_found() -> None:
    assert await OkxCli(runner=Answers("1.3.1-beta.17\n")).require_auth_support() == "1.3.1-beta.17"
    error = await raised(OkxCli(runner=Answers("1.2.4\n")).require_auth_support())
    assert error.kind == "cli_too_old"
    assert error.message == "okx 1.2.4 has no okx auth commands (they need 1.3.1-beta.17 or later)"
    assert error.argv == ("--version",)


async def test_version_without_a_number_is_unparseable_and_masked() -> None:
    runner = Answers(f"okx build {SECRET}\n")
    error = await raised(OkxCli(runner=runner, env={"OKX_SECRET_KEY": SECRET}).version())
    assert error.kind == "unparseable_output"
    assert error.message == "okx --version printed 'okx build ***'"
    assert (error.argv, error.exit_code) == (("--version",), 0)


# --- argv and timeouts ---


async def test_each_call_runs_its_argv_with_its_timeout() -> None:
    runner = Answers('{"status": "logged_in", "site": "eea", "scopes": ["live:read"]}')
    cli = OkxCli(runner=runner, timeout=7.0, login_timeout=70.0)
    await cli.auth_status()
    await cli.run(["market", "ticker", "BTC-USDT"], timeout=3.0)
    await cli.run(["account", "balance"])
    assert runner.calls == [
        (["auth", "status", "--json"], 7.0),
        (["market", "ticker", "BTC-USDT"], 3.0),
        (["account", "balance"], 7.0),
    ]
    login = Answers("Logged in successfully!\n")
    await OkxCli(runner=login, timeout=7.0, login_timeout=70.0).login_interactive("us")
    assert login.calls == [(["auth", "login", "--site", "us"], 70.0)]


@pytest.mark.parametrize(
    ("timeout", "shown"),
    [
        (float("nan"), "nan"),
        (0, "0"),
        (-1.0, "-1.0"),
        (float("inf"), "inf"),
        ("60", "'60'"),
        (True, "True"),
    ],
)
async def test_a_per_call_timeout_that_is_no_positive_number_is_refused_before_okx_runs(
    timeout: object, shown: str
) -> None:
    runner = Answers('{"ok": true}')
    cli = OkxCli(runner=runner)
    message = f"timeout must be a finite positive number of seconds, not {shown}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        await cli.run(["market", "ticker", "BTC-USDT"], timeout=timeout)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        await cli.run_raw(["account", "balance"], timeout=timeout)  # type: ignore[arg-type]
    assert runner.calls == []


async def test_a_call_past_its_timeout_says_which_and_how_long() -> None:
    error = await raised(OkxCli(runner=Raises(TimeoutError()), timeout=2.5).auth_status())
    assert error.kind == "timeout"
    assert error.message == "okx auth status --json did not finish within 2.5 s"
    whole = await raised(OkxCli(runner=Raises(TimeoutError()), timeout=2.0).logout())
    assert whole.message == "okx auth logout did not finish within 2 s"
    assert error.argv == ("auth", "status", "--json")


async def test_an_okx_that_cannot_start_or_take_the_arguments_is_typed() -> None:
    missing = OSError(2, "No such file or directory")
    error = await raised(OkxCli("/opt/okx/bin/okx", runner=Raises(missing)).version())
    assert error.kind == "cli_not_found"
    assert error.message == (
        "the okx CLI could not be started (/opt/okx/bin/okx): No such file or directory"
    )
    bare = await raised(OkxCli("okx", runner=Raises(OSError("exec format"))).version())
    assert bare.message == "the okx CLI could not be started (okx): exec format"
    bad = ValueError("embedded null byte")
    error = await raised(OkxCli(runner=Raises(bad)).run(["market", "ticker", "a\x00b"]))
    assert error.kind == "unknown"
    assert error.message == "okx could not be run with these arguments: embedded null byte"
    assert error.argv == ("market", "ticker", "a\x00b")


async def test_output_past_one_mib_is_cut_per_stream() -> None:
    big = b"x" * ((1 << 20) + 10)
    raw = await OkxCli(runner=Answers(big, b"warning\n")).run_raw(["market", "ticker", "X"])
    assert (len(raw.stdout), raw.stderr) == (1 << 20, b"warning\n")
    raw = await OkxCli(runner=Answers(b"{}", big, exit_code=1)).run_raw(["market", "ticker"])
    assert (raw.stdout, len(raw.stderr), raw.exit_code) == (b"{}", 1 << 20, 1)
    assert raw.argv == ("market", "ticker")


# --- the child's environment, HOME and files ---


def test_home_and_env_reach_the_child_and_name_its_okx_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKX_EDGE_INHERITED", "from-parent")
    cli = OkxCli("okx", home=str(tmp_path / "h1"), env={"HOME": "/ignored", "EXTRA": "1"})
    assert cli.okx_dir == tmp_path / "h1" / ".okx"
    assert cli.config_file == tmp_path / "h1" / ".okx" / "config.toml"
    assert cli.login_lock_dir == tmp_path / "h1" / ".okx"
    assert cli.home == str(tmp_path / "h1")
    assert cli.executable == "okx"
    env = cli.runner.env  # type: ignore[attr-defined]
    assert (env["HOME"], env["EXTRA"], env["OKX_EDGE_INHERITED"]) == (
        str(tmp_path / "h1"),
        "1",
        "from-parent",
    )
    by_env = OkxCli(env={"HOME": str(tmp_path / "h2")})
    assert by_env.okx_dir == tmp_path / "h2" / ".okx"
    assert by_env.home is None


async def test_a_secret_only_the_config_file_holds_is_masked_and_re_read_when_it_changes(
    tmp_path: Path,
) -> None:
    """docs/security.md: the adapter reads the config file itself, again when it changed."""
    config = tmp_path / ".okx" / "config.toml"
    config.parent.mkdir()
    first, second = "FIRSTsecretValue0001", "SECONDsecretValue0002-longer"
    config.write_text(f'[profiles.a]\nsecret_key = "{first}"\n', encoding="utf-8")
    runner = Answers(stderr=f"Error: HTTP 500 rejected {first} and {second}\n", exit_code=1)
    cli = OkxCli(runner=runner, home=str(tmp_path))
    error = await raised(cli.run(["account", "balance"]))
    assert error.message == f"Error: HTTP 500 rejected *** and {second}"
    config.write_text(f'[profiles.a]\nsecret_key = "{second}"\n', encoding="utf-8")
    error = await raised(cli.run(["account", "balance"]))
    assert error.message == "Error: HTTP 500 rejected *** and ***"


# --- okx's answers ---


async def test_a_lapsed_session_is_marked_only_when_okx_says_so() -> None:
    not_logged_in = '{"profile":"oauth","site":"global","status":"not_logged_in"}\n'
    expired = "Session expired — run okx auth login again\n"
    lapsed = await OkxCli(runner=Answers(not_logged_in, expired)).auth_status()
    assert lapsed == {
        "status": "not_logged_in",
        "site": "global",
        "scopes": [],
        "session_expired": True,
    }
    plain = await OkxCli(runner=Answers(not_logged_in)).auth_status()
    assert plain == {"status": "not_logged_in", "site": "global", "scopes": []}
    session = '{"status":"logged_in","site":"us","scopes":["live:read"],"ttl":60}'
    kept = await OkxCli(runner=Answers(session, expired)).auth_status()
    assert kept == {"status": "logged_in", "site": "us", "scopes": ["live:read"]}
    no_site = await OkxCli(runner=Answers('{"status":"pending","site":""}')).auth_status()
    assert no_site == {"status": "pending", "site": None, "scopes": []}


async def test_the_json_is_the_last_json_line_after_okx_notices() -> None:
    notice = "Update available: 1.3.2\n"
    status = '{"status":"logged_in","site":"eea","scopes":[]}\n'
    result = await OkxCli(runner=Answers(notice + status + "\n")).auth_status()
    assert result == {"status": "logged_in", "site": "eea", "scopes": []}
    json_notice = '{"notice": "update available"}\n'
    result = await OkxCli(runner=Answers(json_notice + status)).auth_status()
    assert result == {"status": "logged_in", "site": "eea", "scopes": []}


async def test_no_json_but_an_error_okx_names_is_that_error() -> None:
    """okx exits 0 yet prints its error instead of JSON: the error's kind, not "no JSON"."""
    stderr = "Error: Failed to spawn okx-auth: spawn /x/okx-auth ENOENT\n"
    error = await raised(OkxCli(runner=Answers("", stderr)).auth_status())
    assert error.kind == "failed_to_spawn"
    assert error.message == stderr.strip()
    plain = await raised(OkxCli(runner=Answers("hello\n")).auth_status())
    assert plain.kind == "unparseable_output"
    assert plain.message == "okx auth status --json printed no JSON: hello"
    empty = await raised(OkxCli(runner=Answers("")).install_status())
    assert empty.message == "okx auth install-status --json printed no JSON: (empty output)"


async def test_json_of_another_shape_names_the_fields() -> None:
    error = await raised(OkxCli(runner=Answers('{"status": 5, "scopes": "x"}')).auth_status())
    assert error.kind == "unparseable_output"
    assert error.message == (
        "okx auth status --json printed JSON of an unexpected shape (fields: status, scopes)"
    )
    root = await raised(OkxCli(runner=Answers("[1]")).auth_status())
    assert root.message.endswith("(fields: (root))")


async def test_the_manual_login_answers_a_challenge_or_the_skipped_answer() -> None:
    skipped = '{"status":"skipped","reason":"api_key_configured","profile":"live"}'
    runner = Answers(skipped)
    answer = await OkxCli(runner=runner).login_manual("eea")
    assert answer == {"status": "skipped", "reason": "api_key_configured", "profile": "live"}
    assert runner.calls[0][0] == ["auth", "login", "--manual", "--site", "eea"]
    challenge = (
        '{"verificationUri":"https://bob:hunter2pw@my.okx.com/account/oauth/device",'
        '"userCode":"ABCD-1234","expiresIn":600}'
    )
    issued = await OkxCli(runner=Answers(challenge)).login_manual("eea")
    assert issued["userCode"] == "ABCD-1234"  # type: ignore[typeddict-item]
    assert issued["expiresIn"] == 600  # type: ignore[typeddict-item]
    assert "hunter2pw" not in issued["verificationUri"]  # type: ignore[typeddict-item]
    assert issued["verificationUri"].endswith("my.okx.com/account/oauth/device")  # type: ignore[typeddict-item]


LOGIN_OUTPUT = (
    "Open the link below in your browser and enter the code to authorize:\n"
    "  URL:  https://app.okx.com/account/oauth/device\n"
    "  Code: QRST-6789\n"
    "  (expires in {minutes} minutes)\n"
    "Waiting for authorization...\n"
    "Logged in successfully!\n"
)


@pytest.mark.parametrize(("minutes", "seconds"), [("5", 300), ("", 600)])
async def test_the_blocking_login_hands_on_its_code_once_from_a_runner_that_cannot_stream(
    minutes: str, seconds: int
) -> None:
    """A runner without ``on_stdout`` gives the whole output at the end: it is read then."""
    output = LOGIN_OUTPUT.format(minutes=minutes)
    if not minutes:
        output = output.replace("  (expires in  minutes)\n", "")
    seen: list[LoginChallenge] = []
    on_challenge: Callable[[LoginChallenge], None] = seen.append
    result = await OkxCli(runner=Answers(output)).login_interactive("us", on_challenge)
    assert result == {"status": "logged_in", "text": output.strip()}
    assert seen == [
        {
            "verificationUri": "https://app.okx.com/account/oauth/device",
            "userCode": "QRST-6789",
            "expiresIn": seconds,
        }
    ]


async def test_the_blocking_login_skipped_or_silent() -> None:
    skipped = (
        "API key already configured (profile: live). OAuth login skipped: the CLI uses the "
        "API key.\n"
    )
    result = await OkxCli(runner=Answers(skipped)).login_interactive("global")
    assert result == {"status": "skipped", "text": skipped.strip()}
    error = await raised(OkxCli(runner=Answers("\n")).login_interactive("eea"))
    assert (error.kind, error.message) == ("unknown", "okx auth login printed nothing")
    assert error.argv == ("auth", "login", "--site", "eea")
    odd = await raised(OkxCli(runner=Answers(f"odd {SECRET}\n")).login_interactive("eea"))
    assert odd.message == f"odd {SECRET}"  # not a known secret: only known ones are masked
    with pytest.raises(ValueError, match="site must be one of global, eea, us, not 'EU'"):
        await OkxCli(runner=Answers("")).login_interactive("EU")


async def test_logout_answers_what_okx_said() -> None:
    result = await OkxCli(runner=Answers("  Logged out successfully.\n")).logout()
    assert result == {"status": "logged_out", "text": "Logged out successfully."}


async def test_install_status_and_remove_answers() -> None:
    status = (
        '{"binaryPath":"/h/.okx/bin/okx-auth","exists":true,"platform":"linux-x64","cdnMatch":"ok"}'
    )
    assert await OkxCli(runner=Answers(status)).install_status() == {
        "installed": True,
        "platform": "linux-x64",
        "cdn_match": "ok",
    }
    removed = await OkxCli(runner=Answers('{"status":"removed","path":"/h/okx-auth"}')).remove()
    assert removed == {"status": "removed", "text": "/h/okx-auth"}
    none = await OkxCli(runner=Answers('{"status":"not-installed"}')).remove()
    assert none == {"status": "not-installed", "text": ""}


async def test_install_answers_and_failures() -> None:
    done = await OkxCli(runner=Answers('{"status":"installed","source":"cdn-2"}')).install()
    assert done == {"status": "installed", "text": "cdn-2"}
    same = await OkxCli(runner=Answers('{"status":"up-to-date"}')).install()
    assert same == {"status": "up-to-date", "text": ""}
    failed = '{"status":"failed","error":"All CDN sources failed"}'
    for exit_code in (0, 1):
        error = await raised(OkxCli(runner=Answers(failed, exit_code=exit_code)).install())
        assert error.kind == "install_failed", exit_code
        assert error.message == "Installation failed: All CDN sources failed", exit_code
    bare = await raised(OkxCli(runner=Answers('{"status":"failed"}')).install())
    assert bare.message == "Installation failed: unknown error"
    listed = await raised(OkxCli(runner=Answers("[1]", "boom\n", exit_code=1)).install())
    assert (listed.kind, listed.message, listed.exit_code) == ("unknown", "boom\n[1]", 1)


async def test_run_returns_masked_text_and_its_json() -> None:
    env = {"OKX_API_KEY": SECRET}
    ok = await OkxCli(runner=Answers(f'{{"k": "{SECRET}"}}\n'), env=env).run(["account", "x"])
    assert ok == {"argv": ["account", "x"], "stdout": '{"k": "***"}\n', "json": {"k": "***"}}
    text = await OkxCli(runner=Answers("Last: 1.5\n")).run(["market", "ticker"])
    assert (text["stdout"], text["json"]) == ("Last: 1.5\n", None)
    blank = await OkxCli(runner=Answers("  \n")).run(["market", "ticker"])
    assert blank["json"] is None


# --- failures: classification before masking, the TOML error, the clip ---


@pytest.mark.parametrize("text", ["Unknown option '--json'", "Unknown command: whoami"])
async def test_an_auth_command_okx_does_not_know_is_too_old_only_under_auth(text: str) -> None:
    """okx 1.2.4 answers ``okx auth …`` with "Unknown command"/"Unknown option" (D16)."""
    runner = Answers(stderr=f"{text}\n", exit_code=1)
    assert (await raised(OkxCli(runner=runner).logout())).kind == "cli_too_old"
    assert (await raised(OkxCli(runner=runner).run(["market", "x"]))).kind == "unknown"


async def test_stderr_comes_before_stdout_in_an_error() -> None:
    runner = Answers("partial output\n", "Error: Access denied\n", exit_code=1)
    error = await raised(OkxCli(runner=runner).run(["market", "x"]))
    assert (error.kind, error.message) == ("access_denied", "Error: Access denied\npartial output")


@pytest.mark.parametrize(
    ("quoted", "where"),
    [
        ('1:  a = "live"\n2:  api_key = "x\n     ^\n3:  site = "eea"\nHint: x\n', "line 2"),
        ('4:  [profiles.a]\n5:  api_key = "x\nHint: x\n', "near line 5"),
        ('4:  [profiles.a]\n5:  api_key = "x', "near line 5"),  # okx's text ends there
        ("at end of input\nHint: x\n", "a line"),
    ],
)
async def test_a_config_file_that_is_no_toml_gets_the_fixed_message(
    tmp_path: Path, quoted: str, where: str
) -> None:
    """docs/security.md: the file's path, the line okx points at (``line N``, or ``near line
    N`` when okx shows no caret) and what to do, never the lines okx quoted."""
    stderr = f"Error: Invalid TOML document: unexpected character\n\n{quoted}"
    cli = OkxCli(runner=Answers(stderr=stderr, exit_code=1), home=str(tmp_path))
    error = await raised(cli.auth_status())
    path = tmp_path / ".okx" / "config.toml"
    assert error.kind == "config_invalid"
    assert error.message == (
        f"okx cannot read its config file {path}: {where} is not valid TOML. (okx quotes that "
        "line in its error; it is not repeated here because it may hold a secret.)"
    )
    assert error.action.startswith(f"open {path} and fix {where} ")
    assert "api_key" not in error.message + error.action


async def test_an_error_text_is_clipped_at_2000_characters() -> None:
    exact = "e" * 2000
    error = await raised(OkxCli(runner=Answers(stderr=exact, exit_code=1)).run(["market"]))
    assert error.message == exact
    error = await raised(OkxCli(runner=Answers(stderr=exact + "xyz", exit_code=1)).run(["bot"]))
    assert error.message == exact + "… (3 more characters)"


def test_the_mask_cleans_terminal_controls_then_masks() -> None:
    cli = OkxCli(env={"OKX_PASSPHRASE": SECRET})
    assert cli.mask(f"\x1b[31mbad {SECRET}\x1b[0m") == "bad ***"


class CannotBeInspected(Answers):
    """A runner (an older custom one) whose call signature ``inspect`` cannot read."""

    __signature__ = "not a signature"  # inspect.signature raises TypeError on it

    async def __call__(  # type: ignore[override]
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> RawResult:
        return await super().__call__(argv, timeout=timeout, stdin=stdin)


async def test_a_runner_of_unknown_signature_is_not_asked_to_stream() -> None:
    runner = CannotBeInspected(LOGIN_OUTPUT.format(minutes="3"))
    seen: list[LoginChallenge] = []
    result = await OkxCli(runner=runner).login_interactive("us", seen.append)
    assert result["status"] == "logged_in"
    assert [challenge["expiresIn"] for challenge in seen] == [180]


# --- mutmut survivors of okx/adapter.py (issue 22 item 1) ---


def test_a_context_gives_the_adapter_both_its_timeouts() -> None:
    from okx_auth_graph.context import Context

    cli = OkxCli.from_context(Context(timeout=9.0, login_timeout=99.0))
    assert (cli.timeout, cli.login_timeout) == (9.0, 99.0)


async def test_config_show_runs_its_argv_and_keeps_a_profiles_own_site() -> None:
    shown = (
        '{"configPath": "/h/.okx/config.toml", "default_profile": "main", "profiles": {'
        '"main": {"site": "eea", "base_url": "https://www.okx.com"},'
        '"other": {"base_url": "https://my.okx.com"}}}'
    )
    runner = Answers(shown)
    summary = await OkxCli(runner=runner, timeout=5.0).config_show()
    assert runner.calls == [(["config", "show", "--json"], 5.0)]
    sites = {p["name"]: p["site"] for p in summary["profiles"]}
    assert sites == {"main": "eea", "other": "eea"}


async def test_an_install_that_prints_no_json_is_unparseable_output() -> None:
    error = await raised(OkxCli(runner=Answers("all done\n")).install())
    assert error.kind == "unparseable_output"
    assert error.message == "okx auth install --json printed no JSON: all done"
    assert list(error.argv) == ["auth", "install", "--json"]


async def test_a_config_file_error_keeps_okx_exit_code_and_says_to_retry(tmp_path: Path) -> None:
    stderr = 'Error: Invalid TOML document: unexpected character\n\napi_key = "abc\n'
    cli = OkxCli(runner=Answers(stderr=stderr, exit_code=3), home=str(tmp_path))
    error = await raised(cli.auth_status())
    assert (error.kind, error.exit_code) == ("config_invalid", 3)
    assert error.action.endswith("or move the file away and run okx config init; then retry")


async def test_an_error_that_quotes_a_line_of_the_config_file_shows_it_masked(
    tmp_path: Path,
) -> None:
    """docs/security.md: okx's error texts quote lines of the config file; each is masked."""
    (tmp_path / ".okx").mkdir()
    (tmp_path / ".okx" / "config.toml").write_text('[profiles.main]\nnote = "blue-heron-17"\n')
    stderr = 'Error: something broke near note = "blue-heron-17"\n'
    cli = OkxCli(runner=Answers(stderr=stderr, exit_code=1), home=str(tmp_path))
    error = await raised(cli.auth_status())
    assert error.message == "Error: something broke near ***"


async def test_an_install_failure_quoting_a_line_of_the_config_file_shows_it_masked(
    tmp_path: Path,
) -> None:
    (tmp_path / ".okx").mkdir()
    (tmp_path / ".okx" / "config.toml").write_text('[profiles.main]\nnote = "blue-heron-17"\n')
    failed = '{"status": "failed", "error": "cannot use note = \\"blue-heron-17\\""}'
    cli = OkxCli(runner=Answers(failed), home=str(tmp_path))
    error = await raised(cli.install())
    assert error.message == "Installation failed: cannot use ***"


INSTALL_CONFIG = (
    'default_profile = "live"\n[profiles.live]\napi_key = "AK-install-0042"\n'
    'passphrase = """\nP4SS-install-line\n"""\n'
)
QUOTED = 'cannot read profile live near line 5:\n4:  passphrase = """\n5:  P4SS-install-line\n'
INSTALL_FAILURES = {
    # okx's source: a failed install exits 1 with its JSON report on stdout
    "exit_1_report": (json.dumps({"status": "failed", "error": QUOTED}), "", 1),
    "exit_0_failed": (json.dumps({"status": "failed", "error": QUOTED}), "", 0),
    "exit_1_error_block": ("", f"Error: {QUOTED}Version: @okx_ai/okx-trade-cli@1.3.1\n", 1),
    "exit_0_no_json": (f"Downloading okx-auth... {QUOTED}", "", 0),
}


@pytest.mark.parametrize("case", sorted(INSTALL_FAILURES))
async def test_a_first_call_install_failure_quoting_a_config_secret_shows_none_of_it(
    tmp_path: Path, case: str
) -> None:
    (tmp_path / ".okx").mkdir()
    (tmp_path / ".okx" / "config.toml").write_text(INSTALL_CONFIG)
    stdout, stderr, code = INSTALL_FAILURES[case]
    runner = Answers(stdout, stderr, code)
    error = await raised(OkxCli(runner=runner, home=str(tmp_path)).install())
    assert runner.calls == [(["auth", "install", "--json"], 30.0)]
    shown = f"{error.to_dict()!r} {error!s} {error.args!r}"
    assert "P4SS-install-line" not in shown
    assert "line 5:" in error.message  # okx's text is shown, its quoted config lines masked


class StreamingAnswers(Answers):
    """An Answers okx whose runner streams: stdout goes to ``on_stdout`` before it returns."""

    async def __call__(  # type: ignore[override]
        self,
        argv: Sequence[str],
        *,
        timeout: float,
        stdin: bytes | None = None,
        on_stdout: Callable[[bytes], None] | None = None,
    ) -> RawResult:
        if on_stdout is not None:
            on_stdout(self.stdout)
        return await super().__call__(argv, timeout=timeout, stdin=stdin)


async def test_a_first_call_blocking_login_shows_no_config_secret(tmp_path: Path) -> None:
    (tmp_path / ".okx").mkdir()
    (tmp_path / ".okx" / "config.toml").write_text(INSTALL_CONFIG)
    failing = Answers(stderr=f"Error: {QUOTED}", exit_code=1)
    error = await raised(OkxCli(runner=failing, home=str(tmp_path)).login_interactive("us"))
    assert "P4SS-install-line" not in f"{error.to_dict()!r} {error!s} {error.args!r}"
    assert "line 5:" in error.message
    output = LOGIN_OUTPUT.format(minutes="3").replace("device", "device?t=P4SS-install-line")
    seen: list[LoginChallenge] = []
    cli = OkxCli(runner=StreamingAnswers(output), home=str(tmp_path))
    result = await cli.login_interactive("us", seen.append)  # the challenge while it runs
    assert [c["verificationUri"] for c in seen] == [
        "https://app.okx.com/account/oauth/device?t=***"
    ]
    assert result["status"] == "logged_in"
    assert "P4SS-install-line" not in result["text"]


async def test_a_first_call_install_masks_a_config_secret_in_its_source(tmp_path: Path) -> None:
    (tmp_path / ".okx").mkdir()
    (tmp_path / ".okx" / "config.toml").write_text(INSTALL_CONFIG)
    report = {"status": "installed", "source": "https://cdn.example/okx-auth?t=P4SS-install-line"}
    result = await OkxCli(runner=Answers(json.dumps(report)), home=str(tmp_path)).install()
    assert result == {"status": "installed", "text": "https://cdn.example/okx-auth?t=***"}


# --- mutmut survivors of okx/adapter.py's 200-of-200 run (issue 22 item 1) ---


def test_the_default_adapter_runs_okx_and_names_a_bad_timeout() -> None:
    from okx_auth_graph.context import Context

    assert OkxCli().executable == "okx"
    assert OkxCli.from_context().executable == "okx"  # no context: the environment's
    with pytest.raises(ValueError, match=r"^timeout must be a finite positive number"):
        OkxCli(timeout=0)
    assert OkxCli.from_context(Context(okx_home="/srv/okx-home")).home == "/srv/okx-home"


class Fed(Answers):
    """An Answers okx that records what it was given on stdin."""

    def __init__(self) -> None:
        super().__init__("fed")
        self.stdin: list[bytes | None] = []

    async def __call__(
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> RawResult:
        self.stdin.append(stdin)
        return await super().__call__(argv, timeout=timeout, stdin=stdin)


async def test_run_raw_hands_its_stdin_to_okx_and_remove_runs_its_argv() -> None:
    fed = Fed()
    await OkxCli(runner=fed).run_raw(["config", "init"], stdin=b"1\nn\n")
    assert fed.stdin == [b"1\nn\n"]
    removing = Answers('{"status":"removed","path":"/h/okx-auth"}')
    await OkxCli(runner=removing).remove()
    assert removing.calls == [(["auth", "remove", "--force", "--json"], 30.0)]


async def test_an_install_error_names_its_argv_and_status_reads_broken_utf8() -> None:
    report = '{"status":"failed","error":"All CDN sources failed"}'
    failed = await raised(OkxCli(runner=Answers(report, exit_code=1)).install())
    assert failed.argv == ("auth", "install", "--json")
    not_logged_in = '{"profile":"oauth","site":"global","status":"not_logged_in"}\n'
    broken = b"Session expired \xff\xfe run okx auth login again\n"
    status = await OkxCli(runner=Answers(not_logged_in, broken)).auth_status()
    assert status["session_expired"] is True


async def test_a_blocking_login_failure_quoting_a_config_line_shows_it_masked(
    tmp_path: Path,
) -> None:
    (tmp_path / ".okx").mkdir()
    (tmp_path / ".okx" / "config.toml").write_text('[profiles.main]\nnote = "blue-heron-17"\n')
    said = 'Opening the browser... something broke near note = "blue-heron-17"\n'
    cli = OkxCli(runner=Answers(said), home=str(tmp_path))  # exit 0, no success line
    error = await raised(cli.login_interactive("us"))
    assert error.kind == "unknown"
    assert error.message == "Opening the browser... something broke near ***"


def test_a_long_error_is_classified_by_its_head_and_tail_only() -> None:
    from okx_auth_graph.okx.adapter import CLASSIFY_WINDOW, _classify

    middle = "Session expired, please run okx auth login"
    assert _classify(middle) != "unknown"  # the phrase alone is classified
    padded = "x" * (CLASSIFY_WINDOW + 10) + f"\n{middle}\n" + "y" * (CLASSIFY_WINDOW + 10)
    assert _classify(padded) == "unknown"  # in the middle of a huge output it is not read
