"""The emulator's downstream commands: byte-for-byte parity with okx 1.2.4, and OAuth rules.

Parity tests run the real 1.2.4 and :func:`run_downstream` (its ``Version`` footer set to
1.2.4) against the same REST emulator and compare exit code, stdout and stderr exactly.
"""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from okx_auth_graph.testing.downstream import EMULATED_OAUTH_TOKEN, run_downstream
from tests.adapter.adapter_support import base_env, seed_home
from tests.rigs.real_cli import real_okx_cli
from tests.rigs.rest import (
    BALANCE_PATH,
    SCENARIOS,
    TICKER_PATH,
    OkxRestEmulator,
    closed_port_url,
)

KEY_CONFIG = """\
default_profile = "live"

[profiles.live]
api_key = "ak-1f2e3d4c"
secret_key = "SK-00112233445566"
passphrase = "phrase-9"
site = "eea"
"""
BALANCE = ["account", "balance", "--json"]
TICKER = ["market", "ticker", "BTC-USDT", "--json"]


def world(config: str | None = None, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "config": tomllib.loads(config) if config else None,
        "auth": "not_logged_in",
        "session_expired": False,
        "site": None,
        "network": "up",
    }
    return {**base, **changes}


def run_real(
    argv: list[str], config: str | None, env: dict[str, str], home: Path
) -> tuple[int, bytes, bytes]:
    if config:
        (home / ".okx" / "config.toml").write_text(config)
    done = subprocess.run(
        [str(real_okx_cli()), *argv],
        env={**base_env(home), **env},
        capture_output=True,
        timeout=30,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


async def run_emulated(
    argv: list[str], config: str | None, env: dict[str, str]
) -> tuple[int, bytes, bytes]:
    return await run_downstream(argv, env=env, world=world(config, version="1.2.4"))


PARITY_CASES = [
    (BALANCE, KEY_CONFIG),
    (TICKER, None),
]


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize(("argv", "config"), PARITY_CASES, ids=["balance", "ticker"])
async def test_same_bytes_as_1_2_4(
    seeded_home: Path, rest: OkxRestEmulator, scenario: str, argv: list[str], config: str | None
) -> None:
    rest.script_all(scenario)  # type: ignore[arg-type]
    # A short timeout only where the server never answers: an answered request given 400 ms
    # timed out under load (the real CLI then said "Failed to call OKX endpoint").
    timeout_ms = "400" if scenario == "hang" else "20000"
    env = {"OKX_API_BASE_URL": rest.url, "OKX_TIMEOUT_MS": timeout_ms}
    assert await run_emulated(argv, config, env) == run_real(argv, config, env, seeded_home)


@pytest.mark.parametrize(
    ("argv", "config", "env"),
    [
        (["account", "balance"], KEY_CONFIG, {}),
        (["market", "ticker", "ETH-USDT"], None, {}),
        (["account", "balance", "BTC", "--json"], KEY_CONFIG, {}),
        (["market", "ticker", "--json"], None, {}),
        (BALANCE, None, {"OKX_API_KEY": "only-the-key"}),
        (TICKER, None, {"OKX_SITE": "mars"}),
        (TICKER, None, {"OKX_API_BASE_URL": "ftp://example"}),
        (["foo", "bar"], None, {}),
    ],
    ids=[
        "balance_table",
        "ticker_table",
        "balance_ccy",
        "ticker_no_inst",
        "partial_credentials",
        "unknown_site",
        "bad_base_url",
        "unknown_command",
    ],
)
async def test_same_bytes_as_1_2_4_for_edge_cases(
    seeded_home: Path,
    rest: OkxRestEmulator,
    argv: list[str],
    config: str | None,
    env: dict[str, str],
) -> None:
    full_env = {"OKX_API_BASE_URL": rest.url, **env}
    assert await run_emulated(argv, config, full_env) == run_real(
        argv, config, full_env, seeded_home
    )


@pytest.mark.parametrize("argv", [BALANCE, TICKER], ids=["balance", "ticker"])
async def test_same_bytes_as_1_2_4_on_a_closed_port(seeded_home: Path, argv: list[str]) -> None:
    env = {"OKX_API_BASE_URL": closed_port_url()}
    config = KEY_CONFIG if argv == BALANCE else None
    assert await run_emulated(argv, config, env) == run_real(argv, config, env, seeded_home)


async def test_oauth_session_is_used_when_no_api_key(rest: OkxRestEmulator) -> None:
    code, out, err = await run_downstream(
        BALANCE, env={"OKX_API_BASE_URL": rest.url}, world=world(auth="logged_in", site="us")
    )
    assert (code, err) == (0, b"")
    assert b'"ccy": "USDT"' in out
    (request,) = rest.requests()
    assert "authorization" in request.header_names
    assert not request.signed
    assert EMULATED_OAUTH_TOKEN not in repr(request)


async def test_api_key_wins_over_oauth_and_never_falls_back(rest: OkxRestEmulator) -> None:
    rest.script(BALANCE_PATH, "code_50113")
    code, _, err = await run_downstream(
        BALANCE, env={"OKX_API_BASE_URL": rest.url}, world=world(KEY_CONFIG, auth="logged_in")
    )
    assert code == 1
    assert err.startswith(b"Error: Invalid Sign\nHint: Check API key, secret, passphrase")
    (request,) = rest.requests()
    assert request.signed
    assert "authorization" not in request.header_names


async def test_api_key_from_env_signs_the_request(rest: OkxRestEmulator) -> None:
    env = {
        "OKX_API_BASE_URL": rest.url,
        "OKX_API_KEY": "env-key-1",
        "OKX_SECRET_KEY": "env-secret-1",
        "OKX_PASSPHRASE": "env-pass-1",
    }
    code, _, _ = await run_downstream(BALANCE, env=env, world=world())
    assert code == 0
    assert rest.requests()[0].signed


async def test_expired_oauth_session_says_session_expired(rest: OkxRestEmulator) -> None:
    code, out, err = await run_downstream(
        BALANCE,
        env={"OKX_API_BASE_URL": rest.url},
        world=world(auth="logged_in", session_expired=True),
    )
    assert (code, out) == (1, b"")
    assert err.decode().splitlines() == [
        "Error: Session expired — run okx auth login again",
        "Version: @okx_ai/okx-trade-cli@1.3.1-beta.17",
    ]
    assert rest.requests() == []


@pytest.mark.parametrize("auth", ["not_logged_in", "pending"])
async def test_no_credentials_says_run_auth_login_first(rest: OkxRestEmulator, auth: str) -> None:
    code, _, err = await run_downstream(
        BALANCE, env={"OKX_API_BASE_URL": rest.url}, world=world(auth=auth)
    )
    assert code == 1
    assert err.decode().splitlines()[:2] == [
        "Error: No credentials found. Run `okx auth login` first.",
        "Hint: Run `okx auth login` to authenticate.",
    ]
    assert rest.requests() == []


@pytest.mark.parametrize("auth", ["not_logged_in", "pending", "logged_in"])
async def test_market_needs_no_auth(rest: OkxRestEmulator, auth: str) -> None:
    code, out, _ = await run_downstream(
        TICKER,
        env={"OKX_API_BASE_URL": rest.url},
        world=world(auth=auth, session_expired=True),
    )
    assert code == 0
    assert b'"instId": "BTC-USDT"' in out
    (request,) = rest.requests()
    assert request.path == TICKER_PATH
    assert not request.signed
    assert "authorization" not in request.header_names


@pytest.mark.parametrize("argv", [BALANCE, TICKER], ids=["balance", "ticker"])
async def test_network_down_fails_without_any_connection(
    rest: OkxRestEmulator, argv: list[str]
) -> None:
    code, _, err = await run_downstream(
        argv, env={"OKX_API_BASE_URL": rest.url}, world=world(KEY_CONFIG, network="down")
    )
    assert code == 1
    lines = err.decode().splitlines()
    assert lines[0].startswith("Error: Failed to call OKX endpoint GET /api/v5/")
    assert lines[1] == (
        "Hint: Please check network connectivity and retry the request in a few seconds."
    )
    assert rest.requests() == []


@pytest.mark.parametrize(
    "argv",
    [["spot", "orders"], ["account", "nosuch"], ["market"], [], ["auth-ish", "status"]],
)
async def test_anything_else_is_an_unknown_command(argv: list[str]) -> None:
    code, out, err = await run_downstream(argv, env={}, world=world())
    assert (code, out) == (1, b"")
    module = argv[0] if argv else ""
    action = argv[1] if len(argv) > 1 else ""
    assert err == f"Unknown command: {module} {action}\n".encode()


async def test_region_hint_names_the_oauth_site(rest: OkxRestEmulator) -> None:
    rest.script(BALANCE_PATH, "region_51155")
    _, _, err = await run_downstream(
        BALANCE, env={"OKX_API_BASE_URL": rest.url}, world=world(auth="logged_in", site="us")
    )
    assert b"Feature unavailable in your region (site: us)." in err


async def test_emulated_version_appears_in_the_footer() -> None:
    _, _, err = await run_downstream(
        TICKER, env={"OKX_API_BASE_URL": "ftp://x"}, world=world(version="1.3.2")
    )
    assert err.endswith(b"Version: @okx_ai/okx-trade-cli@1.3.2\n")


def test_seeded_home_stops_the_registry_check(tmp_path: Path) -> None:
    home = seed_home(tmp_path / "h")
    assert (home / ".okx" / "update-check.json").read_text().startswith('{"@okx_ai/okx-trade-cli"')


def test_missing_real_cli_fails_in_ci_and_skips_elsewhere_saying_how_to_run_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.rigs import real_cli

    monkeypatch.setattr(real_cli, "REAL_CLI_CANDIDATES", (tmp_path / "none" / "okx",))
    monkeypatch.delenv("OKX_REAL_CLI", raising=False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"real okx CLI 1\.2\.4 was not found"):
        real_cli.real_okx_cli()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match=r"was not found.*pytest -m real_cli"):
        real_cli.real_okx_cli()
    monkeypatch.setenv("OKX_REAL_CLI", str(tmp_path / "wrong"))
    with pytest.raises(pytest.fail.Exception, match="is not an executable file"):
        real_cli.real_okx_cli()
