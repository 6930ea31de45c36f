"""The graph served by ``langgraph dev`` (as LangGraph Studio uses it), driven by langgraph-sdk.

One server per session (the ``langgraph_server`` fixture) serves ``langgraph.json`` with the okx
emulator as ``okx``; each test starts from a fresh emulator world and its own thread.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from tests.rigs.servers import LanggraphServer
from tests.server.login_expectations import (
    REQUEST,
    SCOPES,
    SITE_REPLY,
    assert_authorization_question,
    assert_final_state,
    assert_fresh_login_calls,
    assert_site_question,
    challenge_text,
    site_menu,
    success_text,
)

pytestmark = pytest.mark.server

GRAPH_ID = "okx_auth"
START: dict[str, Any] = {"messages": [{"type": "human", "content": REQUEST}]}


def fresh_world(server: LanggraphServer) -> None:
    server.emulator("world", "init", "--auth", "not_logged_in")


def recorded_argvs(server: LanggraphServer) -> list[list[str]]:
    return [call["argv"] for call in json.loads(server.emulator("calls").stdout)]


async def pending_interrupt(client: LangGraphClient, thread_id: str) -> dict[str, Any]:
    """The one pending question of a thread, as Studio receives it (payload and reply schema)."""
    state = await client.threads.get_state(thread_id)
    interrupts = state["interrupts"]
    assert len(interrupts) == 1, interrupts
    value: dict[str, Any] = interrupts[0]["value"]
    schema = interrupts[0]["response_schema"]
    assert schema["type"] == "string", "Studio renders the question as a text box"
    assert schema["title"] == value["type"]
    assert schema["description"]
    return value


async def test_fresh_login_through_the_server(langgraph_server: LanggraphServer) -> None:
    fresh_world(langgraph_server)
    client = get_client(url=langgraph_server.url)
    assistants = await client.assistants.search(graph_id=GRAPH_ID)
    assert [a["graph_id"] for a in assistants] == [GRAPH_ID]
    thread_id = (await client.threads.create())["thread_id"]

    await client.runs.wait(thread_id, GRAPH_ID, input=START)
    assert_site_question(await pending_interrupt(client, thread_id))

    await client.runs.wait(thread_id, GRAPH_ID, command={"resume": SITE_REPLY})
    challenge = await pending_interrupt(client, thread_id)
    assert_authorization_question(challenge)

    langgraph_server.emulator("world", "approve", "--scopes", ",".join(SCOPES))
    await client.runs.wait(thread_id, GRAPH_ID, command={"resume": "done"})

    state = await client.threads.get_state(thread_id)
    assert state["interrupts"] == []
    assert state["next"] == []
    assert_final_state(cast(dict[str, Any], state["values"]), challenge)
    assert_fresh_login_calls(recorded_argvs(langgraph_server))


async def stream_turn(
    client: LangGraphClient, thread_id: str, **run: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Stream one run; return its ``updates`` chunks and the AI messages of ``messages`` events."""
    updates: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    async for part in client.runs.stream(
        thread_id, GRAPH_ID, stream_mode=["updates", "messages"], **run
    ):
        assert part.event != "error", part.data
        if part.event == "updates":
            updates.append(part.data)
        elif part.event == "messages/complete":
            messages.extend(m for m in part.data if m["type"] == "ai")
    return updates, messages


def interrupts_in(updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i["value"] for chunk in updates for i in chunk.get("__interrupt__", [])]


def node_names(updates: list[dict[str, Any]]) -> set[str]:
    return {name for chunk in updates for name in chunk if name != "__interrupt__"}


async def test_streaming_updates_and_messages(langgraph_server: LanggraphServer) -> None:
    fresh_world(langgraph_server)
    client = get_client(url=langgraph_server.url)
    thread_id = (await client.threads.create())["thread_id"]

    first_updates, first_messages = await stream_turn(client, thread_id, input=START)
    [site_question] = interrupts_in(first_updates)
    assert_site_question(site_question)
    assert node_names(first_updates), "node updates are streamed before the interrupt"

    second_updates, second_messages = await stream_turn(
        client, thread_id, command={"resume": SITE_REPLY}
    )
    [challenge] = interrupts_in(second_updates)
    assert_authorization_question(challenge)
    assert node_names(second_updates)

    langgraph_server.emulator("world", "approve", "--scopes", ",".join(SCOPES))
    last_updates, last_messages = await stream_turn(client, thread_id, command={"resume": "done"})
    assert interrupts_in(last_updates) == []
    assert node_names(last_updates)

    streamed = [m["content"] for m in first_messages + second_messages + last_messages]
    assert streamed.count(site_menu()) == 1
    assert streamed.count(challenge_text(challenge)) == 1
    assert [m["content"] for m in last_messages][-1] == success_text()


