"""Secrets in okx's own error text are masked by what they are, and kinds read before masking.

The stand-in okx scripts below print what the real okx 1.2.4 prints (measured with
``OKX_REAL_CLI``): a broken ``~/.okx/config.toml`` gives ``Error: Invalid TOML document: …``
followed by the offending line and its neighbours, on every command; an invalid ``proxy_url``
is echoed in full. None of it may reach an error message, the graph's state, its checkpoints
or its replies.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from okx_auth_graph import Context, OkxCli, build_graph
from okx_auth_graph.doors.tools import preflight
from okx_auth_graph.okx.errors import OkxCliError
from okx_auth_graph.state import FailedCommand, InputState
from okx_auth_graph.testing import OkxEmulator

HINT = (
    "Hint: Unexpected server error. Check tool arguments and retry. If it persists, inspect "
    "server logs.\nVersion: @okx_ai/okx-trade-cli@1.2.4\n"
)

# (config file, what okx 1.2.4 printed on stderr for it, the secret pieces, the line named)
TOML_CASES = {
    "multiline_basic_and_bad_value": (
        'default_profile = "live"\n[profiles.live]\napi_key = "AKEY1234abcd"\n'
        'secret_key = """SEC\nRET5678"""\npassphrase = p"ss\n',
        'Error: Invalid TOML document: invalid value\n\n5:  RET5678"""\n6:  passphrase = p"ss\n'
        "                 ^\n\n" + HINT,
        ["AKEY1234abcd", "RET5678", 'p"ss'],
        "line 6",
    ),
    "literal_and_escaped_quote": (
        'default_profile = "live"\n[profiles.live]\napi_key = "AKEY1234abcd"\n'
        "secret_key = '''LIT5678secret'''\npassphrase = \"pa\\\"ss9999\"\nbroken line here\n",
        "Error: Invalid TOML document: incomplete key-value: cannot find end of key\n\n"
        '5:  passphrase = "pa\\"ss9999"\n6:  broken line here\n    ^\n\n' + HINT,
        ["AKEY1234abcd", "LIT5678secret", 'pa\\"ss9999', 'pa"ss9999', "ss9999", "broken line"],
        "line 6",
    ),
    "secret_on_a_line_of_its_own": (
        '[profiles.live]\napi_key = "AKEY1234abcd"\npassphrase =\n"OWNLINE5678"\n',
        "Error: Invalid TOML document: incomplete key-value declaration: no value specified\n\n"
        '2:  api_key = "AKEY1234abcd"\n3:  passphrase =\n                ^\n'
        '4:  "OWNLINE5678"\n\n' + HINT,
        ["AKEY1234abcd", "OWNLINE5678"],
        "line 3",
    ),
    "no_caret": (
        'a = 1\n\n\nb = "unterminated SECRETLINE99\n\n',
        "Error: Invalid TOML document: only letter, numbers, dashes and underscores are "
        'allowed in keys\n\n4:  b = "unterminated SECRETLINE99\n\n' + HINT,
        ["SECRETLINE99", "unterminated"],
        "near line 4",
    ),
}
PROXY_CONFIG = (
    'default_profile = "live"\n[profiles.live]\napi_key = "AKEY1234abcd"\n'
    'secret_key = "SECRET5678"\npassphrase = "pass9999"\n'
    'proxy_url = "socks5://alice:pw0rdXYZ@10.0.0.1:1080"\n'
)
PROXY_ERROR = (
    'Error: Invalid proxy URL "socks5://alice:pw0rdXYZ@10.0.0.1:1080".\n'
    "Hint: proxy_url must start with http:// or https://. SOCKS proxies are not supported.\n"
    "Version: @okx_ai/okx-trade-cli@1.2.4\n"
)


