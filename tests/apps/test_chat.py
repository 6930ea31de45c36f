"""``okx-auth-graph chat`` used as a person would: a pseudo-terminal (pexpect) and a pipe."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pexpect
import pytest

from okx_auth_graph.doors.chat import DEMO_LOGIN_CAP
from okx_auth_graph.testing import OkxEmulator
from okx_auth_graph.testing.world import DEFAULT_LOGIN_CAP
from tests.rigs import warm
from tests.rigs.real_cli import real_okx_cli
from tests.rigs.terminal import default_ctrl_c
from tests.spec_texts import project_text, spec_text

CHAT = warm.command([sys.executable, "-m", "okx_auth_graph", "chat"])
"""``python -m okx_auth_graph chat``, forked from a warm interpreter (tests/rigs/warm.py)."""
pytestmark = pytest.mark.usefixtures("warm_cli")
MENU_LAST_LINE = "3. US (app.okx.com)"
CODE = re.compile(r"Code: ([A-Z0-9]{4}-[A-Z0-9]{4})")
SUCCESS = "Login successful."


@pytest.fixture
def temp(tmp_path: Path) -> Path:
    """The chat's TMPDIR: where a throw-away demo world is made (and must not stay)."""
    path = tmp_path / "tmp"
    path.mkdir()
    return path


@pytest.fixture
def env(isolated_home: Path, temp: Path) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "HOME": str(isolated_home),
        "TMPDIR": str(temp),
        "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}",
        "TERM": "dumb",
        "NO_COLOR": "1",
        "COLUMNS": "100",
        "LINES": "40",
        "PYTHONUNBUFFERED": "1",
    }


OPEN: list[pexpect.spawn] = []
"""The pseudo-terminals the running test opened (closed by :func:`terminals_closed`)."""


@pytest.fixture(autouse=True)
def terminals_closed() -> Iterator[None]:
    """Every pseudo-terminal a test opens is closed after it, passed or failed: a test closes
    its chat itself (``child.close()``) only to read the exit status."""
    yield
    while OPEN:
        OPEN.pop().close(force=True)


def spawn(args: list[str], env: dict[str, str]) -> pexpect.spawn:
    """The chat in a pseudo-terminal; every step waits for output (generous under load)."""
    return terminal(CHAT, args, env)


def terminal(command: list[str], args: list[str], env: dict[str, str]) -> pexpect.spawn:
    """``command`` + ``args`` in a 40x100 pseudo-terminal, closed after the test."""
    child = pexpect.spawn(
        command[0],
        [*command[1:], *args],
        env=env,
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 100),
        preexec_fn=default_ctrl_c,
    )
    OPEN.append(child)
    return child


def say(child: pexpect.spawn, text: str) -> None:
    child.expect_exact("you> ")
    child.sendline(text)


def fill_wizard(child: pexpect.spawn, site: str, key: str, secret: str, passphrase: str) -> None:
    """Answer every prompt of ``okx config init`` (live trading, the default profile name)."""
    child.expect_exact("Site (1/2/3, default: 1): ")
    child.sendline(site)
    child.expect_exact("Use demo trading? (Y/n) ")
    child.sendline("n")
    child.expect_exact("Profile name (default: okx-prod): ")
    child.sendline("")
    for label, value in (
        ("API Key: ", key),
        ("Secret Key: ", secret),
        ("Passphrase: ", passphrase),
    ):
        child.expect_exact(label)
        child.sendline(value)


def test_demo_login_typed_at_the_terminal(tmp_path: Path, env: dict[str, str]) -> None:
    child = spawn(["--demo", "--world", str(tmp_path / "w"), "--db", str(tmp_path / "c.db")], env)
    say(child, "Check my balance")
    child.expect_exact(MENU_LAST_LINE)
    say(child, "2")
    child.expect_exact("Site: eea")
    child.expect(CODE)
    say(child, "/approve")
    child.expect_exact("approved in the browser")
    say(child, "done")
    child.expect_exact(SUCCESS)
    child.expect_exact("Site: eea")
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")


