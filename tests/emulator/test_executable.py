"""The emulator through real subprocesses: the ``okx`` shim and ``okx-emulator`` verbs.

Also the parity check that makes the emulator an emulator of a contract: wherever the real
npm CLI 1.2.4 has the command (``config show --json``), both print the same bytes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

from okx_auth_graph.testing.shim import SHIM_MARKER, launcher_argv, write_shim
from tests.adapter.adapter_support import seed_home
from tests.emulator.samples import CONFIG_WITH_KEYS, SECRETS
from tests.rigs.real_cli import real_okx_cli
from tests.rigs.terminal import default_ctrl_c

EMULATOR = launcher_argv("okx_auth_graph.testing.__main__")


def okx(
    env: dict[str, str], *args: str, stdin: str | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["okx", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )


def emulator(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*EMULATOR, *args], env=env, capture_output=True, text=True, timeout=30, check=False
    )


def test_shim_is_an_executable_script_with_an_absolute_python(tmp_path: Path) -> None:
    path = write_shim(tmp_path / "bin")
    text = path.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert SHIM_MARKER in text
    assert str(Path(sys.executable).absolute()) in text
    assert os.access(path, os.X_OK)
    assert write_shim(tmp_path / "bin") == path


def test_shim_refuses_to_overwrite_another_okx(tmp_path: Path, shim_env: dict[str, str]) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "okx").write_text("#!/bin/sh\necho real okx\n")
    result = emulator(shim_env, "shim", str(other))
    assert result.returncode == 2
    assert "not an okx emulator shim" in result.stderr
    assert (other / "okx").read_text() == "#!/bin/sh\necho real okx\n"


def test_manual_login_approved_from_another_process(
    shim_env: dict[str, str], isolated_home: Path
) -> None:
    assert emulator(shim_env, "world", "init").returncode == 0
    assert okx(shim_env, "--version").stdout == "1.3.1-beta.17 (emulator)\n"
    login = okx(shim_env, "auth", "login", "--manual", "--site", "eea")
    assert login.returncode == 0
    challenge = json.loads(login.stdout)
    assert challenge["verificationUri"].startswith("https://my.okx.com/")
    shown = json.loads(emulator(shim_env, "world", "show", "--json").stdout)
    assert shown["pending"]["userCode"] == challenge["userCode"]
    assert shown["home"] == str(isolated_home)
    approved = emulator(shim_env, "world", "approve", "--scopes", "live:read,live:trade")
    assert approved.returncode == 0
    assert approved.stdout.startswith("world: auth=logged_in site=eea")
    status = json.loads(okx(shim_env, "auth", "status", "--json").stdout)
    assert (status["status"], status["site"], status["scopes"]) == (
        "logged_in",
        "eea",
        ["live:read", "live:trade"],
    )
    calls = json.loads(emulator(shim_env, "calls").stdout)
    assert [c["argv"] for c in calls] == [
        ["--version"],
        ["auth", "login", "--manual", "--site", "eea"],
        ["auth", "status", "--json"],
    ]
    assert all(c["started"] <= c["ended"] for c in calls)


def test_blocking_login_waits_for_approval_by_another_process(shim_env: dict[str, str]) -> None:
    emulator(shim_env, "world", "init", "--login-cap", "20")
    child = subprocess.Popen(
        ["okx", "auth", "login", "--site", "us"],
        env=shim_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while json.loads(emulator(shim_env, "world", "show", "--json").stdout)["auth"] != "pending":
            assert child.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert child.poll() is None
        assert emulator(shim_env, "world", "approve").returncode == 0
        out, err = child.communicate(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, err
    assert "https://app.okx.com/" in out
    assert out.endswith("Logged in successfully!\n")


def test_world_verbs_drive_expiry_and_failures(shim_env: dict[str, str]) -> None:
    emulator(shim_env, "world", "init", "--auth", "logged_in", "--site", "us")
    assert emulator(shim_env, "world", "expire-session").returncode == 0
    status = okx(shim_env, "auth", "status", "--json")
    assert json.loads(status.stdout)["status"] == "not_logged_in"
    assert status.stderr == "Session expired — run okx auth login again\n"
    emulator(shim_env, "world", "init", "--auth", "pending", "--site", "eea")
    assert emulator(shim_env, "world", "advance", "601").returncode == 0
    assert json.loads(okx(shim_env, "auth", "status", "--json").stdout)["status"] == "not_logged_in"
    emulator(shim_env, "world", "set", "binary", "missing")
    spawn = okx(shim_env, "auth", "status", "--json")
    assert spawn.returncode == 1
    assert "Failed to spawn okx-auth" in spawn.stderr
    emulator(shim_env, "world", "set", "install", "cdn_failed")
    install = okx(shim_env, "auth", "install", "--json")
    assert install.returncode == 1
    assert json.loads(install.stdout)["error"] == "All CDN sources failed"


def test_remove_without_force_from_a_pipe_refuses(shim_env: dict[str, str]) -> None:
    result = okx(shim_env, "auth", "remove")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "  Error: stdin is not a TTY. Use --force to skip confirmation.\n"


def test_remove_on_a_terminal_asks_and_removes(shim_env: dict[str, str]) -> None:
    child = pexpect.spawn(
        "okx",
        ["auth", "remove"],
        env=shim_env,
        encoding="utf-8",
        timeout=30,
        preexec_fn=default_ctrl_c,
    )
    child.expect(r"Remove okx-auth at .*okx-auth\? \[y/N\] ")
    child.sendline("y")
    child.expect("Removed: ")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert json.loads(emulator(shim_env, "world", "show", "--json").stdout)["binary"] == "missing"


def test_config_init_from_piped_stdin(shim_env: dict[str, str], isolated_home: Path) -> None:
    result = okx(shim_env, "config", "init", stdin="3\nn\nmine\nAK9\nSK9\nPP9\n")
    assert result.returncode == 0, result.stderr
    assert "Config saved to" in result.stdout
    shown = json.loads(okx(shim_env, "config", "show", "--json").stdout)
    assert shown["profiles"]["mine"]["site"] == "us"
    assert shown["profiles"]["mine"]["api_key"] == "AK9"
    assert (isolated_home / ".okx" / "config.toml").exists()


def test_world_init_with_a_config_file_keeps_secrets_out_of_verb_output(
    shim_env: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG_WITH_KEYS)
    outputs = [
        emulator(shim_env, "world", "init", "--config", str(config), "--json"),
        emulator(shim_env, "world", "init", "--config", str(config)),
        emulator(shim_env, "world", "show", "--json"),
        emulator(shim_env, "world", "set", "network", "down", "--json"),
        emulator(shim_env, "calls"),
    ]
    for result in outputs:
        assert result.returncode == 0, result.stderr
        for secret in SECRETS:
            assert secret not in result.stdout + result.stderr
    shown = okx(shim_env, "config", "show", "--json")
    for secret in SECRETS:
        assert secret in shown.stdout
    skipped = okx(shim_env, "auth", "login", "--manual", "--site", "eea")
    assert json.loads(skipped.stdout)["profile"] == "live"


@pytest.mark.parametrize(
    "args",
    [
        ["world", "advance", "-3"],
        ["world", "advance", "soon"],
        ["world", "set", "colour", "red"],
        ["world", "set", "auth", "maybe"],
        ["world", "init", "--auth", "maybe"],
        ["world", "init", "--version", "latest"],
        ["world", "init", "--config", "/nonexistent/config.toml"],
        ["world", "frobnicate"],
        ["fly"],
        [],
    ],
)
def test_bad_input_exits_2_without_a_traceback(shim_env: dict[str, str], args: list[str]) -> None:
    result = emulator(shim_env, *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "error" in result.stderr


def test_a_verb_that_does_not_apply_exits_1(shim_env: dict[str, str]) -> None:
    emulator(shim_env, "world", "init")
    result = emulator(shim_env, "world", "approve")
    assert result.returncode == 1
    assert "no pending authorization" in result.stderr
    assert "Traceback" not in result.stderr


def test_state_directory_from_the_environment(shim_env: dict[str, str], tmp_path: Path) -> None:
    env = {**shim_env, "OKX_EMULATOR_STATE": str(tmp_path / "shared")}
    emulator(env, "world", "init", "--auth", "logged_in", "--site", "eea")
    assert (tmp_path / "shared" / "world.json").exists()
    assert json.loads(okx(env, "auth", "status", "--json").stdout)["site"] == "eea"
    assert json.loads(okx(shim_env, "auth", "status", "--json").stdout)["status"] == (
        "not_logged_in"
    )


@pytest.mark.real_cli
@pytest.mark.parametrize(
    "config",
    [None, "", CONFIG_WITH_KEYS, 'x = 1.0\ny = 2.5\n[profiles.a]\nsite = "us"\ndemo = false\n'],
    ids=["no-config", "empty-file", "two-profiles", "floats"],
)
def test_config_show_json_is_byte_identical_to_the_real_cli(
    shim_env: dict[str, str], isolated_home: Path, config: str | None
) -> None:
    real = str(real_okx_cli())
    seed_home(isolated_home)  # what 1.2.4 does first (its update check), done ahead: no registry
    if config is not None:
        (isolated_home / ".okx" / "config.toml").write_text(config)
    expected = subprocess.run(
        [real, "config", "show", "--json"],
        env=shim_env,
        capture_output=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    actual = subprocess.run(
        ["okx", "config", "show", "--json"],
        env=shim_env,
        capture_output=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert expected.returncode == 0
    assert (actual.returncode, actual.stdout) == (expected.returncode, expected.stdout)


def test_the_installed_console_script(shim_env: dict[str, str], tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "okx-emulator"
    assert script.exists()
    result = subprocess.run(
        [str(script), "shim", str(tmp_path / "bin2")],
        env=shim_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "bin2" / "okx")
    assert os.access(tmp_path / "bin2" / "okx", os.X_OK)


def test_concurrent_processes_share_one_consistent_world(shim_env: dict[str, str]) -> None:
    emulator(shim_env, "world", "init")
    children = [
        subprocess.Popen(
            ["okx", "auth", "login", "--manual", "--site", "eea"],
            env=shim_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    codes = set()
    for child in children:
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        codes.add(json.loads(out)["userCode"])
    assert len(codes) == 6
    shown = json.loads(emulator(shim_env, "world", "show", "--json").stdout)
    assert shown["pending"]["userCode"] in codes
    calls = json.loads(emulator(shim_env, "calls").stdout)
    assert len(calls) == 6
    assert all(c["argv"] == ["auth", "login", "--manual", "--site", "eea"] for c in calls)
    assert all(c["exit_code"] == 0 for c in calls)


def test_the_launcher_stamps_the_call_before_its_imports() -> None:
    """The call's start is the process's, before its imports: two okx calls a caller starts
    together overlap on their stamps however slowly each process starts under load."""
    root = Path(__file__).resolve().parents[2]
    before = time.time()
    done = subprocess.run(
        [*launcher_argv("tests.emulator.started_probe"), "auth", "status"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    after = time.time()
    seen = json.loads(done.stdout)
    assert seen["argv"] == ["auth", "status"]
    assert before <= seen["started"] < seen["imported"] <= after


def test_the_call_log_keeps_the_start_the_process_passes(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from okx_auth_graph.testing import OkxEmulator
    from okx_auth_graph.testing.okx import main

    world = OkxEmulator(tmp_path / "world", home=isolated_home)
    world.init_world()
    monkeypatch.setenv("OKX_EMULATOR_STATE", str(tmp_path / "world"))
    monkeypatch.setenv("HOME", str(isolated_home))
    assert main(["auth", "status", "--json"], started=1234.5) == 0
    assert main(["auth", "status", "--json"]) == 0
    first, second = world.calls()
    assert first["started"] == 1234.5
    assert second["started"] >= first["ended"] > 1234.5


def test_config_init_on_a_terminal_prompts_one_answer_at_a_time(
    shim_env: dict[str, str], isolated_home: Path
) -> None:
    child = pexpect.spawn(
        "okx",
        ["config", "init"],
        env=shim_env,
        encoding="utf-8",
        timeout=30,
        preexec_fn=default_ctrl_c,
    )
    for prompt, answer in [
        (r"Site \(1/2/3, default: 1\): ", "2"),
        (r"Use demo trading\? \(Y/n\) ", "y"),
        (r"Profile name \(default: okx-demo\): ", ""),
        ("API Key: ", "AKT"),
        ("Secret Key: ", "SKT"),
        ("Passphrase: ", "PPT"),
    ]:
        child.expect(prompt)
        child.sendline(answer)
    child.expect("Config saved to ")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    text = (isolated_home / ".okx" / "config.toml").read_text()
    assert 'default_profile = "okx-demo"' in text
    assert 'api_key = "AKT"' in text


WIZARD_PROMPTS = [
    (r"Site \(1/2/3, default: 1\): ", "1"),
    (r"Use demo trading\? \(Y/n\) ", "n"),
    (r"Profile name \(default: okx-prod\): ", ""),
    ("API Key: ", "AKT"),
]


@pytest.mark.real_cli
@pytest.mark.parametrize("stop_at", range(len(WIZARD_PROMPTS)))
def test_ctrl_c_in_config_init_exits_like_the_real_cli(
    shim_env: dict[str, str], tmp_path: Path, stop_at: int
) -> None:
    """Ctrl-C at a wizard prompt: okx 1.2.4 exits 0 and saves nothing; so does the emulator."""
    real = str(real_okx_cli())
    outcomes = {}
    for label, program in (("real", real), ("emulator", "okx")):
        home = tmp_path / f"home-{label}"
        home.mkdir()
        if program == real:
            seed_home(home)  # 1.2.4's update check done ahead: no registry call
        env = {**shim_env, "HOME": str(home)}
        child = pexpect.spawn(
            program,
            ["config", "init"],
            env=env,
            encoding="utf-8",
            timeout=60,
            preexec_fn=default_ctrl_c,
        )
        for prompt, answer in WIZARD_PROMPTS[:stop_at]:
            child.expect(prompt)
            child.sendline(answer)
        child.expect(WIZARD_PROMPTS[stop_at][0])
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
        child.close()
        outcomes[label] = (child.exitstatus, (home / ".okx" / "config.toml").exists())
    assert outcomes["emulator"] == outcomes["real"] == (0, False)


CONFIG_SEQUENCES = {
    "add-use-set-list": [
        ["config", "add-profile", "AK=key-one", "SK=secret-one", "PP=pass-one", "site=eea"],
        ["config", "add-profile", "AK=k2", "SK=s2", "PP=p2", "demo=false", "name=main"],
        ["config", "add-profile", "AK=k3", "SK=s3", "PP=p3", "name=main"],
        ["config", "add-profile", "AK=k3", "SK=s3", "PP=p3", "name=main", "site=us", "--force"],
        ["config", "use", "demo"],
        ["config", "use", "nobody"],
        ["config", "use"],
        ["config", "set", "default_profile", "main"],
        ["config", "set", "colour", "red"],
        ["config", "list-profile"],
        ["config", "show"],
        ["config", "show", "--json"],
    ],
    "empty": [
        ["config", "list-profile"],
        ["config", "use", "x"],
        ["config", "add-profile", "AK=only"],
        ["config", "frobnicate"],
        ["config", "show", "--json"],
    ],
}


@pytest.mark.real_cli
@pytest.mark.parametrize("name", sorted(CONFIG_SEQUENCES))
def test_config_commands_match_the_real_cli(
    shim_env: dict[str, str], tmp_path: Path, name: str
) -> None:
    real = str(real_okx_cli())
    transcripts = {}
    for label, program in (("real", real), ("emulator", "okx")):
        home = tmp_path / f"home-{label}"
        home.mkdir()
        if program == real:
            seed_home(home)  # 1.2.4's update check done ahead: no registry call
        env = {**shim_env, "HOME": str(home)}
        lines = []
        for argv in CONFIG_SEQUENCES[name]:
            result = subprocess.run(
                [program, *argv],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
                stdin=subprocess.DEVNULL,
            )
            lines.append((argv, result.returncode, result.stdout, result.stderr))
        transcripts[label] = [
            (argv, code, out.replace(str(home), "~"), err.replace(str(home), "~"))
            for argv, code, out, err in lines
        ]
    for real_step, emulated_step in zip(transcripts["real"], transcripts["emulator"], strict=True):
        assert emulated_step == real_step


OLD_CLI_AUTH_CALLS = [
    ["auth"],
    ["auth", "status", "--json"],
    ["auth", "login", "--manual", "--site", "eea"],
    ["auth", "login", "--site=us"],
    ["auth", "install", "--json"],
    ["auth", "remove", "--force", "--json"],
    ["auth", "logout", "--profile", "x"],
]


@pytest.mark.real_cli
def test_an_old_emulated_version_answers_auth_like_the_real_124(
    shim_env: dict[str, str],
) -> None:
    real = str(real_okx_cli())
    seed_home(Path(shim_env["HOME"]))  # 1.2.4's update check done ahead: no registry call
    assert emulator(shim_env, "world", "init", "--version", "1.2.4").returncode == 0
    for argv in OLD_CLI_AUTH_CALLS:
        answers = [
            subprocess.run(
                [program, *argv],
                env=shim_env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
                stdin=subprocess.DEVNULL,
            )
            for program in (real, "okx")
        ]
        expected, actual = ((a.returncode, a.stdout, a.stderr) for a in answers)
        assert actual == expected, argv


BROKEN_TOML = {
    "garbage": "garbage [[[\n",
    "missing-value": '[profiles.a]\napi_key = "AK-CANARY-123456"\nsite = "us"\nbroken = \n',
    "unclosed-string": '[profiles.a]\nsecret_key = "SK-CANARY-7890\nsite = "us"\n',
}


def _toml_error_shape(stderr: str) -> list[str]:
    """The error block, with the parser's own wording, the caret column and the version out."""
    shape = []
    for line in stderr.splitlines():
        if line.startswith("Error: Invalid TOML document: "):
            line = "Error: Invalid TOML document: …"
        elif line.startswith("Version: @okx_ai/okx-trade-cli@"):
            line = "Version: …"
        elif line.strip() == "^":
            line = "^"
        shape.append(line)
    return shape


@pytest.mark.real_cli
@pytest.mark.parametrize("config", list(BROKEN_TOML.values()), ids=list(BROKEN_TOML))
def test_broken_toml_error_has_the_real_cli_shape_and_quotes_the_same_lines(
    shim_env: dict[str, str], isolated_home: Path, config: str
) -> None:
    """The real CLI quotes the offending config lines (secrets included): so must the emulator."""
    real = str(real_okx_cli())
    seed_home(isolated_home)  # 1.2.4's update check done ahead: no registry call
    (isolated_home / ".okx" / "config.toml").write_text(config)
    results = {}
    for label, program in (("real", real), ("emulator", "okx")):
        done = subprocess.run(
            [program, "config", "show", "--json"],
            env=shim_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        results[label] = (done.returncode, done.stdout, _toml_error_shape(done.stderr))
    assert results["real"][0] == 1
    assert results["emulator"] == results["real"]
