"""Edges of the login flow (graph/login_flow.py): another conversation on the same okx home
logged in first (D25), a login lock that cannot be used, a login that cannot start okx-auth
(D17) or meets an okx too old or a broken config, the retry after a lapsed code, a code
another conversation replaced, the menu's options and a start-over's reply in ``messages``.

Each test checks what a user of the graph sees: the question asked and its text, the reply,
the state the graph returns or checkpoints, the outcome and the okx calls in their order.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage

from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.process import RawResult
from okx_auth_graph.testing import OkxEmulator
from tests.conversation import PREFLIGHT, Conversation, conversation_graph, converse_on
from tests.spec_texts import MENU, expected_text

Converse = Callable[..., Conversation]

LOGIN = ["auth", "login", "--manual", "--site"]
STATUS = ["auth", "status", "--json"]
INSTALL = [["auth", "install", "--json"], ["auth", "install-status", "--json"]]


def _logins(emulator: OkxEmulator) -> list[list[str]]:
    return [c["argv"] for c in emulator.calls() if c["argv"][:2] == ["auth", "login"]]


async def _values(chat: Conversation) -> dict[str, Any]:
    """The thread's checkpoint (it holds the keys the graph's output leaves out)."""
    return dict((await chat.state()).values)


# ------------------------------------------------------------ another login got there first


async def test_a_login_another_conversation_started_meanwhile_is_waited_for_not_doubled(
    emulator: OkxEmulator,
) -> None:
    """D7, D25: the menu reply finds the okx home's login count moved and a code pending on
    eea: no second login, the wait for that code (its site, no code of this thread)."""
    mine, other = converse_on(emulator), converse_on(emulator)
    assert (await mine.start("check my balance")).kind == "choose_site"
    await other.start("log in")
    await other.reply("2")
    before = len(emulator.calls())
    turn = await mine.reply("1")
    assert [c["argv"] for c in emulator.calls()[before:]] == [STATUS]
    assert _logins(emulator) == [[*LOGIN, "eea"]]
    assert turn.kind == "await_authorization"
    assert turn.reply == expected_text("login_pending.en", site="eea")
    assert turn.interrupt == {"type": "await_authorization", "message": turn.reply, "site": "eea"}
    values = await _values(mine)
    assert (values["site"], values["challenge"], values["challenge_at"]) == ("eea", None, None)
    emulator.approve(scopes=["live:read"])
    turn = await mine.reply("done")
    assert turn.reply == expected_text("login_success.en", site="eea", scopes="live:read")
    assert (turn.outcome, turn.state["route"]) == ("logged_in", "okx-cex-portfolio")
    assert _logins(emulator) == [[*LOGIN, "eea"]]


async def test_a_start_over_after_waiting_for_another_conversations_code_logs_in_at_once(
    emulator: OkxEmulator,
) -> None:
    """The wait for another conversation's code records the login count it read the status
    under: the user's explicit start-over then replaces that code (one login, no status read
    again that would find the code pending and refuse once more)."""
    mine, other = converse_on(emulator), converse_on(emulator)
    await mine.start("check my balance")
    await other.start("log in")
    await other.reply("2")
    assert (await mine.reply("1")).reply == expected_text("login_pending.en", site="eea")
    assert (await mine.reply("start over")).kind == "choose_site"
    before = len(emulator.calls())
    turn = await mine.reply("1")
    assert turn.kind == "await_authorization"
    assert [c["argv"] for c in emulator.calls()[before:]] == [[*LOGIN, "global"]]
    assert _logins(emulator) == [[*LOGIN, "eea"], [*LOGIN, "global"]]


async def test_a_login_another_conversation_finished_meanwhile_is_reported_not_redone(
    emulator: OkxEmulator,
) -> None:
    mine, other = converse_on(emulator), converse_on(emulator)
    await mine.start("check my balance")
    await other.start("log in")
    await other.reply("3")
    emulator.approve(scopes=["live:read"])
    await other.reply("done")
    before = len(emulator.calls())
    turn = await mine.reply("1")
    assert [c["argv"] for c in emulator.calls()[before:]] == [STATUS]
    assert _logins(emulator) == [[*LOGIN, "us"]]
    assert turn.interrupt is None
    assert turn.reply == expected_text("login_success.en", site="us", scopes="live:read")
    assert (turn.outcome, turn.state["route"], turn.state["site"]) == (
        "logged_in",
        "okx-cex-portfolio",
        "us",
    )


async def test_a_code_another_conversation_replaced_is_never_shown_again(
    emulator: OkxEmulator,
) -> None:
    """This thread holds an eea code; another conversation started over on us. A new login
    request here sees a code pending on us it does not hold: the start-over question."""
    mine, other = converse_on(emulator), converse_on(emulator)
    await mine.start("log in")
    held = (await mine.reply("2")).interrupt["userCode"]
    assert (await other.start("log in")).kind == "confirm_start_over"
    await other.reply("yes")
    await other.reply("3")
    turn = await mine.start("log in")
    assert turn.kind == "confirm_start_over"
    assert turn.reply == expected_text("start_over_question.en", site="us")
    assert held not in turn.reply
    assert _logins(emulator) == [[*LOGIN, "eea"], [*LOGIN, "us"]]


async def test_after_a_lapsed_code_another_conversations_pending_login_is_offered_a_start_over(
    emulator: OkxEmulator,
) -> None:
    """This thread's code lapsed (the retry question is left unanswered); another conversation
    then started a login on eea. A login request here holds no code for it: the question."""
    mine, other = converse_on(emulator), converse_on(emulator)
    await mine.start("log in")
    await mine.reply("1")
    emulator.expire_code()
    assert (await mine.reply("done")).kind == "confirm_retry"
    await other.start("log in")
    await other.reply("2")
    turn = await mine.start("log in")
    assert turn.kind == "confirm_start_over"
    assert turn.reply == expected_text("start_over_question.en", site="eea")
    assert _logins(emulator) == [[*LOGIN, "global"], [*LOGIN, "eea"]]


# ------------------------------------------------------------ the login itself fails


async def test_a_login_lock_that_cannot_be_used_starts_no_login_and_says_what_to_do(
    converse: Converse, emulator: OkxEmulator
) -> None:
    """docs/security.md: a folder in place of the lock file ends the entry with the lock's
    reply naming the folder and both files; no login runs."""
    chat = converse()
    await chat.start("log in")
    (emulator.state_dir / "okx-auth-graph-login.lock").mkdir(parents=True)
    turn = await chat.reply("2")
    assert (turn.interrupt, turn.outcome) == (None, "needs_user_action")
    assert turn.reply == expected_text(
        "login_lock_fault.en",
        folder=str(emulator.state_dir),
        lock="okx-auth-graph-login.lock",
        marker="okx-auth-graph-login.started",
    )
    assert turn.state["route"] is None
    assert _logins(emulator) == []


async def test_a_login_that_cannot_start_okx_auth_reinstalls_it_and_logs_in_once_more(
    converse: Converse, emulator: OkxEmulator
) -> None:
    """D17 inside the graph; the same failure passed in right after ends ``failed``."""
    chat = converse()
    await chat.start("log in")
    emulator.set("binary", "missing")
    turn = await chat.reply("2")
    assert turn.kind == "await_authorization"
    notice, challenge = turn.reply.split("\n\n")
    assert notice == expected_text("installing_binary.en", status="installed")
    assert challenge.startswith("Please open the link below in your browser")
    assert "Site: eea\n" in challenge
    assert chat.argvs()[2:] == [[*LOGIN, "eea"], *INSTALL, STATUS, [*LOGIN, "eea"]]
    argv = [*LOGIN, "eea"]
    turn = await chat.start(
        "log in", failed_command={"argv": argv, "error": "Failed to spawn okx-auth"}
    )
    assert (turn.interrupt, turn.outcome) == (None, "failed")
    assert turn.reply == expected_text(
        "remediation_repeated.en",
        command=" ".join(["okx", *argv]),
        action="okx auth install, check it with okx auth install-status, then retry the command",
    )


async def test_an_okx_too_old_for_auth_at_the_login_gets_the_too_old_text(
    converse: Converse, emulator: OkxEmulator
) -> None:
    chat = converse()
    await chat.start("登录")
    emulator.set("version", "1.2.4")  # okx was downgraded while the menu was shown
    turn = await chat.reply("2")
    assert (turn.interrupt, turn.outcome) == (None, "needs_user_action")
    assert turn.reply == expected_text("cli_too_old.zh")
    assert chat.argvs()[2:] == [[*LOGIN, "eea"]]


class OkxRemoved:
    """The emulator until okx is uninstalled (``removed``): then each call cannot start okx, as
    the subprocess runner reports a missing executable (``FileNotFoundError``, the runner
    contract of okx/process.py)."""

    def __init__(self, emulator: OkxEmulator) -> None:
        self.emulator = emulator
        self.removed = False

    @property
    def state_dir(self) -> Path:
        """The emulator's world folder (the okx state; the login lock lives there)."""
        return self.emulator.state_dir

    async def __call__(
        self, argv: Any, *, timeout: float, stdin: bytes | None = None, on_stdout: Any = None
    ) -> RawResult:
        if self.removed:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), "okx")
        return await self.emulator(argv, timeout=timeout, stdin=stdin, on_stdout=on_stdout)