def resolved(schema: dict[str, Any], prop: dict[str, Any]) -> dict[str, Any]:
    """A property's schema with a top-level ``$ref`` or a nullable ``anyOf`` resolved."""
    if "$ref" in prop:
        prop = schema["$defs"][prop["$ref"].rsplit("/", 1)[-1]]
    for option in prop.get("anyOf", []):
        if option.get("type") != "null":
            return resolved(schema, option)
    return prop


async def test_studio_gets_the_input_and_output_schemas(
    langgraph_server: LanggraphServer,
) -> None:
    """``/assistants/{id}/schemas`` (Studio's input and context forms) has every schema.

    Python 3.11 is where a ``typing.TypedDict`` state left both ``null`` and the server log said
    "Please use typing_extensions.TypedDict".
    """
    client = get_client(url=langgraph_server.url)
    [assistant] = await client.assistants.search(graph_id=GRAPH_ID)
    schemas = await client.assistants.get_schemas(assistant["assistant_id"])
    inputs, outputs = schemas["input_schema"], schemas["output_schema"]
    assert inputs is not None, "the server could not read the input state"
    assert outputs is not None, "the server could not read the output state"
    assert {"messages", "upstream_status", "failed_command"} <= set(inputs["properties"])
    assert {"route", "outcome", "site", "language"} <= set(outputs["properties"])
    assert resolved(inputs, inputs["properties"]["messages"])["type"] == "array"
    outcome = resolved(outputs, outputs["properties"]["outcome"])
    assert {"logged_in", "api_key_configured", "cancelled", "needs_user_action"} <= set(
        outcome["enum"]
    )
    routes = set(resolved(outputs, outputs["properties"]["route"])["enum"])
    assert {"okx-cex-trade", "okx-cex-portfolio", "okx-cex-market"} <= routes
    assert set(resolved(outputs, outputs["properties"]["language"])["enum"]) == {"en", "zh"}
    state = schemas["state_schema"]
    assert state is not None
    assert {"messages", "outcome", "challenge", "auth"} <= set(state["properties"])
    context = schemas["context_schema"]
    assert context is not None, "Studio's context form (language, message window)"
    assert {"language", "message_window"} <= set(context["properties"])
    assert set(resolved(context, context["properties"]["language"])["enum"]) == {"en", "zh"}
    for operator_setting in ("okx_executable", "okx_home", "okx_env", "timeout", "chat_model"):
        # listed so that a run naming one is refused rather than silently dropped; only null fits
        assert context["properties"][operator_setting]["type"] == "null", operator_setting
    assert "typing_extensions.TypedDict" not in langgraph_server.log_path.read_text(
        encoding="utf-8", errors="replace"
    ), "the server warned that it cannot read a typing.TypedDict"


OPERATOR_ATTACKS: dict[str, dict[str, Any]] = {
    "executable and env": {"okx_executable": "/bin/bash", "okx_env": {"BASH_ENV": "$(id > {c})"}},
    "home": {"okx_home": "/etc"},
    "interactive login": {"interactive_login": True},
    "timeout": {"timeout": 1e9},
}


@pytest.mark.parametrize("where", ["context", "configurable"])
@pytest.mark.parametrize("attack", sorted(OPERATOR_ATTACKS))
async def test_a_client_cannot_choose_the_program_run_as_okx(
    langgraph_server: LanggraphServer, tmp_path: Path, attack: str, where: str
) -> None:
    """Issue 19: a run naming an operator setting errors before any node; nothing is spawned."""
    fresh_world(langgraph_server)
    canary = tmp_path / "canary"
    settings = json.loads(json.dumps(OPERATOR_ATTACKS[attack]).replace("{c}", str(canary)))
    client = get_client(url=langgraph_server.url)
    thread_id = (await client.threads.create())["thread_id"]
    run_settings: dict[str, Any] = (
        {"context": settings} if where == "context" else {"config": {"configurable": settings}}
    )
    run = await client.runs.create(thread_id, GRAPH_ID, input=START, **run_settings)
    await client.runs.join(thread_id, run["run_id"])
    finished = await client.runs.get(thread_id, run["run_id"])
    assert finished["status"] == "error", finished
    assert not canary.exists(), "the client's program ran on the server"
    assert recorded_argvs(langgraph_server) == [], "no okx call for a refused run"
    state = await client.threads.get_state(thread_id)
    assert state["interrupts"] == []
    assert "OperatorSettingError" in langgraph_server.log_path.read_text(
        encoding="utf-8", errors="replace"
    )


async def test_a_client_sets_the_language(langgraph_server: LanggraphServer) -> None:
    fresh_world(langgraph_server)
    client = get_client(url=langgraph_server.url)
    thread_id = (await client.threads.create())["thread_id"]
    await client.runs.wait(thread_id, GRAPH_ID, input=START, context={"language": "zh"})
    value = await pending_interrupt(client, thread_id)
    assert value["type"] == "choose_site"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in value["message"]), value["message"]
    assert sorted(recorded_argvs(langgraph_server)) == [
        ["auth", "status", "--json"],
        ["config", "show", "--json"],
    ]
