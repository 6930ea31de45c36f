"""A caller's ``failed_command`` and ``upstream_status`` never reach a checkpointer's bytes.

LangGraph saves each entry's raw input in the ``__start__`` channel of its ``source="input"``
checkpoint. Canaries are put in ``failed_command.error`` (okx's stderr may quote a secret) and
at every level of ``upstream_status`` (keys and values), then looked for in the stored bytes of
each checkpointer the project offers (the SQLite file and its WAL, the PostgreSQL tables, an
``InMemorySaver`` given :class:`MaskingSerializer`) and in every checkpoint read back. The same
run on a saver without the serializer does hold them: the scan finds what is there.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Command

from okx_auth_graph import OkxCli, build_graph
from okx_auth_graph.persistence import (
    CompressingSerializer,
    MaskingSerializer,
    async_sqlite_checkpointer,
    postgres_checkpointer,
    sqlite_checkpointer,
    without_raw_inputs,
)
from okx_auth_graph.state import InputState
from okx_auth_graph.testing import OkxEmulator


class Canaries:
    """Fresh canary strings for one run, placed in both inputs."""

    def __init__(self) -> None:
        self.error = f"errcanary{secrets.token_hex(8)}"
        self.status_key = f"keycanary{secrets.token_hex(8)}"
        self.status_value = f"valcanary{secrets.token_hex(8)}"
        self.deep_value = f"deepcanary{secrets.token_hex(8)}"

    def all(self) -> list[str]:
        return [self.error, self.status_key, self.status_value, self.deep_value]

    def entry(self) -> InputState:
        error = f"Error: HTTP 401 from OKX: Invalid OK-ACCESS-KEY (key {self.error})"
        upstream = {
            "status": "logged_in",
            self.status_key: {"note": self.status_value, "deeper": [{"x": self.deep_value}]},
        }
        return cast(
            InputState,
            {
                "messages": [HumanMessage("my balance call failed")],
                "failed_command": {"argv": ["account", "balance"], "error": error},
                "upstream_status": upstream,
            },
        )

    def found(self, data: bytes | str) -> list[str]:
        text = data.decode("latin-1") if isinstance(data, bytes) else data
        return [canary for canary in self.all() if canary in text]


def _world(tmp_path: Path) -> OkxEmulator:
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(auth="logged_in", site="eea")
    return emulator


async def _run(saver: Any, emulator: OkxEmulator, canaries: Canaries, how: str) -> list[str]:
    """One entry with canaries (and a reply when the graph asks); every checkpoint, as text."""
    graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=saver)
    config: Any = {"configurable": {"thread_id": f"t-{how}"}}
    entry = canaries.entry()
    if how == "ainvoke":
        result = await graph.ainvoke(entry, config)
    else:
        result = None
        async for chunk in graph.astream(entry, config, stream_mode="values"):
            result = chunk
    assert result is not None
    if (await graph.aget_state(config)).interrupts:
        await graph.ainvoke(Command(resume="1"), config)
    assert emulator.calls(), "the graph ran okx"
    return [repr(c) async for c in saver.alist(config)]


def _sqlite_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.glob("c.sqlite*")))


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "compressed"])
@pytest.mark.parametrize("how", ["ainvoke", "astream"])
async def test_async_sqlite_helper_keeps_no_raw_input(tmp_path: Path, compress: bool, how: str):
    canaries = Canaries()
    async with async_sqlite_checkpointer(tmp_path / "c.sqlite", compress=compress) as saver:
        checkpoints = await _run(saver, _world(tmp_path), canaries, how)
    assert any("'source': 'input'" in c for c in checkpoints)
    assert canaries.found("\n".join(checkpoints)) == []
    assert canaries.found(_sqlite_bytes(tmp_path)) == []


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "compressed"])
def test_sync_sqlite_helper_keeps_no_raw_input(tmp_path: Path, compress: bool):
    canaries = Canaries()
    emulator = _world(tmp_path)
    with sqlite_checkpointer(tmp_path / "c.sqlite", compress=compress) as saver:
        graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=saver)
        config: Any = {"configurable": {"thread_id": "sync"}}
        graph.invoke(canaries.entry(), config)
        if graph.get_state(config).interrupts:
            graph.invoke(Command(resume="1"), config)
        checkpoints = [repr(c) for c in saver.list(config)]
    assert len(checkpoints) > 1
    assert canaries.found("\n".join(checkpoints)) == []
    assert canaries.found(_sqlite_bytes(tmp_path)) == []


def _memory_bytes(saver: InMemorySaver) -> bytes:
    stored = [saver.storage, saver.writes, saver.blobs]
    return repr(stored).encode()


async def test_a_users_own_saver_with_the_masking_serializer(tmp_path: Path):
    canaries = Canaries()
    saver = InMemorySaver(serde=MaskingSerializer())
    checkpoints = await _run(saver, _world(tmp_path), canaries, "ainvoke")
    assert canaries.found("\n".join(checkpoints)) == []
    assert canaries.found(_memory_bytes(saver)) == []


async def test_without_the_serializer_the_input_checkpoint_holds_them(tmp_path: Path):
    """The leak this guards against is real: LangGraph's input checkpoint keeps the raw input."""
    canaries = Canaries()
    saver = InMemorySaver()
    await _run(saver, _world(tmp_path), canaries, "ainvoke")
    assert canaries.found(_memory_bytes(saver)) == canaries.all()
    again = Canaries()
    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as plain:
        await _run(plain, _world(tmp_path / "again"), again, "ainvoke")
    assert again.found(_sqlite_bytes(tmp_path)) == again.all()


