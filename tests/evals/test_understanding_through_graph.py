"""The public request corpus through the graph: a logged-in user's request ends right.

Each request of the first test split (family ``v1-test`` of
``evals/understanding/requests.test.tsv``, binary management aside) starts a
new thread in a logged-in world; it must end with the outcome and route its label implies
and make no okx call beyond the pre-flight (a logout adds ``auth logout``; an unclear request
and a market request make none).
"""

from __future__ import annotations

from pathlib import Path

from langgraph.checkpoint.memory import InMemorySaver

from okx_auth_graph import OkxCli, build_graph
from okx_auth_graph.evals.reading_scores import load_corpus
from okx_auth_graph.testing import OkxEmulator
from tests.conversation import PREFLIGHT, converse_on

CORPORA = Path(__file__).resolve().parents[2] / "evals" / "understanding"


def _expected(intent: str, route: str) -> tuple[str | None, str | None, list[list[str]] | None]:
    """(outcome, route, okx calls) a logged-in user's request must end with."""
    route_or_none = None if route == "-" else route
    if intent == "skill" and route == "okx-cex-market":
        return "no_auth_needed", route, []
    if intent in ("login", "skill"):
        return "logged_in", route_or_none, PREFLIGHT
    if intent in ("status", "session_lifetime"):
        return "status_reported", None, PREFLIGHT
    if intent == "logout":
        return "logged_out", None, [*PREFLIGHT, ["auth", "logout"]]
    if intent == "api_key_setup":
        return "needs_user_action", None, PREFLIGHT
    return None, None, None


CASES = [
    e
    for e in load_corpus(CORPORA / "requests.test.tsv")
    if e.family == "v1-test"
    and e.label.split("/")[0] not in ("binary_install", "binary_status", "binary_remove")
]


async def test_the_request_corpus_through_the_graph(tmp_path):
    """A logged-in user's request ends with the right outcome and route, no extra okx call."""
    emulator = OkxEmulator(tmp_path / "world")
    graph = build_graph(cli=OkxCli(runner=emulator), checkpointer=InMemorySaver())
    wrong = []
    for example in CASES:
        intent, route = example.label.split("/")
        emulator.init_world(auth="logged_in", site="eea")
        chat = converse_on(emulator, graph=graph)
        turn = await chat.start(example.text)
        outcome, want_route, calls = _expected(intent, route)
        if intent == "unclear":
            ok = turn.kind == "clarify_request" and chat.argvs() == []
        else:
            got_calls = chat.argvs()
            ok = (
                turn.state.get("outcome") == outcome
                and turn.state.get("route") == want_route
                and sorted(got_calls[:2]) == sorted(calls[:2])
                and got_calls[2:] == calls[2:]
            )
        if not ok:
            wrong.append(
                (example.text, turn.kind, turn.state.get("outcome"), turn.state.get("route"))
            )
    accuracy = 1 - len(wrong) / len(CASES)
    print(f"through the graph: {len(CASES) - len(wrong)}/{len(CASES)} = {accuracy:.1%}")
    assert accuracy >= 0.97, wrong
