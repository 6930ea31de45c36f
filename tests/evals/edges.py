"""Is every transition a run took an edge of the drawn graph?

The in-process runner records, per invocation, the nodes of each superstep
(:attr:`~okx_auth_graph.evals.runner.ScenarioResult.node_steps`); the drawn graph is
``graph.get_graph()``, whose edges LangGraph reads from the nodes' ``Command[Literal[...]]``.
"""

from __future__ import annotations

import itertools

from okx_auth_graph.evals.runner import ScenarioResult
from okx_auth_graph.graph import build_graph


def drawn_edges() -> set[tuple[str, str]]:
    """``(source, target)`` of every edge of the compiled graph's drawing."""
    return {(e.source, e.target) for e in build_graph().get_graph().edges}


def undrawn_transitions(result: ScenarioResult, edges: set[tuple[str, str]]) -> list[str]:
    """Transitions between supersteps of ``result`` that no drawn edge explains.

    A node of step ``i + 1`` needs an edge from some node of step ``i``; the first step of a new
    input needs one from ``__start__`` (a resume's first step re-runs the interrupted node), and
    an invocation that finished needs an edge from some node of its last step to ``__end__``.
    """
    finished = [entry["interrupt"] is None for entry in result.trajectory.entries]
    problems = []
    for invocation, node_steps in enumerate(result.node_steps):
        steps = list(node_steps)
        if steps and steps[0] == ["receive_request"]:
            steps = [["__start__"], *steps]
        if finished[invocation]:
            steps = [*steps, ["__end__"]]
        for before, after in itertools.pairwise(steps):
            for target in after:
                if not any((source, target) in edges for source in before):
                    problems.append(f"invocation {invocation}: {before} -> {target} is not drawn")
    return problems
