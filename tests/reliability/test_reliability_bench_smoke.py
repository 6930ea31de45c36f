"""The benchmark's CI smoke run: every measurement runs, the okx call counts are the floors, a
60-entry thread stays within 10 KB per entry in every checkpointer helper (kept to its last 10
entries it stores about the same whatever its length, 4-7 KB an entry at 60; a thread whose
history is all kept takes ~25 KB an entry), and the docs page is the one generated from the
committed JSON."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.bench import LONG_THREAD_HELPERS
from benchmarks.report import page
from okx_auth_graph.reading.rules import READ_LIMIT

ROOT = Path(__file__).resolve().parents[2]
MEASUREMENTS = {
    "call_counts",
    "learned_reading",
    "preflight",
    "overhead",
    "throughput",
    "concurrency",
    "storage",
    "long_threads",
    "workers",
    "server",
    "reading",
}

PHASE_BAR = re.compile(rf"^ *({'|'.join(MEASUREMENTS)}) .*\d+/\d+", re.MULTILINE)
OVERALL_BAR = re.compile(r"^bench .*\d+/\d+", re.MULTILINE)
"""The progress lines a terminal shows (a measurement in flight; measurements done)."""


@pytest.mark.long
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
    report = json.loads(out.read_text())
    assert report["failures"] == []
    assert report["measurements"] == dict.fromkeys(MEASUREMENTS, "ran")
    figures = report["figures"]
    assert {name: entry["calls"] for name, entry in figures["okx_calls"].items()} == {
        "fresh_oauth_login": 4,
        "api_key_user": 2,
        "logged_in_user": 2,
        "market": 0,
    }
    assert figures["okx_calls"]["fresh_oauth_login"]["argv"][2] == (
        "auth login --manual --site global"
    )
    assert figures["concurrency"]["graph"]["errors"] == 0
    assert set(figures["reading_ms"]) == {"request", "reply", "learned"}
    assert figures["reading_ms"]["request"]["characters"] == 200
    threads = figures["long_thread"]
    assert {f"{helper}.keep_10" for helper in LONG_THREAD_HELPERS} <= set(threads)
    for name, entry in threads.items():
        assert entry["entries"] == 60
        assert entry["bytes_per_entry"] <= 10 * 1024, name
    workers = figures["workers"]["4"]
    assert (workers["lost_turns"], workers["duplicated_turns"]) == (0, 0)
    assert workers["auth_login_calls"] == [1]
    assert workers["logins_on_distinct_workers"] == workers["logins"]
    server = figures["server"]
    assert (server["errors"], server["auth_login_calls"]) == (0, 1)
    assert server["login_completed"] is True
    assert server["turns"] == 2 * server["users"]
    over = figures["over_limit"]
    assert (over["okx_calls"], over["outcome"]) == (0, "needs_user_action")
    assert over["chars"] > READ_LIMIT
    assert "65,536" in over["reply"]
    assert {"repeated_phrase", "distinct_words"} <= set(figures["reading"])
    for readers in figures["reading"].values():
        assert set(readers) == {"request", "reply", "yes/no", "site"}
    keys = [row["key"] for row in report["rows"]]
    assert len(keys) == len(set(keys))
    assert "okx calls" in result.stdout
    # quiet without a terminal: no progress bars, only the table (the pipe case of
    # tests/evals/test_progress.py, which shows the bars on a terminal and --quiet on one)
    printed = result.stdout + result.stderr
    assert "bench" in result.stdout
    assert "\r" not in printed
    assert "\x1b" not in printed  # no cursor movement or colour in a log
    assert not PHASE_BAR.search(printed), printed[:3000]
    assert not OVERALL_BAR.search(printed), printed[:3000]


def test_the_docs_page_is_generated_from_the_committed_json() -> None:
    report = json.loads((ROOT / "benchmarks" / "results.json").read_text(encoding="utf-8"))
    text = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert text == page(report), "regenerate: python -m benchmarks.report"
    assert not report["meta"]["smoke"], "the page shows a full run"
    for row in report["rows"]:
        for cell in (row["measure"], row["value"], row["target"]):
            assert cell.replace("|", "\\|") in text, cell
    assert set(report["measurements"].values()) == {"ran"}