async def test_an_okx_gone_at_the_login_says_to_install_it(emulator: OkxEmulator) -> None:
    runner = OkxRemoved(emulator)
    chat = converse_on(emulator, graph=conversation_graph(OkxCli(runner=runner)))
    await chat.start("登录")
    runner.removed = True  # okx was uninstalled while the menu was shown
    turn = await chat.reply("2")
    assert (turn.interrupt, turn.outcome) == (None, "failed")
    assert turn.reply == expected_text("cli_not_found.zh")
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_a_login_failing_on_a_broken_config_shows_the_error_and_its_action(
    converse: Converse, emulator: OkxEmulator
) -> None:
    chat = converse()
    await chat.start("log in")
    emulator.config_path.parent.mkdir(parents=True, exist_ok=True)
    emulator.config_path.write_text('[profiles.x\napi_key = "AK-canary-9876543"\n')
    turn = await chat.reply("2")
    assert (turn.interrupt, turn.outcome) == (None, "failed")
    assert turn.reply.startswith("okx reported an error: ")
    assert str(emulator.config_path) in turn.reply
    assert "\nWhat to do: " in turn.reply
    assert "AK-canary-9876543" not in turn.reply
    assert turn.reply != expected_text("cli_not_found.en")
    assert chat.argvs()[2:] == [[*LOGIN, "eea"]]


