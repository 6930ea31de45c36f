"""Context env fallbacks and build_graph's up-front validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from okx_auth_graph import Context, build_builder, build_graph, graph

ROOT = Path(__file__).resolve().parents[2]


def test_context_reads_env_fallbacks(monkeypatch):
    monkeypatch.setenv("OKX_EXECUTABLE", "/opt/okx/bin/okx")
    monkeypatch.setenv("OKX_TIMEOUT", "12.5")
    monkeypatch.setenv("OKX_INTERACTIVE_LOGIN", "true")
    monkeypatch.setenv("OKX_AUTH_LANGUAGE", "zh")
    ctx = Context()
    assert ctx.okx_executable == "/opt/okx/bin/okx"
    assert ctx.timeout == 12.5
    assert ctx.interactive_login is True
    assert ctx.language == "zh"


def test_explicit_context_values_win_over_env(monkeypatch):
    monkeypatch.setenv("OKX_EXECUTABLE", "/opt/okx/bin/okx")
    assert Context(okx_executable="okx-beta").okx_executable == "okx-beta"


@pytest.mark.parametrize(
    ("env", "value", "message"),
    [("OKX_TIMEOUT", "soon", "number of seconds"), ("OKX_AUTH_LANGUAGE", "fr", "language")],
)
def test_bad_env_values_are_clear_errors(monkeypatch, env, value, message):
    monkeypatch.setenv(env, value)
    with pytest.raises(ValueError, match=message):
        Context()


def test_bad_timeout_is_rejected():
    with pytest.raises(ValueError, match="positive"):
        Context(timeout=0)


def test_build_graph_validates_its_options():
    with pytest.raises(TypeError, match="OkxCli"):
        build_graph(cli="okx")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="BaseChatModel"):
        build_builder(chat_model="openai:gpt-4.1")  # type: ignore[arg-type]


def test_exported_graph_has_no_checkpointer_and_every_named_node():
    assert graph.checkpointer is None
    assert graph.name == "okx_auth"
    nodes = set(graph.get_graph().nodes)
    for name in (
        "preflight_config_show",
        "preflight_auth_status",
        "site_check",
        "api_key_check",
        "oauth_check",
        "pre_login_gate",
        "login_manual",
        "await_authorization",
        "check_login",
        "confirm_retry",
        "logout",
        "install_binary",
        "remediate_failed_command",
        "hand_off",
    ):
        assert name in nodes, name


def test_langgraph_json_names_the_exported_graph():
    config = json.loads((ROOT / "langgraph.json").read_text())
    assert config["dependencies"] == ["."]
    target = config["graphs"]["okx_auth"]
    module, attribute = target.split(":")
    assert Path(ROOT / module).is_file()
    assert attribute == "graph"


@pytest.mark.fresh_process
def test_package_graph_is_the_compiled_graph_whatever_was_imported_first():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import okx_auth_graph.graph\n"
        "from okx_auth_graph import Context, build_graph, graph\n"
        "from okx_auth_graph.graph import build_builder\n"
        "from langgraph.graph.state import CompiledStateGraph\n"
        "assert isinstance(okx_auth_graph.graph, CompiledStateGraph)\n"
        "assert graph is okx_auth_graph.graph is sys.modules['okx_auth_graph.graph'].graph\n"
        "assert type(sys.modules['okx_auth_graph.graph']).__name__ == 'module'\n"
        "assert type(okx_auth_graph).__name__ == 'module', 'the package swaps its module class'\n"
        "assert callable(build_graph) and callable(build_builder) and Context().timeout > 0\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr
