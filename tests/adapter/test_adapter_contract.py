"""Contract tests of the adapter, run against the emulator executable AND the real okx 1.2.4.

Every test here takes the ``okx`` fixture, so it runs once per executable through a real
subprocess; downstream calls go to a local OKX REST emulator via ``OKX_API_BASE_URL``.
"""

from __future__ import annotations

import pytest

from okx_auth_graph.okx.adapter import OkxCli, parse_version
from okx_auth_graph.okx.errors import INSTALL_CLI_COMMAND, OkxCliError
from tests.adapter.adapter_support import OkxUnderTest
from tests.rigs.rest import (
    BALANCE_PATH,
    TICKER_PATH,
    OkxRestEmulator,
    Scenario,
    closed_port_url,
)

API_KEY = "ak-7f3e9c21-5d4b-4a8e-9f10-2b6c8d4e1a77"
SECRET_KEY = "SK9F8E7D6C5B4A3928171605F4E3D2C1"
PASSPHRASE = "Pass-phrase-42!"
SECRETS = (API_KEY, SECRET_KEY, PASSPHRASE)

TWO_PROFILES = f"""\
default_profile = "live"

[profiles.live]
api_key = "{API_KEY}"
secret_key = "{SECRET_KEY}"
passphrase = "{PASSPHRASE}"
site = "eea"

[profiles.paper]
site = "us"
demo = true
"""

BALANCE = ["account", "balance", "--json"]
TICKER = ["market", "ticker", "BTC-USDT", "--json"]


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def downstream_cli(okx: OkxUnderTest, base_url: str) -> OkxCli:
    okx.write_config(TWO_PROFILES)
    return okx.cli(OKX_API_BASE_URL=base_url)


async def test_version_is_a_version_number(okx: OkxUnderTest) -> None:
    version = await okx.cli().version()
    assert parse_version(version) >= parse_version("1.2.4")
    if okx.name == "real-1.2.4":
        assert version == "1.2.4"


async def test_config_show_without_config_is_an_empty_summary(okx: OkxUnderTest) -> None:
    summary = await okx.cli().config_show()
    assert summary == {"exists": False, "default_profile": None, "profiles": []}


async def test_config_show_summary_keeps_no_secret(okx: OkxUnderTest) -> None:
    okx.write_config(TWO_PROFILES)
    summary = await okx.cli().config_show()
    assert summary == {
        "exists": True,
        "default_profile": "live",
        "profiles": [
            {"name": "live", "site": "eea", "demo": False, "has_api_key": True},
            {"name": "paper", "site": "us", "demo": True, "has_api_key": False},
        ],
    }
    assert_no_secret(repr(summary))


WIZARD_1_2_4 = f"""\
default_profile = "okx-prod"

[profiles.okx-prod]
api_key = "{API_KEY}"
secret_key = "{SECRET_KEY}"
passphrase = "{PASSPHRASE}"
demo = false
base_url = "https://my.okx.com"

[profiles.global-key]
api_key = "{API_KEY}"
demo = true

[profiles.local]
base_url = "http://127.0.0.1:18080"
"""


async def test_config_show_reads_the_site_a_base_url_names(okx: OkxUnderTest) -> None:
    """okx 1.2.4's ``config init`` writes an EEA choice as ``base_url`` only (D3)."""
    okx.write_config(WIZARD_1_2_4)
    summary = await okx.cli().config_show()
    assert summary["profiles"] == [
        {"name": "okx-prod", "site": "eea", "demo": False, "has_api_key": True},
        {"name": "global-key", "site": None, "demo": True, "has_api_key": True},
        {"name": "local", "site": None, "demo": False, "has_api_key": False},
    ]
    assert_no_secret(repr(summary))


async def test_account_balance_success_is_signed_and_parsed(
    okx: OkxUnderTest, rest: OkxRestEmulator
) -> None:
    result = await downstream_cli(okx, rest.url).run(BALANCE)
    assert result["argv"] == BALANCE
    details = result["json"][0]["details"]
    assert {d["ccy"] for d in details} == {"BTC", "USDT"}
    (request,) = rest.requests()
    assert request.path == BALANCE_PATH
    assert request.signed
    assert_no_secret(repr(rest.requests()))


async def test_market_ticker_success_needs_no_credentials(
    okx: OkxUnderTest, rest: OkxRestEmulator
) -> None:
    result = await okx.cli(OKX_API_BASE_URL=rest.url).run(TICKER)
    assert result["json"][0]["instId"] == "BTC-USDT"
    assert result["json"][0]["last"] == "97000.1"
    (request,) = rest.requests()
    assert (request.path, request.query) == (TICKER_PATH, {"instId": "BTC-USDT"})
    assert not request.signed