# ------------------------------------------------------------ retries, the menu, start over


async def test_a_retry_after_a_lapsed_code_logs_in_at_once_with_no_status_reread(
    converse: Converse, emulator: OkxEmulator
) -> None:
    """The login count recorded with the code is current: nobody else logged in since, so
    the retry's login is its only okx call (the completion check already read the status)."""
    chat = converse()
    await chat.start("log in")
    await chat.reply("1")
    emulator.expire_code()
    assert (await chat.reply("done")).kind == "confirm_retry"
    assert (await chat.reply("yes")).kind == "choose_site"
    before = len(chat.argvs())
    turn = await chat.reply("3")
    assert turn.kind == "await_authorization"
    assert chat.argvs()[before:] == [[*LOGIN, "us"]]


async def test_the_menu_question_carries_its_three_options(converse: Converse) -> None:
    """The interrupt names each reply, its site id and the menu's line (docs/spec.md: Sites)."""
    chat = converse()
    turn = await chat.start("log in")
    assert turn.interrupt == {
        "type": "choose_site",
        "message": MENU,
        "options": [
            {"reply": "1", "site": "global", "label": "Global (www.okx.com)"},
            {"reply": "2", "site": "eea", "label": "EEA (my.okx.com)"},
            {"reply": "3", "site": "us", "label": "US (app.okx.com)"},
        ],
    }
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_a_start_over_while_waiting_keeps_the_users_words_before_the_menu(
    converse: Converse,
) -> None:
    chat = converse()
    await chat.start("log me in")
    await chat.reply("2")
    turn = await chat.reply("start over")
    assert (turn.kind, turn.reply) == ("choose_site", MENU)
    last = (await _values(chat))["messages"][-2:]
    assert [type(m) for m in last] == [HumanMessage, AIMessage]
    assert [m.text for m in last] == ["start over", MENU]


# ------------------------------------------------------------ switching site, a held code


