"""The same fresh login on PostgreSQL (AsyncPostgresSaver) against a real server on 127.0.0.1.

The thread is started through one connection and finished through another, with a new graph
object each time, as two processes of a deployment sharing the database would do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from langchain_core.messages import HumanMessage
from langgraph.types import Command

from okx_auth_graph import Context, build_graph
from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.persistence import INTERRUPT_DURABILITY, postgres_checkpointer
from okx_auth_graph.testing import OkxEmulator
from tests.server.login_expectations import (
    CHINESE,
    ENGLISH,
    SCOPES,
    SITE_REPLY,
    Speaker,
    assert_authorization_question,
    assert_final_state,
    assert_fresh_login_calls,
    assert_site_question,
)

pytestmark = pytest.mark.server


@pytest.mark.parametrize("speaker", [ENGLISH, CHINESE], ids=["en", "zh"])
async def test_fresh_login_on_postgres(postgres_dsn: str, tmp_path: Path, speaker: Speaker) -> None:
    emulator = OkxEmulator(tmp_path / "world")
    emulator.init_world(auth="not_logged_in")
    cli = OkxCli(runner=emulator)
    thread_id = f"pg-login-{speaker.language}"
    config: Any = {"configurable": {"thread_id": thread_id}}

    async with postgres_checkpointer(postgres_dsn) as saver:
        graph = build_graph(cli=cli, checkpointer=saver)
        await graph.ainvoke(
            {"messages": [HumanMessage(speaker.request)]},
            config,
            context=Context(),
            durability=INTERRUPT_DURABILITY,
        )
        assert_site_question((await graph.aget_state(config)).interrupts[0].value)
        await graph.ainvoke(
            Command(resume=SITE_REPLY), config, context=Context(), durability=INTERRUPT_DURABILITY
        )

    emulator.approve(scopes=list(SCOPES))

    async with postgres_checkpointer(postgres_dsn) as saver:
        graph = build_graph(cli=cli, checkpointer=saver)
        [pending] = (await graph.aget_state(config)).interrupts
        challenge = pending.value
        assert_authorization_question(challenge, speaker.language)
        await graph.ainvoke(Command(resume=speaker.done), config, context=Context())
        snapshot = await graph.aget_state(config)

    assert snapshot.interrupts == ()
    assert_final_state(snapshot.values, challenge, speaker)
    assert_fresh_login_calls([call["argv"] for call in emulator.calls()])

    async with await psycopg.AsyncConnection.connect(postgres_dsn) as conn:
        cursor = await conn.execute(
            "SELECT count(*) FROM checkpoints WHERE thread_id = %s", (thread_id,)
        )
        row = await cursor.fetchone()
    assert row is not None
    assert row[0] >= 3, "each step of the three turns left a checkpoint in PostgreSQL"
