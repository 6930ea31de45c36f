"""Secrets seen by config_show or in OKX_* variables never appear in an adapter error.

The fake okx prints a config with secrets for ``config show --json`` and echoes those secrets
on stderr for every other command, as a careless CLI might.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.errors import OkxCliError
from okx_auth_graph.okx.process import RawResult
from tests.adapter.adapter_support import base_env, write_fake

API_KEY = "ak-0d5c2e7f-1b9a-4c3d-8e6f-9a0b1c2d3e4f"
SECRET_KEY = "0F1E2D3C4B5A69788796A5B4C3D2E1F0"
PASSPHRASE = "my pass phrase!"
SECRETS = (API_KEY, SECRET_KEY, PASSPHRASE)
CONFIG: dict[str, Any] = {
    "default_profile": "live",
    "profiles": {
        "live": {
            "api_key": API_KEY,
            "secret_key": SECRET_KEY,
            "passphrase": PASSPHRASE,
            "site": "global",
        }
    },
}


def leaky_fake(tmp_path: Path, config_output: str) -> Path:
    config_file = tmp_path / "config-output.txt"
    config_file.write_text(config_output)
    body = f"""\
if [ "$1" = config ]; then cat '{config_file}'; exit 0; fi
printf 'Error: rejected key %s / %s / %s\\n' '{API_KEY}' '{SECRET_KEY}' '{PASSPHRASE}' >&2
printf '{{"api_key": "{API_KEY}", "passphrase": "{PASSPHRASE}"}}\\n'
exit 1
"""
    return write_fake(tmp_path / "bin", body)


def assert_masked(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text
        assert json.dumps(secret)[1:-1] not in text


async def failing_run(cli: OkxCli) -> OkxCliError:
    with pytest.raises(OkxCliError) as caught:
        await cli.run(["account", "balance", "--json"])
    return caught.value


async def test_secrets_from_config_show_are_masked_in_later_errors(
    tmp_path: Path, seeded_home: Path
) -> None:
    fake = leaky_fake(tmp_path, json.dumps(CONFIG, indent=2))
    cli = OkxCli(str(fake), env=base_env(seeded_home), home=str(seeded_home))
    summary = await cli.config_show()
    assert_masked(repr(summary))
    error = await failing_run(cli)
    assert error.message.startswith("Error: rejected key *** / *** / ***")
    assert_masked(repr(error.to_dict()))
    assert_masked(str(error))


async def test_secrets_in_okx_env_vars_are_masked(tmp_path: Path, seeded_home: Path) -> None:
    body = (
        'echo "Error: HTTP 401 for $OKX_API_KEY with $OKX_SECRET_KEY/$OKX_PASSPHRASE" >&2\nexit 1\n'
    )
    fake = write_fake(tmp_path / "bin", body)
    env = {
        **base_env(seeded_home),
        "OKX_API_KEY": API_KEY,
        "OKX_SECRET_KEY": SECRET_KEY,
        "OKX_PASSPHRASE": PASSPHRASE,
    }
    error = await failing_run(OkxCli(str(fake), env=env, home=str(seeded_home)))
    assert error.kind == "invalid_api_key"
    assert error.message == "Error: HTTP 401 for *** with ***/***"


@pytest.mark.parametrize(
    "config_output",
    [
        json.dumps(CONFIG)[:-40],
        json.dumps({"profiles": [CONFIG["profiles"]["live"]]}),
        json.dumps({"profiles": {"live": {**CONFIG["profiles"]["live"], "demo": "maybe"}}}),
        "default_profile = 'live'\n[profiles.live]\n"
        + "".join(f'{k} = "{v}"\n' for k, v in CONFIG["profiles"]["live"].items()),
    ],
    ids=["truncated", "wrong_shape", "bad_field", "toml_not_json"],
)
async def test_unusable_config_output_leaks_no_secret(
    tmp_path: Path, seeded_home: Path, config_output: str
) -> None:
    assert API_KEY in config_output
    cli = OkxCli(
        str(leaky_fake(tmp_path, config_output)), env=base_env(seeded_home), home=str(seeded_home)
    )
    with pytest.raises(OkxCliError) as caught:
        await cli.config_show()
    assert caught.value.kind == "unparseable_output"
    assert_masked(repr(caught.value.to_dict()))
    assert_masked(repr((await failing_run(cli)).to_dict()))


async def test_secret_in_successful_output_is_masked(tmp_path: Path, seeded_home: Path) -> None:
    fake = write_fake(tmp_path / "bin", f"echo 'used key {API_KEY}'\n")
    cli = OkxCli(
        str(fake), env={**base_env(seeded_home), "OKX_API_KEY": API_KEY}, home=str(seeded_home)
    )
    result = await cli.run(["account", "balance"])
    assert result["stdout"] == "used key ***\n"


async def test_secret_equal_to_json_text_does_not_break_the_summary(
    tmp_path: Path, seeded_home: Path
) -> None:
    config = {"profiles": {"live": {"api_key": "true", "passphrase": "site", "demo": True}}}
    cli = OkxCli(
        str(leaky_fake(tmp_path, json.dumps(config))),
        env=base_env(seeded_home),
        home=str(seeded_home),
    )
    summary = await cli.config_show()
    assert summary["profiles"] == [
        {"name": "live", "site": None, "demo": True, "has_api_key": True}
    ]


# --- a secret nested deeper than 16 levels (redact.secret_values once stopped there) ---

DEEP_PASSPHRASE = 'Pa"ss\\word-deep-77'
"""A passphrase whose JSON form (``Pa\\"ss\\\\word-deep-77``) is not its value: only the parsed
JSON gives the value okx echoes."""
PROXY_PASSWORD = "hunter22pass-x"


class DeepConfigOkx:
    """An in-process okx: ``config show --json`` prints ``config``; every other command fails
    echoing ``echo`` on stderr, as a careless okx might."""

    def __init__(self, config: Any, echo: str) -> None:
        self.config, self.echo = config, echo

    async def __call__(
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> RawResult:
        if list(argv[:2]) == ["config", "show"]:
            return RawResult(tuple(argv), 0, json.dumps(self.config).encode(), b"")
        return RawResult(tuple(argv), 1, b"", f"Error: {self.echo}\n".encode())


@pytest.mark.parametrize("depth", [17, 18, 100, 500])
async def test_a_secret_nested_deep_in_config_show_is_masked_in_later_errors(
    tmp_path: Path, depth: int
) -> None:
    nested: Any = {"passphrase": DEEP_PASSPHRASE}
    for level in range(depth):
        nested = {"level": nested} if level % 2 else [nested]
    config = {"default_profile": "", "profiles": {}, "extra": nested}
    okx = DeepConfigOkx(config, f"bad passphrase {DEEP_PASSPHRASE}")
    cli = OkxCli(runner=okx, home=str(tmp_path))  # no config file: config show alone says it
    assert await cli.config_show() == {"exists": False, "default_profile": "", "profiles": []}
    error = await failing_run(cli)
    assert error.message == "Error: bad passphrase ***"


@pytest.mark.parametrize("depth", [17, 18, 100, 5000])
async def test_proxy_credentials_in_a_deep_config_table_are_masked(
    tmp_path: Path, depth: int
) -> None:
    (tmp_path / ".okx").mkdir()
    tables = ".".join(f"t{i}" for i in range(depth))
    (tmp_path / ".okx" / "config.toml").write_text(
        f'[{tables}]\nproxy = "http://bob:{PROXY_PASSWORD}@proxy.example"\n', encoding="utf-8"
    )
    okx = DeepConfigOkx({}, f"proxy refused password {PROXY_PASSWORD}")
    error = await failing_run(OkxCli(runner=okx, home=str(tmp_path)))
    assert error.message == "Error: proxy refused password ***"


# --- a config file the adapter cannot read (learn_config_file) ---

FILE_SECRET = "FILEsecret-0042-never-shown"


class EchoOkx:
    """An in-process okx that fails every command, echoing ``FILE_SECRET`` as a careless okx
    might (okx read the file the adapter could not)."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    async def __call__(
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> RawResult:
        self.calls.append(list(argv))
        return RawResult(tuple(argv), 1, b"", f"Error: rejected key {FILE_SECRET}\n".encode())


def _config_text() -> str:
    return f'[profiles.live]\nsecret_key = "{FILE_SECRET}"\n'


@pytest.mark.parametrize("blocked", ["directory", "parent_is_a_file"])
async def test_an_unreadable_config_path_does_not_stop_the_call_and_is_read_once_fixed(
    tmp_path: Path, blocked: str
) -> None:
    okx_dir = tmp_path / ".okx"
    if blocked == "directory":  # open() fails: IsADirectoryError
        (okx_dir / "config.toml").mkdir(parents=True)
    else:  # stat() fails: NotADirectoryError
        okx_dir.write_text("not a folder\n", encoding="utf-8")
    okx = EchoOkx()
    cli = OkxCli(runner=okx, home=str(tmp_path))
    error = await failing_run(cli)  # okx's own answer, not the adapter's OSError
    assert error.kind == "unknown"
    assert error.message == f"Error: rejected key {FILE_SECRET}"  # nothing told it the secret
    assert okx.calls == [["account", "balance", "--json"]]
    if blocked == "directory":
        (okx_dir / "config.toml").rmdir()
    else:
        okx_dir.unlink()
        okx_dir.mkdir()
    (okx_dir / "config.toml").write_text(_config_text(), encoding="utf-8")
    assert (await failing_run(cli)).message == "Error: rejected key ***"


async def test_a_config_file_whose_read_failed_is_read_again_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read refused once (PermissionError, as for a file of another user) is retried on the
    next call although the file's mtime, size and inode are the same."""
    config = tmp_path / ".okx" / "config.toml"
    config.parent.mkdir()
    config.write_text(_config_text(), encoding="utf-8")
    real_open = Path.open
    refused: list[Path] = []

    def open_once_refused(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == config and not refused:
            refused.append(self)
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_once_refused)
    cli = OkxCli(runner=EchoOkx(), home=str(tmp_path))
    assert (await failing_run(cli)).message == f"Error: rejected key {FILE_SECRET}"
    assert refused == [config]
    assert (await failing_run(cli)).message == "Error: rejected key ***"


async def test_a_home_that_is_no_path_does_not_crash_the_config_read() -> None:
    """A HOME with a NUL byte makes stat() raise ValueError: okx's answer still comes back."""
    okx = EchoOkx()
    error = await failing_run(OkxCli(runner=okx, home="/tmp/no\x00home"))
    assert error.message == f"Error: rejected key {FILE_SECRET}"
    assert okx.calls == [["account", "balance", "--json"]]
