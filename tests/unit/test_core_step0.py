"""Step 0 in the core: the decision from the two answers (``step0``) and the pre-flight's reads
(``read_preflight``) when ``okx config show`` fails.

Found by ``make mutation-score`` (docs/testing.md): mutants of these lines survived every test
that reaches them.

* The decision walks docs/spec.md's 0.1 → 0.2 → 0.3; its site is the session's or the pending
  code's, else the one 0.1 finds (a profile's site first, D3; a ``logged_in`` or ``pending``
  status's site next; a ``not_logged_in`` status's site is a placeholder).
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

import pytest

from okx_auth_graph.core import Step0, no_config, read_preflight, step0
from okx_auth_graph.doors.tools import preflight
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.models import AuthState, AuthStatus, ConfigSummary
from okx_auth_graph.testing import OkxEmulator
from tests.no_config_okx import NoConfigFound

EMPTY_CONFIG: ConfigSummary = {"exists": False, "default_profile": None, "profiles": []}
"""The config summary without a config file (``okx.models.ConfigSummary``)."""


def profiles(*profiles: tuple[str, str | None, bool], default: str | None = None) -> ConfigSummary:
    """A config summary with profiles ``(name, site, has an API key)``."""
    return {
        "exists": True,
        "default_profile": default,
        "profiles": [
            {"name": name, "site": site, "demo": False, "has_api_key": key}
            for name, site, key in profiles
        ],
    }


def status(state: AuthState, site: str | None, scopes: list[str] | None = None) -> AuthStatus:
    """An ``auth status`` summary."""
    return {"status": state, "site": site, "scopes": scopes or []}


SCOPES = ["live:read", "live:trade"]
DECISIONS = {
    "api key, its site": (
        profiles(("live", "us", True)),
        status("not_logged_in", "global"),
        Step0("use_api_key", profile="live", site="us"),
    ),
    "api key without a site, a session's site (0.1)": (
        profiles(("live", None, True)),
        status("logged_in", "eea", SCOPES),
        Step0("use_api_key", profile="live", site="eea"),
    ),
    "api key without a site, a pending code's site (0.1)": (
        profiles(("live", None, True)),
        status("pending", "us"),
        Step0("use_api_key", profile="live", site="us"),
    ),
    "api key without a site, not logged in: no site (placeholder)": (
        profiles(("live", None, True)),
        status("not_logged_in", "global"),
        Step0("use_api_key", profile="live", site=None),
    ),
    "session: its site, not the profile's": (
        profiles(("oauth", "us", False)),
        status("logged_in", "eea", SCOPES),
        Step0("logged_in", site="eea", scopes=SCOPES),
    ),
    "session without a site: the profile's": (
        profiles(("oauth", "us", False)),
        status("logged_in", None, SCOPES),
        Step0("logged_in", site="us", scopes=SCOPES),
    ),
    "session, no config": (
        None,
        status("logged_in", "global", ["live:read"]),
        Step0("logged_in", site="global", scopes=["live:read"]),
    ),
    "pending code: its site, not the profile's": (
        profiles(("oauth", "us", False)),
        status("pending", "eea"),
        Step0("wait_for_user", site="eea"),
    ),
    "pending code without a site: the profile's": (
        profiles(("oauth", "us", False)),
        status("pending", None),
        Step0("wait_for_user", site="us"),
    ),
    "not logged in, no config: no site (placeholder)": (
        None,
        status("not_logged_in", "global"),
        Step0("log_in", site=None),
    ),
    "not logged in: the default profile's site (D3)": (
        profiles(("a", "us", False), ("b", "eea", False), default="b"),
        status("not_logged_in", "global"),
        Step0("log_in", site="eea"),
    ),
    "auth status failed, no config": (None, None, Step0("log_in", site=None)),
}


@pytest.mark.parametrize("case", sorted(DECISIONS))
def test_step_0_decides_as_the_spec_walks_it(case: str) -> None:
    config, auth, expected = DECISIONS[case]
    assert step0(config, auth) == expected


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


def test_the_no_config_summary_is_a_new_dict_each_time() -> None:
    """The one no-config summary (the core's and the graph's pre-flight) is never shared:
    a caller that changes the one it got changes no other."""
    first, second = no_config(), no_config()
    assert first == second == EMPTY_CONFIG
    first["profiles"].append({"name": "x", "site": None, "demo": False, "has_api_key": False})
    assert second == EMPTY_CONFIG
    assert no_config() == EMPTY_CONFIG


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
