"""Every okx text is cleaned and masked on every path, not only the error paths.

Shapes measured on okx 1.2.4 (``.okx-cli`` / ``OKX_REAL_CLI``) or built from what it prints:

* a scheme-less ``proxy_url`` (``user:PW@proxy:3128``), echoed as ``Invalid proxy URL "…"``;
* ``--verbose``'s partial mask of the API key (``auth=✓(AKc***789)``): masked whole;
* the verification URL of the manual login's JSON and of the interactive login's output, with
  terminal escapes and URL userinfo: cleaned and masked before any stream event, message,
  interrupt or checkpoint;
* a failed ``okx auth install --json`` whose ``error`` carries escapes and a secret;
* a caller's ``failed_command.error`` with escapes and okx's partial mask, in the remediation reply.

Each graph run is checkpointed by the project's SQLite helper (uncompressed, so its bytes are
scanned) and every place is searched: the file, every checkpoint, the state, outputs, every
stream event (``updates``, ``messages``, ``custom``, and the ``messages`` of ``values``: a
``values`` event is the whole state, which holds the caller's own ``failed_command`` as given
until the entry consumes it) and the DEBUG log.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

import pytest
from langchain_core.messages import HumanMessage
from langgraph.types import Command

from okx_auth_graph import Context, OkxCli, build_graph
from okx_auth_graph.okx.errors import OkxCliError
from okx_auth_graph.okx.process import RawResult
from okx_auth_graph.okx.redact import mask_secrets
from okx_auth_graph.persistence import async_sqlite_checkpointer
from okx_auth_graph.testing import OkxEmulator
from tests.rigs.real_cli import real_okx_cli as real_okx

REPO = Path(__file__).resolve().parents[2]
ESCAPES = ("\x1b", "\x9b", "\x07", "\u202e")


def _home(path: Path, config: str) -> Path:
    (path / ".okx").mkdir(parents=True)
    (path / ".okx" / "config.toml").write_text(config)
    return path


def _canary(kind: str) -> str:
    return f"{kind}{secrets.token_hex(6)}"


class Rewriting:
    """The emulator, with ``rewrite`` applied to what one command prints (stdout, and stderr).

    A faithful runner otherwise: the same argv, exit code and streaming as the emulator.
    """

    def __init__(
        self, emulator: OkxEmulator, command: Sequence[str], rewrite: Callable[[bytes], bytes]
    ) -> None:
        self.emulator = emulator
        self.command = list(command)
        self.rewrite = rewrite

    @property
    def state_dir(self) -> Path:
        return self.emulator.state_dir

    async def __call__(
        self,
        argv: Sequence[str],
        *,
        timeout: float,
        stdin: bytes | None = None,
        on_stdout: Callable[[bytes], None] | None = None,
    ) -> RawResult:
        mine = list(argv[: len(self.command)]) == self.command
        listener = on_stdout
        if mine and on_stdout is not None:

            def listener(chunk: bytes) -> None:
                on_stdout(self.rewrite(chunk))

        raw = await self.emulator(argv, timeout=timeout, stdin=stdin, on_stdout=listener)
        if not mine:
            return raw
        return RawResult(raw.argv, raw.exit_code, self.rewrite(raw.stdout), raw.stderr)


async def _scan_run(
    tmp_path: Path,
    cli: OkxCli,
    entries: list[Any],
    context: Context,
    caplog: pytest.LogCaptureFixture,
    during: Callable[[str, Any], None] | None = None,
) -> dict[str, str]:
    """Run the entries on a SQLite-checkpointed graph; return every place as text."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger().setLevel(logging.DEBUG)
    events: list[Any] = []
    database = tmp_path / "c.sqlite"
    async with async_sqlite_checkpointer(database, compress=False) as saver:
        graph = build_graph(cli=cli, checkpointer=saver)
        config: Any = {"configurable": {"thread_id": "t"}}
        for entry in entries:
            async for mode, chunk in graph.astream(
                entry,
                config,
                context=context,
                stream_mode=["values", "updates", "messages", "custom"],
            ):
                # a values event is the whole state: the caller's own input, as given, included
                values = cast(dict[str, Any], chunk)
                shown = {"messages": values.get("messages")} if mode == "values" else chunk
                events.append((mode, shown))
                if during is not None:
                    during(mode, chunk)
        state = await graph.aget_state(config)
        checkpoints = [repr(c) async for c in saver.alist(config)]
    raw = b"".join(p.read_bytes() for p in sorted(tmp_path.glob("c.sqlite*")))
    return {
        "sqlite bytes": raw.decode("latin-1"),
        "checkpoints": "\n".join(checkpoints),
        "state": repr(state.values) + repr(state.interrupts),
        "messages": "\n".join(m.text for m in state.values.get("messages", [])),
        "stream events": repr(events),
        "logs": "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records),
    }


