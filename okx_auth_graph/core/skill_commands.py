"""The command allowlist: downstream skill commands run through here, and nothing else.

:func:`run_okx_command` runs an okx command for a skill (``market …``, ``account …``) and, on an
authentication failure, says what the auth graph must do next.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.errors import OkxCliError
from okx_auth_graph.state import FailedCommand

SKILL_MODULES: tuple[str, ...] = (
    "market",
    "account",
    "spot",
    "swap",
    "futures",
    "option",
    "earn",
    "bot",
)
"""The only first arguments a downstream command may have: the skill modules of ``okx --help``.

Everything else is refused with no okx call: ``config`` (prints secrets), ``auth`` (logins go
through the auth flow), ``setup`` (writes MCP servers into other AI clients), ``diagnose``,
options before the module, unknown modules.
"""

AUTH_GRAPH_KINDS = frozenset(
    {"session_expired", "invalid_api_key", "failed_to_spawn", "region_restriction", "no_config"}
)
"""Error kinds of a downstream command that the auth graph remediates."""

MAX_OUTPUT_CHARS = 4000


async def run_okx_command(cli: OkxCli, argv: Sequence[str]) -> dict[str, Any]:
    """Run a downstream okx command; on an auth failure say what the auth graph must do.

    Args:
        cli: The okx adapter.
        argv: The okx arguments, e.g. ``["account", "balance", "--json"]``: a list (or tuple)
            of strings; anything else (``None``, a string, a mapping, ...) is refused, not run.

    Returns:
        ``{"ok": True, "argv", "json", "stdout"}`` on success;
        ``{"ok": False, "next": "okx_auth", "kind", "failed_command": {"argv", "error"}}`` when
        the auth graph must remediate (session expired, invalid API key, okx-auth binary
        missing, region restriction, no config); ``{"ok": False, "error": {...}}`` otherwise.
    """
    if not isinstance(argv, list | tuple) or not all(isinstance(a, str) for a in argv):
        return _refused_command("argv must be a list of strings")
    args = list(argv)
    if not args or args[0] not in SKILL_MODULES:
        first = repr(args[0][:40]) if args else "nothing"
        return _refused_command(f"the first argument is {first}, not a skill module")
    try:
        result = await cli.run(args)
    except OkxCliError as exc:
        if exc.kind in AUTH_GRAPH_KINDS:
            failed: FailedCommand = {"argv": args, "error": exc.message}
            return {"ok": False, "next": "okx_auth", "kind": exc.kind, "failed_command": failed}
        return {"ok": False, "error": error_summary(exc)}
    return {
        "ok": True,
        "argv": result["argv"],
        "json": result["json"],
        "stdout": result["stdout"][:MAX_OUTPUT_CHARS],
    }


def error_summary(exc: OkxCliError) -> dict[str, Any]:
    """An okx failure as a door reports it: its kind, (masked) message and action."""
    return {"kind": exc.kind, "message": exc.message, "action": exc.action}


def _refused_command(why: str) -> dict[str, Any]:
    """The answer to a downstream command outside the skill modules (no okx call was made)."""
    return {
        "ok": False,
        "error": {
            "kind": "refused",
            "message": (
                f"okx_run_command refused: {why}. It runs skill commands only; the first "
                f"argument must be one of: {', '.join(SKILL_MODULES)}"
            ),
            "action": "use the okx auth tools for authentication; config, auth, setup and "
            "diagnose are not available to the model",
        },
    }
