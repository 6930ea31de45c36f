"""The ``okx-auth-graph`` console script: ``chat`` (terminal conversation) and ``eval`` (suites)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

USAGE = "usage: okx-auth-graph {chat,eval} [options]  (see okx-auth-graph COMMAND --help)"


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to the ``chat`` or ``eval`` sub-command."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(USAGE)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    try:
        if command == "chat":
            from okx_auth_graph.chat import main as chat_main

            return chat_main(rest)
        if command == "eval":
            from okx_auth_graph.evals.__main__ import main as eval_main

            return eval_main(rest)
    except ModuleNotFoundError as exc:  # an optional extra is missing: the message names it
        print(f"okx-auth-graph: {exc}", file=sys.stderr)
        return 2
    print(f"unknown command {command!r}\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
