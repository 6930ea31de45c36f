"""``okx-auth-graph``'s help, version, errors and exit statuses, as a script sees them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from tests.rigs.servers import QUIET_ENV, SCRUBBED_ENV_VARS

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


IN_ONE_PROCESS = """
import contextlib, io, json, os, sys
from okx_auth_graph.__main__ import main

answers = {}
for name, (argv, env) in json.loads(sys.argv[1]).items():
    saved = dict(os.environ)
    os.environ.update(env)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as exc:  # argparse's --help and usage errors
            status = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    os.environ.clear()
    os.environ.update(saved)
    answers[name] = (status, out.getvalue(), err.getvalue())
print(json.dumps(answers))
"""
"""Runs each case's command line through the console script's ``main`` in one fresh process, in
a pipe: the chat and eval sub-commands import the graph first (~2 CPU-s a process), so the
cases that stop before any work share one process. The script itself is ``raise
SystemExit(main())``, run as a process by the tests above and below."""


Answers = tuple[Path, dict[str, tuple[int, str, str]]]
"""The cases' folder (a folder each: a, b, c, d) and each case's exit status, stdout, stderr."""


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> Answers:
    root = tmp_path_factory.mktemp("console")
    for folder in "abcd":
        (root / folder).mkdir()
    cases: dict[str, tuple[list[str], dict[str, str]]] = {
        "chat --help": (["chat", "--help"], {}),
        "world without demo": (["chat", "--world", f"{root}/a/w", "--db", f"{root}/a/c.db"], {}),
        "missing OKX_EXECUTABLE": (
            ["chat", "--db", f"{root}/b/c.db"],
            {"OKX_EXECUTABLE": f"{root}/b/okx"},
        ),
        "okx a folder": (["chat", "--okx", f"{root}/c", "--db", f"{root}/c/c.db"], {}),
        "okx with demo": (
            ["chat", "--demo", "--okx", "/usr/bin/okx", "--world", f"{root}/d/w"],
            {},
        ),
        "eval --help": (["eval", "--help"], {}),
        "eval --understanding --help": (["eval", "--understanding", "--help"], {}),
    }
    # the environment isolated_home gives a test (a module fixture comes before it)
    dropped = {*SCRUBBED_ENV_VARS, "OKX_EMULATOR_STATE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("XDG_")}
    env.update(QUIET_ENV, HOME=str(root / "home"), COLUMNS="200")
    (root / "home").mkdir()
    result = subprocess.run(
        [sys.executable, "-c", IN_ONE_PROCESS, json.dumps(cases)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found: dict[str, tuple[int, str, str]] = {
        name: (status, out, err) for name, (status, out, err) in json.loads(result.stdout).items()
    }
    assert set(found) == set(cases)
    return root, found


def test_chat_help_names_the_exit_statuses(answers: Answers) -> None:
    status, out, _ = answers[1]["chat --help"]
    assert status == 0
    assert "130" in out
    assert "--thread" in out


def test_world_without_demo_is_refused_by_name(answers: Answers) -> None:
    root, found = answers
    status, _, err = found["world without demo"]
    assert status == 2
    assert "--world needs --demo" in err
    assert not (root / "a" / "c.db").exists()


def test_okx_from_the_environment_that_does_not_exist_is_named(
    answers: Answers,
) -> None:
    root, found = answers
    status, _, err = found["missing OKX_EXECUTABLE"]
    missing = root / "b" / "okx"
    assert status == 2
    assert f"$OKX_EXECUTABLE {missing}: no such file" in err


def test_okx_that_is_a_folder_is_named(answers: Answers) -> None:
    root, found = answers
    status, _, err = found["okx a folder"]
    assert status == 2
    assert f"--okx {root / 'c'}: not an executable file" in err


def test_okx_with_demo_is_refused_by_name(answers: Answers) -> None:
    root, found = answers
    status, _, err = found["okx with demo"]
    assert status == 2
    assert "--okx and --demo exclude each other" in err
    assert not (root / "d" / "w").exists()


def test_eval_help_lists_understanding_and_it_has_a_help_of_its_own(
    answers: Answers,
) -> None:
    status, out, _ = answers[1]["eval --help"]
    assert status == 0
    assert "--understanding" in out
    status, out, _ = answers[1]["eval --understanding --help"]
    assert status == 0
    assert "okx-auth-graph eval --understanding" in out
    assert "--reader" in out


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
