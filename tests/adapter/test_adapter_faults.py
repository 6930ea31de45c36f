"""Faults: whatever the okx executable does, the adapter raises one typed OkxCliError.

Each fake is a tiny ``/bin/sh`` script written into the test's tmp dir and run through the
real subprocess runner (argument lists, timeout, process-group kill).
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.errors import INSTALL_CLI_COMMAND, OkxCliError
from tests.adapter.adapter_support import base_env, write_fake

Call = Callable[[OkxCli], Awaitable[Any]]
CALLS: dict[str, Call] = {
    "version": lambda cli: cli.version(),
    "config_show": lambda cli: cli.config_show(),
    "auth_status": lambda cli: cli.auth_status(),
    "login_manual": lambda cli: cli.login_manual("global"),
    "install_status": lambda cli: cli.install_status(),
    "remove": lambda cli: cli.remove(),
}


def fake_cli(tmp_path: Path, home: Path, body: str, *, timeout: float = 10.0, **env: str) -> OkxCli:
    fake = write_fake(tmp_path / "bin", body)
    return OkxCli(str(fake), env={**base_env(home), **env}, home=str(home), timeout=timeout)


async def raised(call: Awaitable[Any]) -> OkxCliError:
    with pytest.raises(OkxCliError) as caught:
        await call
    return caught.value


@pytest.mark.parametrize("method", sorted(CALLS))
async def test_missing_executable_is_cli_not_found(tmp_path: Path, method: str) -> None:
    cli = OkxCli(str(tmp_path / "no-such-okx"), home=str(tmp_path))
    error = await raised(CALLS[method](cli))
    assert error.kind == "cli_not_found"
    assert error.action == INSTALL_CLI_COMMAND
    assert error.exit_code is None


async def test_executable_not_on_path_is_cli_not_found(tmp_path: Path) -> None:
    cli = OkxCli("okx", env={"PATH": str(tmp_path)}, home=str(tmp_path))
    error = await raised(cli.version())
    assert error.kind == "cli_not_found"
    assert "npm install -g @okx_ai/okx-trade-cli" in error.action


async def test_file_without_exec_permission_is_cli_not_found(
    tmp_path: Path, seeded_home: Path
) -> None:
    fake = write_fake(tmp_path / "bin", "echo 1.3.1\n")
    fake.chmod(0o644)
    error = await raised(OkxCli(str(fake), home=str(seeded_home)).version())
    assert error.kind == "cli_not_found"


async def test_corrupt_executable_is_cli_not_found(tmp_path: Path, seeded_home: Path) -> None:
    corrupt = tmp_path / "okx"
    corrupt.write_bytes(b"\x7fELF\x00\x00garbage\xff\xfe")
    corrupt.chmod(0o755)
    error = await raised(OkxCli(str(corrupt), home=str(seeded_home)).version())
    assert error.kind == "cli_not_found"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and ") Z " in stat.read_text())


async def test_hanging_okx_times_out_and_its_process_group_is_killed(
    tmp_path: Path, seeded_home: Path
) -> None:
    pids = tmp_path / "pids"
    body = f"echo $$ > {pids}\nsleep 60 &\necho $! >> {pids}\nwait\n"
    cli = fake_cli(tmp_path, seeded_home, body, timeout=0.5)
    started = time.monotonic()
    error = await raised(cli.auth_status())
    assert error.kind == "timeout"
    assert "did not finish within 0.5 s" in error.message
    assert error.argv == ("auth", "status", "--json")
    assert time.monotonic() - started < 5
    shell_pid, sleep_pid = (int(line) for line in pids.read_text().split())
    deadline = time.monotonic() + 5
    while (alive(shell_pid) or alive(sleep_pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(shell_pid)
    assert not alive(sleep_pid)


async def test_login_has_its_own_longer_timeout(tmp_path: Path, seeded_home: Path) -> None:
    fake = write_fake(tmp_path / "bin", 'sleep 0.6\necho "Logged in successfully!"\n')
    cli = OkxCli(str(fake), home=str(seeded_home), timeout=0.2, login_timeout=10)
    assert (await cli.login_interactive("eea"))["status"] == "logged_in"
    assert (await raised(cli.auth_status())).kind == "timeout"


@pytest.mark.parametrize("method", sorted(CALLS))
async def test_nonzero_exit_is_a_typed_error(
    tmp_path: Path, seeded_home: Path, method: str
) -> None:
    cli = fake_cli(tmp_path, seeded_home, 'echo "something odd happened" >&2\nexit 2\n')
    error = await raised(CALLS[method](cli))
    assert (error.kind, error.exit_code) == ("unknown", 2)
    assert error.message == "something odd happened"


async def test_killed_by_a_signal_is_a_typed_error(tmp_path: Path, seeded_home: Path) -> None:
    error = await raised(fake_cli(tmp_path, seeded_home, "kill -9 $$\n").config_show())
    assert error.kind == "unknown"
    assert error.exit_code == -9


OUTPUTS = {
    "empty": "",
    "garbage": "printf 'hello, this is not JSON at all\\n'\n",
    "truncated_json": 'printf \'{"status": "logged_in", "site": "eea", "sco\'\n',
    "invalid_utf8": 'printf \'\\377\\376{"status":"\\351"}\\n\'\n',
    "deeply_nested": "python3 -c 'print(\"[\" * 100000)'\n",
    "wrong_shape": "echo '[1, 2, 3]'\n",
}


@pytest.mark.parametrize("output", sorted(OUTPUTS))
@pytest.mark.parametrize("method", ["version", "config_show", "auth_status", "login_manual"])
async def test_unusable_output_is_unparseable(
    tmp_path: Path, seeded_home: Path, output: str, method: str
) -> None:
    cli = fake_cli(tmp_path, seeded_home, OUTPUTS[output])
    error = await raised(CALLS[method](cli))
    assert error.kind == "unparseable_output"
    assert error.exit_code == 0
    assert len(error.message) < 600


async def test_invalid_utf8_on_stderr_of_a_failure_is_still_classified(
    tmp_path: Path, seeded_home: Path
) -> None:
    body = "printf 'Error: \\377 Session expired \\376\\n' >&2\nexit 1\n"
    error = await raised(fake_cli(tmp_path, seeded_home, body).run(["account", "balance"]))
    assert error.kind == "session_expired"


async def test_huge_output_is_capped_and_typed(tmp_path: Path, seeded_home: Path) -> None:
    body = "head -c 5000000 /dev/zero | tr '\\0' x\n"
    cli = fake_cli(tmp_path, seeded_home, body)
    error = await raised(cli.config_show())
    assert error.kind == "unparseable_output"
    assert len(error.message) < 600
    raw = await cli.run_raw(["config", "show", "--json"])
    assert len(raw.stdout) == 1 << 20


async def test_huge_error_text_is_clipped(tmp_path: Path, seeded_home: Path) -> None:
    body = "head -c 3000000 /dev/zero | tr '\\0' e >&2\nexit 1\n"
    error = await raised(fake_cli(tmp_path, seeded_home, body).run(["market", "ticker", "X"]))
    assert error.kind == "unknown"
    assert len(error.message) < 2100
    assert error.message.endswith("more characters)")


async def test_arguments_never_pass_through_a_shell(tmp_path: Path, seeded_home: Path) -> None:
    marker = tmp_path / "pwned"
    body = 'for a in "$@"; do printf "%s\\n" "$a"; done\n'
    result = await fake_cli(tmp_path, seeded_home, body).run(
        ["market", "ticker", f"BTC-USDT; touch {marker}", "$(touch x)"]
    )
    assert result["stdout"].splitlines()[2:] == [f"BTC-USDT; touch {marker}", "$(touch x)"]
    assert not marker.exists()


async def test_login_rejects_a_site_that_is_not_a_site_id(
    tmp_path: Path, seeded_home: Path
) -> None:
    cli = fake_cli(tmp_path, seeded_home, "echo should-not-run > ran\n")
    for bad in ("GLOBAL", "global; rm -rf /", "1", ""):
        with pytest.raises(ValueError, match="site must be one of"):
            await cli.login_manual(bad)
    assert not (seeded_home / "ran").exists()