async def test_a_site_switch_asked_by_an_api_key_user_is_step_0_2(
    converse: Converse, emulator: OkxEmulator
) -> None:
    """D18: an API-key profile still stops the auth flow: no logout, no login."""
    emulator.init_world(
        config={
            "default_profile": "k",
            "profiles": {
                "k": {"api_key": "AK-k-canary1", "secret_key": "SK-k-1", "passphrase": "PP-k-1"}
            },
        },
        auth="logged_in",
        site="us",
    )
    chat = converse()
    turn = await chat.start("switch me to another site")
    assert (turn.interrupt, turn.outcome) == (None, "api_key_configured")
    assert turn.reply == "已配置 API key (profile: k)"
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_a_site_switch_while_a_code_is_pending_starts_over_through_the_menu(
    converse: Converse, emulator: OkxEmulator
) -> None:
    """D7: the menu first; its reply is the site of the new login (no logout)."""
    emulator.init_world(auth="pending", site="us")
    chat = converse()
    turn = await chat.start("switch me to another site")
    assert (turn.kind, turn.reply) == ("choose_site", MENU)
    turn = await chat.reply("2")
    assert turn.kind == "await_authorization"
    assert "Site: eea\n" in turn.reply
    assert chat.argvs()[2:] == [[*LOGIN, "eea"]]


async def test_a_site_switch_without_any_session_is_a_plain_login(
    converse: Converse, emulator: OkxEmulator
) -> None:
    chat = converse()
    turn = await chat.start("switch me to another site")
    assert (turn.kind, turn.reply) == ("choose_site", MENU)
    turn = await chat.reply("1")
    assert turn.kind == "await_authorization"
    assert chat.argvs()[2:] == [[*LOGIN, "global"]]


async def test_a_cancel_at_the_switch_question_keeps_the_session(
    converse: Converse, emulator: OkxEmulator
) -> None:
    emulator.init_world(auth="logged_in", site="us")
    chat = converse()
    await chat.start("switch me to another site")
    turn = await chat.reply("cancel")
    assert (turn.interrupt, turn.outcome) == (None, "cancelled")
    assert turn.reply == expected_text("cancelled.en")
    assert emulator.world()["auth"] == "logged_in"
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_a_new_login_request_shows_the_code_this_thread_still_holds(
    converse: Converse,
) -> None:
    """D7: a login request while this thread's code is pending shows that code, no new login."""
    chat = converse()
    await chat.start("log in")
    first = await chat.reply("2")
    turn = await chat.start("log me in")
    assert turn.kind == "await_authorization"
    assert turn.reply == first.reply
    assert chat.argvs()[2] == [*LOGIN, "eea"]
    assert sorted(chat.argvs()[3:]) == sorted(PREFLIGHT)  # the new entry's pre-flight alone


async def test_a_cancel_at_the_start_over_question_ends_with_no_okx_call(
    converse: Converse, emulator: OkxEmulator
) -> None:
    emulator.init_world(auth="pending", site="us")
    chat = converse()
    assert (await chat.start("log in")).kind == "confirm_start_over"
    turn = await chat.reply("cancel")
    assert (turn.interrupt, turn.outcome) == (None, "cancelled")
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_a_completion_check_that_cannot_start_okx_auth_reinstalls_and_checks_again(
    converse: Converse, emulator: OkxEmulator
) -> None:
    chat = converse()
    await chat.start("log in")
    await chat.reply("2")
    emulator.set("binary", "missing")
    before = len(chat.argvs())
    turn = await chat.reply("done")
    assert chat.argvs()[before:] == [STATUS, *INSTALL, STATUS]
    assert turn.reply.startswith(expected_text("installing_binary.en", status="installed"))
    assert turn.kind == "await_authorization"  # still pending: the wait goes on


async def test_a_completion_check_that_fails_shows_the_error_and_waits_again(
    converse: Converse, emulator: OkxEmulator
) -> None:
    chat = converse()
    await chat.start("log in")
    await chat.reply("2")
    emulator.config_path.parent.mkdir(parents=True, exist_ok=True)
    emulator.config_path.write_text("[profiles.x\n")
    before = len(chat.argvs())
    turn = await chat.reply("done")
    assert chat.argvs()[before:] == [STATUS]
    assert turn.kind == "await_authorization"
    assert turn.reply.startswith("okx reported an error: ")
    assert str(emulator.config_path) in turn.reply
