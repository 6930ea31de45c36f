"""A failed downstream command passed in (``failed_command``) and what the graph makes of it
(graph/maintenance.py): step 0.2.a for the profile that failed, region restrictions (D18), an
expired session (D12, D14), login errors (D19), "No config found" (D16), a spawn failure (D17)
and the same failure coming back after its remedy.

Each test checks what a user of the graph sees: the question asked and its text, the reply, the
outcome and route, the okx calls run and in what order. The error reference's actions are
written here by hand (docs/spec.md names each row's action; the product words them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from okx_auth_graph.testing import OkxEmulator
from tests.conversation import PREFLIGHT, Conversation
from tests.spec_texts import MENU, expected_text

Converse = Callable[..., Conversation]

INSTALL = [["auth", "install", "--json"], ["auth", "install-status", "--json"]]
LOGOUT = ["auth", "logout"]


def _key(tag: str, **extra: Any) -> dict[str, Any]:
    """An API-key profile (its secrets are canaries, never shown)."""
    return {
        "api_key": f"AK-{tag}-canary1",
        "secret_key": f"SK-{tag}-canary1",
        "passphrase": f"PP-{tag}-1",
        **extra,
    }


TWO_KEYS = {
    "default_profile": "main",
    "profiles": {
        "main": _key("main", site="us"),
        "side": _key("side", site="eea"),
        "nosite": _key("nosite"),
        "oauth": {"site": "global"},
    },
}
"""Three API-key profiles (the default on us, one on eea, one naming no site), one without a key."""


def _failed(argv: list[str], error: str) -> dict[str, Any]:
    return {"argv": argv, "error": error}


def _error_reply(message: str, action: str) -> str:
    return expected_text("error_with_action.en", message=message, action=action)


def _repeated(argv: list[str], action: str) -> str:
    command = " ".join(["okx", *argv])
    return expected_text("remediation_repeated.en", command=command, action=action)


# ------------------------------------------------------------------ 0.2.a: which profile failed


@pytest.mark.parametrize(
    ("argv", "profile", "host"),
    [
        (["account", "balance", "--profile", "side", "--json"], "side", "my.okx.com"),
        (["--profile", "side", "account", "balance"], "side", "my.okx.com"),
        (["account", "balance", "--json"], "main", "app.okx.com"),
        (["account", "balance", "--profile", "oauth"], "main", "app.okx.com"),
        (["account", "balance", "--profile"], "main", "app.okx.com"),
        (["account", "balance", "--profile", "nosite"], "nosite", "app.okx.com"),
    ],
)
async def test_a_rejected_key_gets_the_options_for_the_profile_the_command_named(
    converse: Converse, emulator: OkxEmulator, argv: list[str], profile: str, host: str
) -> None:
    """0.2.a names the profile ``--profile`` chose when it holds a key (else the default one)
    and its site's console: a profile naming no site takes the default profile's site."""
    emulator.init_world(config=TWO_KEYS)
    chat = converse()
    turn = await chat.start(
        "check my balance", failed_command=_failed(argv, "HTTP 401 Invalid OK-ACCESS-KEY")
    )
    assert turn.kind == "choose_api_key_fix"
    assert turn.interrupt["profile"] == profile
    url = f"https://{host}/account/my-api"
    assert turn.reply == expected_text("api_key_fix_options.en", profile=profile, url=url)
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_a_rejected_key_of_a_profile_without_any_site_asks_for_the_site_first(
    converse: Converse, emulator: OkxEmulator
) -> None:
    """No profile names a site: the menu, then the options with the chosen site's console."""
    emulator.init_world(config={"default_profile": "k", "profiles": {"k": _key("k")}})
    chat = converse()
    turn = await chat.start(
        "check my balance", failed_command=_failed(["account", "balance"], "Invalid Sign")
    )
    assert (turn.kind, turn.reply) == ("choose_site", MENU)
    turn = await chat.reply("3")
    assert turn.kind == "choose_api_key_fix"
    url = "https://app.okx.com/account/my-api"
    assert turn.reply == expected_text("api_key_fix_options.en", profile="k", url=url)
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


# ------------------------------------------------------------------ region restriction (D18)


