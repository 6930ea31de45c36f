"""The ``okx-auth-graph`` console script: ``chat`` (terminal conversation), ``eval``, ``mcp``.

Exit statuses (also documented in ``docs/chat.md``): 0 done, 1 a failure the run reports (a
failed scenario, a failed login in the scripted demo), 2 a usage error (unknown command or
option, a path that does not exist, an unknown ``chat --thread``), 3 ``okx`` missing or unable to start, 4 ``okx`` too old for
``okx auth``, 130 interrupted with Ctrl-C.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib import metadata

from okx_auth_graph.extras import MissingExtraError, install_hint

PROG = "okx-auth-graph"
COMMANDS: dict[str, str] = {
    "chat": "talk to the OKX auth graph in this terminal (--demo: the bundled okx emulator)",
    "eval": "run the scenario suites in this process or against a LangGraph server (--url)",
    "mcp": "serve the okx auth tools to MCP clients (stdio; --http: 127.0.0.1; --demo: emulator)",
}
EXIT_USAGE = 2


def version() -> str:
    """The installed distribution's version (the source tree's when not installed)."""
    try:
        return metadata.version(PROG)
    except metadata.PackageNotFoundError:
        return "0+unknown"


def usage() -> str:
    """The help text: one line per command."""
    width = max(map(len, COMMANDS))
    lines = [
        f"usage: {PROG} COMMAND [options]",
        "",
        "OKX CLI authentication as a LangGraph graph.",
        "",
        "commands:",
        *(f"  {name:<{width}}  {summary}" for name, summary in COMMANDS.items()),
        "",
        "options:",
        "  -h, --help     show this help and exit",
        "  --version      show the version and exit",
        "",
        f"Run `{PROG} COMMAND --help` for a command's options.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to the ``chat`` or ``eval`` sub-command; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print(usage(), file=sys.stderr)
        return EXIT_USAGE
    command, rest = args[0], args[1:]
    if command in {"-h", "--help", "help"}:
        print(usage())
        return 0
    if command in {"-V", "--version"}:
        print(f"{PROG} {version()}")
        return 0
    try:
        if command == "chat":
            from okx_auth_graph.doors.chat import main as chat_main

            return chat_main(rest)
        if command == "eval":
            from okx_auth_graph.evals.__main__ import main as eval_main

            return eval_main(rest)
        if command == "mcp":
            from okx_auth_graph.doors.mcp.main import main as mcp_main

            return mcp_main(rest)
    except MissingExtraError as exc:  # named for the command typed, not the module that noticed
        hint = install_hint(exc.extra, exc.name)
        print(f"{PROG}: `{PROG} {command}` needs the {exc.extra!r} extra {hint}", file=sys.stderr)
        return EXIT_USAGE
    except ModuleNotFoundError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    kind = "option" if command.startswith("-") else "command"
    print(f"{PROG}: unknown {kind} {command!r}\n\n{usage()}", file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
