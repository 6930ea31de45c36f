"""World verbs, the call log, latency and concurrency, and the adapter on top of the emulator."""

from __future__ import annotations

import asyncio
import itertools
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.errors import OkxCliError
from okx_auth_graph.testing import OkxEmulator, WorldError
from okx_auth_graph.testing.world import ACCESS_TTL
from tests.emulator.samples import CONFIG_WITH_KEYS, SECRETS, wait_until_pending

# init


def test_init_world_starts_fresh(emu: OkxEmulator) -> None:
    emu.set("network", "down")
    emu.advance(100)
    asyncio.run(emu(["--version"], timeout=5))
    assert len(emu.calls()) == 1
    world = emu.init_world()
    assert world["clock"] == 0
    assert world["network"] == "up"
    assert world["auth"] == "not_logged_in"
    assert emu.calls() == []


def test_init_world_writes_a_real_config_toml(emu: OkxEmulator) -> None:
    emu.init_world(config=tomllib.loads(CONFIG_WITH_KEYS))
    assert emu.config_path == emu.home / ".okx" / "config.toml"
    assert tomllib.loads(emu.config_path.read_text()) == tomllib.loads(CONFIG_WITH_KEYS)
    emu.init_world()
    assert not emu.config_path.exists()


def test_init_world_never_destroys_a_config_the_user_wrote(emu: OkxEmulator) -> None:
    emu.config_path.parent.mkdir(parents=True)
    emu.config_path.write_text('default_profile = "mine"\n')
    emu.init_world()
    assert emu.config_path.read_text() == 'default_profile = "mine"\n'
    emu.init_world(config={"default_profile": "emulated"})
    backup = emu.config_path.with_name("config.toml.before-emulator")
    assert backup.read_text() == 'default_profile = "mine"\n'
    assert "emulated" in emu.config_path.read_text()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"auth": "maybe"}, "auth must be one of"),
        ({"site": "mars"}, "site must be one of"),
        ({"binary": "gone"}, "binary must be one of"),
        ({"install": "slow"}, "install must be one of"),
        ({"network": "flaky"}, "network must be one of"),
        ({"version": "latest"}, "version must look like"),
        ({"scopes": []}, "scopes must name"),
        ({"config": "not = [toml"}, "config is not valid TOML"),
    ],
)
def test_init_world_rejects_bad_values(
    emu: OkxEmulator, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        emu.init_world(**kwargs)  # type: ignore[arg-type]


def test_init_pending_and_logged_in_worlds(emu: OkxEmulator) -> None:
    pending = emu.init_world(auth="pending", site="eea")["pending"]
    assert pending["site"] == "eea"
    assert 595 <= pending["expiresIn"] <= 600
    world = emu.init_world(auth="logged_in", scopes="a,b")
    assert (world["auth"], world["site"], world["scopes"]) == ("logged_in", "global", ["a", "b"])


# verbs


def test_verbs_that_need_a_pending_code_refuse_without_one(emu: OkxEmulator) -> None:
    for verb in (emu.approve, emu.deny, emu.expire_code):
        with pytest.raises(WorldError, match="no pending authorization"):
            verb()
    with pytest.raises(WorldError, match="no session"):
        emu.expire_session()


def test_advance_moves_the_clock_and_rejects_negative_time(emu: OkxEmulator) -> None:
    assert emu.advance(30)["clock"] == 30
    assert emu.advance(12.5)["clock"] == 42.5
    with pytest.raises(ValueError, match="seconds"):
        emu.advance(-1)


@pytest.mark.parametrize(
    ("key", "value", "field", "expected"),
    [
        ("binary", "corrupt", "binary", "corrupt"),
        ("install", "cdn_failed", "install", "cdn_failed"),
        ("network", "down", "network", "down"),
        ("version", "1.3.2", "version", "1.3.2"),
        ("latency", "0.25", "latency", 0.25),
        ("login_cap", 2, "login_cap", 2.0),
        ("site", "us", "site", "us"),
        ("scopes", ["x:y", "z"], "scopes", ["x:y", "z"]),
        ("auth", "pending", "auth", "pending"),
        ("auth", "logged_in", "auth", "logged_in"),
    ],
)
def test_set_each_switch(
    emu: OkxEmulator, key: str, value: object, field: str, expected: object
) -> None:
    assert emu.set(key, value)[field] == expected
    assert emu.world()[field] == expected


@pytest.mark.parametrize(
    ("key", "value"),
    [("colour", "red"), ("auth", "yes"), ("latency", "-1"), ("latency", "soon"), ("scopes", ",")],
)
def test_set_rejects_bad_input(emu: OkxEmulator, key: str, value: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        emu.set(key, value)


async def test_set_auth_logged_in_uses_the_world_site_and_scopes(emu: OkxEmulator) -> None:
    emu.set("site", "eea")
    emu.set("scopes", "live:read")
    emu.set("auth", "logged_in")
    raw = await emu(["auth", "status", "--json"], timeout=5)
    data = json.loads(raw.stdout)
    assert (data["site"], data["scopes"]) == ("eea", ["live:read"])
    emu.set("auth", "not_logged_in")
    assert json.loads((await emu(["auth", "status", "--json"], timeout=5)).stdout)["status"] == (
        "not_logged_in"
    )


def test_world_summaries_never_hold_secrets(emu: OkxEmulator) -> None:
    texts = [
        json.dumps(emu.init_world(config=CONFIG_WITH_KEYS, auth="logged_in")),
        json.dumps(emu.world()),
        json.dumps(emu.set("network", "down")),
        json.dumps(emu.advance(1)),
        json.dumps(emu.expire_session()),
        (emu.state_dir / "world.json").read_text(),
    ]
    profiles = emu.world()["config"]["profiles"]
    assert profiles["live"] == {"site": "eea", "has_api_key": True}
    for text, secret in itertools.product(texts, SECRETS):
        assert secret not in text


# the call log, latency, concurrency


async def test_calls_record_argv_and_wall_clock_stamps(emu: OkxEmulator) -> None:
    await emu(["--version"], timeout=5)
    await emu(["auth", "status", "--json"], timeout=5)
    calls = emu.calls()
    assert [c["argv"] for c in calls] == [["--version"], ["auth", "status", "--json"]]
    assert all(c["started"] <= c["ended"] for c in calls)
    assert calls[0]["ended"] <= calls[1]["started"]
    assert [c["exit_code"] for c in calls] == [0, 0]


async def test_latency_is_spent_in_each_call(tmp_path: Path) -> None:
    emu = OkxEmulator(tmp_path / "w", latency=0.15)
    emu.init_world()
    await emu(["--version"], timeout=5)
    call = emu.calls()[0]
    assert call["ended"] - call["started"] >= 0.15


async def test_world_latency_overrides_the_constructor(emu: OkxEmulator) -> None:
    emu.set("latency", 0.1)
    await emu(["--version"], timeout=5)
    call = emu.calls()[0]
    assert call["ended"] - call["started"] >= 0.1


async def test_latency_longer_than_the_timeout_raises_timeout(tmp_path: Path) -> None:
    emu = OkxEmulator(tmp_path / "w", latency=2.0)
    emu.init_world()
    with pytest.raises(TimeoutError):
        await emu(["--version"], timeout=0.1)
    assert emu.calls()[0]["argv"] == ["--version"]


async def test_concurrent_calls_overlap(tmp_path: Path) -> None:
    emu = OkxEmulator(tmp_path / "w", latency=0.2)
    emu.init_world()
    results = await asyncio.gather(
        emu(["config", "show", "--json"], timeout=5),
        emu(["auth", "status", "--json"], timeout=5),
        emu(["--version"], timeout=5),
    )
    assert [r.exit_code for r in results] == [0, 0, 0]
    calls = emu.calls()
    assert len(calls) == 3
    assert max(c["started"] for c in calls) < min(c["ended"] for c in calls)


async def test_every_call_awaits_even_without_latency(emu: OkxEmulator) -> None:
    order: list[str] = []

    async def other() -> None:
        order.append("other")

    call = asyncio.ensure_future(emu(["--version"], timeout=5))
    await asyncio.gather(other(), call)
    assert order == ["other"]
    assert call.result().exit_code == 0


async def test_many_concurrent_logins_leave_one_consistent_world(emu: OkxEmulator) -> None:
    results = await asyncio.gather(
        *(emu(["auth", "login", "--manual", "--site", "eea"], timeout=10) for _ in range(8))
    )
    codes = {json.loads(r.stdout)["userCode"] for r in results}
    assert len(codes) == 8
    assert emu.world()["pending"]["userCode"] in codes
    assert len(emu.calls()) == 8


# the adapter on top of the emulator


async def test_adapter_flow_manual_login(emu: OkxEmulator) -> None:
    cli = OkxCli(runner=emu)
    assert await cli.version() == "1.3.1-beta.17"
    assert (await cli.config_show())["exists"] is False
    challenge = await cli.login_manual("us")
    assert challenge["expiresIn"] == 600  # type: ignore[typeddict-item]
    assert (await cli.auth_status())["status"] == "pending"
    emu.approve(scopes=["live:read"])
    assert await cli.auth_status() == {"status": "logged_in", "site": "us", "scopes": ["live:read"]}
    assert (await cli.logout())["status"] == "logged_out"
    assert [c["argv"][:2] for c in emu.calls()] == [
        ["--version"],
        ["config", "show"],
        ["auth", "login"],
        ["auth", "status"],
        ["auth", "status"],
        ["auth", "logout"],
    ]


async def test_adapter_sees_the_skipped_answer(emu: OkxEmulator) -> None:
    emu.init_world(config=CONFIG_WITH_KEYS)
    cli = OkxCli(runner=emu)
    summary = await cli.config_show()
    assert [p["has_api_key"] for p in summary["profiles"]] == [True, True]
    assert await cli.login_manual("eea") == {
        "status": "skipped",
        "reason": "api_key_configured",
        "profile": "live",
    }


@pytest.mark.parametrize(
    ("world", "call", "kind"),
    [
        ({"binary": "missing"}, "auth_status", "failed_to_spawn"),
        ({"binary": "corrupt"}, "logout", "failed_to_spawn"),
        ({"network": "down"}, "login_manual", "network_error"),
        ({"binary": "missing", "install": "cdn_failed"}, "install", "install_failed"),
        ({"version": "1.2.4"}, "auth_status", "cli_too_old"),
    ],
)
async def test_adapter_classifies_emulated_failures(
    emu: OkxEmulator, world: dict[str, Any], call: str, kind: str
) -> None:
    emu.init_world(**world)
    cli = OkxCli(runner=emu)
    method = getattr(cli, call)
    with pytest.raises(OkxCliError) as caught:
        await (method("eea") if call == "login_manual" else method())
    assert caught.value.kind == kind


@pytest.mark.parametrize(
    ("verb", "kind"), [("deny", "access_denied"), ("expire_code", "authorization_timed_out")]
)
async def test_adapter_classifies_interactive_login_failures(
    emu: OkxEmulator, verb: str, kind: str
) -> None:
    cli = OkxCli(runner=emu, login_timeout=10)
    task = asyncio.create_task(cli.login_interactive("eea"))
    await wait_until_pending(emu, task)
    getattr(emu, verb)()
    with pytest.raises(OkxCliError) as caught:
        await task
    assert caught.value.kind == kind


async def test_adapter_interactive_login_succeeds(emu: OkxEmulator) -> None:
    cli = OkxCli(runner=emu, login_timeout=10)
    task = asyncio.create_task(cli.login_interactive("global"))
    await wait_until_pending(emu, task)
    emu.approve()
    assert (await task)["status"] == "logged_in"


async def test_status_ttl_counts_down_with_the_clock(emu: OkxEmulator) -> None:
    emu.init_world(auth="logged_in")
    emu.advance(600)
    ttl = json.loads((await emu(["auth", "status", "--json"], timeout=5)).stdout)["ttl"]
    assert ACCESS_TTL - 605 <= ttl <= ACCESS_TTL - 600


async def test_no_blocking_io_on_the_event_loop(emu: OkxEmulator) -> None:
    """langgraph dev runs graphs under blockbuster: the in-process emulator must pass it."""
    from blockbuster import blockbuster_ctx

    emu.init_world(config={"profiles": {"p": {"site": "eea"}}}, login_cap=5)
    await emu(["account", "balance"], timeout=5)
    argvs = [
        ["--version"],
        ["config", "show", "--json"],
        ["config", "use", "p"],
        ["auth", "status", "--json"],
        ["auth", "login", "--manual", "--site", "eea"],
        ["auth", "install-status", "--json"],
        ["auth", "remove", "--force", "--json"],
        ["auth", "install", "--json"],
        ["account", "balance"],
    ]
    with blockbuster_ctx():
        codes = [(await emu(argv, timeout=5)).exit_code for argv in argvs]
        wizard = await emu(["config", "init"], timeout=5, stdin=b"1\ny\nq\nA\nS\nP\n")
        earlier = (await asyncio.to_thread(emu.world))["pending"]["userCode"]
        login = asyncio.create_task(emu(["auth", "login", "--site", "us"], timeout=10))
        for _ in range(500):
            pending = (await asyncio.to_thread(emu.world))["pending"] or {}
            if pending.get("userCode") not in (None, earlier) or login.done():
                break
            await asyncio.sleep(0.01)
        await asyncio.to_thread(emu.approve)
        interactive = await login
    assert codes == [0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert wizard.exit_code == 0
    assert interactive.exit_code == 0