FAILURES: list[tuple[Scenario, str]] = [
    ("invalid_key_401", "invalid_api_key"),
    ("code_50111", "invalid_api_key"),
    ("code_50113", "invalid_api_key"),
    ("code_50112", "timestamp_rejected"),
    ("region_51155", "region_restriction"),
    ("region_51734", "region_restriction"),
]


@pytest.mark.parametrize("argv", [BALANCE, TICKER], ids=["balance", "ticker"])
@pytest.mark.parametrize(("scenario", "kind"), FAILURES, ids=[s for s, _ in FAILURES])
async def test_rest_failure_is_classified(
    okx: OkxUnderTest, rest: OkxRestEmulator, argv: list[str], scenario: Scenario, kind: str
) -> None:
    rest.script_all(scenario)
    with pytest.raises(OkxCliError) as caught:
        await downstream_cli(okx, rest.url).run(argv)
    error = caught.value
    assert error.kind == kind
    assert error.exit_code == 1
    assert error.argv == tuple(argv)
    assert error.message.startswith("Error: ")
    assert_no_secret(str(error.to_dict()))
    if kind == "timestamp_rejected":
        assert "clock" in error.action


@pytest.mark.parametrize("argv", [BALANCE, TICKER], ids=["balance", "ticker"])
async def test_closed_port_is_a_network_error(okx: OkxUnderTest, argv: list[str]) -> None:
    with pytest.raises(OkxCliError) as caught:
        await downstream_cli(okx, closed_port_url()).run(argv)
    assert caught.value.kind == "network_error"
    assert "Failed to call OKX endpoint GET /api/v5/" in caught.value.message


@pytest.mark.parametrize("argv", [BALANCE, TICKER], ids=["balance", "ticker"])
async def test_unanswered_request_is_a_network_error(
    okx: OkxUnderTest, rest: OkxRestEmulator, argv: list[str]
) -> None:
    rest.script_all("hang")
    okx.write_config(TWO_PROFILES)
    cli = okx.cli(OKX_API_BASE_URL=rest.url, OKX_TIMEOUT_MS="300")
    with pytest.raises(OkxCliError) as caught:
        await cli.run(argv)
    assert caught.value.kind == "network_error"
    assert len(rest.requests()) == 1


async def test_rest_emulator_closed_mid_session_gives_network_error(
    okx: OkxUnderTest, rest: OkxRestEmulator
) -> None:
    cli = downstream_cli(okx, rest.url)
    assert (await cli.run(TICKER))["json"]
    rest.close()
    with pytest.raises(OkxCliError) as caught:
        await cli.run(TICKER)
    assert caught.value.kind == "network_error"


def assert_too_old_action(action: str) -> None:
    """okx auth needs a version npm does not serve: never the install command, the API key."""
    assert "1.3.1-beta.17" in action
    assert "okx config init" in action
    assert INSTALL_CLI_COMMAND not in action


async def test_auth_support_matches_the_version(okx: OkxUnderTest) -> None:
    cli = okx.cli()
    if okx.name == "real-1.2.4":
        with pytest.raises(OkxCliError) as caught:
            await cli.require_auth_support()
        assert caught.value.kind == "cli_too_old"
        assert_too_old_action(caught.value.action)
    else:
        assert parse_version(await cli.require_auth_support()) >= parse_version("1.3.1-beta.17")


async def test_real_1_2_4_auth_status_is_cli_too_old(real_okx: OkxUnderTest) -> None:
    with pytest.raises(OkxCliError) as caught:
        await real_okx.cli().auth_status()
    error = caught.value
    assert error.kind == "cli_too_old"
    assert error.message == "Unknown command: auth status"
    assert error.exit_code == 1
    assert_too_old_action(error.action)


AUTH_CALLS = {
    "login_manual": lambda cli: cli.login_manual("eea"),
    "login_interactive": lambda cli: cli.login_interactive("us"),
    "logout": lambda cli: cli.logout(),
    "install": lambda cli: cli.install(),
    "install_status": lambda cli: cli.install_status(),
    "remove": lambda cli: cli.remove(),
}


@pytest.mark.parametrize("method", sorted(AUTH_CALLS))
async def test_real_1_2_4_every_auth_command_is_cli_too_old(
    real_okx: OkxUnderTest, method: str
) -> None:
    with pytest.raises(OkxCliError) as caught:
        await AUTH_CALLS[method](real_okx.cli())
    assert caught.value.kind == "cli_too_old"
    assert caught.value.exit_code == 1
    assert_too_old_action(caught.value.action)
