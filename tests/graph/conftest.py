"""Fixtures for end-to-end graph tests: a fresh in-process emulator world and a conversation.

LangGraph and the package are imported inside the fixtures, not here: with pytest-xdist the
controller loads this file only to read its fixtures (it runs no test), and those imports cost
it about two CPU-seconds for nothing (the workers import them with the tests anyway).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from okx_auth_graph import Context
    from okx_auth_graph.testing import OkxEmulator
    from tests.conversation import Conversation, Mode


@pytest.fixture
def emulator(tmp_path: Path) -> OkxEmulator:
    from okx_auth_graph.testing import OkxEmulator

    emu = OkxEmulator(tmp_path / "world")
    emu.init_world()
    return emu


@pytest.fixture
def converse(emulator: OkxEmulator) -> Callable[..., Conversation]:
    """``converse(context=None, *, mode="ainvoke", **graph_options)``: a new thread on a new graph
    over the test's emulator."""
    from tests.conversation import converse_on

    def make(
        context: Context | None = None, *, mode: Mode = "ainvoke", **options: Any
    ) -> Conversation:
        return converse_on(emulator, context=context, mode=mode, **options)

    return make
