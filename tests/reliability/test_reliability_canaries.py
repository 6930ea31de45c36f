"""Canary secrets: no credential ever reaches state, checkpoints, interrupts, messages or logs.

Every conversation below runs in a world seeded with canary credentials: API-key worlds in a
profile's api_key / secret_key / passphrase, OAuth worlds in the secret_key / passphrase of a
profile whose api_key is empty and in ``OKX_API_KEY`` / ``OKX_SECRET_KEY`` / ``OKX_PASSPHRASE``
(process environment, the adapter's env and the run's context). Each conversation is checkpointed
to a SQLite file by the project's helper (uncompressed, so its bytes can be scanned); afterwards the raw bytes of the database (and its WAL), every checkpoint read
back, every interrupt payload, every returned state and message, and all log records captured
at DEBUG from the root logger, and every run's inputs and outputs as a tracer's callback handler
receives them are scanned for every 10-character window of every canary.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from langchain_core.callbacks import BaseCallbackHandler

from okx_auth_graph import Context, OkxCli, build_graph
from okx_auth_graph.persistence import async_sqlite_checkpointer
from okx_auth_graph.testing import OkxEmulator
from tests.conversation import Conversation
from tests.reliability.questions import INVALID_KEY_FAILURE, argv_allowed

WINDOW = 10


def _canary(kind: str) -> str:
    return f"{kind}-{secrets.token_hex(12)}"


class Canaries:
    """A fresh set of canary credentials and the windows to look for."""

    def __init__(self) -> None:
        self.api_key = _canary("ak")
        self.secret_key = _canary("sk")
        self.passphrase = _canary("pp")
        self.env = {
            "OKX_API_KEY": _canary("envak"),
            "OKX_SECRET_KEY": _canary("envsk"),
            "OKX_PASSPHRASE": _canary("envpp"),
        }

    def values(self) -> list[str]:
        return [self.api_key, self.secret_key, self.passphrase, *self.env.values()]

    def windows(self) -> set[str]:
        found = set()
        for value in self.values():
            body = value.split("-", 1)[1]
            found |= {body[i : i + WINDOW] for i in range(len(body) - WINDOW + 1)}
        return found

    def hits(self, text: str) -> list[str]:
        return sorted(w for w in self.windows() if w in text)

    def api_key_config(self, site: str | None = "eea") -> dict[str, Any]:
        profile = {
            "api_key": self.api_key,
            "secret_key": self.secret_key,
            "passphrase": self.passphrase,
        }
        if site:
            profile["site"] = site
        return {"default_profile": "live", "profiles": {"live": profile}}

    def oauth_config(self) -> dict[str, Any]:
        return {
            "default_profile": "oauth",
            "profiles": {
                "oauth": {
                    "api_key": "",
                    "secret_key": self.secret_key,
                    "passphrase": self.passphrase,
                }
            },
        }


Step = Callable[["CanaryConversation"], Awaitable[Any]]


class TraceRecorder(BaseCallbackHandler):
    """Records what a tracer (LangSmith and the like) would receive: every run's inputs/outputs."""

    def __init__(self) -> None:
        self.records: list[str] = []

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        self.records.append(f"start {kwargs.get('name')} {inputs!r} {kwargs.get('metadata')!r}")

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self.records.append(f"end {outputs!r}")

    def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        self.records.append(f"error {error!r}")

    def on_custom_event(self, name: str, data: Any, **kwargs: Any) -> None:
        self.records.append(f"event {name} {data!r}")


class CanaryConversation(Conversation):
    """One scenario: a world, a SQLite-checkpointed graph, and a tracer's view of every run."""

    def __init__(self, emulator: OkxEmulator, saver: Any, canaries: Canaries) -> None:
        cli = OkxCli(runner=emulator, env=canaries.env)
        super().__init__(
            build_graph(cli=cli, checkpointer=saver),
            context=Context(okx_env=dict(canaries.env)),
            okx=emulator,
        )
        self.emulator = emulator
        self.canaries = canaries
        self.traces = TraceRecorder()
        self.config["callbacks"] = [self.traces]

    @property
    def outputs(self) -> list[dict[str, Any]]:
        """What each invocation returned."""
        return [exchange.state for exchange in self.exchanges]

    def write_config(self, config: dict[str, Any]) -> None:
        path = self.emulator.config_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(tomli_w.dumps(config))


def _say(*lines: str) -> Step:
    async def run(chat: CanaryConversation) -> None:
        await chat.start(lines[0])
        for line in lines[1:]:
            await chat.reply(line)

    return run


