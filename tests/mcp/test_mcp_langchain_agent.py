"""Through ``langchain-mcp-adapters``: the MCP tools in a LangGraph agent with a scripted model.

The model's tool calls cannot pass a site (the tool has no such argument, and one the model
adds anyway is dropped); the login still happens on the site the user chose in the elicited
menu, and the completion signal is the user's elicited answer.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_mcp_adapters.tools import load_mcp_tools

from okx_auth_graph.testing import OkxEmulator
from tests.apps.agents import ToolCallingFakeModel, build_agent, tools_agent
from tests.mcp.conftest import MENU, PREFLIGHT, STATUS, SUCCESS_EN, User, accept


class McpScriptedModel(ToolCallingFakeModel):  # type: ignore[misc,valid-type]
    """The example's scripted model, reading an MCP tool result (a list of text blocks)."""

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        last = messages[-1] if messages else None
        if isinstance(last, ToolMessage) and isinstance(last.content, list):
            text = "".join(
                str(part.get("text", "")) for part in last.content if isinstance(part, dict)
            )
            data = json.loads(text)
            if data.get("message"):
                reply = AIMessage(data["message"])
                return ChatResult(generations=[ChatGeneration(message=reply)])
        result: ChatResult = super()._generate(messages, stop=stop, run_manager=run_manager)
        return result


async def test_an_agents_tool_calls_cannot_choose_the_site(connect, emulator: OkxEmulator):
    def approve() -> Any:
        emulator.approve(scopes=["live:read"])
        return accept(done=True)

    user = User([accept(site="eea"), approve])
    async with connect(user) as client:
        tools = await load_mcp_tools(client.session)
        by_name = {tool.name: tool for tool in tools}
        assert "site" not in by_name["okx_login"].args
        assert all("site" not in tool.args for tool in tools)
        model = McpScriptedModel(
            messages=iter(
                [
                    tools_agent.tool_call("okx_login", site="us"),  # the model tries anyway
                    tools_agent.tool_call("okx_check_login"),
                ]
            )
        )
        agent = build_agent(model, tools)
        config: dict[str, Any] = {"configurable": {"thread_id": "mcp-agent"}}
        first = await agent.ainvoke({"messages": [HumanMessage("Log me in to OKX")]}, config)
        challenge = first["messages"][-1].content
        assert "Site: eea" in challenge
        assert client.logins() == [["auth", "login", "--manual", "--site", "eea"]]
        done = await agent.ainvoke({"messages": [HumanMessage("done")]}, config)
        assert done["messages"][-1].content == SUCCESS_EN.format(site="eea", scopes="live:read")
    assert user.questions()[0][0] == MENU
    assert user.questions()[1][0] == challenge
    assert sorted(client.argvs()[:2]) == sorted(PREFLIGHT)
    assert client.argvs()[2:] == [["auth", "login", "--manual", "--site", "eea"], STATUS]