def test_approve_from_a_second_terminal_and_resume_the_thread(
    tmp_path: Path, env: dict[str, str]
) -> None:
    world = tmp_path / "w"
    args = ["--demo", "--world", str(world), "--db", str(tmp_path / "c.db")]
    child = spawn([*args, "--new-thread", "t1"], env)
    say(child, "log me in")
    child.expect_exact(MENU_LAST_LINE)
    say(child, "1")
    child.expect(CODE)
    code = cast(re.Match[str], child.match).group(1)
    say(child, "/quit")
    child.expect(pexpect.EOF)
    output = child.before or ""
    child.close()
    assert child.exitstatus == 0
    args = resume_argv(output)
    assert args[-2:] == ["--thread", "t1"]
    approve = subprocess.run(
        ["okx-emulator", "world", "approve"],
        env={**env, "OKX_EMULATOR_STATE": str(world)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert approve.returncode == 0, approve.stderr
    child = spawn(args, env)
    child.expect_exact("Resuming thread t1")
    child.expect_exact("Authorize in your browser")  # the code's panel, resumed too
    child.expect_exact(f"\r\n{code}\r\n")
    say(child, "done")
    child.expect_exact(SUCCESS)
    child.expect_exact("Site: global")
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_demo_without_a_terminal_plays_the_script(tmp_path: Path, env: dict[str, str]) -> None:
    result = subprocess.run(
        [*CHAT, "--demo"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert out.index("you> Check my balance") < out.index(MENU_LAST_LINE)
    assert out.index(MENU_LAST_LINE) < out.index("you> 2")
    assert CODE.search(out)
    assert "· okx auth login --manual --site eea" in out
    assert out.index("approved in the browser") < out.index("you> done") < out.index(SUCCESS)
    assert "Traceback" not in out + result.stderr


def test_interactive_login_demo_without_a_terminal_approves_and_ends(
    env: dict[str, str],
) -> None:
    result = subprocess.run(
        [*CHAT, "--demo", "--interactive-login"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,  # nobody presses a key: the script plays the browser, no 15-minute wait
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "· okx auth login --site eea" in out
    code = CODE.search(out)
    assert code is not None
    assert out.index(code.group(0)) < out.index("approved in the browser") < out.index(SUCCESS)


def test_missing_okx_gets_the_install_command_and_exit_status_3(
    tmp_path: Path, env: dict[str, str]
) -> None:
    result = subprocess.run(
        [*CHAT, "--okx", "okx-not-installed-here", "--db", str(tmp_path / "c.db")],
        env=env,
        input="log me in\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "npm install -g @okx_ai/okx-trade-cli" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_okx_path_that_does_not_exist_is_named(tmp_path: Path, env: dict[str, str]) -> None:
    missing = tmp_path / "no-such-okx"
    result = subprocess.run(
        [*CHAT, "--okx", str(missing), "--db", str(tmp_path / "c.db")],
        env={**env, "COLUMNS": "300"},
        input="log me in\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert f"--okx {missing}: no such file" in result.stderr
    assert not (tmp_path / "c.db").exists()  # nothing ran


@pytest.mark.real_cli
def test_real_cli_too_old_for_auth_gets_the_api_key_path_not_a_reinstall(
    tmp_path: Path, env: dict[str, str]
) -> None:
    real = str(real_okx_cli())
    result = subprocess.run(
        [*CHAT, "--okx", real, "--db", str(tmp_path / "c.db")],
        env=env,
        input="log me in\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 4  # okx too old for okx auth
    assert "1.3.1-beta.17" in result.stdout
    assert "okx config init" in result.stdout
    assert "npm install" not in result.stdout  # it would install 1.2.4 again
    assert "Traceback" not in result.stdout + result.stderr


def test_api_key_setup_hands_the_terminal_to_config_init(
    tmp_path: Path, env: dict[str, str]
) -> None:
    db = tmp_path / "c.db"
    child = spawn(["--demo", "--world", str(tmp_path / "w"), "--db", str(db)], env)
    say(child, "I want to set up an API key")
    child.expect_exact("okx config init")
    child.expect_exact("Run okx config init here now?")
    child.expect_exact("[y/N] ")
    named = "".join((child.before or "").split())  # the file it writes, named before it runs
    assert str(tmp_path / "w" / "home" / ".okx" / "config.toml") in named
    child.sendline("y")
    fill_wizard(child, "2", "AK-chat-secret-1111", "SK-chat-secret-2222", "PP-chat-secret-3333")
    child.expect_exact("check my login status")
    child.expect_exact("okx-prod")
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    stored = db.read_bytes()
    for secret in (b"AK-chat-secret-1111", b"SK-chat-secret-2222", b"PP-chat-secret-3333"):
        assert secret not in stored


def test_denied_login_asks_to_retry_and_retry_shows_the_menu_again(
    tmp_path: Path, env: dict[str, str]
) -> None:
    child = spawn(["--demo", "--world", str(tmp_path / "w"), "--db", str(tmp_path / "c.db")], env)
    say(child, "log me in")
    child.expect_exact(MENU_LAST_LINE)
    say(child, "3")
    child.expect(CODE)
    say(child, "/deny")
    child.expect_exact("denied in the browser")
    say(child, "done")
    child.expect_exact("(yes/no)")
    child.expect_exact("you> ")
    assert "(yes/no)" not in str(child.before)  # the question is shown once
    child.sendline("yes")
    child.expect_exact(MENU_LAST_LINE)
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_bad_options_give_a_message_not_a_traceback(tmp_path: Path, env: dict[str, str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    bad_db = subprocess.run(
        [*CHAT, "--db", str(blocker / "chat.db")],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad_db.returncode == 2
    assert "okx-auth-graph chat:" in bad_db.stderr
    bad_timeout = subprocess.run(
        [*CHAT, "--db", str(tmp_path / "c.db")],
        env={**env, "OKX_TIMEOUT": "soon"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad_timeout.returncode == 2
    assert "OKX_TIMEOUT" in bad_timeout.stderr
    for result in (bad_db, bad_timeout):
        assert "Traceback" not in result.stdout + result.stderr


def test_chinese_conversation_gets_the_chinese_templates(
    tmp_path: Path, env: dict[str, str]
) -> None:
    child = spawn(["--demo"], env)
    say(child, "查一下我的余额")
    child.expect_exact(MENU_LAST_LINE)
    say(child, "２")
    child.expect_exact("站点: eea")
    child.expect(r"验证码: [A-Z0-9]{4}-[A-Z0-9]{4}")
    say(child, "/approve")
    say(child, "好了")
    child.expect_exact("登录成功。")
    child.expect_exact("站点: eea")
    child.expect_exact("权限: live:read, live:trade")
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


ENGLISH_CHAT_TEXTS = (
    "Choose a site",
    "Authorize in your browser",
    "Your one-time code",
    "Logged in",
)


def test_a_chinese_conversation_gets_the_chats_own_texts_in_chinese(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """Panel titles, the code's line and the blocking login's note follow the user's language."""
    child = spawn(["--demo", "--world", str(tmp_path / "w"), "--interactive-login"], env)
    child.logfile_read = shown = io.StringIO()
    say(child, "帮我登录")
    child.expect_exact(project_text("chat_title_choose_site.zh"))
    child.expect_exact(MENU_LAST_LINE)
    say(child, "2")
    child.expect_exact(project_text("chat_title_authorize.zh"))
    child.expect(r"验证码: [A-Z0-9]{4}-[A-Z0-9]{4}")
    child.expect_exact(project_text("chat_code_line.zh"))
    child.expect_exact(project_text("chat_no_reply_needed.zh"))
    child.send("a")  # the demo's browser approves while the login blocks
    child.expect_exact(project_text("chat_title_logged_in.zh"))
    child.expect_exact("登录成功。")
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    for english in ENGLISH_CHAT_TEXTS:
        assert english not in shown.getvalue()


def test_a_resumed_wait_shows_the_link_and_the_site_again(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """The pending question of a resumed thread may be a wait ("I am waiting…"), not the
    challenge: the code's panel still gives the site and the link, not only the code."""
    args = ["--demo", "--world", str(tmp_path / "w"), "--db", str(tmp_path / "c.db")]
    child = spawn([*args, "--new-thread", "wait"], env)
    say(child, "log me in")
    say(child, "2")
    child.expect(CODE)
    code = cast(re.Match[str], child.match).group(1)
    say(child, "what does that mean")  # not a signal: the wait is restated
    child.expect_exact(project_text("await_not_a_signal.en")[:30])
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    child = spawn([*args, "--thread", "wait"], env)
    child.expect_exact("Resuming thread wait")
    child.expect_exact(project_text("await_not_a_signal.en")[:30])
    child.expect_exact("Site: eea")
    child.expect_exact("URL: https://my.okx.com/account/oauth/device")
    child.expect_exact(f"Code: {code}")
    child.expect_exact(f"\r\n{code}\r\n")  # and alone on its line, to copy
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def emulator_verb(world: Path, env: dict[str, str], *verb: str) -> None:
    result = subprocess.run(
        ["okx-emulator", "world", *verb],
        env={**env, "OKX_EMULATOR_STATE": str(world)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_interactive_login_tells_the_user_before_it_blocks(
    tmp_path: Path, env: dict[str, str]
) -> None:
    world = tmp_path / "w"
    child = spawn(["--demo", "--world", str(world), "--interactive-login"], env)
    say(child, "log me in")
    child.expect_exact(MENU_LAST_LINE)
    say(child, "1")
    notice = project_text("interactive_login_notice.en", site="global")
    child.expect_exact(notice[:40])
    child.expect_exact("· okx auth login --site global")
    # A person takes a while: the blocking login waits the demo's cap, far beyond the
    # emulator's default (the cap is honoured: tests/emulator/test_commands.py), no sleep.
    cap = OkxEmulator(world).world()["login_cap"]
    assert cap == DEMO_LOGIN_CAP > 60 * DEFAULT_LOGIN_CAP, cap
    child.expect(CODE)  # the code is out: the browser can approve it
    # The spec's text under the code asks to be told when done; this login ends by itself.
    child.expect_exact(project_text("chat_no_reply_needed.en"))
    emulator_verb(world, env, "approve")
    child.expect_exact(SUCCESS)
    child.expect_exact("Site: global")
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_okx_on_path_is_used_by_default_and_a_pipe_drives_the_chat(
    tmp_path: Path, env: dict[str, str]
) -> None:
    world = tmp_path / "w"
    shim_dir = tmp_path / "bin"
    emulator_verb(world, env, "init")
    shim = subprocess.run(
        ["okx-emulator", "shim", str(shim_dir)], env=env, capture_output=True, timeout=60
    )
    assert shim.returncode == 0, shim.stderr
    piped_env = {
        **env,
        "PATH": f"{shim_dir}:{env['PATH']}",
        "OKX_EMULATOR_STATE": str(world),
    }
    db = tmp_path / "c.db"
    first = subprocess.run(
        [*CHAT, "--db", str(db), "--new-thread", "pipe"],
        env=piped_env,
        input="log me in\n3\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert first.returncode == 0, first.stdout + first.stderr
    assert MENU_LAST_LINE in first.stdout
    assert resume_argv(first.stdout) == ["--db", str(db), "--thread", "pipe"]
    assert CODE.search(first.stdout)
    emulator_verb(world, env, "approve")
    second = subprocess.run(
        [*CHAT, "--db", str(db), "--thread", "pipe"],
        env=piped_env,
        input="done\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert second.returncode == 0
    assert SUCCESS in second.stdout
    assert "Site: us" in second.stdout
    logins = [c for c in json.loads(calls(world, env)) if c["argv"][:2] == ["auth", "login"]]
    assert [c["argv"] for c in logins] == [["auth", "login", "--manual", "--site", "us"]]


def calls(world: Path, env: dict[str, str]) -> str:
    result = subprocess.run(
        ["okx-emulator", "calls"],
        env={**env, "OKX_EMULATOR_STATE": str(world)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


RESUME = re.compile(r"resume with\s+(okx-auth-graph chat [^\r\n]+)")


def resume_argv(output: str) -> list[str]:
    """The printed resume command's arguments after ``okx-auth-graph chat``."""
    match = RESUME.search(output)
    assert match, output
    argv = shlex.split(match.group(1))
    assert argv[:2] == ["okx-auth-graph", "chat"]
    return argv[2:]


def test_the_resume_command_runs_as_printed_when_the_venv_is_not_on_path(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """``make demo`` runs ``.venv/bin/okx-auth-graph`` with the venv off ``PATH``: the printed
    command names the script by its full path, and a shell runs it as printed."""
    bin_dir = Path(sys.executable).parent
    outside = {**env, "PATH": "/usr/bin:/bin"}
    first = subprocess.run(
        [*CHAT, "--demo", "--world", str(tmp_path / "w"), "--new-thread", "away"],
        env=outside,
        stdin=subprocess.DEVNULL,  # the scripted demo
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert first.returncode == 0, first.stdout + first.stderr
    match = re.search(r"resume with\s+(\S+) chat ([^\r\n]+)", first.stdout)
    assert match, first.stdout
    assert match.group(1) == str(bin_dir / "okx-auth-graph")
    again = subprocess.run(
        ["bash", "--norc", "-c", f"{match.group(1)} chat {match.group(2)}"],
        env=outside,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "command not found" not in again.stderr
    assert "Resuming thread away" in again.stdout, again.stderr  # it ran, found the thread


def test_ctrl_c_at_the_prompt_prints_the_exact_resume_command(
    temp: Path, env: dict[str, str]
) -> None:
    child = spawn(["--demo"], env)  # a throw-away world: kept because a resume is offered
    say(child, "log me in")
    child.expect_exact(MENU_LAST_LINE)
    child.expect_exact("you> ")  # the prompt is up: no sleep, no race with the run
    child.sendcontrol("c")
    child.expect_exact("Interrupted.")
    child.expect(pexpect.EOF)
    output = child.before or ""
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in output
    args = resume_argv(output)
    world = Path(args[args.index("--world") + 1])
    assert "--demo" in args
    assert world.parent == temp
    assert (world / "chat.sqlite").is_file()  # the demo's database outlives the demo
    child = spawn(args, env)
    child.expect_exact("Resuming thread")
    child.expect_exact(MENU_LAST_LINE)
    say(child, "3")
    child.expect(CODE)
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_the_resume_command_names_absolute_paths(tmp_path: Path, env: dict[str, str]) -> None:
    result = subprocess.run(
        [*CHAT, "--demo", "--world", "w", "--db", "c.db", "--new-thread", "rel"],
        env=env,
        cwd=tmp_path,
        input="",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    args = resume_argv(result.stdout)  # it works from any folder
    world, db = str(tmp_path / "w"), str(tmp_path / "c.db")
    assert args == ["--demo", "--world", world, "--db", db, "--thread", "rel"]


def test_ctrl_c_during_a_spinner_ends_cleanly_with_the_resume_command(
    tmp_path: Path, env: dict[str, str]
) -> None:
    world = tmp_path / "w"
    emulator_verb(world, env, "init")
    emulator_verb(world, env, "set", "latency", "30")  # every okx call takes 30 s
    child = spawn(["--demo", "--world", str(world), "--new-thread", "slow"], env)
    say(child, "log me in")
    child.expect_exact("· okx ")  # the first okx call is running behind the spinner
    child.sendcontrol("c")
    child.expect_exact("Interrupted.")
    child.expect(pexpect.EOF)
    output = child.before or ""
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in output
    args = resume_argv(output)
    assert args == ["--demo", "--world", str(world), "--thread", "slow"]
    emulator_verb(world, env, "set", "latency", "0")
    child = spawn(args, env)  # the printed command finds the thread
    child.expect_exact("Resuming thread slow (1 message)")
    child.expect_exact("The last request was interrupted")
    say(child, "log me in")  # sent again: the conversation goes on
    child.expect_exact(MENU_LAST_LINE)
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_live_session_shows_panels_and_the_reask_hint_under_the_menu(
    tmp_path: Path, env: dict[str, str]
) -> None:
    child = spawn(["--demo", "--world", str(tmp_path / "w")], env)
    say(child, "log me in")
    child.expect_exact("Choose a site")  # the panel's title, live (not only on resume)
    child.expect_exact(MENU_LAST_LINE)
    say(child, "Europe please")
    child.expect_exact("Choose a site")
    child.expect_exact(MENU_LAST_LINE)
    child.expect_exact(spec_text("site_menu_hint.en"))
    say(child, "2")
    child.expect_exact("Authorize in your browser")
    child.expect(CODE)
    code = cast(re.Match[str], child.match).group(1)
    child.expect_exact(f"\r\n{code}\r\n")  # the code alone on a line, easy to copy
    say(child, "/approve")
    say(child, "done")
    child.expect_exact("Logged in")
    child.expect_exact(SUCCESS)
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_chinese_reask_hint_is_chinese(tmp_path: Path, env: dict[str, str]) -> None:
    child = spawn(["--demo", "--world", str(tmp_path / "w")], env)
    say(child, "帮我登录")
    child.expect_exact(MENU_LAST_LINE)
    say(child, "欧洲")
    child.expect_exact(spec_text("site_menu_hint.zh"))
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_already_logged_in_gets_a_neutral_panel(tmp_path: Path, env: dict[str, str]) -> None:
    world = tmp_path / "w"
    emulator_verb(world, env, "init", "--auth", "logged_in", "--site", "us")
    child = spawn(["--demo", "--world", str(world)], env)
    say(child, "check my balance")
    child.expect_exact("Already logged in")
    child.expect_exact(SUCCESS)  # the text is still the spec's success template
    say(child, "/quit")
    child.expect(pexpect.EOF)
    output = child.before or ""
    child.close()
    assert "Logged in" not in output.replace("Already logged in", "")
    assert child.exitstatus == 0


def browser_env(tmp_path: Path, env: dict[str, str]) -> tuple[dict[str, str], Path]:
    """A desktop session whose ``$BROWSER`` writes the URL it is given to a file."""
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {opened}\n')
    browser.chmod(0o755)
    return {**env, "DISPLAY": ":99", "BROWSER": str(browser)}, opened


def test_enter_opens_the_verification_url_in_the_browser(
    tmp_path: Path, env: dict[str, str]
) -> None:
    display_env, opened = browser_env(tmp_path, env)
    child = spawn(["--demo", "--world", str(tmp_path / "w")], display_env)
    say(child, "log me in")
    say(child, "1")
    child.expect(r"URL: (\S+)")
    url = cast(re.Match[str], child.match).group(1)
    child.expect_exact(f"Press Enter to open {url} in your browser")
    say(child, "")  # one keystroke: Enter
    child.expect_exact(f"Opened {url} in your browser.")
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert opened.read_text() == url


def test_typing_a_reply_declines_the_browser_offer_and_loses_nothing(
    tmp_path: Path, env: dict[str, str]
) -> None:
    display_env, opened = browser_env(tmp_path, env)
    child = spawn(["--demo", "--world", str(tmp_path / "w")], display_env)
    say(child, "log me in")
    say(child, "2")
    child.expect_exact("Press Enter to open")
    say(child, "/approve")  # typed whole: its first key is not taken by the offer
    child.expect_exact("approved in the browser")
    say(child, "")  # an empty line later opens nothing: the offer was declined
    say(child, "done")
    child.expect_exact(SUCCESS)
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert not opened.exists()


def test_no_browser_offer_without_a_display(tmp_path: Path, env: dict[str, str]) -> None:
    headless = {k: v for k, v in env.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    child = spawn(["--demo", "--world", str(tmp_path / "w")], headless)
    say(child, "log me in")
    say(child, "1")
    child.expect(CODE)
    child.expect_exact("you> ")
    shown = child.before or ""  # everything between the code and the next prompt
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert "in your browser" not in shown


def test_unknown_thread_is_named(tmp_path: Path, env: dict[str, str]) -> None:
    db = tmp_path / "c.db"
    result = subprocess.run(
        [*CHAT, "--demo", "--world", str(tmp_path / "w"), "--db", str(db), "--thread", "nope"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert f"thread nope not found in {db}" in result.stderr
    assert "Resuming thread" not in result.stdout
    assert "you> " not in result.stdout  # no conversation started under a mistyped id


def test_unknown_thread_in_a_new_demo_world_points_to_world_and_leaves_nothing(
    temp: Path, env: dict[str, str]
) -> None:
    result = subprocess.run(
        [*CHAT, "--demo", "--thread", "nope"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "thread nope not found" in result.stderr
    assert "--world" in result.stderr
    assert list(temp.iterdir()) == []


def test_new_thread_refuses_an_id_in_use(tmp_path: Path, env: dict[str, str]) -> None:
    args = [*CHAT, "--demo", "--world", str(tmp_path / "w"), "--new-thread", "mine"]
    first = subprocess.run(
        args, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120
    )
    assert first.returncode == 0, first.stdout + first.stderr
    again = subprocess.run(
        args, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 2
    assert "thread mine is already in" in again.stderr
    assert "--thread mine resumes it" in again.stderr


def test_a_finished_throwaway_demo_leaves_nothing_and_offers_no_resume(
    env: dict[str, str],
) -> None:
    child = spawn(["--demo"], env)
    child.expect(r"OKX_EMULATOR_STATE=(\S+)")
    world = Path(cast(re.Match[str], child.match).group(1))
    say(child, "what is the BTC price?")
    say(child, "/quit")
    child.expect(pexpect.EOF)
    output = child.before or ""
    child.close()
    assert child.exitstatus == 0
    assert "resume with" not in output
    assert not world.exists()


def test_the_api_key_wizard_offer_speaks_the_users_language(
    tmp_path: Path, env: dict[str, str]
) -> None:
    world = tmp_path / "w"
    child = spawn(["--demo", "--world", str(world)], env)
    child.logfile_read = shown = io.StringIO()
    say(child, "我想设置 API key")
    offer = project_text("chat_config_init_offer.zh").split("{")[0]
    child.expect_exact(offer)
    child.expect_exact("[y/N] ")
    named = "".join((child.before or "").split())  # the file it writes, named in Chinese too
    assert "演示世界的" + str(world / "home" / ".okx" / "config.toml") in named
    child.sendline("n")
    child.expect_exact(project_text("chat_config_init_not_run.zh"))
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    for english in ("Run okx config init", "Not run.", "the demo world's"):
        assert english not in shown.getvalue()
    assert not any(c["argv"][:2] == ["config", "init"] for c in json.loads(calls(world, env)))


def test_okx_too_old_offers_the_api_key_wizard_and_no_means_no(
    tmp_path: Path, env: dict[str, str]
) -> None:
    world = tmp_path / "w"
    emulator_verb(world, env, "init", "--version", "1.2.4")
    child = spawn(["--demo", "--world", str(world)], env)
    say(child, "log me in")
    child.expect_exact("1.3.1-beta.17")
    child.expect_exact("Run okx config init here now?")
    child.expect_exact("[y/N] ")
    child.sendline("n")
    child.expect_exact("Not run.")
    say(child, "/quit")
    child.expect(pexpect.EOF)
    output = child.before or ""
    child.close()
    assert child.exitstatus == 4  # okx too old for okx auth
    assert "npm install" not in output
    assert not any(c["argv"][:2] == ["config", "init"] for c in json.loads(calls(world, env)))


def test_okx_too_old_with_an_api_key_saved_in_the_chat_exits_0(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """The way forward that a too-old okx has was taken: a script sees success, not 4."""
    world = tmp_path / "w"
    emulator_verb(world, env, "init", "--version", "1.2.4")
    child = spawn(["--demo", "--world", str(world)], env)
    say(child, "log me in")
    child.expect_exact("1.3.1-beta.17")
    child.expect_exact("[y/N] ")
    child.sendline("y")
    fill_wizard(child, "2", "AK-old-okx-1111", "SK-old-okx-2222", "PP-old-okx-3333")
    child.expect_exact("sent for you")
    child.expect_exact("okx-prod")
    say(child, "/quit")
    child.expect(pexpect.EOF)
    output = child.before or ""
    child.close()
    assert child.exitstatus == 0
    assert "AK-old-okx-1111" not in output


def test_ctrl_d_at_the_wizard_question_means_no(tmp_path: Path, env: dict[str, str]) -> None:
    world = tmp_path / "w"
    child = spawn(["--demo", "--world", str(world)], env)
    say(child, "I want to set up an API key")
    child.expect_exact("[y/N] ")
    child.sendeof()
    child.expect_exact("Not run.")
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")
    assert not any(c["argv"][:2] == ["config", "init"] for c in json.loads(calls(world, env)))


def test_ctrl_c_in_the_wizard_ends_the_wizard_only_and_restores_the_terminal(
    tmp_path: Path, env: dict[str, str]
) -> None:
    child = spawn(["--demo", "--world", str(tmp_path / "w")], env)
    say(child, "I want to set up an API key")
    child.expect_exact("[y/N] ")
    child.sendline("y")
    child.expect_exact("Site (1/2/3, default: 1): ")
    child.sendline("1")
    child.expect_exact("Use demo trading? (Y/n) ")
    child.sendline("n")
    child.expect_exact("Profile name (default: okx-prod): ")
    child.sendline("")
    child.expect_exact("API Key: ")
    child.sendcontrol("c")  # okx 1.2.4 exits 0 here, having saved nothing
    child.expect_exact("\r\n")
    assert (child.before or "") in {"", "^C"}  # the chat starts a line of its own
    child.expect_exact("okx config init ended without saving")
    child.expect_exact("you> ")
    assert "sent for you" not in (child.before or "")  # no pre-flight re-run
    assert child.getecho(), "the terminal echoes again"
    child.sendline("/help")
    child.expect_exact("Commands:")  # the chat goes on
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_terminal_settings_come_back_after_a_program_that_left_them_raw(
    env: dict[str, str],
) -> None:
    """What a wizard stopped by Ctrl-C leaves behind (no echo, no line editing) is undone."""
    code = (
        "import subprocess, termios\n"
        "from okx_auth_graph.doors.chat import terminal_restored\n"
        "with terminal_restored():\n"
        "    subprocess.run(['stty', '-echo', '-icanon'], check=True)\n"
        "    print('inside', bool(termios.tcgetattr(0)[3] & termios.ECHO))\n"
        "print('after', bool(termios.tcgetattr(0)[3] & termios.ECHO))\n"
    )
    child = terminal([sys.executable, "-c", code], [], env)
    child.expect(pexpect.EOF)
    child.close()
    output = child.before or ""
    assert "inside False" in output
    assert "after True" in output


def test_interactive_login_demo_is_approved_with_one_key_while_it_blocks(
    tmp_path: Path, env: dict[str, str]
) -> None:
    child = spawn(["--demo", "--world", str(tmp_path / "w"), "--interactive-login"], env)
    say(child, "log me in")
    say(child, "3")
    child.expect_exact("· okx auth login --site us")
    child.expect_exact("press a to approve")
    # While okx blocks, its URL and code are in the code's panel, the code on its own line.
    child.expect_exact("Authorize in your browser")
    child.expect_exact("URL: https://app.okx.com/account/oauth/device")
    child.expect(CODE)
    code = cast(re.Match[str], child.match).group(1)
    child.expect_exact(f"\r\n{code}\r\n")
    child.send("a")  # the prompt is busy: one key plays the browser
    child.expect_exact("approved in the browser")
    child.expect_exact("you> ")
    after = child.before or ""
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert SUCCESS in after
    assert "Site: us" in after
    assert code not in after  # shown once, not again when the login ends


def test_interactive_login_that_times_out_asks_to_retry_without_raw_okx_output(
    tmp_path: Path, env: dict[str, str]
) -> None:
    world = tmp_path / "w"
    child = spawn(["--demo", "--world", str(world), "--interactive-login"], env)
    say(child, "log me in")
    say(child, "1")
    child.expect(CODE)
    emulator_verb(world, env, "expire-code")  # the code lapses: okx times out
    child.expect_exact("you> ")
    shown = child.before or ""  # from the code to the next prompt
    child.sendline("no")
    say(child, "/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert "Authorization timed out" in shown  # the error, in the graph's retry question
    assert "(yes/no)" in shown
    for raw in ("Waiting for authorization", "Open the link below", "--manual"):
        assert raw not in shown  # okx's own lines and stale advice stay out
    assert "Traceback" not in shown


def test_ctrl_c_while_the_interactive_login_blocks_restores_the_terminal(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """The demo's one-key browser reads keys unbuffered; Ctrl-C there leaves a sane terminal."""
    world = tmp_path / "w"
    chat = shlex.join([*CHAT, "--demo", "--world", str(world), "--interactive-login"])
    child = terminal(["bash", "--norc", "-c", f"{chat}; echo status=$?; stty -a"], [], env)
    say(child, "log me in")
    say(child, "2")
    child.expect_exact("press a to approve")
    child.expect(CODE)  # the login blocks, keys are read one by one
    child.sendcontrol("c")
    child.expect_exact("Interrupted.")
    child.expect(r"status=(\d+)")
    status = int(cast(re.Match[str], child.match).group(1))
    child.expect(pexpect.EOF)
    output = child.before or ""
    assert status == 130
    settings = output.split()
    assert "echo" in settings  # not -echo
    assert "icanon" in settings  # not -icanon
    assert "Traceback" not in output


def test_ctrl_c_before_any_message_offers_no_resume_and_leaves_nothing(
    temp: Path, env: dict[str, str]
) -> None:
    child = spawn(["--demo"], env)
    child.expect_exact("you> ")
    child.sendcontrol("c")
    child.expect_exact("Nothing to resume")
    child.expect(pexpect.EOF)
    output = child.before or ""
    child.close()
    assert child.exitstatus == 130
    assert "resume with" not in output
    assert list(temp.iterdir()) == []  # no thread was saved: the throw-away world is gone


@pytest.mark.real_cli
def test_ctrl_c_in_the_real_okx_wizard_saves_nothing_and_is_said_so(
    tmp_path: Path, env: dict[str, str], isolated_home: Path
) -> None:
    real = str(real_okx_cli())
    child = spawn(["--okx", real, "--db", str(tmp_path / "c.db")], env)
    say(child, "I want to set up an API key")
    child.expect_exact("[y/N] ")
    named = "".join((child.before or "").split())
    assert str(isolated_home / ".okx" / "config.toml") in named  # the real path, by name
    child.sendline("y")
    child.expect_exact("Site (1/2/3, default: 1): ")
    child.sendcontrol("c")  # real okx 1.2.4 exits 0 here
    child.expect_exact("okx config init ended without saving")
    child.expect_exact("you> ")
    assert "sent for you" not in (child.before or "")
    assert child.getecho(), "the terminal echoes again"
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert not (isolated_home / ".okx" / "config.toml").exists()
