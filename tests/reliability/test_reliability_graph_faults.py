"""Faults through the graph: every failure is a clear reply with the spec's action.

Faults come from the emulator's world (``okx-auth`` missing or corrupt, install failing,
network down, clock jumps, an okx too old) and from a misbehaving runner wrapped around it
(hanging until the timeout, crashing on a signal, garbage / truncated / 10 MB / invalid UTF-8
output) at each okx call of a login. For each: no exception leaves the graph, the run ends in a
question or an outcome whose text carries the action, no okx argv outside the closed set is
run, and the thread stays usable — a new input afterwards gets a normal answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage
from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph import Context, OkxCli, build_graph
from okx_auth_graph.okx.errors import RECOMMENDED_ACTIONS
from okx_auth_graph.okx.process import RawResult
from okx_auth_graph.testing import OkxEmulator
from tests.conversation import Conversation, Exchange, converse_on
from tests.reliability.questions import argv_allowed

INSTALL_CLI = "npm install -g @okx_ai/okx-trade-cli"
TEN_MB = 10 * 1024 * 1024
OUTCOMES = {
    "logged_in",
    "api_key_configured",
    "no_auth_needed",
    "logged_out",
    "retry_declined",
    "binary_ready",
    "needs_user_action",
    "status_reported",
    "cancelled",
    "failed",
}


class FaultyRunner:
    """Wraps the emulator; the ``nth`` call whose argv starts with ``prefix`` misbehaves.

    Args:
        emulator: The runner that answers every other call.
        prefix: Which okx command to break (e.g. ``["auth", "status"]``).
        fault: ``hang``, ``crash``, ``garbage``, ``truncated``, ``huge``, ``bad-utf8``,
            ``empty`` or ``missing``.
        nth: Which matching call breaks (1 = the first); ``0`` breaks every one.
    """

    def __init__(self, emulator: OkxEmulator, prefix: Sequence[str], fault: str, nth: int) -> None:
        self.emulator = emulator
        self.prefix = list(prefix)
        self.fault = fault
        self.nth = nth
        self.seen = 0
        self.active = True

    @property
    def state_dir(self) -> Path:
        return self.emulator.state_dir

    async def __call__(
        self, argv: Sequence[str], *, timeout: float, stdin: bytes | None = None
    ) -> RawResult:
        args = tuple(str(a) for a in argv)
        if self.active and list(args[: len(self.prefix)]) == self.prefix:
            self.seen += 1
            if self.nth in (0, self.seen):
                return await self._misbehave(args, timeout)
        return await self.emulator(argv, timeout=timeout, stdin=stdin)

    async def _misbehave(self, args: tuple[str, ...], timeout: float) -> RawResult:
        if self.fault == "hang":
            async with asyncio.timeout(timeout):
                await asyncio.sleep(3600)
        if self.fault == "missing":
            raise FileNotFoundError(2, "No such file or directory", "okx")
        outputs = {
            "crash": (-11, b"", b""),
            "garbage": (0, b"<html>502 Bad Gateway</html>", b""),
            "truncated": (0, b'{"status":"logged_in","site":"gl', b""),
            "huge": (0, b"x" * TEN_MB, b"y" * TEN_MB),
            "bad-utf8": (0, b'{"status":"\xff\xfe"}', b""),
            "empty": (0, b"", b""),
        }
        code, out, err = outputs[self.fault]
        return RawResult(args, code, out, err)


def _shown(result: Exchange) -> str:
    question = result.interrupt
    if question is not None:
        return str(question["message"])
    last = [m for m in result.state["messages"] if isinstance(m, AIMessage)]
    return last[-1].text if last else ""


def _check_answered(chat: Conversation, result: Exchange) -> str:
    question = result.interrupt
    if question is None:
        assert result.outcome in OUTCOMES, result
    for argv in chat.argvs():
        assert argv_allowed(argv), argv
    text = _shown(result)
    assert text
    assert len(text) < 6000
    return text


async def _still_usable(chat: Conversation) -> None:
    after = await chat.start("what is my okx login status?")
    assert after.interrupt is None
    assert after.outcome == "status_reported"


FAULTS = ["hang", "crash", "garbage", "truncated", "huge", "bad-utf8", "empty", "missing"]
EXPECTED_ACTION = {
    "hang": RECOMMENDED_ACTIONS["timeout"],
    "crash": RECOMMENDED_ACTIONS["unknown"],
    "garbage": RECOMMENDED_ACTIONS["unparseable_output"],
    "truncated": RECOMMENDED_ACTIONS["unparseable_output"],
    "huge": RECOMMENDED_ACTIONS["unparseable_output"],
    "bad-utf8": RECOMMENDED_ACTIONS["unparseable_output"],
    "empty": RECOMMENDED_ACTIONS["unparseable_output"],
    "missing": INSTALL_CLI,
}
# (which command, which of its calls, what the user has said before the fault)
STAGES = {
    "preflight-config": (["config", "show"], 1, []),
    "preflight-status": (["auth", "status"], 1, []),
    "login": (["auth", "login"], 1, ["2"]),
    "check": (["auth", "status"], 2, ["2", "done"]),
}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("stage", sorted(STAGES))
async def test_runner_fault_at_each_login_call(tmp_path: Path, stage: str, fault: str) -> None:
    prefix, nth, replies = STAGES[stage]
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    runner = FaultyRunner(emulator, prefix, fault, nth)
    # A short timeout only where the fault is the hang: the healthy pre-flight call next to a
    # 10 MB answer must not time out on a loaded machine.
    timeout = 0.3 if fault == "hang" else 10.0
    graph = build_graph(cli=OkxCli(runner=runner, timeout=timeout), checkpointer=InMemorySaver())
    chat = converse_on(emulator, graph=graph)
    result = await chat.start("log in to okx")
    for reply in replies:
        if reply == "done":
            emulator.approve()
        result = await chat.reply(reply)
    text = _check_answered(chat, result)
    action = EXPECTED_ACTION[fault]
    if fault == "crash" and stage == "login":
        assert "-11" in text or "failed" in text.lower()
    elif stage == "login" and (result.interrupt or {}).get("type") == "confirm_retry":
        # a failed login: the error, then the graph's own retry offer (through the menu)
        assert "The login failed" in text, text
        assert "try again" in text, text
    else:
        assert action in text, text
    runner.active = False
    if result.interrupt is not None and result.interrupt["type"] == "await_authorization":
        final = await chat.reply("done")
        _check_answered(chat, final)
    await _still_usable(chat)


async def _drive_login(chat: Conversation, site_reply: str = "1") -> Exchange:
    result = await chat.start("log in")
    if (result.interrupt or {}).get("type") == "choose_site":
        result = await chat.reply(site_reply)
    return result


@pytest.mark.parametrize("binary", ["missing", "corrupt"])
async def test_okx_auth_missing_or_corrupt_is_reinstalled_once(tmp_path: Path, binary: str):
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(binary=binary)
    chat = converse_on(emulator)
    result = await chat.start("log in")
    assert result.interrupt["type"] == "choose_site"
    argvs = chat.argvs()
    assert argvs[2:] == [
        ["auth", "install", "--json"],
        ["auth", "install-status", "--json"],
        ["auth", "status", "--json"],
    ]
    assert any("installed it again" in m.text for m in result.state["messages"])
    result = await chat.reply("1")
    assert result.interrupt["type"] == "await_authorization"
    await _still_usable(chat)


async def test_install_failing(tmp_path: Path) -> None:
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(binary="missing", install="cdn_failed")
    chat = converse_on(emulator)
    result = await chat.start("log in")
    text = _check_answered(chat, result)
    assert RECOMMENDED_ACTIONS["install_failed"] in text
    assert "All CDN sources failed" in text
    installs = [a for a in chat.argvs() if a[:3] == ["auth", "install", "--json"]]
    assert len(installs) == 1, "no install loop"
    emulator.set("install", "ok")
    result = await chat.start("install okx-auth")
    assert result.outcome == "binary_ready"
    await _still_usable(chat)


async def test_network_down_during_login(tmp_path: Path) -> None:
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    chat = converse_on(emulator)
    await chat.start("log in")
    emulator.set("network", "down")
    result = await chat.reply("2")
    text = _check_answered(chat, result)
    assert result.interrupt["type"] == "confirm_retry"
    assert "Network error" in text
    assert "try again" in text  # the graph offers the retry itself, through the menu
    emulator.set("network", "up")
    result = await chat.reply("yes")
    assert result.interrupt["type"] == "choose_site"
    result = await chat.reply("2")
    assert result.interrupt["type"] == "await_authorization"
    assert len([a for a in chat.argvs() if a[:2] == ["auth", "login"]]) == 2


async def test_clock_jumps_past_the_code_expiry(tmp_path: Path) -> None:
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    chat = converse_on(emulator)
    await _drive_login(chat, "3")
    emulator.advance(3600)
    result = await chat.reply("done")
    assert result.interrupt["type"] == "confirm_retry"
    assert chat.argvs()[-1] == ["auth", "status", "--json"]
    result = await chat.reply("no")
    assert result.outcome == "retry_declined"
    await _still_usable(chat)


async def test_clock_jumps_past_the_session_expiry(tmp_path: Path) -> None:
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(auth="logged_in", site="eea")
    chat = converse_on(emulator)
    assert (await chat.start("show my balance")).outcome == "logged_in"
    emulator.advance(400 * 24 * 3600)
    result = await chat.start("show my balance")
    assert result.interrupt["type"] == "choose_site"
    assert [a for a in chat.argvs() if a[:2] == ["auth", "login"]] == []
    result = await chat.reply("2")
    assert result.interrupt["type"] == "await_authorization"


async def test_okx_too_old(tmp_path: Path) -> None:
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(version="1.2.4")
    chat = converse_on(emulator)
    result = await chat.start("log in")
    text = _check_answered(chat, result)
    assert result.outcome == "needs_user_action"
    assert "1.3.1-beta.17" in text
    assert "okx config init" in text  # the API key works with this okx
    assert "npm install" not in text  # reinstalling gives 1.2.4 again
    assert [a for a in chat.argvs() if a[:2] == ["auth", "login"]] == []


async def test_okx_missing_through_the_context(tmp_path: Path) -> None:
    graph = build_graph(checkpointer=InMemorySaver())
    context = Context(okx_executable=str(tmp_path / "no-okx"), okx_home=str(tmp_path))
    emulator = OkxEmulator(tmp_path / "unused")
    emulator.init_world()
    chat = converse_on(emulator, graph=graph, context=context)
    result = await chat.start("log in")
    assert result.outcome == "failed"
    assert INSTALL_CLI in _shown(result)
    result = await chat.start("what is the BTC price?")
    assert result.outcome == "no_auth_needed"


@pytest.mark.parametrize(
    ("world", "expected"),
    [
        # The error reference's words for the kind the CLI's text names (written here by hand).
        ({"login_cap": 0.3}, "Authorization timed out"),
        ({"network": "down"}, "Network error during login"),
    ],
)
async def test_interactive_login_failures(tmp_path: Path, world: dict, expected: str) -> None:
    """The blocking ``okx auth login --site X`` failing: the error and its action, then a retry."""
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(**world)
    chat = converse_on(emulator, context=Context(interactive_login=True))
    await chat.start("log in")
    result = await chat.reply("2")
    text = _check_answered(chat, result)
    assert result.interrupt["type"] == "confirm_retry"
    assert f"The login failed: {expected}" in text
    assert "try again" in text
    assert [a for a in chat.argvs() if a[:2] == ["auth", "login"]] == [
        ["auth", "login", "--site", "eea"]
    ]
    assert (await chat.reply("no")).outcome == "retry_declined"
    await _still_usable(chat)


async def test_interactive_login_timeout_of_the_adapter(tmp_path: Path) -> None:
    """The adapter's own login timeout (the CLI never returns) is a retry question, not a hang."""
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(login_cap=30)
    cli = OkxCli(runner=emulator, login_timeout=0.3)
    graph = build_graph(cli=cli, checkpointer=InMemorySaver())
    chat = converse_on(emulator, graph=graph, context=Context(interactive_login=True))
    await chat.start("log in")
    result = await chat.reply("3")
    text = _check_answered(chat, result)
    assert result.interrupt["type"] == "confirm_retry"
    assert "did not finish within 0.3 s" in text
    assert "try again" in text
    await _still_usable(chat)


@pytest.mark.parametrize("binary", ["installed", "missing"])
@pytest.mark.parametrize(
    "argv",
    [
        ["auth", "status", "--json"],
        ["auth", "login", "--manual", "--site", "eea"],
        ["auth", "logout"],
        ["account", "balance", "--json"],
    ],
    ids=["status", "login", "logout", "downstream"],
)
async def test_failed_to_spawn_downstream_reinstalls_once(
    tmp_path: Path, binary: str, argv: list[str]
) -> None:
    """ "Failed to spawn okx-auth" from a downstream command: one install, never a loop."""
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(binary=binary)
    chat = converse_on(emulator)
    failure = {"argv": argv, "error": "Error: Failed to spawn okx-auth: ENOENT"}
    result = await chat.start("my okx command failed", failed_command=failure)
    _check_answered(chat, result)
    installs = [a for a in chat.argvs() if a == ["auth", "install", "--json"]]
    assert len(installs) == 1, chat.argvs()
    assert len(chat.argvs()) <= 7, chat.argvs()
    await _still_usable(chat)
