"""Fixtures for end-to-end graph tests: a fresh in-process emulator world and a conversation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from okx_auth_graph import Context
from okx_auth_graph.testing import OkxEmulator
from tests.conversation import Conversation, Mode, converse_on


@pytest.fixture
def emulator(tmp_path: Path) -> OkxEmulator:
    emu = OkxEmulator(tmp_path / "world")
    emu.init_world()
    return emu


@pytest.fixture
def converse(emulator: OkxEmulator) -> Callable[..., Conversation]:
    """``converse(context=None, *, mode="ainvoke", **graph_options)``: a new thread on a new graph
    over the test's emulator."""

    def make(
        context: Context | None = None, *, mode: Mode = "ainvoke", **options: Any
    ) -> Conversation:
        return converse_on(emulator, context=context, mode=mode, **options)

    return make