@pytest.mark.parametrize(
    ("argv", "text", "fields"),
    [
        (
            ["swap", "place", "--profile", "side"],
            "region_restriction_api_key.en",
            {"profile": "side", "site": "eea"},
        ),
        (["swap", "place"], "region_restriction_api_key.en", {"profile": "main", "site": "us"}),
    ],
)
async def test_a_region_restriction_with_an_api_key_names_the_profiles_site_and_logs_in_never(
    converse: Converse, emulator: OkxEmulator, argv: list[str], text: str, fields: dict[str, str]
) -> None:
    emulator.init_world(config=TWO_KEYS, auth="logged_in", site="global")
    chat = converse()
    turn = await chat.start(
        "buy BTC-USDT-SWAP", failed_command=_failed(argv, "Error: 51155 not available")
    )
    assert turn.interrupt is None
    assert turn.outcome == "needs_user_action"
    assert turn.reply == expected_text(text, **fields)
    assert turn.state["route"] is None
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_a_region_restriction_with_a_key_of_no_site_says_the_profile_names_none(
    converse: Converse, emulator: OkxEmulator
) -> None:
    emulator.init_world(config={"default_profile": "k", "profiles": {"k": _key("k")}})
    chat = converse()
    turn = await chat.start(
        "buy BTC-USDT-SWAP", failed_command=_failed(["swap", "place"], "Error: 51734")
    )
    assert (turn.interrupt, turn.outcome) == (None, "needs_user_action")
    assert turn.reply == expected_text("region_restriction_api_key_no_site.en", profile="k")
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_a_region_restriction_without_a_site_says_so_and_shows_the_menu(
    converse: Converse, emulator: OkxEmulator
) -> None:
    chat = converse()
    turn = await chat.start(
        "buy BTC-USDT-SWAP", failed_command=_failed(["swap", "place"], "Error: 51155")
    )
    assert turn.kind == "choose_site"
    assert turn.reply == "\n\n".join([expected_text("region_restriction_no_site.en"), MENU])
    turn = await chat.reply("2")
    assert turn.kind == "await_authorization"
    assert chat.argvs()[2:] == [["auth", "login", "--manual", "--site", "eea"]]


@pytest.mark.parametrize("auth", ["logged_in", "pending"])
async def test_a_region_restriction_of_an_oauth_user_asks_to_switch_from_the_current_site(
    converse: Converse, emulator: OkxEmulator, auth: str
) -> None:
    """D18: logged in, or with a code pending, the user is told the current site and asked."""
    emulator.init_world(auth=auth, site="eea")
    chat = converse()
    turn = await chat.start(
        "buy BTC-USDT-SWAP", failed_command=_failed(["swap", "place"], "Error: 51155")
    )
    assert turn.kind == "confirm_switch_site"
    assert turn.reply == expected_text("region_restriction.en", site="eea")
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_a_region_restriction_switch_declined_keeps_the_session_on_its_site(
    converse: Converse, emulator: OkxEmulator
) -> None:
    emulator.init_world(auth="logged_in", site="us")
    chat = converse()
    await chat.start("buy BTC-USDT-SWAP", failed_command=_failed(["swap", "place"], "51155"))
    turn = await chat.reply("no")
    assert (turn.interrupt, turn.outcome) == (None, "cancelled")
    assert turn.reply == expected_text("switch_site_kept.en", site="us")
    assert emulator.world()["auth"] == "logged_in"
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


# ------------------------------------------------------------------ expired sessions (D12, D14)


async def test_an_oauth_only_users_401_is_an_expired_session_said_before_the_menu(
    converse: Converse, emulator: OkxEmulator
) -> None:
    """D6/D14: no API-key profile, a session (stale: okx still says logged in): the notice."""
    emulator.init_world(auth="logged_in", site="us")
    chat = converse()
    turn = await chat.start(
        "show my balance", failed_command=_failed(["account", "balance"], "HTTP 401")
    )
    assert turn.kind == "choose_site"
    assert turn.reply == "\n\n".join([expected_text("session_expired_notice.en"), MENU])
    turn = await chat.reply("1")
    assert turn.kind == "await_authorization"
    assert chat.argvs()[2:] == [["auth", "login", "--manual", "--site", "global"]]


