"""Fixtures for end-to-end graph tests: a fresh in-process emulator world and a conversation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph import Context, OkxCli, build_graph
from okx_auth_graph.testing import OkxEmulator
from tests.graph.graph_driver import Conversation


@pytest.fixture
def emulator(tmp_path: Path) -> OkxEmulator:
    emu = OkxEmulator(tmp_path / "world")
    emu.init_world()
    return emu


@pytest.fixture
def converse(emulator: OkxEmulator):
    def make(
        context: Context | None = None, *, mode: str = "ainvoke", **options: Any
    ) -> Conversation:
        graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=InMemorySaver(), **options)
        return Conversation(graph, emulator, context, mode=mode)

    return make
