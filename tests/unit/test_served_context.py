"""A served graph's run context: the client's language and message window, nothing that runs.

docs/security.md, "Operator settings": a run naming an operator setting is refused before any
node runs; the effective context takes every operator setting from the process environment.
"""

from __future__ import annotations

import dataclasses

import pytest
from langgraph.runtime import Runtime

from okx_auth_graph.context import (
    OPERATOR_SETTINGS,
    USER_SETTINGS,
    Context,
    OperatorSettingError,
    ServedContext,
)
from okx_auth_graph.graph.services import Services

# what a client might send for each operator setting (all of them must be refused)
CLIENT_VALUES: dict[str, object] = {
    "okx_executable": "/bin/bash",
    "okx_home": "/etc",
    "okx_env": {"BASH_ENV": "$(id)"},
    "timeout": 99999.0,
    "login_timeout": 99999.0,
    "chat_model": "openai:gpt-4.1-mini",
    "interactive_login": True,
}


def test_the_two_lists_cover_every_context_field_once() -> None:
    names = [f.name for f in dataclasses.fields(Context)]
    assert sorted(names) == sorted([*OPERATOR_SETTINGS, *USER_SETTINGS])
    assert set(CLIENT_VALUES) == set(OPERATOR_SETTINGS)
    served = {f.name for f in dataclasses.fields(ServedContext)}
    assert served == set(names), "a served run names every field, so none is dropped unread"


@pytest.mark.parametrize("name", OPERATOR_SETTINGS)
def test_each_operator_setting_is_refused_by_name(name: str) -> None:
    with pytest.raises(OperatorSettingError, match=name) as caught:
        ServedContext(**{name: CLIENT_VALUES[name]})  # type: ignore[arg-type]
    message = str(caught.value)
    assert "operator" in message
    assert "language, message_window" in message, "the error says what a run may set"


def test_falsy_operator_values_are_refused_too() -> None:
    with pytest.raises(OperatorSettingError, match="interactive_login"):
        ServedContext(interactive_login=False)  # type: ignore[arg-type]
    with pytest.raises(OperatorSettingError, match="okx_env"):
        ServedContext(okx_env={})  # type: ignore[arg-type]


def test_user_settings_are_the_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKX_EXECUTABLE", "/opt/operator/okx")
    effective = ServedContext(language="zh", message_window=3).effective()
    assert (effective.language, effective.message_window) == ("zh", 3)
    assert effective.okx_executable == "/opt/operator/okx"


def test_invalid_user_settings_fail_at_coercion() -> None:
    with pytest.raises(ValueError, match="language"):
        ServedContext(language="fr")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="message_window"):
        ServedContext(message_window=-1)


def test_nodes_read_operator_settings_from_the_environment_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Even a ServedContext altered after its checks gives the nodes the operator's settings."""
    monkeypatch.setenv("OKX_EXECUTABLE", "/opt/operator/okx")
    monkeypatch.setenv("OKX_TIMEOUT", "7")
    tampered = ServedContext(language="en")
    for name, value in CLIENT_VALUES.items():
        object.__setattr__(tampered, name, value)
    effective = Services.context(Runtime(context=tampered))  # type: ignore[arg-type]
    assert effective.okx_executable == "/opt/operator/okx"
    assert effective.timeout == 7.0
    assert effective.okx_env == {}
    assert effective.okx_home is None
    assert effective.chat_model is None
    assert effective.interactive_login is False
    assert effective.language == "en"


def test_in_process_callers_keep_the_whole_context() -> None:
    ctx = Context(okx_executable="/usr/local/bin/okx", interactive_login=True)
    assert Services.context(Runtime(context=ctx)) is ctx