async def test_a_401_after_the_session_lapsed_is_an_expired_session_too(
    converse: Converse, emulator: OkxEmulator
) -> None:
    emulator.init_world(auth="logged_in", site="us")
    emulator.expire_session()
    chat = converse()
    turn = await chat.start(
        "show my balance", failed_command=_failed(["account", "balance"], "401 Unauthorized")
    )
    assert turn.kind == "choose_site"
    assert turn.reply == "\n\n".join([expected_text("session_expired_notice.en"), MENU])


async def test_run_okx_auth_login_first_is_no_lapsed_session_the_menu_comes_alone(
    converse: Converse, emulator: OkxEmulator
) -> None:
    """Nobody was logged in: a login is needed, but no session expired (no notice)."""
    chat = converse()
    turn = await chat.start(
        "show my balance",
        failed_command=_failed(["account", "balance"], "Run `okx auth login` first"),
    )
    assert (turn.kind, turn.reply) == ("choose_site", MENU)


async def test_a_401_with_no_key_profile_and_no_session_names_the_environments_key(
    converse: Converse, emulator: OkxEmulator
) -> None:
    chat = converse()
    turn = await chat.start(
        "show my balance", failed_command=_failed(["account", "balance"], "HTTP 401")
    )
    assert (turn.interrupt, turn.outcome) == (None, "needs_user_action")
    action = (
        "no API-key profile is configured: if okx takes a key from OKX_API_KEY / OKX_SECRET_KEY"
        " / OKX_PASSPHRASE, replace it there"
    )
    assert turn.reply == _error_reply("HTTP 401", action)
    assert turn.state["route"] is None


# ------------------------------------------------------------------ login errors passed in (D19)


@pytest.mark.parametrize(
    ("argv", "error", "shown"),
    [
        (["account", "balance"], "Authorization timed out", "Authorization timed out"),
        (["auth", "login", "--site", "eea"], "Access denied", "Access denied"),
        (
            ["auth", "login", "--manual", "--site", "eea"],
            "Network error during login",
            "Network error during login (check the network connection)",
        ),
    ],
)
async def test_a_login_error_passed_in_asks_to_retry_then_shows_the_menu(
    converse: Converse, emulator: OkxEmulator, argv: list[str], error: str, shown: str
) -> None:
    chat = converse()
    turn = await chat.start("log me in", failed_command=_failed(argv, error))
    assert turn.kind == "confirm_retry"
    assert turn.reply == expected_text("confirm_retry_after_error.en", error=shown)
    turn = await chat.reply("yes")
    assert (turn.kind, turn.reply) == ("choose_site", MENU)
    turn = await chat.reply("3")
    assert turn.kind == "await_authorization"
    assert chat.argvs()[2:] == [["auth", "login", "--manual", "--site", "us"]]


async def test_a_network_error_of_a_skill_command_gets_its_action_not_a_retry_question(
    converse: Converse, emulator: OkxEmulator
) -> None:
    chat = converse()
    turn = await chat.start(
        "show balance",
        failed_command=_failed(["account", "balance"], "Network error during login"),
    )
    assert (turn.interrupt, turn.outcome) == (None, "needs_user_action")
    assert turn.reply == _error_reply(
        "Network error during login", "check the network connection, then retry"
    )
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


async def test_a_failure_without_any_error_text_still_gets_its_action(
    converse: Converse, emulator: OkxEmulator
) -> None:
    chat = converse()
    turn = await chat.start("show balance", failed_command=_failed(["account", "balance"], ""))
    assert (turn.interrupt, turn.outcome) == (None, "needs_user_action")
    assert turn.reply == _error_reply(
        "(no error text)", "read the error message above; retry or check the okx documentation"
    )


async def test_an_okx_too_old_for_auth_passed_in_gets_the_too_old_text(
    converse: Converse, emulator: OkxEmulator
) -> None:
    chat = converse()
    turn = await chat.start(
        "am I logged in?", failed_command=_failed(["auth", "status"], "Unknown command: auth")
    )
    assert (turn.interrupt, turn.outcome) == (None, "needs_user_action")
    assert turn.reply == expected_text("cli_too_old.en")


async def test_no_config_found_for_an_oauth_user_goes_on_to_the_site_check(
    converse: Converse, emulator: OkxEmulator
) -> None:
    """D16: "No config found" matters only to API-key users; the flow goes on (menu)."""
    chat = converse()
    turn = await chat.start(
        "show my balance",
        failed_command=_failed(
            ["account", "balance"], "No config found. Run okx config init first."
        ),
    )
    assert (turn.kind, turn.reply) == ("choose_site", MENU)
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


