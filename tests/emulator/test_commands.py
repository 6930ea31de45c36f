"""In-process tests of every emulated okx command against the contract (spec + real CLI)."""

from __future__ import annotations

import asyncio
import json
import re
import sys
import tomllib
import types
from pathlib import Path
from typing import Any

import pytest

from okx_auth_graph.testing import OkxEmulator
from okx_auth_graph.testing.world import ACCESS_TTL, REFRESH_TTL
from tests.emulator.samples import CONFIG_WITH_KEYS, SECRETS, wait_until_pending

USER_CODE = re.compile(r"^[A-Z]{4}-[A-Z]{4}$")


async def run(emu: OkxEmulator, *argv: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    raw = await emu(list(argv), timeout=10, stdin=stdin)
    return raw.exit_code, raw.stdout.decode(), raw.stderr.decode()


async def status(emu: OkxEmulator) -> dict[str, Any]:
    code, out, err = await run(emu, "auth", "status", "--json")
    assert code == 0, err
    assert out.endswith("\n")
    assert out.count("\n") == 1
    data: dict[str, Any] = json.loads(out)
    return data


# --version


async def test_version_prints_the_emulated_version(emu: OkxEmulator) -> None:
    assert await run(emu, "--version") == (0, "1.3.1-beta.17 (emulator)\n", "")


async def test_an_old_version_has_no_auth_commands_like_the_real_124(emu: OkxEmulator) -> None:
    emu.set("version", "1.2.4")
    assert (await run(emu, "--version"))[1] == "1.2.4 (emulator)\n"
    assert await run(emu, "auth", "status", "--json") == (1, "", "Unknown command: auth status\n")
    code, _, err = await run(emu, "auth", "login", "--manual", "--site", "eea")
    assert code == 1
    assert err.startswith("Error: Unknown option '--manual'.")
    assert err.endswith("Version: @okx_ai/okx-trade-cli@1.2.4\n")
    assert await run(emu, "auth", "remove", "--force") == (1, "", "Unknown command: auth remove\n")


# config show


async def test_config_show_without_a_config_prints_empty_profiles(emu: OkxEmulator) -> None:
    assert await run(emu, "config", "show", "--json") == (0, '{\n  "profiles": {}\n}\n', "")


async def test_config_show_prints_the_whole_config_secrets_included(emu: OkxEmulator) -> None:
    emu.init_world(config=CONFIG_WITH_KEYS)
    code, out, _ = await run(emu, "config", "show", "--json")
    assert code == 0
    assert json.loads(out) == tomllib.loads(CONFIG_WITH_KEYS)
    assert out.startswith('{\n  "default_profile": "live",\n  "profiles": {\n    "live": {\n')
    for secret in SECRETS:
        assert secret in out


async def test_config_show_renders_toml_values_as_javascript_would(emu: OkxEmulator) -> None:
    emu.init_world(
        config='x = 2.0\ny = 1.5\nwhen = 2026-01-01T00:00:00Z\n[profiles.a]\nsite = "us"\n'
    )
    out = (await run(emu, "config", "show", "--json"))[1]
    assert '"x": 2,' in out
    assert '"y": 1.5,' in out
    assert '"when": "2026-01-01T00:00:00.000Z"' in out


async def test_config_show_of_an_empty_file_is_an_empty_object(emu: OkxEmulator) -> None:
    emu.config_path.parent.mkdir(parents=True)
    emu.config_path.write_text("")
    assert await run(emu, "config", "show", "--json") == (0, "{}\n", "")


async def test_config_show_of_broken_toml_fails_with_the_cli_error_block(emu: OkxEmulator) -> None:
    emu.config_path.parent.mkdir(parents=True)
    emu.config_path.write_text("garbage [[[\n")
    code, out, err = await run(emu, "config", "show", "--json")
    assert (code, out) == (1, "")
    lines = err.splitlines()
    assert lines[0].startswith("Error: Invalid TOML document:")
    assert lines[1:4] == ["", "1:  garbage [[[", "            ^"]
    assert lines[-2].startswith("Hint: ")
    assert lines[-1] == "Version: @okx_ai/okx-trade-cli@1.3.1-beta.17"


async def test_config_show_without_json_masks_keys(emu: OkxEmulator) -> None:
    emu.init_world(config=CONFIG_WITH_KEYS)
    code, out, _ = await run(emu, "config", "show")
    assert code == 0
    assert "***0001" in out
    assert "default_profile: live" in out
    for secret in SECRETS:
        assert secret not in out


# config init


async def test_config_init_writes_the_profile_from_stdin_answers(emu: OkxEmulator) -> None:
    code, out, err = await run(emu, "config", "init", stdin=b"2\nn\nmain\nAK1\nSK1\nPP1\n")
    assert (code, err) == (0, "")
    assert "Site (1/2/3, default: 1): " in out
    assert "https://my.okx.com/account/my-api?go-live-trading=1" in out
    assert f"Config saved to {emu.config_path}" in out
    config = tomllib.loads(emu.config_path.read_text())
    assert config["default_profile"] == "main"
    assert config["profiles"]["main"] == {
        "api_key": "AK1",
        "secret_key": "SK1",
        "passphrase": "PP1",
        "demo": False,
        "site": "eea",
        "base_url": "https://my.okx.com",
    }


async def test_config_init_defaults_to_global_demo_and_okx_demo(emu: OkxEmulator) -> None:
    code, out, _ = await run(emu, "config", "init", stdin=b"\n\n\nAK\nSK\nPP\n")
    assert code == 0
    assert "Demo trading mode selected." in out
    profile = tomllib.loads(emu.config_path.read_text())["profiles"]["okx-demo"]
    assert profile["site"] == "global"
    assert profile["demo"] is True
    assert "base_url" not in profile


async def test_config_init_keeps_other_profiles(emu: OkxEmulator) -> None:
    emu.init_world(config=CONFIG_WITH_KEYS)
    assert (await run(emu, "config", "init", stdin=b"us\nn\nnew\nA\nS\nP\n"))[0] == 0
    config = tomllib.loads(emu.config_path.read_text())
    assert set(config["profiles"]) == {"live", "demo", "new"}
    assert config["profiles"]["new"]["site"] == "us"


async def test_config_init_asks_before_overwriting_a_profile(emu: OkxEmulator) -> None:
    emu.init_world(config=CONFIG_WITH_KEYS)
    code, out, _ = await run(emu, "config", "init", stdin=b"1\nn\nlive\nn\n")
    assert code == 0
    assert 'Profile "live" already exists. Overwrite? (y/N) ' in out
    assert out.endswith("Cancelled.\n")
    assert tomllib.loads(emu.config_path.read_text()) == tomllib.loads(CONFIG_WITH_KEYS)


async def test_config_init_rejects_an_empty_key(emu: OkxEmulator) -> None:
    code, _, err = await run(emu, "config", "init", stdin=b"1\ny\n\n\n")
    assert (code, err) == (1, "Error: API Key cannot be empty\n")
    assert not emu.config_path.exists()


async def test_config_init_stops_at_end_of_stdin_like_the_real_cli(emu: OkxEmulator) -> None:
    code, out, _ = await run(emu, "config", "init", stdin=b"1\n")
    assert code == 0
    assert out.endswith("Use demo trading? (Y/n) ")
    assert not emu.config_path.exists()


# auth status


async def test_status_not_logged_in_has_the_global_placeholder(emu: OkxEmulator) -> None:
    emu.set("site", "eea")
    assert await status(emu) == {"profile": "oauth", "site": "global", "status": "not_logged_in"}


async def test_status_logged_in_has_the_spec_shape(emu: OkxEmulator) -> None:
    emu.init_world(auth="logged_in", site="us", scopes=["live:read"])
    data = await status(emu)
    assert list(data) == ["profile", "site", "status", "expiresAt", "ttl", "scopes"]
    assert data["site"] == "us"
    assert data["status"] == "logged_in"
    assert data["scopes"] == ["live:read"]
    assert ACCESS_TTL - 5 <= data["ttl"] <= ACCESS_TTL
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", data["expiresAt"])


async def test_status_text_mode(emu: OkxEmulator) -> None:
    emu.init_world(auth="logged_in", site="eea")
    out = (await run(emu, "auth", "status"))[1]
    assert "Status: logged_in" in out
    assert "Site: eea" in out


# auth login --manual


@pytest.mark.parametrize(
    ("site", "host"), [("global", "www.okx.com"), ("eea", "my.okx.com"), ("us", "app.okx.com")]
)
async def test_manual_login_prints_one_challenge_line(
    emu: OkxEmulator, site: str, host: str
) -> None:
    code, out, err = await run(emu, "auth", "login", "--manual", "--site", site)
    assert (code, err) == (0, "")
    assert out.count("\n") == 1
    challenge = json.loads(out)
    assert list(challenge) == ["verificationUri", "userCode", "expiresIn"]
    assert challenge["verificationUri"].startswith(f"https://{host}/")
    assert USER_CODE.match(challenge["userCode"])
    assert challenge["expiresIn"] == 600
    assert await status(emu) == {"profile": "oauth", "site": site, "status": "pending"}
    assert emu.world()["pending"]["userCode"] == challenge["userCode"]


async def test_manual_login_then_approval_logs_in_with_the_scopes(emu: OkxEmulator) -> None:
    await run(emu, "auth", "login", "--manual", "--site", "eea")
    emu.approve(scopes="read_only,live:trade")
    data = await status(emu)
    assert (data["status"], data["site"], data["scopes"]) == (
        "logged_in",
        "eea",
        ["read_only", "live:trade"],
    )


async def test_approval_without_scopes_grants_the_default_ones(emu: OkxEmulator) -> None:
    await run(emu, "auth", "login", "--manual", "--site", "global")
    emu.approve()
    assert (await status(emu))["scopes"] == ["live:read", "live:trade"]


async def test_manual_login_then_denial_is_not_logged_in(emu: OkxEmulator) -> None:
    await run(emu, "auth", "login", "--manual", "--site", "us")
    emu.deny()
    assert (await status(emu))["status"] == "not_logged_in"


@pytest.mark.parametrize("manual", [True, False])
async def test_login_is_skipped_when_any_profile_has_an_api_key(
    emu: OkxEmulator, manual: bool
) -> None:
    emu.init_world(config=CONFIG_WITH_KEYS)
    argv = ["auth", "login", *(["--manual"] if manual else []), "--site", "eea"]
    code, out, err = await run(emu, *argv)
    assert (code, err) == (0, "")
    if manual:
        assert json.loads(out) == {
            "status": "skipped",
            "reason": "api_key_configured",
            "profile": "live",
        }
    else:
        assert out.startswith("API key already configured (profile: live)")
    assert (await status(emu))["status"] == "not_logged_in"


async def test_a_profile_without_api_key_does_not_skip(emu: OkxEmulator) -> None:
    emu.init_world(config={"profiles": {"p": {"site": "eea", "api_key": ""}}})
    out = (await run(emu, "auth", "login", "--manual", "--site", "eea"))[1]
    assert "userCode" in out


async def test_login_without_network_is_a_network_error(emu: OkxEmulator) -> None:
    emu.set("network", "down")
    code, out, err = await run(emu, "auth", "login", "--manual", "--site", "eea")
    assert (code, out) == (1, "")
    assert err.startswith("Network error during login")


async def test_login_with_an_unknown_site_fails(emu: OkxEmulator) -> None:
    code, _, err = await run(emu, "auth", "login", "--manual", "--site", "mars")
    assert code == 1
    assert "Invalid site: mars" in err


# the clock


async def test_a_device_code_lapses_after_600_emulated_seconds(emu: OkxEmulator) -> None:
    await run(emu, "auth", "login", "--manual", "--site", "eea")
    emu.advance(599)
    assert (await status(emu))["status"] == "pending"
    emu.advance(2)
    assert (await status(emu))["status"] == "not_logged_in"
    with pytest.raises(Exception, match="no pending authorization"):
        emu.approve()


async def test_expire_code_lapses_the_pending_code_now(emu: OkxEmulator) -> None:
    await run(emu, "auth", "login", "--manual", "--site", "eea")
    emu.expire_code()
    assert (await status(emu))["status"] == "not_logged_in"


async def test_access_tokens_refresh_while_the_session_is_used(emu: OkxEmulator) -> None:
    emu.init_world(auth="logged_in", site="eea")
    emu.advance(ACCESS_TTL + 10)
    data = await status(emu)
    assert data["status"] == "logged_in"
    assert data["ttl"] >= ACCESS_TTL - 5


async def test_a_long_inactivity_expires_the_session(emu: OkxEmulator) -> None:
    emu.init_world(auth="logged_in", site="eea")
    emu.advance(REFRESH_TTL + 1)
    code, out, err = await run(emu, "auth", "status", "--json")
    assert code == 0
    assert json.loads(out)["status"] == "not_logged_in"
    assert err == "Session expired — run okx auth login again\n"


async def test_expire_session_and_a_new_login_clears_it(emu: OkxEmulator) -> None:
    emu.init_world(auth="logged_in", site="us")
    emu.expire_session()
    assert (await run(emu, "auth", "status", "--json"))[2].startswith("Session expired")
    assert emu.world()["session_expired"] is True
    await run(emu, "auth", "login", "--manual", "--site", "us")
    emu.approve()
    code, _, err = await run(emu, "auth", "status", "--json")
    assert (code, err) == (0, "")


# interactive login


async def test_interactive_login_blocks_until_approved(emu: OkxEmulator) -> None:
    task = asyncio.create_task(run(emu, "auth", "login", "--site", "eea"))
    for _ in range(100):
        await asyncio.sleep(0.02)
        if emu.world()["auth"] == "pending":
            break
    assert not task.done()
    emu.approve(scopes=["live:read"])
    code, out, err = await asyncio.wait_for(task, 5)
    assert (code, err) == (0, "")
    assert "https://my.okx.com/" in out
    assert out.endswith("Logged in successfully!\n")
    assert (await status(emu))["scopes"] == ["live:read"]


async def test_interactive_login_denied(emu: OkxEmulator) -> None:
    task = asyncio.create_task(run(emu, "auth", "login", "--site", "us"))
    await wait_until_pending(emu, task)
    emu.deny()
    assert (await asyncio.wait_for(task, 5))[::2] == (1, "Access denied\n")


async def test_interactive_login_times_out_when_the_code_lapses(emu: OkxEmulator) -> None:
    task = asyncio.create_task(run(emu, "auth", "login", "--site", "us"))
    await wait_until_pending(emu, task)
    emu.advance(601)
    assert (await asyncio.wait_for(task, 5))[::2] == (1, "Authorization timed out\n")


async def test_interactive_login_gives_up_at_the_real_time_cap(emu: OkxEmulator) -> None:
    emu.set("login_cap", 0.2)
    loop = asyncio.get_running_loop()
    begun = loop.time()
    code, _, err = await run(emu, "auth", "login", "--site", "global")
    assert (code, err) == (1, "Authorization timed out\n")
    assert 0.2 <= loop.time() - begun < 3


async def test_interactive_login_honours_the_call_timeout(emu: OkxEmulator) -> None:
    with pytest.raises(TimeoutError):
        await emu(["auth", "login", "--site", "global"], timeout=0.2)
    assert emu.calls()[-1]["exit_code"] is None


# logout


async def test_logout_ends_the_session(emu: OkxEmulator) -> None:
    emu.init_world(auth="logged_in", site="eea")
    assert await run(emu, "auth", "logout") == (0, "Logged out successfully.\n", "")
    assert (await status(emu))["status"] == "not_logged_in"
    assert await run(emu, "auth", "logout") == (0, "Not logged in.\n", "")


# the okx-auth binary


@pytest.mark.parametrize("binary", ["missing", "corrupt"])
@pytest.mark.parametrize(
    "argv",
    [
        ["auth", "status", "--json"],
        ["auth", "login", "--manual", "--site", "eea"],
        ["auth", "login", "--site", "eea"],
        ["auth", "logout"],
    ],
)
async def test_auth_commands_fail_to_spawn_without_a_good_binary(
    emu: OkxEmulator, binary: str, argv: list[str]
) -> None:
    emu.set("binary", binary)
    code, out, err = await run(emu, *argv)
    assert (code, out) == (1, "")
    assert err.startswith("Error: Failed to spawn okx-auth: spawn ")
    assert err.rstrip().endswith("Version: @okx_ai/okx-trade-cli@1.3.1-beta.17")


async def test_install_status_reports_an_installed_binary(emu: OkxEmulator) -> None:
    code, out, _ = await run(emu, "auth", "install-status", "--json")
    data = json.loads(out)
    assert code == 0
    assert list(data) == [
        "binaryPath",
        "exists",
        "platform",
        "fileSize",
        "sha256",
        "cdnMatch",
        "cdnSha256",
        "cdnSource",
    ]
    assert data["exists"] is True
    assert data["cdnMatch"] == "match"
    assert data["sha256"] == data["cdnSha256"]
    assert data["binaryPath"] == str(emu.home / ".okx" / "bin" / "okx-auth")


@pytest.mark.parametrize(
    ("binary", "network", "exists", "match"),
    [
        ("missing", "up", False, "not-installed"),
        ("corrupt", "up", True, "mismatch"),
        ("installed", "down", True, "unavailable"),
    ],
)
async def test_install_status_in_other_worlds(
    emu: OkxEmulator, binary: str, network: str, exists: bool, match: str
) -> None:
    emu.init_world(binary=binary, network=network)
    data = json.loads((await run(emu, "auth", "install-status", "--json"))[1])
    assert (data["exists"], data["cdnMatch"]) == (exists, match)


async def test_install_status_text(emu: OkxEmulator) -> None:
    out = (await run(emu, "auth", "install-status"))[1]
    assert "okx-auth Binary Status" in out
    assert "Installed   : yes" in out


@pytest.mark.parametrize("binary", ["missing", "corrupt"])
async def test_install_repairs_the_binary(emu: OkxEmulator, binary: str) -> None:
    emu.set("binary", binary)
    code, out, _ = await run(emu, "auth", "install", "--json")
    data = json.loads(out)
    assert code == 0
    assert list(data) == ["status", "source", "error", "messages"]
    assert data["status"] == "installed"
    assert data["error"] is None
    assert data["messages"]
    assert json.loads((await run(emu, "auth", "install-status", "--json"))[1])["exists"]
    assert (await run(emu, "auth", "status", "--json"))[0] == 0


async def test_install_when_current_is_up_to_date(emu: OkxEmulator) -> None:
    assert json.loads((await run(emu, "auth", "install", "--json"))[1])["status"] == "up-to-date"
    out = (await run(emu, "auth", "install"))[1]
    assert "✓ okx-auth is already up to date" in out


@pytest.mark.parametrize(("install", "network"), [("cdn_failed", "up"), ("ok", "down")])
async def test_install_failure(emu: OkxEmulator, install: str, network: str) -> None:
    emu.init_world(binary="missing", install=install, network=network)
    code, out, _ = await run(emu, "auth", "install", "--json")
    data = json.loads(out)
    assert code == 1
    assert (data["status"], data["error"]) == ("failed", "All CDN sources failed")
    code, _, err = await run(emu, "auth", "install")
    assert code == 1
    assert "✗ Installation failed: All CDN sources failed" in err
    assert emu.world()["binary"] == "missing"


async def test_remove_without_force_and_without_a_tty_refuses(emu: OkxEmulator) -> None:
    assert await run(emu, "auth", "remove") == (
        1,
        "",
        "  Error: stdin is not a TTY. Use --force to skip confirmation.\n",
    )
    assert emu.world()["binary"] == "installed"


async def test_remove_force_json(emu: OkxEmulator) -> None:
    code, out, _ = await run(emu, "auth", "remove", "--force", "--json")
    assert code == 0
    assert json.loads(out) == {
        "status": "removed",
        "path": str(emu.home / ".okx" / "bin" / "okx-auth"),
    }
    assert json.loads((await run(emu, "auth", "remove", "--force", "--json"))[1]) == {
        "status": "not-installed"
    }
    assert (await run(emu, "auth", "status", "--json"))[2].startswith("Error: Failed to spawn")


@pytest.mark.parametrize(("answer", "removed"), [(b"y\n", True), (b"n\n", False)])
async def test_remove_on_a_terminal_asks(
    tmp_path: Path, isolated_home: Path, answer: bytes, removed: bool
) -> None:
    emu = OkxEmulator(tmp_path / "tty-world", home=isolated_home, is_tty=True)
    emu.init_world()
    code, out, _ = await run(emu, "auth", "remove", stdin=answer)
    assert code == 0
    assert "Remove okx-auth at " in out
    assert (emu.world()["binary"] == "missing") is removed
    assert ("Cancelled." in out) is not removed


async def test_unknown_auth_command(emu: OkxEmulator) -> None:
    code, _, err = await run(emu, "auth", "frobnicate")
    assert code == 1
    assert err.startswith("Unknown auth command: frobnicate\n")


# downstream commands


async def test_downstream_without_its_module_is_an_unknown_command(
    emu: OkxEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "okx_auth_graph.testing.downstream", None)
    assert await run(emu, "market", "ticker", "BTC-USDT") == (
        1,
        "",
        "Unknown command: market ticker\n",
    )


async def test_downstream_gets_the_world_and_its_answer_is_passed_on(
    emu: OkxEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[list[str], dict[str, Any], str]] = []

    async def run_downstream(argv: Any, *, env: Any, world: Any) -> tuple[int, bytes, bytes]:
        seen.append((list(argv), dict(world), env["HOME"]))
        return 3, b"out", b"err"

    module = types.ModuleType("okx_auth_graph.testing.downstream")
    module.run_downstream = run_downstream  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "okx_auth_graph.testing.downstream", module)
    emu.init_world(config=CONFIG_WITH_KEYS, auth="logged_in", site="eea", network="down")
    emu.expire_session()
    assert await run(emu, "account", "balance", "--json") == (3, "out", "err")
    argv, world, home = seen[0]
    assert argv == ["account", "balance", "--json"]
    assert world == {
        "config": tomllib.loads(CONFIG_WITH_KEYS),
        "auth": "logged_in",
        "session_expired": True,
        "site": "eea",
        "network": "down",
        "version": "1.3.1-beta.17",
        "binary": "installed",
    }
    assert home == str(emu.home)


