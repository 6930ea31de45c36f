"""The real okx 1.2.4 and the emulator quote a broken config alike; nothing secret gets out.

Runs the real npm CLI (``OKX_REAL_CLI`` or ``.okx-cli/``) on broken ``config.toml`` files in
every TOML string form, on a SOCKS ``proxy_url`` with userinfo, and on a secret equal to a
word of okx's own error text.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.errors import OkxCliError
from okx_auth_graph.testing.shim import write_shim
from tests.rigs.real_cli import real_okx_cli as real_okx

pytestmark = pytest.mark.real_cli

REPO = Path(__file__).resolve().parents[2]
CONFIGS = {
    "bad_value_after_multiline": (
        'default_profile = "live"\n[profiles.live]\napi_key = "AKEY1234abcd"\n'
        'secret_key = """SEC\nRET5678"""\npassphrase = p"ss\n',
        ["AKEY1234abcd", "RET5678", 'p"ss'],
    ),
    "own_line_secret": (
        '[profiles.live]\napi_key = "AKEY1234abcd"\npassphrase =\n"OWNLINE5678"\n',
        ["AKEY1234abcd", "OWNLINE5678"],
    ),
    "literal_and_escaped_quote": (
        "[profiles.live]\nsecret_key = '''LIT5678secret'''\npassphrase = \"pa\\\"ss9999\"\n"
        "broken line here\n",
        ["LIT5678secret", "ss9999", "broken line here"],
    ),
}


def run(executable: Path, home: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), **env}
    return subprocess.run(
        [str(executable), *argv], capture_output=True, text=True, timeout=60, env=base, check=False
    )


def home_with(path: Path, config: str) -> Path:
    (path / ".okx").mkdir(parents=True)
    (path / ".okx" / "config.toml").write_text(config)
    return path


@pytest.mark.parametrize("case", sorted(CONFIGS))
async def test_real_cli_toml_errors_are_masked_and_echoed_like_the_emulator(
    tmp_path: Path, case: str
) -> None:
    config, pieces = CONFIGS[case]
    okx = real_okx()
    home = home_with(tmp_path / "home", config)
    real = run(okx, home, "market", "ticker", "BTC-USDT")
    assert real.returncode == 1
    assert "Invalid TOML document" in real.stderr
    assert any(p in real.stderr for p in pieces), "okx 1.2.4 quotes the config's lines"

    cli = OkxCli(str(okx), env={"PATH": os.environ.get("PATH", "")}, home=str(home), timeout=60)
    for call in (cli.auth_status, cli.config_show, lambda: cli.run(["account", "balance"])):
        with pytest.raises(OkxCliError) as caught:
            await call()
        assert caught.value.kind == "config_invalid"
        shown = repr(caught.value.to_dict())
        assert [p for p in pieces if p in shown] == []
        assert "line" in caught.value.message

    if case != "literal_and_escaped_quote":  # tomllib and smol-toml point alike on a bad value
        shim = write_shim(tmp_path / "bin", state=tmp_path / "world")
        emulated = run(shim, home, "market", "ticker", "BTC-USDT")
        block = real.stderr.split("\n\n")[1]
        assert block in emulated.stderr, (real.stderr, emulated.stderr)


async def test_real_cli_proxy_userinfo_is_masked(tmp_path: Path) -> None:
    okx = real_okx()
    config = (
        'default_profile = "live"\n[profiles.live]\napi_key = "AKEY1234abcd"\n'
        'secret_key = "SECRET5678"\npassphrase = "pass9999"\n'
        'proxy_url = "socks5://alice:pw0rdXYZ@10.0.0.1:1080"\n'
    )
    home = home_with(tmp_path / "home", config)
    assert "pw0rdXYZ" in run(okx, home, "account", "balance").stderr
    cli = OkxCli(str(okx), env={"PATH": os.environ.get("PATH", "")}, home=str(home), timeout=60)
    with pytest.raises(OkxCliError) as caught:
        await cli.run(["account", "balance"])
    assert caught.value.kind == "config_invalid"
    assert "socks5://***@10.0.0.1:1080" in caught.value.message
    assert "pw0rdXYZ" not in repr(caught.value.to_dict())


async def test_real_cli_word_secret_keeps_the_kind(tmp_path: Path) -> None:
    """api_key ``Partial`` alone: okx says "Partial API credentials detected."."""
    okx = real_okx()
    home = home_with(tmp_path / "home", '[profiles.default]\napi_key = "Partial"\n')
    cli = OkxCli(str(okx), env={"PATH": os.environ.get("PATH", "")}, home=str(home), timeout=60)
    await cli.config_show()
    with pytest.raises(OkxCliError) as caught:
        await cli.run(["account", "balance"])
    assert caught.value.kind == "invalid_api_key"
    assert "Partial API credentials detected" in caught.value.message