# ------------------------------------------------------------------ spawn failures (D17)


async def test_a_skill_commands_spawn_failure_reinstalls_and_hands_the_command_back(
    converse: Converse, emulator: OkxEmulator
) -> None:
    chat = converse()
    argv = ["account", "balance", "--json"]
    turn = await chat.start(
        "show my balance", failed_command=_failed(argv, "Failed to spawn okx-auth")
    )
    assert turn.interrupt is None
    assert turn.outcome == "binary_ready"
    assert turn.state["route"] == "okx-cex-portfolio"
    assert turn.state["retry_command"] == argv
    command = "account balance --json"
    assert turn.reply == expected_text(
        "binary_ready_retry.en", status="up-to-date", command=command
    )
    assert chat.argvs()[2:] == INSTALL


@pytest.mark.parametrize(
    ("request_text", "argv", "retried"),
    [
        ("log me out", ["auth", "logout"], LOGOUT),
        ("am I logged in?", ["--demo", "auth", "status"], ["auth", "status", "--json"]),
    ],
)
async def test_an_auth_commands_spawn_failure_reinstalls_and_runs_it_once_more(
    converse: Converse,
    emulator: OkxEmulator,
    request_text: str,
    argv: list[str],
    retried: list[str],
) -> None:
    """The graph retries an okx-auth command itself (global flags anywhere are no word of it)."""
    emulator.init_world(auth="logged_in", site="us")
    chat = converse()
    turn = await chat.start(request_text, failed_command=_failed(argv, "Failed to spawn okx-auth"))
    assert turn.interrupt is None
    assert turn.reply.startswith(expected_text("installing_binary.en", status="up-to-date"))
    assert chat.argvs()[2:] == [*INSTALL, retried]


async def test_a_logins_spawn_failure_passed_in_reinstalls_then_asks_for_the_site(
    converse: Converse, emulator: OkxEmulator
) -> None:
    """The login is retried through the gate: this conversation showed no menu yet (D11)."""
    chat = converse()
    turn = await chat.start(
        "log me in",
        failed_command=_failed(
            ["auth", "login", "--manual", "--site", "eea"], "Failed to spawn okx-auth"
        ),
    )
    assert turn.kind == "choose_site"
    assert turn.reply == "\n\n".join(
        [expected_text("installing_binary.en", status="up-to-date"), MENU]
    )
    assert chat.argvs()[2:] == INSTALL
    turn = await chat.reply("1")
    assert turn.kind == "await_authorization"
    assert chat.argvs()[4:] == [["auth", "login", "--manual", "--site", "global"]]


# ------------------------------------------------------------------ the same failure again


@pytest.mark.parametrize(
    ("world", "argv", "error", "first", "action"),
    [
        (
            {},
            ["auth", "login", "--site", "eea"],
            "Authorization timed out",
            "confirm_retry",
            "log in again (okx auth login --manual --site <site>) and authorise before the code"
            " expires",
        ),
        (
            {},
            ["account", "balance"],
            "Session expired",
            "choose_site",
            "log in again: choose the site in the menu, then okx auth login --manual --site <site>",
        ),
        (
            {"auth": "pending", "site": "us"},
            ["account", "balance"],
            "Session expired",
            "await_authorization",
            "log in again: choose the site in the menu, then okx auth login --manual --site <site>",
        ),
        (
            {"auth": "pending", "site": "us"},
            ["auth", "login", "--site", "eea"],
            "Authorization timed out",
            "await_authorization",
            "log in again (okx auth login --manual --site <site>) and authorise before the code"
            " expires",
        ),
        (
            {},
            ["account", "balance", "--json"],
            "Failed to spawn okx-auth",
            None,
            "okx auth install, check it with okx auth install-status, then retry the command",
        ),
    ],
)
async def test_the_same_failure_right_after_its_remedy_ends_with_the_action(
    converse: Converse,
    emulator: OkxEmulator,
    world: dict[str, Any],
    argv: list[str],
    error: str,
    first: str | None,
    action: str,
) -> None:
    """D17: one remedy per failed command; the same failure again ends ``failed``."""
    emulator.init_world(**world)
    chat = converse()
    turn = await chat.start("show my balance", failed_command=_failed(argv, error))
    assert turn.kind == first
    before = len(chat.argvs())
    turn = await chat.start("show my balance", failed_command=_failed(argv, error))
    assert (turn.interrupt, turn.outcome) == (None, "failed")
    assert turn.reply == _repeated(argv, action)
    assert sorted(chat.argvs()[before:]) == sorted(PREFLIGHT)
    assert (await chat.state()).values["remediated"] is None
    turn = await chat.start("show my balance", failed_command=_failed(argv, error))
    assert turn.kind == first  # a new remedy: the one before ended


