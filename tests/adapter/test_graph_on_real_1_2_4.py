"""The graph on the registry's okx 1.2.4 (no ``okx auth``), as a new user meets it today.

A login request gets the too-old text (which version ``okx auth`` needs, that the registry
does not serve it, the API key and market data that work now; never an install command), an
API-key request the ``okx config init`` answer, a market request its skill. After the real
wizard stored a key, the next request is the API-key short-circuit (docs/spec.md D16, D3).
Each runs with ``invoke`` and ``ainvoke`` through real subprocesses.
"""

from __future__ import annotations

import os
import sys

import pexpect
import pytest
from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph import build_graph
from tests.adapter.adapter_support import OkxUnderTest, base_env
from tests.conversation import Conversation, Exchange, Mode
from tests.spec_texts import expected_text

pytestmark = [pytest.mark.real_cli, pytest.mark.parametrize("mode", ["invoke", "ainvoke"])]

MENU_FIRST_LINE = "您需要选择要连接的 OKX 站点:"


def text(name: str) -> str:
    """The spec's text (docs/spec.md), else the project's prompt file (tests/spec_texts.py)."""
    return expected_text(name)


def converse_with(okx: OkxUnderTest, mode: Mode) -> Conversation:
    """A conversation on a new graph over the real okx (its calls are not recorded)."""
    return Conversation(
        build_graph(cli=okx.cli(timeout=60), checkpointer=InMemorySaver()), mode=mode
    )


def last(result: Exchange) -> str:
    return str(result.state["messages"][-1].text)


@pytest.mark.parametrize(
    ("request_text", "language"),
    [("log me in", "en"), ("帮我登录 OKX", "zh"), ("check my balance", "en"), ("查一下余额", "zh")],
)
async def test_an_oauth_request_gets_the_too_old_text_not_a_reinstall(
    real_okx: OkxUnderTest, mode: Mode, request_text: str, language: str
) -> None:
    result = await converse_with(real_okx, mode).start(request_text)
    assert "__interrupt__" not in result.state
    assert result.state["outcome"] == "needs_user_action"
    reply = last(result)
    assert reply == text(f"cli_too_old.{language}")
    assert "1.3.1-beta.17" in reply
    assert "okx config init" in reply
    assert "npm install" not in reply  # the registry would install 1.2.4 again


@pytest.mark.parametrize(
    ("request_text", "language"), [("set up an API key", "en"), ("我要配置 API key", "zh")]
)
async def test_an_api_key_request_gets_the_wizard(
    real_okx: OkxUnderTest, mode: Mode, request_text: str, language: str
) -> None:
    result = await converse_with(real_okx, mode).start(request_text)
    assert (result.state["outcome"], last(result)) == (
        "needs_user_action",
        text(f"api_key_setup.{language}"),
    )
    assert not (real_okx.home / ".okx" / "config.toml").exists()  # the graph never runs the wizard


@pytest.mark.parametrize("request_text", ["what's the BTC price", "BTC 现在多少钱"])
async def test_a_market_request_goes_to_its_skill(
    real_okx: OkxUnderTest, mode: Mode, request_text: str
) -> None:
    result = await converse_with(real_okx, mode).start(request_text)
    assert (result.state["outcome"], result.state["route"]) == ("no_auth_needed", "okx-cex-market")


def run_real_wizard(okx: OkxUnderTest, site: str) -> None:
    """``okx config init`` of the real 1.2.4, answered as a user would (live, default name)."""
    child = pexpect.spawn(
        str(okx.executable),
        ["config", "init"],
        env=base_env(okx.home),
        encoding="utf-8",
        timeout=60,
    )
    child.logfile_read = sys.stdout if os.environ.get("OKX_TEST_VERBOSE") else None
    for prompt, answer in (
        ("Site (1/2/3, default: 1): ", site),
        ("Use demo trading? (Y/n) ", "n"),
        ("Profile name (default: okx-prod): ", ""),
        ("API Key: ", "ak-real-wizard-0001"),
        ("Secret Key: ", "sk-real-wizard-0002"),
        ("Passphrase: ", "pp-real-wizard-0003"),
    ):
        child.expect_exact(prompt)
        child.sendline(answer)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


async def test_after_the_real_wizard_stored_an_eea_key_the_request_proceeds(
    real_okx: OkxUnderTest, mode: Mode
) -> None:
    run_real_wizard(real_okx, "2")
    stored = (real_okx.home / ".okx" / "config.toml").read_text(encoding="utf-8")
    assert 'base_url = "https://my.okx.com"' in stored
    assert "site =" not in stored
    result = await converse_with(real_okx, mode).start("check my balance")
    assert "__interrupt__" not in result.state  # the wizard's site counts: no menu again
    assert (result.state["outcome"], result.state["route"]) == (
        "api_key_configured",
        "okx-cex-portfolio",
    )
    assert result.state["site"] == "eea"
    assert last(result) == text("api_key_configured.zh").replace("{profile}", "okx-prod")
    assert "ak-real-wizard-0001" not in repr(result.state)
    status = await converse_with(real_okx, mode).start("am I logged in?")
    assert status.state["outcome"] == "status_reported"
    api_key = text("status_api_key.en").replace("{profile}", "okx-prod")
    assert last(status) == f"{text('status_oauth_unavailable.en')}\n{api_key}"


async def test_after_the_real_wizard_stored_a_global_key_the_menu_comes_first(
    real_okx: OkxUnderTest, mode: Mode
) -> None:
    run_real_wizard(real_okx, "1")  # 1.2.4 records a Global choice nowhere: never a silent global
    chat = converse_with(real_okx, mode)
    asked = await chat.start("check my balance")
    assert asked.state["__interrupt__"][0].value["message"].startswith(MENU_FIRST_LINE)
    result = await chat.reply("1")
    assert (result.state["outcome"], result.state["route"]) == (
        "api_key_configured",
        "okx-cex-portfolio",
    )
    assert last(result) == text("api_key_configured.zh").replace("{profile}", "okx-prod")
