"""``okx-auth-graph``'s help, version, errors and exit statuses, as a script sees them."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

SCRIPT = [sys.executable, "-m", "okx_auth_graph"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SCRIPT, *args],
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_lists_every_command_on_one_line_each() -> None:
    result = run("--help")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    for command in ("chat", "eval"):
        [line] = [line for line in lines if line.strip().startswith(command + " ")]
        assert len(line.split()) > 3, f"{command} has a one-line summary: {line!r}"
    assert "--version" in result.stdout


def test_version_is_the_installed_distributions() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"okx-auth-graph {metadata.version('okx-auth-graph')}"


@pytest.mark.parametrize("args", [[], ["frobnicate"], ["--frobnicate"]])
def test_no_or_unknown_command_is_a_usage_error(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert "usage: okx-auth-graph COMMAND" in result.stderr
    if args:
        assert repr(args[0]) in result.stderr


def test_chat_help_names_the_exit_statuses() -> None:
    result = run("chat", "--help")
    assert result.returncode == 0
    assert "130" in result.stdout
    assert "--thread" in result.stdout


def test_world_without_demo_is_refused_by_name(tmp_path: Path) -> None:
    result = run("chat", "--world", str(tmp_path / "w"), "--db", str(tmp_path / "c.db"))
    assert result.returncode == 2
    assert "--world needs --demo" in result.stderr
    assert not (tmp_path / "c.db").exists()


def test_okx_from_the_environment_that_does_not_exist_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "okx"
    result = run("chat", "--db", str(tmp_path / "c.db"), env={"OKX_EXECUTABLE": str(missing)})
    assert result.returncode == 2
    assert f"$OKX_EXECUTABLE {missing}: no such file" in result.stderr


def test_okx_that_is_a_folder_is_named(tmp_path: Path) -> None:
    result = run("chat", "--okx", str(tmp_path), "--db", str(tmp_path / "c.db"))
    assert result.returncode == 2
    assert f"--okx {tmp_path}: not an executable file" in result.stderr


def test_okx_with_demo_is_refused_by_name(tmp_path: Path) -> None:
    result = run("chat", "--demo", "--okx", "/usr/bin/okx", "--world", str(tmp_path / "w"))
    assert result.returncode == 2
    assert "--okx and --demo exclude each other" in result.stderr
    assert not (tmp_path / "w").exists()


def test_eval_help_lists_understanding_and_it_has_a_help_of_its_own() -> None:
    result = run("eval", "--help")
    assert result.returncode == 0
    assert "--understanding" in result.stdout
    scoring = run("eval", "--understanding", "--help")
    assert scoring.returncode == 0
    assert "okx-auth-graph eval --understanding" in scoring.stdout
    assert "--reader" in scoring.stdout


WITHOUT_RICH = (
    "import sys\n"
    "sys.modules['rich'] = None  # as if the extra providing rich were not installed\n"
    "from okx_auth_graph.__main__ import main\n"
    "raise SystemExit(main())\n"
)


@pytest.mark.parametrize(("command", "extra"), [("eval", "evals"), ("chat", "chat")])
def test_a_missing_extra_names_the_command_that_needs_it(command: str, extra: str) -> None:
    """In a pipe no progress bar is shown: the message names the command typed, not whichever
    module first noticed the missing package."""
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_RICH, command],
        env={**os.environ, "COLUMNS": "200"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert f"`okx-auth-graph {command}` needs the '{extra}' extra" in result.stderr
    assert f"pip install 'okx-auth-graph[{extra}]'" in result.stderr
    assert "progress bar" not in result.stderr
    assert "Traceback" not in result.stderr
