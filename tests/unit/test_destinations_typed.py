"""A misspelled destination is a mypy error where it is written.

The step helpers are generic in their destination (``ask_next``, ``show_site_menu``,
``ask_yes_no``), so mypy checks the name given to them against the calling node's
``Command[Literal[...]]`` annotation, as it does for a ``Command(goto=...)`` written in a node.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNIPPET = """
from typing import Literal
from langgraph.types import Command
from okx_auth_graph.graph.questions import ask_next
from okx_auth_graph.state import AuthState
from okx_auth_graph.graph.node_kit import ask_yes_no, show_site_menu

Next = Command[Literal["ask_site", "site_check", "__end__"]]

def good(state: AuthState) -> Next:
    return ask_next("ask_site", "menu")

def good_menu(state: AuthState) -> Next:
    return show_site_menu("ask_site")

def good_yes_no(state: AuthState) -> Command[Literal["site_check", "confirm_retry", "__end__"]]:
    return ask_yes_no(state, "confirm_retry", yes="site_check", declined="x",
                      declined_outcome="retry_declined")

def bad_ask(state: AuthState) -> Next:
    return ask_next("ask_stie", "menu")  # line 21

def bad_menu(state: AuthState) -> Next:
    return show_site_menu("ask_sight")  # line 24

def bad_yes(state: AuthState) -> Command[Literal["site_check", "confirm_retry", "__end__"]]:
    return ask_yes_no(state, "confirm_retry", yes="site_chek", declined="x",  # line 27
                      declined_outcome="retry_declined")

def bad_goto(state: AuthState) -> Next:
    return Command(goto="sitecheck")  # line 31
"""


@pytest.mark.fresh_process
def test_mypy_rejects_each_misspelled_destination_and_nothing_else(tmp_path: Path) -> None:
    module = tmp_path / "nodes_snippet.py"
    module.write_text(SNIPPET, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(module)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    # by file name: mypy's cache may name the snippet's path of an earlier run
    lines = {int(n) for n in re.findall(r"nodes_snippet\.py:(\d+): error:", done.stdout)}
    assert lines == {21, 24, 27, 31}, done.stdout