async def _fresh_oauth_login(chat: CanaryConversation) -> None:
    await chat.start("log in to okx")
    await chat.reply("2")
    chat.emulator.approve(scopes=["live:read", "live:trade"])
    assert (await chat.reply("done")).outcome == "logged_in"
    await chat.start("show my balance")


async def _denied_then_retry(chat: CanaryConversation) -> None:
    await chat.start("帮我登录")
    await chat.reply("3")
    chat.emulator.deny()
    await chat.reply("好了")
    await chat.reply("是")
    await chat.reply("1")
    chat.emulator.approve()
    await chat.reply("完成了")


async def _logged_in_then_logout(chat: CanaryConversation) -> None:
    assert (await chat.start("place a grid bot")).outcome == "logged_in"
    assert (await chat.start("log out")).outcome == "logged_out"


async def _pending_world(chat: CanaryConversation) -> None:
    await chat.start("log in")
    await chat.reply("done")
    chat.emulator.approve()
    await chat.reply("done")


async def _invalid_key_replace(chat: CanaryConversation) -> None:
    failure: dict[str, Any] = dict(INVALID_KEY_FAILURE)
    failure["error"] += f" (key {chat.canaries.api_key}, passphrase {chat.canaries.passphrase})"
    await chat.start("my balance call failed", failed_command=failure)
    await chat.reply("1")


async def _invalid_key_switch(chat: CanaryConversation) -> None:
    await chat.start("my balance call failed", failed_command=INVALID_KEY_FAILURE)
    await chat.reply("2")
    await chat.reply("done")
    chat.write_config(chat.canaries.oauth_config())
    await chat.reply("done")
    await chat.reply("1")


async def _stale_preflight_skipped_login(chat: CanaryConversation) -> None:
    await chat.start("log in to okx")
    chat.write_config(chat.canaries.api_key_config())
    await chat.reply("1")


async def _session_expired_downstream(chat: CanaryConversation) -> None:
    error = f"Error: Session expired — run okx auth login again {chat.canaries.env['OKX_API_KEY']}"
    await chat.start("my order failed", failed_command={"argv": ["trade", "x"], "error": error})
    await chat.reply("1")


async def _network_down_login(chat: CanaryConversation) -> None:
    await chat.start("log in")
    chat.emulator.set("network", "down")
    await chat.reply("2")
    await chat.reply("no")


async def _binary(chat: CanaryConversation) -> None:
    await chat.start("is okx-auth installed? install-status")
    await chat.start("install okx-auth")
    await chat.start("please remove the okx-auth binary")
    await chat.reply("yes")
    await chat.start("what is my login status")


API_KEY_SCENARIOS: dict[str, tuple[dict[str, Any], Step]] = {
    "skill": ({}, _say("show my balance")),
    "login": ({}, _say("log in to okx")),
    "status": ({}, _say("what is my okx login status?")),
    "logout": ({"auth": "logged_in", "site": "eea"}, _say("log out")),
    "setup": ({}, _say("how do I set up an API key?")),
    "no-site": ({"site_in_profile": False}, _say("帮我查一下持仓", "1")),
    "invalid-key-replace": ({}, _invalid_key_replace),
    "invalid-key-switch": ({}, _invalid_key_switch),
    "cancel": ({"site_in_profile": False}, _say("buy 1 BTC", "取消")),
}
OAUTH_SCENARIOS: dict[str, tuple[dict[str, Any], Step]] = {
    "fresh-login": ({}, _fresh_oauth_login),
    "denied-retry": ({}, _denied_then_retry),
    "pending": ({"auth": "pending", "site": "us"}, _pending_world),
    "logged-in": ({"auth": "logged_in", "site": "global"}, _logged_in_then_logout),
    "stale-preflight": ({"no_config": True}, _stale_preflight_skipped_login),
    "session-expired": ({"auth": "logged_in", "site": "eea"}, _session_expired_downstream),
    "network-down": ({}, _network_down_login),
    "binary": ({}, _binary),
    "spawn-failure": ({"binary": "missing"}, _say("log in", "1")),
    "session-lifetime": ({"auth": "logged_in"}, _say("how long does the session last?")),
}
SCENARIOS = {f"api-key/{k}": ("api_key", *v) for k, v in API_KEY_SCENARIOS.items()} | {
    f"oauth/{k}": ("oauth", *v) for k, v in OAUTH_SCENARIOS.items()
}


