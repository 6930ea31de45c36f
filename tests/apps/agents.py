"""Test helpers: a tool-calling fake chat model and the smallest agent loop around the tools."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import BaseTool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition

from okx_auth_graph.testing import OkxEmulator


def argvs(emulator: OkxEmulator) -> list[list[str]]:
    """The okx argv of every call the emulator saw, oldest first."""
    return [list(call["argv"]) for call in emulator.calls()]


class ToolCallingFakeModel(GenericFakeChatModel):
    """langchain-core's scripted fake chat model, able to take part in a tool loop.

    It plays the next scripted message, except right after a tool result that carries a
    ``message`` for the user: then it replies with that text verbatim, as the tools tell a model
    to. ``bind_tools`` returns the model itself (the script already names the tools).
    """

    def bind_tools(self, tools: Any, **kwargs: Any) -> ToolCallingFakeModel:
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        if messages and isinstance(messages[-1], ToolMessage):
            try:
                data = json.loads(str(messages[-1].content))
            except json.JSONDecodeError:
                data = {}
            if isinstance(data, dict) and data.get("message"):
                reply = AIMessage(str(data["message"]))
                return ChatResult(generations=[ChatGeneration(message=reply)])
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


def build_agent(model: ToolCallingFakeModel, tools: Sequence[BaseTool]) -> Any:
    """A ReAct loop: the model, then ToolNode for its tool calls, until it answers in text."""
    bound = model.bind_tools(tools)

    async def call_model(state: MessagesState) -> dict[str, Any]:
        return {"messages": [await bound.ainvoke(state["messages"])]}

    builder = StateGraph(MessagesState)
    builder.add_node("agent", call_model)
    builder.add_node("tools", ToolNode(list(tools)))
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", tools_condition)
    builder.add_edge("tools", "agent")
    return builder.compile(checkpointer=InMemorySaver())


def build_tool_graph(tools: Sequence[BaseTool]) -> Any:
    """A graph that only runs ToolNode: the last message's tool calls, as an agent loop would."""
    builder = StateGraph(MessagesState)
    builder.add_node("tools", ToolNode(list(tools)))
    builder.add_edge(START, "tools")
    return builder.compile()
