"""A misspelled destination is a mypy error where it is written.

The step helpers are generic in their destination (``ask_next``, ``show_site_menu``,
``ask_yes_no``), so mypy checks the name given to them against the calling node's
``Command[Literal[...]]`` annotation, as it does for a ``Command(goto=...)`` written in a node.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
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


def wait_for_the_suites_mypy(marker: str | None, cap: float = 600.0) -> bool:
    """Wait until ``make test``'s own mypy run beside pytest has ended (it leaves ``marker``).

    Both use the repository's ``.mypy_cache``: after that run, LangGraph's and the package's types
    are in it, and checking the snippet costs about one CPU second instead of twenty. Without a
    marker (pytest run by hand) there is nothing to wait for; after ``cap`` seconds the check runs
    anyway (a cold cache is only slower). True when the marker is there.
    """
    if not marker:
        return False
    deadline = time.monotonic() + cap
    while not Path(marker).exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_waiting_for_the_suites_mypy_ends_when_its_marker_appears(tmp_path: Path) -> None:
    marker = tmp_path / "mypy.done"
    assert wait_for_the_suites_mypy(None) is False
    assert wait_for_the_suites_mypy(str(marker), cap=0.3) is False  # capped, never forever
    threading.Timer(0.2, marker.touch).start()
    assert wait_for_the_suites_mypy(str(marker), cap=30) is True


@pytest.mark.fresh_process
def test_mypy_rejects_each_misspelled_destination_and_nothing_else(tmp_path: Path) -> None:
    wait_for_the_suites_mypy(os.environ.get("MYPY_CACHE_READY"))
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
