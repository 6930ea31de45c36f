"""Evaluation harness: the spec's rule invariants, the scenario suite runner and reports.

The invariants are pure functions over a finished :class:`Trajectory`; reuse them in your own
tests or as openevals / LangSmith evaluators (:func:`as_evaluator`).
"""

from okx_auth_graph.evals.invariants import (
    INVARIANTS,
    EvaluatorResult,
    Invariant,
    Violation,
    as_evaluator,
    cancel_ends_flow,
    check_all,
    evaluators,
    login_gate,
    market_no_okx_call,
    no_auto_poll,
    no_login_while_pending,
    no_login_with_api_key,
    no_secret_leak,
    no_silent_global,
    no_token_details,
    one_status_per_signal,
    preflight_concurrent,
    preflight_first,
    templates_verbatim,
)
from okx_auth_graph.evals.trajectory import (
    AuthSnapshot,
    Entry,
    EntryState,
    InterruptRecord,
    Message,
    OkxCall,
    Trajectory,
    WorldSnapshot,
)

__all__ = [
    "INVARIANTS",
    "AuthSnapshot",
    "Entry",
    "EntryState",
    "EvaluatorResult",
    "InterruptRecord",
    "Invariant",
    "Message",
    "OkxCall",
    "Trajectory",
    "Violation",
    "WorldSnapshot",
    "as_evaluator",
    "cancel_ends_flow",
    "check_all",
    "evaluators",
    "login_gate",
    "market_no_okx_call",
    "no_auto_poll",
    "no_login_while_pending",
    "no_login_with_api_key",
    "no_secret_leak",
    "no_silent_global",
    "no_token_details",
    "one_status_per_signal",
    "preflight_concurrent",
    "preflight_first",
    "templates_verbatim",
]
