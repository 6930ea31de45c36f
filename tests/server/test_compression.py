"""The SQLite helpers compress checkpoints; threads resume from them; old rows still load."""

from __future__ import annotations

import sqlite3

from langchain_core.messages import HumanMessage
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.types import Command

from okx_auth_graph import OkxCli, build_graph
from okx_auth_graph.persistence import CompressingSerializer, async_sqlite_checkpointer
from okx_auth_graph.testing import OkxEmulator


def test_large_payloads_are_compressed_and_round_trip():
    serde = CompressingSerializer(JsonPlusSerializer())
    state = {"messages": ["您需要选择要连接的 OKX 站点" * 50], "n": 1}
    kind, data = serde.dumps_typed(state)
    assert kind.endswith("+zlib")
    assert len(data) < len(JsonPlusSerializer().dumps_typed(state)[1]) / 3
    assert serde.loads_typed((kind, data)) == state


def test_small_and_old_uncompressed_payloads_load_unchanged():
    inner = JsonPlusSerializer()
    serde = CompressingSerializer(inner)
    assert serde.dumps_typed({"a": 1}) == inner.dumps_typed({"a": 1})
    old = inner.dumps_typed({"messages": ["x" * 4000]})
    assert serde.loads_typed(old) == {"messages": ["x" * 4000]}


async def test_a_login_resumes_from_a_compressed_sqlite_file(tmp_path):
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world()
    db = tmp_path / "threads.sqlite"
    config = {"configurable": {"thread_id": "t"}}
    for turn in ({"messages": [HumanMessage("log in")]}, Command(resume="3")):
        async with async_sqlite_checkpointer(db) as saver:
            graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=saver)
            await graph.ainvoke(turn, config)
    emulator.approve()
    async with async_sqlite_checkpointer(db) as saver:
        graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=saver)
        result = await graph.ainvoke(Command(resume="done"), config)
    assert result["outcome"] == "logged_in"
    assert result["site"] == "us"
    with sqlite3.connect(db) as connection:
        kinds = {row[0] for row in connection.execute("select type from checkpoints")}
    assert any(kind.endswith("+zlib") for kind in kinds)
