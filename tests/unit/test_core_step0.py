"""The pre-flight's reads (``core.step0.read_preflight``) when ``okx config show`` fails.

Found by ``make mutation-score`` (docs/testing.md): mutants of these lines survived every test
that reaches them.

* "No config found" (docs/spec.md's error reference) is no failure: D16 says it matters only to
  API-key users and an OAuth flow goes on without a config. The pre-flight gives the empty
  config summary (what the adapter makes of 1.2.4's ``{"profiles": {}}``) and no error, and the
  tools' pre-flight summary has no ``error`` (the graph: tests/graph/test_preflight_entry.py).
* Any other ``config show`` failure is the pre-flight's error, with no config summary; when
  ``auth status`` fails too (okx reads its config for every command), the config's failure is
  the one reported (config first); a failure of ``auth status`` alone is the error otherwise.
"""

from __future__ import annotations

from pathlib import Path

from okx_auth_graph.core import read_preflight
from okx_auth_graph.doors.tools import preflight
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.models import ConfigSummary
from okx_auth_graph.testing import OkxEmulator
from tests.no_config_okx import NoConfigFound

EMPTY_CONFIG: ConfigSummary = {"exists": False, "default_profile": None, "profiles": []}
"""The config summary without a config file (``okx.models.ConfigSummary``)."""


def no_config_okx(tmp_path: Path) -> tuple[OkxCli, NoConfigFound]:
    emulator = OkxEmulator(tmp_path / "world", home=tmp_path / "home")
    emulator.init_world()
    runner = NoConfigFound(emulator)
    return OkxCli(runner=runner), runner


def broken_config(emulator: OkxEmulator) -> None:
    """The user's ``~/.okx/config.toml`` is not TOML (okx: "Invalid TOML document")."""
    emulator.config_path.parent.mkdir(parents=True, exist_ok=True)
    emulator.config_path.write_text("default_profile = [unclosed\n", encoding="utf-8")


async def test_no_config_found_is_an_empty_config_and_no_error(tmp_path: Path) -> None:
    okx, runner = no_config_okx(tmp_path)
    pre = await read_preflight(okx)
    assert runner.said_no_config == 1, "config show ran and said no config"
    assert pre.config == EMPTY_CONFIG
    assert pre.error is None
    assert pre.auth is not None
    assert pre.auth["status"] == "not_logged_in"
    assert pre.logins_seen == 0
    assert pre.decision.next == "log_in"


async def test_the_tools_preflight_summary_without_a_config_has_no_error(tmp_path: Path) -> None:
    okx, runner = no_config_okx(tmp_path)
    summary = await preflight(okx)
    assert runner.said_no_config == 1
    assert summary == {
        "api_key_profile": None,
        "site": None,
        "status": "not_logged_in",
        "scopes": [],
    }


async def test_a_config_failure_is_the_preflights_error_and_leaves_no_config(
    tmp_path: Path,
) -> None:
    """okx reads its config for every command: ``auth status`` fails on it too, and the
    pre-flight reports ``config show``'s failure (config first)."""
    emulator = OkxEmulator(tmp_path / "world", home=tmp_path / "home")
    emulator.init_world()
    broken_config(emulator)
    okx = OkxCli(runner=emulator)
    pre = await read_preflight(okx)
    assert pre.config is None
    assert pre.auth is None
    assert pre.error is not None
    assert pre.error.kind == "config_invalid"
    assert pre.error.argv == ("config", "show", "--json")
    summary = await preflight(okx)
    assert summary["error"]["kind"] == "config_invalid"
    assert summary["status"] is None


async def test_an_auth_status_failure_alone_is_the_preflights_error(tmp_path: Path) -> None:
    emulator = OkxEmulator(tmp_path / "world", home=tmp_path / "home")
    emulator.init_world(binary="missing")
    pre = await read_preflight(OkxCli(runner=emulator))
    assert pre.config == EMPTY_CONFIG
    assert pre.auth is None
    assert pre.error is not None
    assert pre.error.kind == "failed_to_spawn"
    assert pre.error.argv == ("auth", "status", "--json")
