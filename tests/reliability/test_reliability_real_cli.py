"""The same reliability checks against the real npm okx 1.2.4, where it applies.

1.2.4 has ``okx config show --json`` (which prints every secret in clear) but no ``okx auth``:
the graph runs on it through the context (a real subprocess per call). Canary credentials in its
config file and in ``OKX_*`` variables must not reach state, checkpoints, outputs or logs; a
timeout kills the real CLI (node) process.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import tomli_w
from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from okx_auth_graph import Context, OkxCli, build_graph
from okx_auth_graph.okx.errors import OkxCliError
from tests.rigs.real_cli import real_okx_cli as real_okx

pytestmark = pytest.mark.real_cli


def _canary(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(12)}"


async def test_real_cli_secrets_never_reach_state_checkpoints_or_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    okx = real_okx()
    home = tmp_path / "home"
    (home / ".okx").mkdir(parents=True)
    keys = {"api_key": _canary("ak"), "secret_key": _canary("sk"), "passphrase": _canary("pp")}
    config = {"default_profile": "live", "profiles": {"live": {**keys, "site": "eea"}}}
    (home / ".okx" / "config.toml").write_text(tomli_w.dumps(config))
    env_canaries = {
        "OKX_API_KEY": _canary("envak"),
        "OKX_SECRET_KEY": _canary("envsk"),
        "OKX_PASSPHRASE": _canary("envpp"),
    }
    canaries = [*keys.values(), *env_canaries.values()]
    shown = subprocess.run(
        [str(okx), "config", "show", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(home)},
        check=True,
    )
    assert keys["secret_key"] in shown.stdout, "the real CLI prints the secrets in clear"

    caplog.set_level(logging.DEBUG)
    context = Context(okx_executable=str(okx), okx_home=str(home), okx_env=env_canaries, timeout=60)
    database = tmp_path / "checkpoints.sqlite"
    outputs = []
    async with AsyncSqliteSaver.from_conn_string(str(database)) as saver:
        graph = build_graph(checkpointer=saver)
        config_: RunnableConfig = {"configurable": {"thread_id": str(uuid.uuid4())}}
        for request in ("show my balance", "log in to okx", "what is my okx login status?"):
            result = await graph.ainvoke(
                {"messages": [HumanMessage(request)]}, config_, context=context
            )
            outputs.append(result)
        checkpoints = [repr(c) async for c in saver.alist(None)]
        state = await graph.aget_state(config_)

    assert outputs[0]["outcome"] == "api_key_configured"
    assert outputs[0]["messages"][-1].text == "已配置 API key (profile: live)"
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("checkpoints.sqlite*")).decode("latin-1")
    places = {
        "sqlite bytes": raw,
        "checkpoints": "\n".join(checkpoints),
        "state": repr(state.values),
        "outputs": repr(outputs),
        "logs": "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records),
    }
    leaks = {p: [c for c in canaries if c in text] for p, text in places.items()}
    assert {p: hits for p, hits in leaks.items() if hits} == {}


async def test_real_cli_timeout_kills_the_process(tmp_path: Path) -> None:
    okx = real_okx()
    exe = tmp_path / f"okx-{uuid.uuid4().hex[:8]}"
    exe.symlink_to(okx)
    cli = OkxCli(str(exe), home=str(tmp_path), timeout=0.05)
    with pytest.raises(OkxCliError) as info:
        await cli.config_show()
    assert info.value.kind == "timeout"

    def running() -> list[str]:
        found = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                state = (proc / "stat").read_text().split(") ", 1)[1][0]
            except OSError:
                continue
            if str(exe) in cmdline and state != "Z":
                found.append(cmdline)
        return found

    deadline = time.monotonic() + 5
    while running() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running() == []


async def test_real_cli_output_parsers_agree_with_the_fuzz_contract(tmp_path: Path) -> None:
    """Real 1.2.4 answers: a config summary without secrets, and typed errors for ``auth``."""
    cli = OkxCli(str(real_okx()), home=str(tmp_path), timeout=60)
    summary = await cli.config_show()
    assert summary == {"exists": False, "default_profile": None, "profiles": []}
    for call in (cli.auth_status, cli.install, lambda: cli.login_manual("eea")):
        with pytest.raises(OkxCliError) as info:
            await call()
        assert info.value.kind == "cli_too_old"
        assert "1.3.1-beta.17" in info.value.action
        assert "okx config init" in info.value.action
        assert "npm install" not in info.value.action  # it would install 1.2.4 again
    assert json.loads(json.dumps(summary)) == summary
