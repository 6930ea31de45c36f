"""The benchmark's CI smoke run: it works, writes its JSON, and the okx call counts are the floors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_smoke(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {**os.environ, "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench", "--smoke", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert {name: entry["calls"] for name, entry in figures["okx_calls"].items()} == {
        "fresh_oauth_login": 4,
        "api_key_user": 2,
        "logged_in_user": 2,
        "market": 0,
    }
    assert (
        figures["okx_calls"]["fresh_oauth_login"]["argv"][2] == "auth login --manual --site global"
    )
    assert figures["failures"] == []
    assert figures["concurrency"]["errors"] == 0
    for key in ("preflight_ratio", "throughput", "sqlite_bytes_per_thread"):
        assert figures[key]["value"] > 0
    assert "okx calls" in result.stdout