def env_of(home: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"}


def fake_okx(directory: Path, stderr: str, *, config_json: str | None = None) -> Path:
    """An okx that prints ``stderr`` and exits 1 (``config show`` prints JSON when given)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "stderr.txt").write_text(stderr)
    body = "#!/bin/sh\n"
    if config_json is not None:
        (directory / "config.json").write_text(config_json)
        body += f"if [ \"$1\" = config ]; then cat '{directory / 'config.json'}'; exit 0; fi\n"
    body += f"cat '{directory / 'stderr.txt'}' >&2\nexit 1\n"
    path = directory / "okx"
    path.write_text(body)
    path.chmod(0o755)
    return path


def home_with(tmp_path: Path, config: str) -> Path:
    home = tmp_path / "home"
    (home / ".okx").mkdir(parents=True)
    (home / ".okx" / "config.toml").write_text(config)
    return home


def leaks(text: str, pieces: list[str]) -> list[str]:
    return [p for p in pieces if p in text or json.dumps(p)[1:-1] in text]


@pytest.mark.parametrize("case", sorted(TOML_CASES))
@pytest.mark.parametrize("call", ["auth_status", "config_show", "run"])
async def test_toml_error_gets_a_fixed_message_without_the_quoted_lines(
    tmp_path: Path, case: str, call: str
) -> None:
    config, stderr, pieces, line = TOML_CASES[case]
    home = home_with(tmp_path, config)
    cli = OkxCli(str(fake_okx(tmp_path / "bin", stderr)), env=env_of(home), home=str(home))
    calls = {
        "auth_status": cli.auth_status,
        "config_show": cli.config_show,
        "run": lambda: cli.run(["account", "balance"]),
    }
    with pytest.raises(OkxCliError) as caught:
        await calls[call]()
    error = caught.value
    assert error.kind == "config_invalid"
    assert str(home / ".okx" / "config.toml") in error.message
    assert f"{line} is not valid TOML" in error.message
    assert line in error.action
    shown = repr(error.to_dict()) + str(error)
    assert leaks(shown, pieces) == []
    assert "passphrase =" not in shown


async def test_proxy_url_userinfo_is_masked(tmp_path: Path) -> None:
    home = home_with(tmp_path, PROXY_CONFIG)
    cli = OkxCli(str(fake_okx(tmp_path / "bin", PROXY_ERROR)), env=env_of(home), home=str(home))
    for call in (cli.auth_status, lambda: cli.run(["market", "ticker", "BTC-USDT"])):
        with pytest.raises(OkxCliError) as caught:
            await call()
        assert caught.value.kind == "config_invalid"
        assert 'Invalid proxy URL "socks5://***@10.0.0.1:1080"' in caught.value.message
        assert leaks(repr(caught.value.to_dict()), ["pw0rdXYZ", "alice:pw0rdXYZ"]) == []


async def test_url_userinfo_in_okx_env_is_masked(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    stderr = "Error: cannot reach https://bob:hunter2secret@proxy.example:8080\n"
    env = {**env_of(home), "OKX_HTTPS_PROXY": "https://bob:hunter2secret@proxy.example:8080"}
    cli = OkxCli(str(fake_okx(tmp_path / "bin", stderr)), env=env, home=str(home))
    with pytest.raises(OkxCliError) as caught:
        await cli.run(["market", "ticker", "BTC-USDT"])
    assert "hunter2secret" not in caught.value.message
    assert "https://***@proxy.example:8080" in caught.value.message


async def test_a_secret_in_a_later_line_is_masked_before_config_show_ran(tmp_path: Path) -> None:
    """The auth status error quotes a secret that no ``config show`` revealed yet."""
    config = 'default_profile = "live"\n[profiles.live]\npassphrase = """\nP4SS-LINE-only\n"""\n'
    home = home_with(tmp_path, config)
    stderr = "Error: HTTP 401 from OKX: bad passphrase P4SS-LINE-only\n"
    cli = OkxCli(str(fake_okx(tmp_path / "bin", stderr)), env=env_of(home), home=str(home))
    with pytest.raises(OkxCliError) as caught:
        await cli.auth_status()
    assert caught.value.kind == "invalid_api_key"
    assert caught.value.message == "Error: HTTP 401 from OKX: bad passphrase ***"


async def test_parallel_preflight_masks_what_the_slower_config_show_reveals(
    tmp_path: Path,
) -> None:
    """``auth status`` fails at once quoting a secret that ``config show`` prints a second later."""
    secret = f"SK-{uuid.uuid4().hex}"
    config = f'default_profile = "live"\n[profiles.live]\napi_key = ""\nsecret_key = "{secret}"\n'
    home = home_with(tmp_path, config)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shown = json.dumps({"default_profile": "live", "profiles": {"live": {"secret_key": secret}}})
    (bin_dir / "config.json").write_text(shown)
    fake = bin_dir / "okx"
    fake.write_text(
        "#!/bin/sh\n"
        f"if [ \"$1\" = config ]; then sleep 1; cat '{bin_dir / 'config.json'}'; exit 0; fi\n"
        f"echo 'Error: Invalid Sign for secret {secret}' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    context = Context(okx_executable=str(fake), okx_home=str(home), okx_env=env_of(home))
    database = tmp_path / "threads.sqlite"
    async with AsyncSqliteSaver.from_conn_string(str(database)) as saver:
        graph = build_graph(checkpointer=saver)
        thread: RunnableConfig = {"configurable": {"thread_id": "t1"}}
        result = await graph.ainvoke(
            {"messages": [HumanMessage("log in to okx")]}, thread, context=context
        )
        state = await graph.aget_state(thread)
        checkpoints = [repr(c) async for c in saver.alist(None)]
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("threads.sqlite*")).decode("latin-1")
    assert state.values["auth_error"]["kind"] == "invalid_api_key"
    for place in (raw, repr(state.values), repr(result), "\n".join(checkpoints)):
        assert secret not in place
        assert secret[3:19] not in place

    cli = OkxCli(str(fake), env=env_of(home), home=str(home))
    summary = await preflight(cli)
    assert secret not in json.dumps(summary)


def test_one_adapter_shared_by_threads_masks_without_races() -> None:
    cli = OkxCli(runner=None)
    errors: list[BaseException] = []
    stop = threading.Event()

    def learn_and_mask(worker: int) -> None:
        try:
            for index in range(200):
                value = f"w{worker}-{index}-{uuid.uuid4().hex}"
                masked = cli.mask(f'api_key = "{value}" and again {value}')
                assert value not in masked
                if stop.is_set():
                    return
        except BaseException as exc:
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=learn_and_mask, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


async def test_a_secret_equal_to_a_common_word_keeps_the_kind(tmp_path: Path) -> None:
    """Passphrase ``spawn``: "Failed to spawn okx-auth" still reinstalls (never ``failed``)."""
    emulator = OkxEmulator(tmp_path / "world")
    config = {"profiles": {"oauth": {"api_key": "", "secret_key": "", "passphrase": "spawn"}}}
    emulator.init_world(config=config, binary="missing")
    cli = OkxCli(runner=emulator)
    await cli.config_show()
    with pytest.raises(OkxCliError) as caught:
        await cli.auth_status()
    assert caught.value.kind == "failed_to_spawn"
    assert "Failed to spawn okx-auth" in caught.value.message

    graph = build_graph(cli=OkxCli(runner=emulator))
    result = await graph.ainvoke({"messages": [HumanMessage("log in to okx")]})
    assert result.get("outcome") != "failed"
    assert any(call["argv"][:2] == ["auth", "install"] for call in emulator.calls())

    emulator.init_world(config=config, binary="missing")
    failed: FailedCommand = {
        "argv": ["account", "balance"],
        "error": "Error: Failed to spawn okx-auth: spawn x",
    }
    graph = build_graph(cli=OkxCli(runner=emulator))
    entry: InputState = {"messages": [HumanMessage("show my balance")], "failed_command": failed}
    result = await graph.ainvoke(entry)
    assert result.get("outcome") != "failed"
    assert any(call["argv"][:2] == ["auth", "install"] for call in emulator.calls())


async def test_secret_word_in_a_config_error_keeps_the_kind(tmp_path: Path) -> None:
    """api_key ``Partial`` alone: "Partial API credentials detected." stays invalid_api_key."""
    home = home_with(
        tmp_path, 'default_profile = "p"\n[profiles.p]\napi_key = "Partial"\nsite = "eea"\n'
    )
    stderr = (
        "Error: Partial API credentials detected.\nHint: Set OKX_API_KEY, OKX_SECRET_KEY and "
        "OKX_PASSPHRASE together (env vars or config.toml profile).\n"
        "Version: @okx_ai/okx-trade-cli@1.2.4\n"
    )
    shown = json.dumps({"default_profile": "p", "profiles": {"p": {"api_key": "Partial"}}})
    fake = fake_okx(tmp_path / "bin", stderr, config_json=shown)
    cli = OkxCli(str(fake), env=env_of(home), home=str(home))
    await cli.config_show()
    with pytest.raises(OkxCliError) as caught:
        await cli.run(["account", "balance"])
    assert caught.value.kind == "invalid_api_key"