CALLER_SECRET_SCENARIOS = {"api-key/invalid-key-replace", "oauth/session-expired"}
SAID_BY_THE_GRAPH = {"outputs", "interrupts", "messages", "printed"}


async def _run_scenario(
    tmp_path: Path, name: str, caplog: pytest.LogCaptureFixture, capsys: Any, monkeypatch: Any
) -> dict[str, list[str]]:
    """Run one scenario with canaries; return, per place scanned, the canary windows found."""
    kind, world, drive = SCENARIOS[name]
    canaries = Canaries()
    for variable, value in canaries.env.items():
        monkeypatch.setenv(variable, value)
    caplog.set_level(logging.DEBUG)
    logging.getLogger().setLevel(logging.DEBUG)
    world = dict(world)
    if kind == "api_key":
        site = "eea" if world.pop("site_in_profile", True) else None
        config: dict[str, Any] | None = canaries.api_key_config(site)
    else:
        config = None if world.pop("no_config", False) else canaries.oauth_config()
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(config=config, **world)
    database = tmp_path / "checkpoints.sqlite"

    async with async_sqlite_checkpointer(database, compress=False) as saver:
        chat = CanaryConversation(emulator, saver, canaries)
        await drive(chat)
        checkpoints = [repr(c) async for c in saver.alist(None)]
        state = await chat.state()

    assert chat.outputs, "the scenario ran"
    for argv in (c["argv"] for c in emulator.calls()):
        assert argv_allowed(argv), argv
    assert len(checkpoints) > 1
    assert any(c["argv"] == ["config", "show", "--json"] for c in emulator.calls())
    if emulator.config_path.exists():
        assert canaries.secret_key in emulator.config_path.read_text()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("checkpoints.sqlite*"))
    places = {
        "sqlite bytes": raw.decode("latin-1"),
        "checkpoints": "\n".join(checkpoints),
        "final state": repr(state.values),
        "outputs": repr(chat.outputs),
        "interrupts": repr([exchange.interrupt for exchange in chat.exchanges]),
        "messages": "\n".join(m.text for m in state.values.get("messages", [])),
        "logs": "\n".join(
            f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records
        ),
        "printed": "".join(capsys.readouterr()),
        "traces": "\n".join(chat.traces.records),
    }
    assert len(chat.traces.records) > 10
    return {place: canaries.hits(text) for place, text in places.items()}


@pytest.mark.parametrize("name", sorted(set(SCENARIOS) - CALLER_SECRET_SCENARIOS))
async def test_no_canary_anywhere(
    tmp_path: Path,
    name: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    leaks = await _run_scenario(tmp_path, name, caplog, capsys, monkeypatch)
    leaked = sorted(place for place, hit in leaks.items() if hit)
    assert leaked == [], " ".join(leaked)


@pytest.mark.parametrize("name", sorted(CALLER_SECRET_SCENARIOS))
async def test_secret_in_a_failed_command_is_masked_in_what_the_graph_says(
    tmp_path: Path,
    name: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A caller passes a downstream error holding a secret: replies and questions mask it."""
    leaks = await _run_scenario(tmp_path, name, caplog, capsys, monkeypatch)
    assert sorted(place for place in SAID_BY_THE_GRAPH if leaks[place]) == []


INPUT_PLACES = ["traces"]
"""Known limitation: a tracer's callbacks receive the run's input as the caller gave it
(``failed_command`` included); callers that trace must mask it. The input checkpoint keeps no
raw ``failed_command`` (:class:`~okx_auth_graph.persistence.MaskingSerializer`), so neither the
checkpoints, the SQLite file nor the saver's DEBUG log of its INSERT hold it. Pinned exactly: a
leak anywhere else fails."""


@pytest.mark.parametrize("name", sorted(CALLER_SECRET_SCENARIOS))
async def test_secret_in_a_failed_command_reaches_only_a_tracer(
    tmp_path: Path,
    name: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    leaks = await _run_scenario(tmp_path, name, caplog, capsys, monkeypatch)
    leaked = sorted(place for place, hit in leaks.items() if hit)
    assert leaked == INPUT_PLACES


def test_the_scan_finds_a_leak() -> None:
    canaries = Canaries()
    assert canaries.hits(f"xx{canaries.passphrase[3:20]}yy")
    assert canaries.hits(repr({"a": canaries.env["OKX_SECRET_KEY"]}))
    assert not canaries.hits("nothing secret here ***0000")