@pytest.mark.server
async def test_postgres_helper_keeps_no_raw_input(postgres_dsn: str, tmp_path: Path):
    import psycopg

    canaries = Canaries()
    async with postgres_checkpointer(postgres_dsn) as saver:
        checkpoints = await _run(saver, _world(tmp_path), canaries, "ainvoke")
    assert canaries.found("\n".join(checkpoints)) == []
    dumped: list[str] = []
    async with await psycopg.AsyncConnection.connect(postgres_dsn) as conn:
        for table in ("checkpoints", "checkpoint_blobs", "checkpoint_writes"):
            cursor = await conn.execute(f"SELECT * FROM {table}")
            dumped.extend(repr(row) for row in await cursor.fetchall())
    text = "\n".join(dumped)
    assert "__start__" in text, "the input checkpoint's channel is stored"
    assert canaries.found(text) == []


def test_only_the_entry_keys_change():
    entry = {"messages": ["hi"], "failed_command": {"argv": [], "error": "x"}, "route": None}
    checkpoint = {"v": 4, "channel_values": {"__start__": entry, "messages": ["kept"]}}
    masked = without_raw_inputs(checkpoint)
    assert masked["channel_values"]["__start__"] == {
        "messages": ["hi"],
        "failed_command": None,
        "route": None,
    }
    assert masked["channel_values"]["messages"] == ["kept"]
    assert checkpoint["channel_values"]["__start__"] is entry, "nothing changed in place"
    assert entry["failed_command"] == {"argv": [], "error": "x"}
    assert without_raw_inputs({"upstream_status": {"a": 1}, "k": 2}) == {
        "upstream_status": None,
        "k": 2,
    }
    for other in (["failed_command"], "failed_command", {"x": {"failed_command": 1}}, 3):
        assert without_raw_inputs(other) == other


@pytest.mark.parametrize(
    "wrap",
    [lambda s: s, lambda s: CompressingSerializer(s, threshold=0)],
    ids=["masking", "compressed"],
)
def test_the_serializer_round_trips_everything_else(wrap: Callable[[Any], Any]):
    serde = wrap(MaskingSerializer())
    value = {"messages": [HumanMessage("hello")], "route": "okx-cex-portfolio", "n": [1, 2.5]}
    assert serde.loads_typed(serde.dumps_typed(value)) == value
