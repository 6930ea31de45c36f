"""The ``okx-emulator`` console script: put the okx emulator on PATH and play its world.

Commands (the world is ``--state DIR``, else ``$OKX_EMULATOR_STATE``, else
``$HOME/.okx/emulator``)::

    okx-emulator shim DIR [--state DIR]        write DIR/okx (never installs anything as okx)
    okx-emulator world init [--config FILE.toml] [--auth not_logged_in|pending|logged_in]
                            [--site S] [--scopes a,b] [--binary installed|missing|corrupt]
                            [--install ok|cdn_failed] [--network up|down] [--version V]
                            [--latency S] [--login-cap S] [--json]
    okx-emulator world approve [--scopes a,b] | deny | expire-code | advance SECONDS
                            | expire-session | set KEY VALUE | show       (each with --json)
    okx-emulator calls                        the recorded okx calls, a JSON list, oldest first

``world`` verbs print a one-line summary (or, with ``--json``, a JSON object) that never holds
the config's secrets. Bad input exits 2 with a message; a verb that does not apply to the
world (approve with nothing pending, expire-session with nobody logged in) exits 1.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from filelock import Timeout

from okx_auth_graph.testing.emulator import OkxEmulator
from okx_auth_graph.testing.shim import ShimError, write_shim
from okx_auth_graph.testing.world import (
    AUTH_STATES,
    BINARY_STATES,
    INSTALL_STATES,
    NETWORK_STATES,
    SETTABLE_KEYS,
    SITES,
    WorldError,
    state_dir_from_env,
)


class UsageError(Exception):
    """Bad input on the command line (exit code 2)."""


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"seconds must be a finite number >= 0, not {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="okx-emulator",
        description="The okx CLI emulator of okx_auth_graph: put it on PATH, play its world.",
    )
    parser.add_argument("--state", help="world directory (default: $OKX_EMULATOR_STATE)")
    commands = parser.add_subparsers(dest="command", required=True)

    shim = commands.add_parser("shim", help="write DIR/okx that runs the emulator")
    shim.add_argument("dir", help="directory for the okx script (put it first on PATH)")

    commands.add_parser("calls", help="print the recorded okx calls as a JSON list")

    world = commands.add_parser("world", help="play the world outside the CLI")
    verbs = world.add_subparsers(dest="verb", required=True)

    def verb(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = verbs.add_parser(name, help=help_text)
        sub.add_argument("--json", action="store_true", help="print the world as JSON")
        return sub

    init = verb("init", "a fresh world: empty call log, clock at zero")
    init.add_argument("--config", type=Path, help="a config.toml to install as ~/.okx/config.toml")
    init.add_argument("--auth", choices=AUTH_STATES, default="not_logged_in")
    init.add_argument("--site", choices=tuple(SITES))
    init.add_argument("--scopes", help="comma-separated scopes of a session")
    init.add_argument("--binary", choices=BINARY_STATES, default="installed")
    init.add_argument("--install", choices=INSTALL_STATES, default="ok")
    init.add_argument("--network", choices=NETWORK_STATES, default="up")
    init.add_argument("--version", dest="okx_version", default=None, metavar="V")
    init.add_argument("--latency", type=_seconds, help="seconds each okx call takes")
    init.add_argument("--login-cap", type=_seconds, help="real seconds a blocking login waits")
    approve = verb("approve", "the user approves the pending device code")
    approve.add_argument("--scopes", help="comma-separated granted scopes")
    verb("deny", "the user rejects the pending device code")
    verb("expire-code", "the pending device code lapses now")
    advance = verb("advance", "let emulated time pass")
    advance.add_argument("seconds", type=_seconds)
    verb("expire-session", "the refresh token lapses: commands say Session expired")
    set_verb = verb("set", f"set a switch ({', '.join(SETTABLE_KEYS)})")
    set_verb.add_argument("key", choices=SETTABLE_KEYS)
    set_verb.add_argument("value")
    verb("show", "print the world")
    return parser


def _state_dir(args: argparse.Namespace) -> Path:
    if args.state:
        return Path(args.state)
    return state_dir_from_env(os.environ)


def _home() -> Path:
    home = os.environ.get("HOME")
    return Path(home) if home else Path.home()


def _print_world(world: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(world, ensure_ascii=False, sort_keys=True))
        return
    pending = world.get("pending")
    parts = [
        f"auth={world['auth']}",
        f"site={world['site'] or '-'}",
        f"scopes={','.join(world['scopes'] or [])}",
        f"binary={world['binary']}",
        f"install={world['install']}",
        f"network={world['network']}",
        f"version={world['version']}",
        f"clock={world['clock']:g}",
    ]
    if pending:
        parts.append(f"pending={pending['userCode']}@{pending['site']}({pending['expiresIn']}s)")
    if world.get("session_expired"):
        parts.append("session=expired")
    profiles = world["config"]["profiles"]
    parts.append(f"profiles={','.join(profiles) or '-'}")
    print("world: " + " ".join(parts))


def _read_config(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read --config {path}: {exc}") from None


def _world(args: argparse.Namespace, emulator: OkxEmulator) -> dict[str, Any]:
    verb = args.verb
    if verb == "init":
        options: dict[str, Any] = {
            "auth": args.auth,
            "site": args.site,
            "scopes": args.scopes,
            "binary": args.binary,
            "install": args.install,
            "network": args.network,
            "latency": args.latency,
        }
        if args.okx_version is not None:
            options["version"] = args.okx_version
        if args.login_cap is not None:
            options["login_cap"] = args.login_cap
        return emulator.init_world(_read_config(args.config), **options)
    if verb == "approve":
        return emulator.approve(scopes=args.scopes)
    if verb == "deny":
        return emulator.deny()
    if verb == "expire-code":
        return emulator.expire_code()
    if verb == "advance":
        return emulator.advance(args.seconds)
    if verb == "expire-session":
        return emulator.expire_session()
    if verb == "set":
        return emulator.set(args.key, args.value)
    return emulator.world()


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``okx-emulator`` and return its exit code."""
    parser = _parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        if args.command == "shim":
            state = Path(args.state) if args.state else None
            print(write_shim(Path(args.dir), state=state))
            return 0
        emulator = OkxEmulator(_state_dir(args), home=_home())
        if args.command == "calls":
            entries = [json.dumps(c, ensure_ascii=False) for c in emulator.calls()]
            print("[\n" + ",\n".join(entries) + "\n]" if entries else "[]")
            return 0
        _print_world(_world(args, emulator), as_json=args.json)
        return 0
    except (UsageError, ShimError, ValueError) as exc:
        print(f"okx-emulator: error: {exc}", file=sys.stderr)
        return 2
    except WorldError as exc:
        print(f"okx-emulator: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except (OSError, Timeout) as exc:
        print(f"okx-emulator: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
