"""Fault injection at the adapter: a misbehaving runner and real misbehaving processes.

Each fault must come out of ``OkxCli`` as an ``OkxCliError`` with a stable kind and a bounded
message; a hanging okx is killed together with its children; a 10 MB output is read in bounded
memory.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import pytest

from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.errors import OkxCliError
from tests.reliability.reliability_fakes import ScriptedRunner, write_fake_okx

TEN_MB = 10 * 1024 * 1024
MESSAGE_LIMIT = 8192


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def _cli(executable: Path | str, home: Path, timeout: float = 10.0) -> OkxCli:
    return OkxCli(str(executable), home=str(home), timeout=timeout)


@pytest.mark.parametrize(
    ("exception", "kind"),
    [
        (FileNotFoundError(2, "No such file or directory"), "cli_not_found"),
        (PermissionError(13, "Permission denied"), "cli_not_found"),
        (NotADirectoryError(20, "Not a directory"), "cli_not_found"),
        (OSError(8, "Exec format error"), "cli_not_found"),
        (TimeoutError(), "timeout"),
    ],
)
async def test_runner_exceptions_become_typed_errors(exception: OSError, kind: str) -> None:
    cli = OkxCli(runner=ScriptedRunner(raises=exception))
    for call in (cli.config_show, cli.auth_status, cli.install, lambda: cli.login_manual("us")):
        with pytest.raises(OkxCliError) as info:
            await call()
        assert info.value.kind == kind
        assert info.value.action


async def test_okx_missing(tmp_path: Path) -> None:
    with pytest.raises(OkxCliError) as info:
        await _cli(tmp_path / "no-such-okx", tmp_path).auth_status()
    assert info.value.kind == "cli_not_found"
    assert "npm install -g @okx_ai/okx-trade-cli" in info.value.action


async def test_okx_not_on_path(tmp_path: Path) -> None:
    cli = OkxCli("okx-definitely-not-installed", home=str(tmp_path), env={"PATH": str(tmp_path)})
    with pytest.raises(OkxCliError) as info:
        await cli.config_show()
    assert info.value.kind == "cli_not_found"


@pytest.mark.parametrize("shape", ["directory", "not-executable", "corrupt-binary"])
async def test_okx_unrunnable(tmp_path: Path, shape: str) -> None:
    target = tmp_path / "okx"
    if shape == "directory":
        target.mkdir()
    elif shape == "not-executable":
        target.write_text("#!/bin/sh\necho '{}'\n")
    else:
        target.write_bytes(b"\x7fELF\x02garbage" + os.urandom(64))
        target.chmod(0o755)
    with pytest.raises(OkxCliError) as info:
        await _cli(target, tmp_path).auth_status()
    assert info.value.kind == "cli_not_found"


async def test_hanging_okx_is_killed_with_its_children(tmp_path: Path) -> None:
    okx = write_fake_okx(
        tmp_path,
        f"""
        trap '' TERM INT HUP
        echo $$ > {tmp_path}/parent.pid
        sleep 300 &
        echo $! > {tmp_path}/child.pid
        printf '{{"status":'
        sleep 300
        """,
    )
    started = time.monotonic()
    with pytest.raises(OkxCliError) as info:
        await _cli(okx, tmp_path, timeout=1.0).auth_status()
    elapsed = time.monotonic() - started
    assert info.value.kind == "timeout"
    assert info.value.argv == ("auth", "status", "--json")
    assert elapsed < 8
    pids = [int((tmp_path / f"{n}.pid").read_text()) for n in ("parent", "child")]
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in pids)


@pytest.mark.parametrize("signal_name", ["SEGV", "KILL", "ABRT"])
async def test_crashing_okx(tmp_path: Path, signal_name: str) -> None:
    okx = write_fake_okx(tmp_path, f'printf \'{{"status":"logged\'\nkill -{signal_name} $$\n')
    with pytest.raises(OkxCliError) as info:
        await _cli(okx, tmp_path).auth_status()
    assert info.value.exit_code is not None
    assert info.value.exit_code < 0
    assert info.value.message


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("exit 0", "unparseable_output"),
        ("echo 'garbage !@#$%^&*()'", "unparseable_output"),
        ('printf \'{"status":"logged_in","sc\'', "unparseable_output"),
        ('printf \'\\377\\376{"status":"logged_in"}\\n\'', "unparseable_output"),
        ("printf '\\355\\240\\200'; exit 0", "unparseable_output"),
        ("echo 'Failed to spawn okx-auth: ENOENT' >&2; exit 1", "failed_to_spawn"),
        ("printf 'Session expired \\377\\376' >&2; exit 1", "session_expired"),
        ("exit 3", "unknown"),
    ],
    ids=[
        "empty",
        "garbage",
        "truncated",
        "invalid-utf8",
        "lone-surrogate",
        "spawn",
        "bad-utf8-err",
        "silent-exit-3",
    ],
)
async def test_bad_output(tmp_path: Path, body: str, kind: str) -> None:
    okx = write_fake_okx(tmp_path, body)
    with pytest.raises(OkxCliError) as info:
        await _cli(okx, tmp_path).auth_status()
    assert info.value.kind == kind
    assert len(info.value.message) <= MESSAGE_LIMIT


@pytest.mark.parametrize("stream", ["stdout", "stderr", "both"])
@pytest.mark.parametrize("exit_code", [0, 1])
async def test_huge_output_bounded(tmp_path: Path, stream: str, exit_code: int) -> None:
    redirect = {"stdout": "", "stderr": " >&2", "both": ""}[stream]
    extra = f"head -c {TEN_MB} /dev/zero | tr '\\0' 'b' >&2\n" if stream == "both" else ""
    okx = write_fake_okx(
        tmp_path,
        f"head -c {TEN_MB} /dev/zero | tr '\\0' 'a'{redirect}\n{extra}exit {exit_code}\n",
    )
    tracemalloc.start()
    try:
        with pytest.raises(OkxCliError) as info:
            await _cli(okx, tmp_path).config_show()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.kind in ("unparseable_output", "unknown")
    assert len(info.value.message) <= MESSAGE_LIMIT
    assert peak < TEN_MB, f"peak traced memory {peak} bytes for a 10 MB output"


async def test_huge_output_raw_is_capped(tmp_path: Path) -> None:
    okx = write_fake_okx(tmp_path, f"head -c {TEN_MB} /dev/zero | tr '\\0' 'a'\necho tail\n")
    raw = await _cli(okx, tmp_path).run_raw(["market", "ticker"])
    assert raw.exit_code == 0
    assert len(raw.stdout) == 1 << 20
    assert set(raw.stdout) == {ord("a")}


async def test_stdin_closed_for_children(tmp_path: Path) -> None:
    """A child that reads stdin (e.g. an interactive prompt) sees EOF instead of hanging."""
    okx = write_fake_okx(tmp_path, 'read answer; echo \'{"status":"not_logged_in"}\'\n')
    status = await _cli(okx, tmp_path, timeout=5).auth_status()
    assert status["status"] == "not_logged_in"


async def test_huge_output_keeps_the_error_kind(tmp_path: Path) -> None:
    okx = write_fake_okx(
        tmp_path,
        f"echo 'Error: Session expired — run okx auth login again' >&2\n"
        f"head -c {TEN_MB} /dev/zero | tr '\\0' 'a'\nexit 1\n",
    )
    with pytest.raises(OkxCliError) as info:
        await _cli(okx, tmp_path).auth_status()
    assert info.value.kind == "session_expired"
    assert info.value.message.startswith("Error: Session expired")
    assert len(info.value.message) <= MESSAGE_LIMIT


async def test_in_process_runner_output_is_capped_at_the_adapter() -> None:
    """A runner that does not cap its output (the emulator, a fake) is capped by the adapter."""
    runner = ScriptedRunner(1, b"a" * TEN_MB, b"Error: Network error\n" + b"b" * TEN_MB)
    cli = OkxCli(runner=runner)
    raw = await cli.run_raw(["auth", "status", "--json"])
    assert len(raw.stdout) == len(raw.stderr) == 1 << 20
    with pytest.raises(OkxCliError) as info:
        await cli.auth_status()
    assert info.value.kind == "network_error"
    assert len(info.value.message) <= MESSAGE_LIMIT
