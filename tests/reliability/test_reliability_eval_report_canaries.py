"""Canary secrets through the eval runner: the public scenario suite, its report, zero hits.

The whole suite (``evals/scenarios``) is copied; every scenario world without a config gets an
OAuth-style profile whose api_key is empty and whose secret_key / passphrase are canaries (the
API-key scenarios already carry canary keys), and ``OKX_API_KEY`` / ``OKX_SECRET_KEY`` /
``OKX_PASSPHRASE`` canaries are set. ``okx-auth-graph eval`` runs the copy in-process and writes
its JSON and markdown report, which are then scanned for every secret of every world.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from okx_auth_graph.evals.scenario import config_secrets

pytestmark = [pytest.mark.long, pytest.mark.xdist_group("eval-canaries")]  # one eval run, shared

SUITE = Path(__file__).resolve().parents[2] / "evals" / "scenarios"


@pytest.fixture(scope="module")
def eval_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("eval-canaries")
    suite = root / "scenarios"
    suite.mkdir()
    oauth_secret, oauth_passphrase = f"sk-{secrets.token_hex(12)}", f"pp-{secrets.token_hex(12)}"
    env_canaries = {
        "OKX_API_KEY": f"envak-{secrets.token_hex(12)}",
        "OKX_SECRET_KEY": f"envsk-{secrets.token_hex(12)}",
        "OKX_PASSPHRASE": f"envpp-{secrets.token_hex(12)}",
    }
    canaries = {oauth_secret, oauth_passphrase, *env_canaries.values()}
    count = 0
    for source in sorted(SUITE.glob("*.yaml")):
        scenario = yaml.safe_load(source.read_text(encoding="utf-8"))
        okx = scenario.setdefault("okx", {})
        if okx.get("config") is None:
            okx["config"] = {
                "profiles": {
                    "oauth": {
                        "api_key": "",
                        "secret_key": oauth_secret,
                        "passphrase": oauth_passphrase,
                    }
                }
            }
        canaries |= set(config_secrets(okx["config"]))
        for step in scenario.get("steps", []):
            world = step.get("world") if isinstance(step, dict) else None
            if isinstance(world, dict) and world.get("config") is not None:
                canaries |= set(config_secrets(world["config"]))
        (suite / source.name).write_text(yaml.safe_dump(scenario, allow_unicode=True))
        count += 1
    report = root / "report" / "evals.json"
    home = root / "home"
    home.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "okx_auth_graph", "eval", str(suite), "--report", str(report)],
        capture_output=True,  # bytes: text mode would turn a CR into a newline
        timeout=600,
        env={**os.environ, **env_canaries, "HOME": str(home)},
        check=False,
    )
    printed = result.stdout.decode("utf-8") + result.stderr.decode("utf-8")
    assert result.returncode == 0, printed[-6000:]
    assert report.exists(), printed[-6000:]
    return {
        "count": count,
        "canaries": sorted(c for c in canaries if len(c) >= 6),
        "json": report.read_text(encoding="utf-8"),
        "markdown": report.with_suffix(".md").read_text(encoding="utf-8"),
        "printed": printed,
    }


def _hits(text: str, canaries: list[str]) -> list[str]:
    return [c for c in canaries if c in text]


def test_the_suite_ran_with_canaries(eval_run: dict[str, Any]) -> None:
    assert eval_run["count"] > 100
    assert len(eval_run["canaries"]) >= 10
    assert eval_run["json"].count('"id"') >= eval_run["count"]


def test_a_piped_run_prints_its_results_and_no_progress(eval_run: dict[str, Any]) -> None:
    """The pipe case of tests/evals/test_progress.py (which shows the bar on a terminal and
    ``--quiet`` on one): nothing before the results table, no running count, no escapes."""
    printed = eval_run["printed"]
    before, table, _ = printed.partition("okx auth graph evals")
    assert table, printed[:3000]
    assert before.strip() == "", before[:3000]
    assert not re.search(r"\d+/\d+ passed", printed)
    assert f"{eval_run['count']}/{eval_run['count']} scenarios passed" in printed
    assert "\r" not in printed
    assert "\x1b" not in printed


def test_no_canary_anywhere_in_the_eval_report(eval_run: dict[str, Any]) -> None:
    assert _hits(eval_run["json"], eval_run["canaries"]) == []
    assert _hits(eval_run["markdown"], eval_run["canaries"]) == []
    assert _hits(eval_run["printed"], eval_run["canaries"]) == []