# ------------------------------------------------------------------ status, binary, set-up


async def test_a_status_question_while_a_code_is_pending_names_its_site(
    converse: Converse, emulator: OkxEmulator
) -> None:
    emulator.init_world(auth="pending", site="eea")
    chat = converse()
    turn = await chat.start("am I logged in?")
    assert (turn.interrupt, turn.outcome) == (None, "status_reported")
    assert turn.reply == expected_text("status_pending.en", site="eea")
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)


@pytest.mark.parametrize(("binary", "cdn_match"), [("installed", "match"), ("corrupt", "mismatch")])
async def test_the_binary_check_reports_the_platform_and_the_cdn_check(
    converse: Converse, emulator: OkxEmulator, binary: str, cdn_match: str
) -> None:
    emulator.init_world(binary=binary)
    chat = converse()
    turn = await chat.start("is okx-auth installed? show install-status")
    assert (turn.interrupt, turn.outcome) == (None, "status_reported")
    assert turn.reply == expected_text(
        "binary_installed.en", platform="linux-x64", cdn_match=cdn_match
    )
    assert chat.argvs()[2:] == [["auth", "install-status", "--json"]]


async def test_an_install_request_with_a_failed_auth_command_installs_and_ends_there(
    converse: Converse, emulator: OkxEmulator
) -> None:
    """The install was the request: the failed login is not run again (nor asked about)."""
    chat = converse()
    turn = await chat.start(
        "install okx-auth",
        failed_command=_failed(
            ["auth", "login", "--manual", "--site", "eea"], "Failed to spawn okx-auth"
        ),
    )
    assert (turn.interrupt, turn.outcome) == (None, "binary_ready")
    assert turn.reply == expected_text("binary_ready.en", status="up-to-date")
    assert chat.argvs()[2:] == INSTALL
    assert (await chat.state()).values["remediated"] is None


async def test_removing_a_binary_already_gone_says_there_was_nothing_to_remove(
    converse: Converse, emulator: OkxEmulator
) -> None:
    chat = converse()
    assert (await chat.start("remove the okx-auth binary")).kind == "confirm_remove_binary"
    emulator.set("binary", "missing")  # removed by hand while the question was shown
    turn = await chat.reply("yes")
    assert (turn.interrupt, turn.outcome) == (None, "status_reported")
    assert turn.reply == expected_text("binary_not_installed.en")
    assert chat.argvs()[2:] == [["auth", "remove", "--force", "--json"]]


async def test_a_declined_removal_keeps_the_binary_and_runs_nothing(
    converse: Converse, emulator: OkxEmulator
) -> None:
    chat = converse()
    await chat.start("remove the okx-auth binary")
    turn = await chat.reply("no")
    assert (turn.interrupt, turn.outcome) == (None, "status_reported")
    assert turn.reply == expected_text("binary_remove_declined.en")
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)
    assert emulator.world()["binary"] == "installed"


@pytest.mark.parametrize("answers", [["cancel"], ["2", "cancel"]])
async def test_a_cancel_at_the_api_key_options_or_the_profile_removal_ends_the_flow(
    converse: Converse, emulator: OkxEmulator, answers: list[str]
) -> None:
    emulator.init_world(config=TWO_KEYS)
    chat = converse()
    await chat.start(
        "check my balance", failed_command=_failed(["account", "balance"], "Invalid Sign")
    )
    for answer in answers:
        turn = await chat.reply(answer)
    assert (turn.interrupt, turn.outcome) == (None, "cancelled")
    assert turn.reply == expected_text("cancelled.en")
    assert sorted(chat.argvs()) == sorted(PREFLIGHT)
