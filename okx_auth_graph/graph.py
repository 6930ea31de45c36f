"""The auth graph: every step of the OKX CLI authentication procedure as a node.

``build_graph(...)`` compiles it (pick your checkpointer); ``build_builder(...)`` returns the
uncompiled :class:`~langgraph.graph.StateGraph`; ``graph`` (compiled at import, no
checkpointer) is what ``langgraph.json`` serves.

Ends of the graph and their outcome:

| end                                                        | outcome             | route        |
|------------------------------------------------------------|---------------------|--------------|
| market-only request (no okx call)                          | no_auth_needed      | okx-cex-market |
| 0.2: an API-key profile exists (also a ``skipped`` login)   | api_key_configured  | the skill    |
| 0.3 logged_in, or a login completed                        | logged_in           | the skill    |
| logout                                                     | logged_out          | null         |
| the user declines a retry                                  | retry_declined      | null         |
| okx-auth installed / updated                               | binary_ready        | null         |
| status question, session-lifetime question, install-status, binary removal (or kept) | status_reported | null |
| API-key set-up explained; 0.2.a option 1; a downstream error whose fix is the user's; CLI too old | needs_user_action | null |
| "cancel" / "取消" at any question                           | cancelled           | null         |
| an okx failure with no remedy in the graph                 | failed              | null         |
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Checkpointer, Command

from okx_auth_graph.cli import OkxCli
from okx_auth_graph.context import Context
from okx_auth_graph.login import make_login_nodes
from okx_auth_graph.maintenance import make_maintenance_nodes
from okx_auth_graph.preflight import make_preflight_nodes
from okx_auth_graph.services import Services
from okx_auth_graph.state import AuthState, InputState, OutputState

GRAPH_NAME = "okx_auth"

_DESTINATIONS: dict[str, tuple[str, ...]] = {
    "receive_request": (
        "preflight_config_show",
        "preflight_auth_status",
        "hand_off",
        "clarify_request",
    ),
    "clarify_request": (
        "preflight_config_show",
        "preflight_auth_status",
        "hand_off",
        "clarify_request",
        END,
    ),
    "retry_auth_status": ("dispatch_after_preflight",),
    "dispatch_after_preflight": (
        "site_check",
        "report_status",
        "logout",
        "install_binary",
        "check_binary",
        "confirm_remove_binary",
        "explain_api_key_setup",
        "remediate_failed_command",
        END,
    ),
    "site_check": ("ask_site", "api_key_check"),
    "api_key_check": ("oauth_check", "hand_off"),
    "oauth_check": ("hand_off", "await_authorization", "pre_login_gate"),
    "ask_site": ("api_key_check", "pre_login_gate", "offer_api_key_fix", "ask_site", END),
    "pre_login_gate": ("ask_site", "login_manual", "announce_interactive_login"),
    "login_manual": (
        "pre_login_gate",
        "await_authorization",
        "reread_config",
        "confirm_retry",
        "install_binary",
        "hand_off",
        END,
    ),
    "announce_interactive_login": ("login_interactive",),
    "login_interactive": (
        "pre_login_gate",
        "check_login",
        "reread_config",
        "confirm_retry",
        "install_binary",
        "await_authorization",
        "hand_off",
        END,
    ),
    "await_authorization": ("check_login", "await_authorization", END),
    "check_login": ("hand_off", "await_authorization", "confirm_retry", "install_binary"),
    "confirm_retry": ("pre_login_gate", "confirm_retry", END),
    "reread_config": ("hand_off", END),
    "report_status": (END,),
    "logout": ("install_binary", END),
    "install_binary": ("verify_binary_install", END),
    "verify_binary_install": (
        "retry_auth_status",
        "pre_login_gate",
        "logout",
        "check_login",
        END,
    ),
    "check_binary": (END,),
    "confirm_remove_binary": ("remove_binary", "confirm_remove_binary", END),
    "remove_binary": (END,),
    "explain_api_key_setup": (END,),
    "remediate_failed_command": (
        "offer_api_key_fix",
        "ask_site",
        "site_check",
        "install_binary",
        END,
    ),
    "offer_api_key_fix": ("choose_api_key_fix",),
    "choose_api_key_fix": ("await_profile_removal", "choose_api_key_fix", END),
    "await_profile_removal": ("reread_config_after_removal", "await_profile_removal", END),
    "reread_config_after_removal": ("await_profile_removal", "pre_login_gate", END),
}


def build_builder(
    *,
    cli: OkxCli | None = None,
    handoff_to_parent: bool = False,
    chat_model: BaseChatModel | None = None,
) -> StateGraph[AuthState, Context, InputState, OutputState]:
    """The auth graph, uncompiled.

    Args:
        cli: The okx adapter; wins over the context's executable settings. Tests pass
            ``OkxCli(runner=OkxEmulator(...))``.
        handoff_to_parent: Used as a subgraph: after success, hand off to the routed skill's
            node in the parent graph with ``Command(graph=Command.PARENT, goto=route)``.
        chat_model: A chat model that helps place requests and replies the rules cannot;
            wins over ``Context.chat_model``.

    Returns:
        The :class:`StateGraph`; compile it with the checkpointer of your choice.
    """
    if cli is not None and not isinstance(cli, OkxCli):
        raise TypeError(f"cli must be an OkxCli adapter, not {type(cli).__name__}")
    if chat_model is not None and not isinstance(chat_model, BaseChatModel):
        raise TypeError(f"chat_model must be a BaseChatModel, not {type(chat_model).__name__}")
    services = Services(cli=cli, chat_model=chat_model, handoff_to_parent=handoff_to_parent)
    builder = StateGraph(
        AuthState, context_schema=Context, input_schema=InputState, output_schema=OutputState
    )
    nodes: dict[str, Any] = {
        **make_preflight_nodes(services),
        **make_login_nodes(services),
        **make_maintenance_nodes(services),
    }
    for name, node in nodes.items():
        builder.add_node(name, node, destinations=_DESTINATIONS.get(name))

    def hand_off(state: AuthState) -> Command[Any]:
        """Continue with the routed skill: in a parent graph, hand off to its node."""
        route = state.get("route")
        if services.handoff_to_parent and route:
            return Command(
                graph=Command.PARENT,
                goto=route,
                update={
                    "messages": state.get("messages", []),
                    "route": route,
                    "outcome": state.get("outcome"),
                    "site": state.get("site"),
                    "language": state.get("language"),
                },
            )
        return Command(goto=END)

    builder.add_node("hand_off", hand_off, destinations=(END,))
    builder.add_edge(START, "receive_request")
    builder.add_edge(["preflight_config_show", "preflight_auth_status"], "dispatch_after_preflight")
    return builder


def build_graph(
    *,
    cli: OkxCli | None = None,
    checkpointer: Checkpointer = None,
    handoff_to_parent: bool = False,
    chat_model: BaseChatModel | None = None,
    name: str = GRAPH_NAME,
) -> CompiledStateGraph[AuthState, Context, InputState, OutputState]:
    """Compile the auth graph.

    Args:
        cli: The okx adapter (see :func:`build_builder`).
        checkpointer: Where threads are kept; interrupts need one (``InMemorySaver`` in tests,
            SQLite or Postgres for anything that outlives the process). ``None`` for a server
            that brings its own.
        handoff_to_parent: See :func:`build_builder`.
        chat_model: See :func:`build_builder`.
        name: The compiled graph's name.

    Returns:
        The compiled graph.
    """
    builder = build_builder(cli=cli, handoff_to_parent=handoff_to_parent, chat_model=chat_model)
    return builder.compile(checkpointer=checkpointer, name=name)


graph = build_graph()
