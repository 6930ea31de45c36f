"""An LLM agent that logs the user in to OKX through the okx_auth_graph tools.

``make_tools()`` gives a tool-calling model the okx auth tools; the tools, not the model, keep
the spec's rules (site menu before any login, the user's own site choice, one status check per
user message). This script runs offline: the "model" is langchain-core's scripted
``GenericFakeChatModel`` and okx is the bundled emulator. For a real app, swap in any
tool-calling chat model (``init_chat_model("openai:gpt-4.1-mini")``) and drop ``cli=`` to run
the real ``okx`` (or pass a ``Context`` at invoke time)::

    python examples/tools_agent.py
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import BaseTool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition

from okx_auth_graph import Context, OkxCli
from okx_auth_graph.doors.tools import SYSTEM_PROMPT, make_tools


class ScriptedToolModel(GenericFakeChatModel):
    """Plays scripted tool calls; after a tool result with a ``message`` it says that text."""

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedToolModel:
        """The script already names the tools: return the model itself."""
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        if messages and isinstance(messages[-1], ToolMessage):
            data = json.loads(str(messages[-1].content))
            if data.get("message"):
                return ChatResult(generations=[ChatGeneration(message=AIMessage(data["message"]))])
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


def build_agent(model: Any, tools: Sequence[BaseTool]) -> Any:
    """The usual ReAct loop: model → ToolNode → model … until the model answers in text."""
    bound = model.bind_tools(tools)

    def call_model(state: MessagesState) -> dict[str, Any]:
        prompt = [SystemMessage(SYSTEM_PROMPT), *state["messages"]]
        return {"messages": [bound.invoke(prompt)]}

    builder = StateGraph(MessagesState, context_schema=Context)
    # A plain function: LangGraph runs it under invoke/stream and (in a thread) ainvoke/astream.
    builder.add_node("agent", call_model)
    builder.add_node("tools", ToolNode(list(tools)))
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", tools_condition)
    builder.add_edge("tools", "agent")
    return builder.compile(checkpointer=InMemorySaver())


def tool_call(name: str, **args: Any) -> AIMessage:
    """A scripted model turn that calls tool ``name``."""
    return AIMessage("", tool_calls=[{"name": name, "args": args, "id": f"call-{name}"}])


async def demo() -> None:
    """Log in on the emulator: status → menu → "2" → code → approve → "done" → success."""
    from okx_auth_graph.testing import OkxEmulator

    with tempfile.TemporaryDirectory() as world:
        emulator = OkxEmulator(Path(world))
        emulator.init_world()
        model = ScriptedToolModel(
            messages=iter(
                [
                    tool_call("okx_auth_status"),
                    tool_call("okx_start_login", site="eea"),
                    tool_call("okx_check_login"),
                ]
            )
        )
        agent = build_agent(model, make_tools(cli=OkxCli(runner=emulator)))
        config: dict[str, Any] = {"configurable": {"thread_id": "tools-demo"}}
        for text in ("Log me in to OKX", "2", "done"):
            if text == "done":
                emulator.approve()
            result = await agent.ainvoke({"messages": [HumanMessage(text)]}, config)
            print(f"user: {text}\nassistant: {result['messages'][-1].content}\n")
        print("okx calls:", [" ".join(call["argv"]) for call in emulator.calls()])


if __name__ == "__main__":
    asyncio.run(demo())
