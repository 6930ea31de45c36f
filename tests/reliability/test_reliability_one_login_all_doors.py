"""One login at a time across doors: the graph and the LangChain tools share the core's lock.

``okx_start_login`` and the graph's login node both reach ``okx auth login`` only through
:func:`okx_auth_graph.core.log_in`, which takes the okx home's login lock itself. Asked at the
same moment on one okx home (one emulator world), they make exactly one ``okx auth login``; the
other door takes the pending branch. The same holds for two processes using the tools.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage

from okx_auth_graph.doors.tools import make_tools
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.testing import OkxEmulator
from tests.apps.agents import build_tool_graph
from tests.conversation import converse_on
from tests.spec_texts import MENU

LOGIN = ["auth", "login", "--manual", "--site", "eea"]
CHOSEN: list[AnyMessage] = [
    HumanMessage("log in to okx"),
    AIMessage(MENU),
    HumanMessage("2"),
]


def _logins(emulator: OkxEmulator) -> list[list[str]]:
    return [c["argv"] for c in emulator.calls() if c["argv"][:2] == ["auth", "login"]]


async def _start_login_tool(emulator: OkxEmulator) -> dict[str, Any]:
    call = AIMessage(
        "", tool_calls=[{"name": "okx_start_login", "args": {"site": "eea"}, "id": "c"}]
    )
    graph = build_tool_graph(make_tools(OkxCli(runner=emulator)))
    result = await graph.ainvoke({"messages": [*CHOSEN, call]})
    message = result["messages"][-1]
    assert isinstance(message, ToolMessage)
    parsed: dict[str, Any] = json.loads(str(message.content))
    return parsed


async def test_the_tools_and_the_graph_asked_at_once_start_one_login(tmp_path: Path) -> None:
    winners = set()
    for round_ in range(4):
        emulator = OkxEmulator(tmp_path / f"world-{round_}", latency=0.05)
        emulator.init_world()
        chat = converse_on(emulator)
        assert (await chat.start("log in to okx")).interrupt["type"] == "choose_site"
        graph_turn, tool_result = await asyncio.gather(chat.reply("2"), _start_login_tool(emulator))
        assert _logins(emulator) == [LOGIN]
        question = graph_turn.interrupt
        assert question["type"] == "await_authorization"
        if question.get("userCode"):  # the graph logged in: the tool stands aside
            winners.add("graph")
            assert tool_result["status"] == "refused", tool_result
            assert tool_result["auth_status"] == "pending"
        else:  # the tool logged in: the graph waits for the signal, with no code of its own
            winners.add("tools")
            assert tool_result["status"] == "code_issued", tool_result
            assert "already in progress" in question["message"]
        emulator.approve()
        final = await chat.reply("done")
        assert final.outcome == "logged_in"
        assert _logins(emulator) == [LOGIN]
    assert winners, "each round has a winner"


WORKER = textwrap.dedent(
    """
    import asyncio, json, sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    from tests.reliability.test_reliability_one_login_all_doors import _start_login_tool
    from okx_auth_graph.testing import OkxEmulator

    async def main():
        world, go = Path(sys.argv[1]), Path(sys.argv[2])
        emulator = OkxEmulator(world)
        (world.parent / f"ready-{sys.argv[4]}").touch()
        deadline = time.monotonic() + 60
        while not go.exists() and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        print(json.dumps(await _start_login_tool(emulator)))

    asyncio.run(main())
    """
)


def test_two_processes_using_the_tools_start_one_login(tmp_path: Path) -> None:
    world = tmp_path / "world"
    OkxEmulator(world, latency=0.05).init_world()
    go = tmp_path / "go"
    root = str(Path(__file__).resolve().parents[2])
    here = str(Path(__file__).parent)
    script = f"import sys; sys.path.insert(0, {here!r})\n{WORKER}"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(world), str(go), root, str(i)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{i}").exists() for i in range(2)):
        assert time.monotonic() < deadline, "workers did not start"
        assert all(w.poll() is None for w in workers), [w.communicate() for w in workers]
        time.sleep(0.01)
    go.touch()
    outputs = [w.communicate(timeout=60) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert _logins(OkxEmulator(world)) == [LOGIN]
    assert sorted(r["status"] for r in results) == ["code_issued", "refused"], results
    refused = next(r for r in results if r["status"] == "refused")
    assert refused["auth_status"] == "pending"