def _found(places: dict[str, str], pieces: Sequence[str]) -> dict[str, list[str]]:
    hits = {place: [p for p in pieces if p in text] for place, text in places.items()}
    return {place: found for place, found in hits.items() if found}


def _escapes(places: dict[str, str]) -> list[str]:
    """Places whose text holds a raw escape or control character (the log is okx's own)."""
    return [
        place
        for place, text in places.items()
        if place not in ("sqlite bytes", "logs") and any(e in text for e in ESCAPES)
    ]


# --- a scheme-less proxy password (real okx 1.2.4) ---


async def test_real_cli_scheme_less_proxy_password_is_masked(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    okx = real_okx()
    password = _canary("PW")
    config = f'[profiles.default]\napi_key = ""\nproxy_url = "user:{password}@proxy:3128"\n'
    home = _home(tmp_path / "home", config)
    echoed = subprocess.run(
        [str(okx), "market", "ticker", "BTC-USDT"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(home)},
        check=False,
    )
    assert f'Invalid proxy URL "user:{password}@proxy:3128"' in echoed.stderr

    cli = OkxCli(str(okx), env={"PATH": os.environ.get("PATH", "")}, home=str(home), timeout=60)
    with pytest.raises(OkxCliError) as caught:
        await cli.run(["market", "ticker", "BTC-USDT"])
    assert caught.value.kind == "config_invalid"
    assert 'Invalid proxy URL "***@proxy:3128"' in caught.value.message
    assert password not in repr(caught.value.to_dict())

    fresh = OkxCli(str(okx), env={"PATH": os.environ.get("PATH", "")}, home=str(home), timeout=60)
    places = await _scan_run(
        tmp_path, fresh, [{"messages": [HumanMessage("log in to okx")]}], Context(), caplog
    )
    assert "Invalid proxy URL" in places["messages"], "the graph showed okx's error"
    assert _found(places, [password, f"user:{password}"]) == {}


def test_scheme_less_userinfo_in_any_text_is_masked() -> None:
    assert mask_secrets('Error: Invalid proxy URL "bob:s3cr3tPW@10.0.0.1:3128".', []) == (
        'Error: Invalid proxy URL "***@10.0.0.1:3128".'
    )
    assert mask_secrets("proxy_url = admin:hunter22@[::1]:80", []) == "proxy_url = ***@[::1]:80"
    untouched = "mail bob@example.com at 12:30, see https://www.okx.com/account"
    assert mask_secrets(untouched, []) == untouched


# --- okx's partial masks under --verbose (real okx 1.2.4) ---


async def test_real_cli_verbose_partial_mask_reveals_nothing(tmp_path: Path) -> None:
    okx = real_okx()
    api_key = "AKc" + secrets.token_hex(6) + "789"
    config = (
        f'[profiles.default]\napi_key = "{api_key}"\nsecret_key = "{_canary("SK")}"\n'
        f'passphrase = "{_canary("PP")}"\n'
    )
    home = _home(tmp_path / "home", config)
    env = {"PATH": os.environ.get("PATH", ""), "OKX_API_BASE_URL": "http://127.0.0.1:9"}
    echoed = subprocess.run(
        [str(okx), "--verbose", "account", "balance"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "HOME": str(home)},
        check=False,
    )
    assert f"auth=✓({api_key[:3]}***{api_key[-3:]})" in echoed.stderr, echoed.stderr

    cli = OkxCli(str(okx), env=env, home=str(home), timeout=60)
    with pytest.raises(OkxCliError) as caught:
        await cli.run(["account", "balance", "--verbose"])
    shown = repr(caught.value.to_dict())
    assert "auth=✓(***)" in shown
    assert f"{api_key[:3]}***" not in shown
    assert f"***{api_key[-3:]}" not in shown


def test_partial_masks_in_any_text_become_one_mask() -> None:
    assert mask_secrets("auth=✓(AKc***789) demo=off", []) == "auth=✓(***) demo=off"
    assert mask_secrets("api_key: ***1234, key ab-***", []) == "api_key: ***, key ***"
    assert mask_secrets("socks5://***@h and a *** b", []) == "socks5://***@h and a *** b"


# --- the verification URL of both logins ---


def _dirty_url(password: str) -> Callable[[bytes], bytes]:
    """okx's URL with a userinfo password and escape sequences wrapped around and inside."""

    def rewrite(data: bytes) -> bytes:
        text = data.decode()
        if '"verificationUri"' in text:  # the manual login's JSON line
            return text.replace(
                "https://", f"\\u001b]0;title\\u0007https://u:{password}@\\u001b[2J"
            ).encode()
        return text.replace(
            "https://", f"\x1b[31m\x1b]0;title\x07https://u:{password}@\x1b[2J"
        ).encode()

    return rewrite


async def test_manual_login_url_is_cleaned_and_masked_everywhere(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    password = _canary("UP")
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    runner = Rewriting(emulator, ["auth", "login"], _dirty_url(password))
    entries: list[Any] = [{"messages": [HumanMessage("log in to okx")]}, Command(resume="2")]
    places = await _scan_run(tmp_path, OkxCli(runner=runner), entries, Context(), caplog)
    assert "https://***@" in places["messages"], "the challenge was shown, masked"
    assert _found(places, [password]) == {}
    assert _escapes(places) == []


async def test_interactive_login_url_is_cleaned_and_masked_before_its_stream_event(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    password = _canary("UP")
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    runner = Rewriting(emulator, ["auth", "login"], _dirty_url(password))
    challenges: list[Any] = []

    def approve_once_shown(mode: str, chunk: Any) -> None:
        if mode == "custom" and chunk.get("type") == "login_challenge":
            challenges.append(chunk)
            emulator.approve(scopes=["live:read"])

    entries: list[Any] = [{"messages": [HumanMessage("log in to okx")]}, Command(resume="2")]
    places = await _scan_run(
        tmp_path,
        OkxCli(runner=runner),
        entries,
        Context(interactive_login=True),
        caplog,
        during=approve_once_shown,
    )
    [event] = challenges
    assert event["verificationUri"].startswith("https://***@my.okx.com/")
    assert "https://***@" in places["messages"]
    assert _found(places, [password]) == {}
    assert _escapes(places) == []


# --- a failed okx auth install, a caller's failed_command ---


async def test_failed_install_error_is_cleaned_and_masked(tmp_path: Path) -> None:
    secret = _canary("SK")
    report = {"status": "failed", "error": f"\x1b]0;pwn\x07CDN https://u:{secret}@cdn\x1b[2J"}

    async def okx(argv: Sequence[str], *, timeout: float, stdin: bytes | None = None) -> RawResult:
        return RawResult(tuple(argv), 1, json.dumps(report).encode(), b"")

    with pytest.raises(OkxCliError) as caught:
        await OkxCli(runner=okx).install()
    message = caught.value.message
    assert message.startswith("Installation failed: CDN https://***@cdn")
    assert secret not in message
    assert not any(e in message for e in ESCAPES)


async def test_failed_command_error_in_the_remediation_reply(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(auth="logged_in", site="eea")
    error = (
        "[verbose] config: profile=default auth=✓(AKc***789)\n"
        "\x1b]0;owned\x07\x1b[2J\x9b31mError: Something odd \u202eevil\n"
        "Hint: retry\n"
    )
    entry = {
        "messages": [HumanMessage("my balance call failed")],
        "failed_command": {"argv": ["account", "balance"], "error": error},
    }
    places = await _scan_run(tmp_path, OkxCli(runner=emulator), [entry], Context(), caplog)
    assert "Error: Something odd" in places["messages"], "the reply quotes okx's error"
    assert _found(places, ["AKc***", "***789"]) == {}
    assert _escapes(places) == []