async def test_config_init_accepts_crlf_answers(emu: OkxEmulator) -> None:
    code, _, _ = await run(emu, "config", "init", stdin=b"2\r\nn\r\nwin\r\nAK\r\nSK\r\nPP\r\n")
    assert code == 0
    profile = tomllib.loads(emu.config_path.read_text())["profiles"]["win"]
    assert (profile["site"], profile["api_key"], profile["passphrase"]) == ("eea", "AK", "PP")


async def test_downstream_commands_say_session_expired_on_stderr(emu: OkxEmulator) -> None:
    emu.init_world(auth="logged_in", site="eea")
    emu.expire_session()
    code, out, err = await run(emu, "account", "balance", "--json")
    assert (code, out) == (1, "")
    assert "Session expired" in err


async def test_after_logout_downstream_commands_ask_for_a_login(emu: OkxEmulator) -> None:
    emu.init_world(auth="logged_in", site="eea")
    emu.expire_session()
    await run(emu, "auth", "logout")
    code, _, err = await run(emu, "account", "balance", "--json")
    assert code == 1
    assert "Session expired" not in err
    assert "okx auth login" in err


async def test_add_profile_writes_the_config_and_the_call_log_hides_the_keys(
    emu: OkxEmulator,
) -> None:
    argv = ["config", "add-profile", "AK=ak-secret-1", "SK=sk-secret-1", "pp=pp-secret-1"]
    code, out, _ = await run(emu, *argv, "site=us", "name=mine")
    assert code == 0
    assert out == f'Profile "mine" saved to {emu.config_path}\nDefault profile set to: mine\n'
    profile = tomllib.loads(emu.config_path.read_text())["profiles"]["mine"]
    assert (profile["api_key"], profile["site"], profile["demo"]) == ("ak-secret-1", "us", True)
    logged = json.dumps(emu.calls())
    assert "secret-1" not in logged
    assert emu.calls()[0]["argv"][2:5] == ["AK=***", "SK=***", "pp=***"]
    login = await run(emu, "auth", "login", "--manual", "--site", "us")
    assert json.loads(login[1])["reason"] == "api_key_configured"


async def test_config_use_switches_the_default_profile(emu: OkxEmulator) -> None:
    emu.init_world(config=CONFIG_WITH_KEYS)
    assert await run(emu, "config", "use", "demo") == (0, 'Default profile set to: "demo"\n', "")
    assert tomllib.loads(emu.config_path.read_text())["default_profile"] == "demo"
    code, _, err = await run(emu, "config", "use", "ghost")
    assert code == 1
    assert err == 'Error: profile "ghost" does not exist.\nAvailable profiles: live, demo\n'
