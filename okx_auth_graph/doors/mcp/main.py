"""``okx-auth-graph mcp``: the MCP server over stdio (default) or streamable HTTP on 127.0.0.1.

Operator settings come from these options and the environment only (``OKX_EXECUTABLE``,
``OKX_HOME``, ``OKX_TIMEOUT``, ``OKX_AUTH_LANGUAGE``, …), never from a client: ``--okx PATH``
picks the okx program (default ``$OKX_EXECUTABLE``, else ``okx`` on ``PATH``), ``--demo`` runs
the bundled emulator with its world in a folder this command names on stderr (``--world DIR``
to choose it). Over stdio, stdout carries the protocol alone.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from okx_auth_graph.context import Context
from okx_auth_graph.doors.mcp.server import DEFAULT_PORT, LOCAL_HOST, build_server
from okx_auth_graph.okx.adapter import OkxCli

PROG = "okx-auth-graph mcp"
EXIT_USAGE = 2


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse the ``mcp`` options (exit status 2 with the usage for a bad one)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Serve the okx auth tools over MCP (stdio by default).",
    )
    parser.add_argument(
        "--http",
        action="store_true",
        help=f"serve streamable HTTP on {LOCAL_HOST} instead of stdio",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"--http: the port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--okx",
        metavar="PATH",
        help="the okx executable (default: $OKX_EXECUTABLE, else okx on PATH)",
    )
    parser.add_argument("--demo", action="store_true", help="use the bundled okx emulator")
    parser.add_argument(
        "--world",
        type=Path,
        metavar="DIR",
        help="--demo: keep the emulator's world here (default: a new temporary folder)",
    )
    args = parser.parse_args(list(argv))
    if args.okx is not None and args.demo:
        parser.error("--okx and --demo exclude each other (--demo runs the bundled emulator)")
    if args.world is not None and not args.demo:
        parser.error("--world needs --demo (it is the emulator's world)")
    if not 0 < args.port < 65536:
        parser.error(f"--port {args.port}: not a port number")
    return args


def checked_okx(value: str, origin: str) -> str:
    """An okx given as a path must be an executable file; a bare name is looked up on PATH.

    Raises:
        ValueError: Naming ``origin`` (``--okx`` or ``$OKX_EXECUTABLE``) and the path.
    """
    if os.sep not in value:
        return value
    path = Path(value)
    if not path.is_file() or not os.access(path, os.X_OK):
        raise ValueError(f"{origin} {value}: not an executable file")
    return value


def operator_cli(args: argparse.Namespace) -> OkxCli:
    """The okx adapter the operator chose: the demo emulator, ``--okx``, or the environment."""
    if args.demo:
        from okx_auth_graph.testing import OkxEmulator

        world: Path = args.world or Path(tempfile.mkdtemp(prefix="okx-mcp-demo-"))
        world.mkdir(parents=True, exist_ok=True)
        emulator = OkxEmulator(world)
        if not emulator.store.world_path.exists():
            emulator.init_world()
        print(
            f"{PROG}: okx is the bundled emulator; its world is {world}\n"
            f"  play the browser: OKX_EMULATOR_STATE={world} okx-emulator world approve",
            file=sys.stderr,
        )
        return OkxCli(runner=emulator)
    context = Context()
    if args.okx is not None:
        context.okx_executable = checked_okx(args.okx, "--okx")
    else:
        checked_okx(context.okx_executable, "$OKX_EXECUTABLE")
    return OkxCli.from_context(context)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``okx-auth-graph mcp`` until the client goes away; returns the exit status."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        cli = operator_cli(args)
        language = Context().language or "en"
    except (ValueError, OSError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    server = build_server(cli, language=language, port=args.port)
    try:
        server.run("streamable-http" if args.http else "stdio")
    except KeyboardInterrupt:
        return 130
    return 0
