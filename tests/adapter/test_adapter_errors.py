"""The spec's error reference and auth-error rules: each message maps to its kind and action.

Messages go through the adapter's failure path (a scripted runner stands in for a process that
prints the message on stderr and exits 1), so the test covers classification as used.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.errors import (
    _PATTERNS,
    ERROR_KINDS,
    INSTALL_CLI_COMMAND,
    RECOMMENDED_ACTIONS,
    OkxCliError,
    classify_message,
)
from okx_auth_graph.okx.process import RawResult
from okx_auth_graph.okx.redact import mask_secrets


class PrintsAndFails:
    """A runner that answers every command with one stderr text and exit code 1."""

    def __init__(self, stderr: str, exit_code: int = 1) -> None:
        self.stderr = stderr.encode()
        self.exit_code = exit_code

    async def __call__(
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> RawResult:
        return RawResult(tuple(argv), self.exit_code, b"", self.stderr)


async def failure_of(stderr: str, argv: Sequence[str] = ("account", "balance")) -> OkxCliError:
    cli = OkxCli(runner=PrintsAndFails(stderr))
    with pytest.raises(OkxCliError) as caught:
        await cli.run(argv)
    assert caught.value.message == stderr.strip()
    assert caught.value.exit_code == 1
    return caught.value


async def test_row_no_config_found() -> None:
    error = await failure_of("No config found. Run okx config init first.")
    assert error.kind == "no_config"
    assert "okx config init" in error.action


async def test_row_session_expired() -> None:
    error = await failure_of("Error: Session expired — run okx auth login again")
    assert error.kind == "session_expired"
    assert "okx auth login --manual --site <site>" in error.action


async def test_row_authorization_timed_out() -> None:
    error = await failure_of("Error: Authorization timed out", ["auth", "login", "--site", "us"])
    assert error.kind == "authorization_timed_out"
    assert "okx auth login --manual --site <site>" in error.action


async def test_row_access_denied() -> None:
    error = await failure_of("Error: Access denied", ["auth", "login", "--site", "eea"])
    assert error.kind == "access_denied"
    assert "okx auth login --manual --site <site>" in error.action
    assert "approve" in error.action


@pytest.mark.parametrize("code", ["51155", "51734"])
async def test_row_region_restriction(code: str) -> None:
    error = await failure_of(f"Error: Region restriction ({code})")
    assert error.kind == "region_restriction"
    assert "okx auth status --json" in error.action
    assert "--site" in error.action


async def test_row_network_error_during_login() -> None:
    error = await failure_of("Network error during login", ["auth", "login", "--site", "us"])
    assert error.kind == "network_error"
    assert "check the network" in error.action


async def test_row_failed_to_spawn_okx_auth() -> None:
    error = await failure_of("Error: Failed to spawn okx-auth: ENOENT", ["auth", "status"])
    assert error.kind == "failed_to_spawn"
    assert error.action.startswith("okx auth install")
    assert "okx auth install-status" in error.action


async def test_row_installation_failed_all_cdn_sources() -> None:
    error = await failure_of("Installation failed: All CDN sources failed", ["auth", "install"])
    assert error.kind == "install_failed"
    assert "retry okx auth install" in error.action


@pytest.mark.parametrize(
    "text",
    [
        "Error: No credentials found. Run `okx auth login` first.",
        "Run `okx auth login` first",
        "Error: Private endpoint requires API credentials.",
    ],
)
async def test_login_needed_texts_are_session_expired(text: str) -> None:
    error = await failure_of(text)
    assert error.kind == "session_expired"
    assert "okx auth login --manual --site <site>" in error.action


@pytest.mark.parametrize(
    "text",
    [
        "Error: HTTP 401 from OKX: Invalid OK-ACCESS-KEY",
        "401 Unauthorized",
        "Error: Invalid Sign",
        "Invalid API-KEY",
        '{"code":"50111","msg":"Invalid OK-ACCESS-KEY"}',
        "OKX error code 50113",
        "Error: OKX API request failed.\nHint: Check API key, secret, passphrase and permissions.",
    ],
)
async def test_auth_error_rules_are_invalid_api_key(text: str) -> None:
    error = await failure_of(text)
    assert error.kind == "invalid_api_key"
    assert "replace the API key" in error.action
    assert "recommend" not in error.action.lower()


@pytest.mark.parametrize(
    "text", ["OKX error code 50112", "Error: Invalid OK-ACCESS-TIMESTAMP", "HTTP 401: 50112"]
)
async def test_rejected_timestamp_has_its_own_kind_with_clock_advice(text: str) -> None:
    error = await failure_of(text)
    assert error.kind == "timestamp_rejected"
    assert "clock" in error.action


@pytest.mark.parametrize("text", ["Unknown command: auth status", "Unknown command: auth login"])
async def test_unknown_auth_command_is_cli_too_old(text: str) -> None:
    error = await failure_of(text, ["auth", "status", "--json"])
    assert error.kind == "cli_too_old"
    # okx auth needs a newer okx than the registry serves: never the reinstall command.
    assert "1.3.1-beta.17" in error.action
    assert INSTALL_CLI_COMMAND not in error.action
    assert "okx config init" in error.action


@pytest.mark.parametrize(
    "text",
    [
        "Unknown command: foo bar",
        "Error: HTTP 500 from OKX: System error",
        "last price 51155.2 and 50111.75",
        "Error: Instrument ID does not exist.",
    ],
)
async def test_other_texts_stay_unknown(text: str) -> None:
    error = await failure_of(text)
    assert error.kind == "unknown"


async def test_silent_failure_still_explains_itself() -> None:
    cli = OkxCli(runner=PrintsAndFails("", exit_code=3))
    with pytest.raises(OkxCliError) as caught:
        await cli.run(["market", "ticker", "BTC-USDT"])
    assert caught.value.kind == "unknown"
    assert caught.value.exit_code == 3
    assert "exited with code 3 and printed nothing" in caught.value.message


def test_every_kind_has_an_action() -> None:
    assert set(RECOMMENDED_ACTIONS) == set(ERROR_KINDS)
    assert all(action.strip() for action in RECOMMENDED_ACTIONS.values())
    assert RECOMMENDED_ACTIONS["cli_not_found"] == "npm install -g @okx_ai/okx-trade-cli"


def test_error_to_dict_is_plain_json() -> None:
    error = OkxCliError("network_error", "down", argv=["market", "ticker"], exit_code=1)
    assert error.to_dict() == {
        "kind": "network_error",
        "message": "down",
        "action": RECOMMENDED_ACTIONS["network_error"],
        "argv": ["market", "ticker"],
        "exit_code": 1,
    }


@given(st.text())
def test_classify_never_fails(text: str) -> None:
    assert classify_message(text) in ERROR_KINDS


NO_STAR = st.characters(blacklist_characters="*")


@given(
    st.lists(st.text(NO_STAR, min_size=4, max_size=20), min_size=1, max_size=3),
    st.text(max_size=40),
)
def test_masked_text_contains_no_secret(secrets: list[str], filler: str) -> None:
    text = filler.join(secrets) + filler + json.dumps(secrets)
    masked = mask_secrets(text, secrets)
    phrases = [m.group(0) for _, p in _PATTERNS for m in p.finditer(masked)]
    for secret in secrets:
        for form in (secret, json.dumps(secret)[1:-1]):
            # Only inside one of okx's fixed error phrases may a secret-equal text stay.
            assert form not in masked or any(form in phrase for phrase in phrases)


def test_short_values_are_not_masked() -> None:
    assert mask_secrets("abc and key-1234", ["abc", "key-1234", ""]) == "abc and ***"
