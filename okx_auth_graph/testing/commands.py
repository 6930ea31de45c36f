"""The emulated ``okx`` commands: what ``okx ARGV`` prints and returns, given the world.

This module is an emulator of a contract: the okx CLI (npm ``@okx_ai/okx-trade-cli``) from
1.3.1-beta.17 on, with its ``okx-auth`` binary, for the commands the authentication procedure
uses. The texts come from three sources, in this order of authority: the measured behaviour
of the real CLI 1.2.4 (``--version``, ``config show --json``, the ``config init`` wizard,
``Unknown command: …``, the ``Error:/Hint:/Version:`` error block), the public source of the
CLI's ``auth`` commands (``install``, ``install-status``, ``remove``, "Failed to spawn
okx-auth"), and the project's spec, docs/spec.md (status/challenge/skipped JSON and the error reference).

Contract summary (exit code 0 for success and for ``skipped``, 1 for every error, errors on
stderr):

- ``okx --version`` → ``1.3.1-beta.17 (emulator)``.
- ``okx config show --json`` → the WHOLE ``~/.okx/config.toml`` as JSON, secrets included,
  indented like the real CLI; ``{"profiles": {}}`` when there is no file.
- ``okx config init`` → the wizard; answers are read one line each from stdin in the real
  CLI's order: site (1/2/3 or global/eea/us, default 1), demo (``Y/n``), profile name
  (default ``okx-demo``/``okx-prod``), ``y`` to overwrite an existing profile, API key,
  secret key, passphrase. It writes the profile with ``site`` (as the spec says
  ``config init`` persists it) and, like the real CLI, ``base_url`` for EEA/US. At the end
  of stdin it stops without writing, exit 0, as the real CLI does.
- ``okx config add-profile AK=… SK=… PP=… [site=…] [demo=…] [name=…] [--force]``,
  ``okx config use NAME``, ``okx config set default_profile NAME``, ``okx config
  list-profile``: as the real CLI (their transcripts are checked byte for byte against
  1.2.4). The call log replaces the ``AK=``/``SK=``/``PP=`` values by ``***``.
- ``okx auth status --json`` → ``{"profile":"oauth","site":…,"status":"logged_in",
  "expiresAt":…,"ttl":…,"scopes":[…]}``; ``pending`` with the chosen site while a device code
  waits; ``{"profile":"oauth","site":"global","status":"not_logged_in"}`` otherwise (the
  ``global`` is a placeholder). An expired session reports ``not_logged_in`` and prints
  ``Session expired — run okx auth login again`` on stderr (exit 0), and keeps doing so
  (downstream commands too) until the next login or logout.
- ``okx auth login --manual --site X`` → ``{"verificationUri":"https://<web host>/…",
  "userCode":"XXXX-XXXX","expiresIn":600}`` and the world is ``pending``; with any profile
  holding a non-empty ``api_key``: ``{"status":"skipped","reason":"api_key_configured",
  "profile":"<name>"}`` (exit 0), in both login modes.
- Emulator decisions where the contract is silent: a new login (either mode) replaces any
  session or pending code; ``okx auth logout`` also clears a pending device code and a lapsed
  session (an assumption about okx >= 1.3.1: the graph logs out on any OAuth state); ``--site`` omitted means the last OAuth site, else ``global``;
  an unknown ``--site`` is an error; ``remove --json`` of a missing binary prints
  ``{"status":"not-installed"}`` without ``path``, as the real source does.
- ``okx auth login --site X`` (blocking) → polls the world every ``POLL_INTERVAL`` real
  seconds until approved (``Logged in successfully!``), denied (``Access denied``), the code
  expired or the real-time cap ``login_cap`` passed (``Authorization timed out``).
- ``okx auth logout``; ``okx auth install [--json]``; ``okx auth install-status [--json]``;
  ``okx auth remove [--force] [--json]`` with the shapes of the real CLI's source.
- Network down → ``Network error during login``; install with the CDN failing →
  ``Installation failed: All CDN sources failed``; binary missing or corrupt → every
  login/logout/status says ``Error: Failed to spawn okx-auth: …``.
- A version below 1.3.1-beta.17 answers every ``auth`` command like the real 1.2.4:
  ``Unknown command: auth …``, or its parser's ``Unknown option '--site'`` error block for an
  option it does not know (``--site``, ``--manual``).
- Any other command goes to ``okx_auth_graph.testing.downstream.run_downstream`` (market,
  account, …); without that module it is ``Unknown command: …``.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import importlib
import json
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from okx_auth_graph.testing.world import (
    DEVICE_CODE_TTL,
    SITES,
    WorldStore,
    api_key_profile,
    config_path,
    config_profiles,
    now,
    read_config,
    settle,
    start_device,
    version_has_auth,
    write_config,
)

API_HOSTS = {"global": "www.okx.com", "eea": "eea.okx.com", "us": "app.okx.com"}
SECRET_ARG = re.compile(r"^((?:AK|SK|PP)=).+$", re.IGNORECASE)
POLL_INTERVAL = 0.05
LEGACY_OPTIONS: Mapping[str, str] = {
    **dict.fromkeys(
        [
            "demo",
            "json",
            "help",
            "version",
            "history",
            "reduceOnly",
            "basePos",
            "live",
            "archive",
            "autoCxl",
            "force",
            "allowEarlyRedeem",
            "verbose",
        ],
        "boolean",
    ),
    **dict.fromkeys(
        [
            "profile",
            "client",
            "modules",
            "bar",
            "limit",
            "sz",
            "instId",
            "ordId",
            "side",
            "ordType",
            "px",
            "posSide",
            "tdMode",
            "lever",
            "mgnMode",
            "tpTriggerPx",
            "tpOrdPx",
            "slTriggerPx",
            "slOrdPx",
            "algoId",
            "newSz",
            "newTpTriggerPx",
            "newTpOrdPx",
            "newSlTriggerPx",
            "newSlOrdPx",
            "callbackRatio",
            "callbackSpread",
            "activePx",
            "algoOrdType",
            "gridNum",
            "maxPx",
            "minPx",
            "runType",
            "quoteSz",
            "baseSz",
            "direction",
            "stopType",
            "instType",
            "quoteCcy",
            "posMode",
            "ccy",
            "from",
            "to",
            "transferType",
            "subAcct",
            "amt",
            "clOrdId",
            "newPx",
            "initOrdAmt",
            "safetyOrdAmt",
            "maxSafetyOrds",
            "pxSteps",
            "pxStepsMult",
            "volMult",
            "tpPct",
            "slPct",
            "slMode",
            "allowReinvest",
            "triggerStrategy",
            "triggerPx",
            "cycleId",
            "lang",
            "uly",
            "expTime",
            "action",
            "orders",
            "rate",
            "since",
            "tool",
            "productId",
            "protocolType",
            "term",
            "tag",
            "state",
            "quoteId",
            "notionalCcy",
            "optType",
            "baseCcy",
            "beginId",
            "endId",
            "begin",
            "end",
            "minYield",
            "strikeNear",
            "termDays",
            "minTermDays",
            "maxTermDays",
            "expDate",
        ],
        "string",
    ),
}
"""The options okx 1.2.4 knows (its parser rejects any other, e.g. ``--site``, ``--manual``)."""
PLATFORM = "linux-x64"
CDN_SOURCE = "https://static.okx.com/cdn/okx-auth/linux-x64/okx-auth"
BINARY_SHA256 = hashlib.sha256(b"okx-auth emulated binary").hexdigest()
CORRUPT_SHA256 = hashlib.sha256(b"okx-auth corrupted binary").hexdigest()
BINARY_SIZE = 9_437_184
CORRUPT_SIZE = 4_096
INTERNAL_HINT = (
    "Unexpected server error. Check tool arguments and retry. If it persists, inspect server logs."
)
SESSION_EXPIRED = "Session expired — run okx auth login again"
ADD_PROFILE_HINT = "okx config add-profile AK=<key> SK=<secret> PP=<passphrase>"
ADD_PROFILE_USAGE = (
    f"{ADD_PROFILE_HINT} [site=global|eea|us] [demo=true|false] [name=<name>] [--force]"
)
AUTH_ACTIONS = ("login", "logout", "status", "install", "install-status", "remove")
WIZARD_SITES = {"1": "global", "2": "eea", "3": "us", "global": "global", "eea": "eea", "us": "us"}

_T = TypeVar("_T")
Ask = Callable[[str], Awaitable[str | None]]


class Transact(Protocol):
    """Runs one change of the world under its lock and returns the change's result."""

    def __call__(self, change: Callable[[dict[str, Any]], _T]) -> Awaitable[_T]:
        """Apply ``change`` atomically."""
        ...


class Output:
    """What one invocation writes to stdout and stderr (kept in memory)."""

    def __init__(self, on_stdout: Callable[[bytes], None] | None = None) -> None:
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.on_stdout = on_stdout

    def write_out(self, data: bytes) -> None:
        """Write bytes to stdout (and hand them to the reader as they are written)."""
        self.stdout += data
        if self.on_stdout is not None:
            self.on_stdout(bytes(data))

    def write_err(self, data: bytes) -> None:
        """Write bytes to stderr."""
        self.stderr += data

    def out(self, text: str) -> None:
        """Write text to stdout."""
        self.write_out(text.encode("utf-8"))

    def err(self, text: str) -> None:
        """Write text to stderr."""
        self.write_err(text.encode("utf-8"))


def _js_json(value: Any) -> Any:
    """Values as JavaScript's JSON.stringify would render what the CLI parsed from TOML."""
    if isinstance(value, dict):
        return {str(k): _js_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_js_json(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
        return stamp.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, date | dtime):
        return value.isoformat()
    return value


def _mask(value: Any) -> str:
    text = str(value or "")
    return "***" + text[-4:] if len(text) >= 4 else "****"


def _site_of_base_url(base_url: Any) -> str:
    for site, host in SITES.items():
        if base_url in {f"https://{host}", f"https://{API_HOSTS[site]}"}:
            return site
    return "global"


def redact_argv(argv: Sequence[str]) -> list[str]:
    """``argv`` with the credentials of ``config add-profile AK=… SK=… PP=…`` replaced by ***."""
    return [SECRET_ARG.sub(r"\1***", arg) for arg in argv]


def _compact(data: Mapping[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n"


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds")


def verification_uri(site: str) -> str:
    """The page where the user enters the device code, on the site's web host."""
    return f"https://{SITES[site]}/account/oauth/device"


def binary_path(world: Mapping[str, Any]) -> str:
    """Where the emulated ``okx-auth`` binary lives."""
    return str(Path(world["home"]) / ".okx" / "bin" / "okx-auth")


class Flags:
    """The options of one command line: boolean switches and ``--name value`` pairs."""

    def __init__(self, args: Sequence[str]) -> None:
        self.switches: set[str] = set()
        self.values: dict[str, str] = {}
        self.positional: list[str] = []
        items = list(args)
        index = 0
        while index < len(items):
            item = items[index]
            if item.startswith("--") and "=" in item:
                name, value = item[2:].split("=", 1)
                self.values[name] = value
            elif item == "--site" and index + 1 < len(items):
                self.values["site"] = items[index + 1]
                index += 1
            elif item.startswith("--"):
                self.switches.add(item[2:])
            else:
                self.positional.append(item)
            index += 1

    def has(self, name: str) -> bool:
        """Whether ``--name`` was given."""
        return name in self.switches


class OkxCommand:
    """One emulated ``okx`` invocation.

    Args:
        store: The world directory.
        transact: Runs a world change under the lock (off the event loop in-process).
        env: The environment of the invocation (passed on to downstream commands).
        ask: Writes a prompt and returns the next stdin line, or ``None`` at its end.
        is_tty: Whether stdin is a terminal (``auth remove`` asks only then).
        output: Where stdout/stderr go.
    """

    def __init__(
        self,
        store: WorldStore,
        *,
        transact: Transact,
        env: Mapping[str, str],
        ask: Ask,
        is_tty: bool,
        output: Output,
    ) -> None:
        self.store = store
        self.transact = transact
        self.env = env
        self.ask = ask
        self.is_tty = is_tty
        self.output = output

    async def run(self, argv: Sequence[str]) -> int:
        """Run ``okx *argv`` and return its exit code."""
        args = [str(a) for a in argv]
        world = await self.transact(_settled)
        if not args:
            self.output.out("Usage: okx <module> <action> [options]\n")
            return 0
        if args[0] in {"--version", "-v", "-V"}:
            self.output.out(f"{world['version']} (emulator)\n")
            return 0
        if args[0] == "config":
            return await self._config(args[1:], world)
        failure = await asyncio.to_thread(_config_failure, world, args)
        if failure is not None:
            return self._error_block(world, *failure)
        if args[0] == "auth":
            if not version_has_auth(str(world["version"])):
                return self._auth_before_auth(args, world)
            return await self._auth(args[1:], world)
        return await self._downstream(args, world)

    def _auth_before_auth(self, args: list[str], world: Mapping[str, Any]) -> int:
        """``okx auth …`` on a CLI older than the auth commands, as 1.2.4 answers it."""
        positional: list[str] = []
        index = 0
        while index < len(args):
            arg = args[index]
            if arg == "--":
                positional += args[index + 1 :]
                break
            if arg.startswith("--") and len(arg) > 2:
                name = arg[2:].split("=", 1)[0]
                kind = LEGACY_OPTIONS.get(name)
                if kind is None and not (
                    name.startswith("no-") and LEGACY_OPTIONS.get(name[3:]) == "boolean"
                ):
                    return self._error_block(
                        world,
                        f"Unknown option '--{name}'. To specify a positional argument starting "
                        f"with a '-', place it at the end of the command after '--', as in "
                        f'\'-- "--{name}"',
                    )
                if kind == "string" and "=" not in arg:
                    index += 1
            else:
                positional.append(arg)
            index += 1
        action = positional[1] if len(positional) > 1 else ""
        self.output.err(f"Unknown command: auth {action}\n")
        return 1

    def _error_block(
        self, world: Mapping[str, Any], message: str, hint: str = INTERNAL_HINT
    ) -> int:
        self.output.err(
            f"Error: {message}\nHint: {hint}\nVersion: @okx_ai/okx-trade-cli@{world['version']}\n"
        )
        return 1

    async def _config(self, args: list[str], world: dict[str, Any]) -> int:
        action = args[0] if args else ""
        flags = Flags(args[1:])
        if action == "show":
            config = await asyncio.to_thread(read_config, world)
            if config.error is not None:
                return self._error_block(world, f"Invalid TOML document: {config.error}")
            if not config.exists:
                data: dict[str, Any] = {"profiles": {}}
            else:
                data = dict(config.data or {})
            if flags.has("json"):
                self.output.out(json.dumps(_js_json(data), indent=2, ensure_ascii=False) + "\n")
            else:
                self._config_text(world, data)
            return 0
        if action == "init":
            return await self._config_init(world)
        if action in {"add-profile", "use", "set", "list-profile"}:
            config = await asyncio.to_thread(read_config, world)
            if config.error is not None:
                return self._error_block(world, f"Invalid TOML document: {config.error}")
            data = dict(config.data or {})
            data["profiles"] = dict(config_profiles(config))
            if action == "add-profile":
                return await self._config_add_profile(world, data, flags)
            if action == "use":
                return await self._config_use(data, flags.positional[:1])
            if action == "set":
                return await self._config_set(data, flags.positional[:2])
            return self._config_list(world, data)
        self.output.err(f"Unknown config command: {action}\n")
        return 1

    async def _save_config(self, data: Mapping[str, Any]) -> None:
        def save(current: dict[str, Any]) -> None:
            write_config(current, data)

        await self.transact(save)

    async def _config_add_profile(
        self, world: Mapping[str, Any], data: dict[str, Any], flags: Flags
    ) -> int:
        params: dict[str, str] = {}
        for pair in flags.positional:
            if "=" in pair:
                key, value = pair.split("=", 1)
                params[key.strip().upper()] = value
        missing = [name for name in ("AK", "SK", "PP") if not params.get(name)]
        if missing:
            self.output.err(f"Error: missing required parameter(s): {', '.join(missing)}\n")
            self.output.err(f"Usage: {ADD_PROFILE_USAGE}\n")
            return 1
        site = WIZARD_SITES.get(params.get("SITE", "").lower(), "global")
        demo = params["DEMO"].lower() != "false" if "DEMO" in params else True
        name = params.get("NAME", "demo" if demo else "live")
        if name in data["profiles"] and not flags.has("force"):
            self.output.err(f'Error: profile "{name}" already exists. Use --force to overwrite.\n')
            return 1
        entry: dict[str, Any] = {
            "api_key": params["AK"],
            "secret_key": params["SK"],
            "passphrase": params["PP"],
            "demo": demo,
        }
        if site != "global":
            entry["base_url"] = f"https://{SITES[site]}"
        entry["site"] = site
        data["profiles"][name] = entry
        data["default_profile"] = name
        await self._save_config(data)
        self.output.out(f'Profile "{name}" saved to {config_path(world)}\n')
        self.output.out(f"Default profile set to: {name}\n")
        return 0

    async def _config_use(self, data: dict[str, Any], names: list[str]) -> int:
        if not names or not names[0]:
            self.output.err(
                "Error: profile name is required.\nUsage: okx config use <profile-name>\n"
            )
            return 1
        name = names[0]
        if name not in data["profiles"]:
            self.output.err(f'Error: profile "{name}" does not exist.\n')
            if data["profiles"]:
                self.output.err(f"Available profiles: {', '.join(data['profiles'])}\n")
            else:
                self.output.err(f"No profiles configured. Run: {ADD_PROFILE_HINT}\n")
            return 1
        data["default_profile"] = name
        await self._save_config(data)
        self.output.out(f'Default profile set to: "{name}"\n')
        return 0

    async def _config_set(self, data: dict[str, Any], pair: list[str]) -> int:
        key = pair[0] if pair else "undefined"
        if key != "default_profile":
            self.output.err(f"Unknown config key: {key}\n")
            return 1
        value = pair[1] if len(pair) > 1 else "undefined"
        data["default_profile"] = value
        await self._save_config(data)
        self.output.out(f'default_profile set to "{value}"\n')
        return 0

    def _config_list(self, world: Mapping[str, Any], data: dict[str, Any]) -> int:
        if not data["profiles"]:
            self.output.out(f"No profiles found. Run: {ADD_PROFILE_HINT}\n")
            return 0
        self.output.out(f"Config: {config_path(world)}\n\n")
        for name, profile in data["profiles"].items():
            marker = " *" if name == data.get("default_profile") else ""
            site = profile.get("site") or _site_of_base_url(profile.get("base_url"))
            mode = "demo (模拟盘)" if profile.get("demo") is not False else "live (实盘)"
            self.output.out(f"[{name}]{marker}\n")
            for field in ("api_key", "secret_key", "passphrase"):
                label = f"{field}:".ljust(11)
                self.output.out(f"  {label} {_mask(profile.get(field))}\n")
            self.output.out(f"  {'site:'.ljust(11)} {site}\n")
            self.output.out(f"  {'mode:'.ljust(11)} {mode}\n\n")
        return 0

    def _config_text(self, world: Mapping[str, Any], data: Mapping[str, Any]) -> None:
        self.output.out(f"Config: {config_path(world)}\n\n")
        self.output.out(f"default_profile: {data.get('default_profile') or '(not set)'}\n\n")
        profiles = data.get("profiles") if isinstance(data.get("profiles"), dict) else {}
        for name, profile in (profiles or {}).items():
            masked = _mask(profile.get("api_key")) if profile.get("api_key") else "(not set)"
            demo = "true" if profile.get("demo") else "false"
            self.output.out(f"[{name}]\n")
            self.output.out(f"  {'api_key'.ljust(18)}  {masked}\n")
            self.output.out(f"  {'demo'.ljust(18)}  {demo}\n")
            self.output.out(f"  {'base_url'.ljust(18)}  {profile.get('base_url') or '(default)'}\n")
            self.output.out("\n")

    async def _config_init(self, world: dict[str, Any]) -> int:
        out = self.output.out
        out("OKX Trade CLI — Configuration Wizard\n\n")
        out("Select site:\n")
        out("  1) Global (www.okx.com)  [default]\n")
        out("  2) EEA   (my.okx.com)\n")
        out("  3) US    (app.okx.com)\n")
        site_raw = await self.ask("Site (1/2/3, default: 1): ")
        if site_raw is None:
            return 0
        site = WIZARD_SITES.get(site_raw.strip().lower(), "global")
        demo_raw = await self.ask("Use demo trading? (Y/n) ")
        if demo_raw is None:
            return 0
        demo = demo_raw.strip().lower() != "n"
        mode = "go-demo-trading=1" if demo else "go-live-trading=1"
        out(
            f"\nGo to https://{SITES[site]}/account/my-api?{mode} to create an API Key "
            "(trade permission required)\n"
        )
        hint = "demo" if demo else "live"
        out(f"Tip: The page will redirect to {hint} trading API management\n\n")
        default_name = "okx-demo" if demo else "okx-prod"
        name_raw = await self.ask(f"Profile name (default: {default_name}): ")
        if name_raw is None:
            return 0
        name = name_raw.strip() or default_name
        config = await asyncio.to_thread(read_config, world)
        data: dict[str, Any] = dict(config.data or {}) if config.error is None else {}
        profiles = dict(config_profiles(config))
        if name in profiles:
            overwrite = await self.ask(f'Profile "{name}" already exists. Overwrite? (y/N) ')
            if overwrite is None:
                return 0
            if overwrite.strip().lower() != "y":
                out("Cancelled.\n")
                return 0
        answers: list[str] = []
        for label, error in (
            ("API Key", "Error: API Key cannot be empty"),
            ("Secret Key", "Error: Secret Key cannot be empty"),
            ("Passphrase", "Error: Passphrase cannot be empty"),
        ):
            answer = await self.ask(f"{label}: ")
            if answer is None:
                return 0
            if not answer.strip():
                self.output.err(error + "\n")
                return 1
            answers.append(answer.strip())
        if demo:
            out("Demo trading mode selected. Switch to live anytime via okx config set.\n")
        entry: dict[str, Any] = {
            "api_key": answers[0],
            "secret_key": answers[1],
            "passphrase": answers[2],
            "demo": demo,
            "site": site,
        }
        if site != "global":
            entry["base_url"] = f"https://{SITES[site]}"
        profiles[name] = entry
        data["profiles"] = profiles
        data["default_profile"] = name

        def save(current: dict[str, Any]) -> None:
            write_config(current, data)

        await self.transact(save)
        out(f"\nConfig saved to {config_path(world)}\n")
        out(f"Default profile set to: {name}\n")
        out("Usage: okx account balance\n")
        return 0

    async def _auth(self, args: list[str], world: dict[str, Any]) -> int:
        action = args[0] if args else ""
        flags = Flags(args[1:])
        if action not in AUTH_ACTIONS:
            self.output.err(f"Unknown auth command: {action}\n")
            self.output.err(f"Available: {', '.join(AUTH_ACTIONS)}\n")
            return 1
        if action == "install":
            return await self._install(world, json_output=flags.has("json"))
        if action == "install-status":
            return self._install_status(world, json_output=flags.has("json"))
        if action == "remove":
            return await self._remove(
                world, force=flags.has("force"), json_output=flags.has("json")
            )
        if world["binary"] != "installed":
            reason = "ENOENT" if world["binary"] == "missing" else "EACCES"
            detail = (
                f"spawn {binary_path(world)} {reason}"
                if world["binary"] == "missing"
                else "spawn Unknown system error -8"
            )
            return self._error_block(world, f"Failed to spawn okx-auth: {detail}")
        if action == "status":
            return self._status(world, json_output=flags.has("json"))
        if action == "logout":
            return await self._logout()
        site = flags.values.get("site")
        if site is not None and site not in SITES:
            self.output.err(f"Invalid site: {site}. Valid sites: {', '.join(SITES)}\n")
            return 1
        return await self._login(world, site=site, manual=flags.has("manual"))

    def _status(self, world: Mapping[str, Any], *, json_output: bool) -> int:
        state = world["auth"]
        if world.get("session_expired"):
            self.output.err(SESSION_EXPIRED + "\n")
        data: dict[str, Any]
        if state == "logged_in" and world.get("session"):
            session = world["session"]
            data = {
                "profile": "oauth",
                "site": session["site"],
                "status": "logged_in",
                "expiresAt": _iso(float(session["access_expires"])),
                "ttl": max(0, int(float(session["access_expires"]) - now(world))),
                "scopes": list(session["scopes"]),
            }
        elif state == "pending" and world.get("device"):
            data = {"profile": "oauth", "site": world["device"]["site"], "status": "pending"}
        else:
            data = {"profile": "oauth", "site": "global", "status": "not_logged_in"}
        if json_output:
            self.output.out(_compact(data))
        else:
            self.output.out(f"Status: {data['status']}\n")
            if data["status"] != "not_logged_in":
                self.output.out(f"Site: {data['site']}\n")
            if data.get("scopes"):
                self.output.out(f"Scopes: {', '.join(data['scopes'])}\n")
        return 0

    async def _logout(self) -> int:
        def logout(world: dict[str, Any]) -> bool:
            was_in = bool(world["auth"] != "not_logged_in")
            world.update(auth="not_logged_in", session=None, device=None, session_expired=False)
            return was_in

        if await self.transact(logout):
            self.output.out("Logged out successfully.\n")
        else:
            self.output.out("Not logged in.\n")
        return 0

    async def _login(self, world: dict[str, Any], *, site: str | None, manual: bool) -> int:
        profile = api_key_profile(await asyncio.to_thread(read_config, world))
        if profile is not None:
            if manual:
                self.output.out(
                    _compact(
                        {"status": "skipped", "reason": "api_key_configured", "profile": profile}
                    )
                )
            else:
                self.output.out(
                    f"API key already configured (profile: {profile}). "
                    "OAuth login skipped: the CLI uses the API key.\n"
                )
            return 0
        if world["network"] == "down":
            self.output.err("Network error during login: fetch failed\n")
            return 1
        chosen = site or world.get("site") or "global"

        def begin(current: dict[str, Any]) -> dict[str, Any]:
            return dict(start_device(current, chosen))

        device = await self.transact(begin)
        challenge = {
            "verificationUri": verification_uri(chosen),
            "userCode": device["user_code"],
            "expiresIn": DEVICE_CODE_TTL,
        }
        if manual:
            self.output.out(_compact(challenge))
            return 0
        self.output.out(
            "Open the link below in your browser and enter the code to authorize:\n"
            f"  URL:  {challenge['verificationUri']}\n"
            f"  Code: {challenge['userCode']}\n"
            f"  (expires in {DEVICE_CODE_TTL // 60} minutes)\n"
            "Waiting for authorization...\n"
        )
        return await self._poll(device["user_code"], float(world.get("login_cap") or 0.0))

    async def _poll(self, user_code: str, cap: float) -> int:
        deadline = time.monotonic() + cap
        while True:
            outcome = await self.transact(lambda w: _device_outcome(w, user_code))
            if outcome == "approved":
                self.output.out("Logged in successfully!\n")
                return 0
            if outcome == "denied":
                self.output.err("Access denied\n")
                return 1
            if outcome == "expired" or time.monotonic() >= deadline:
                self.output.err("Authorization timed out\n")
                return 1
            await asyncio.sleep(POLL_INTERVAL)

    async def _install(self, world: dict[str, Any], *, json_output: bool) -> int:
        failed = world["install"] == "cdn_failed" or world["network"] == "down"
        messages: list[str]
        if failed:
            messages = [
                f"Downloading okx-auth for {PLATFORM}...",
                f"Source {CDN_SOURCE} failed: fetch failed",
            ]
            result: dict[str, Any] = {
                "status": "failed",
                "source": None,
                "error": "All CDN sources failed",
            }
        elif world["binary"] == "installed":
            messages = ["Checking okx-auth version...", "okx-auth is already up to date"]
            result = {"status": "up-to-date", "source": CDN_SOURCE, "error": None}
        else:
            messages = [
                f"Downloading okx-auth for {PLATFORM} from {CDN_SOURCE}...",
                "SHA-256 checksum verified",
                f"Installed to {binary_path(world)}",
            ]
            result = {"status": "installed", "source": CDN_SOURCE, "error": None}

            def install(current: dict[str, Any]) -> None:
                current["binary"] = "installed"

            await self.transact(install)
        if json_output:
            self.output.out(_compact({**result, "messages": messages}))
            return 1 if failed else 0
        self.output.out("\n  Installing okx-auth...\n")
        for message in messages:
            self.output.out(f"  {message}\n")
        if result["status"] == "installed":
            self.output.out(f"  ✓ okx-auth installed successfully ({CDN_SOURCE})\n")
        elif result["status"] == "up-to-date":
            self.output.out("  ✓ okx-auth is already up to date\n")
        else:
            self.output.err(f"  ✗ Installation failed: {result['error']}\n")
            self.output.err("  Hint: check network connectivity or try again later\n")
        self.output.out("\n")
        return 1 if failed else 0

    def _install_status(self, world: Mapping[str, Any], *, json_output: bool) -> int:
        exists = world["binary"] != "missing"
        sha, size = {
            "installed": (BINARY_SHA256, BINARY_SIZE),
            "corrupt": (CORRUPT_SHA256, CORRUPT_SIZE),
        }.get(world["binary"], (None, None))
        cdn_up = exists and world["network"] == "up"
        if not exists:
            match = "not-installed"
        elif not cdn_up:
            match = "unavailable"
        else:
            match = "match" if sha == BINARY_SHA256 else "mismatch"
        data = {
            "binaryPath": binary_path(world),
            "exists": exists,
            "platform": PLATFORM,
            "fileSize": size,
            "sha256": sha,
            "cdnMatch": match,
            "cdnSha256": BINARY_SHA256 if cdn_up else None,
            "cdnSource": CDN_SOURCE if cdn_up else None,
        }
        if json_output:
            self.output.out(_compact(data))
            return 0
        labels = {"match": "✓ match", "mismatch": "✗ mismatch (update available)"}
        lines = [
            "",
            "  okx-auth Binary Status",
            "  " + "─" * 40,
            f"  Binary path : {data['binaryPath']}",
            f"  Installed   : {'yes' if exists else 'no'}",
            f"  Platform    : {PLATFORM}",
        ]
        if exists:
            lines += [
                f"  File size   : {(size or 0) / (1024 * 1024):.2f} MB",
                f"  SHA-256     : {sha}",
                f"  CDN check   : {labels.get(match, 'CDN unreachable')}",
            ]
            if cdn_up:
                lines.append(f"  CDN source  : {CDN_SOURCE}")
        lines.append("")
        self.output.out("\n".join(lines) + "\n")
        return 0

    async def _remove(self, world: Mapping[str, Any], *, force: bool, json_output: bool) -> int:
        path = binary_path(world)
        if world["binary"] == "missing":
            if json_output:
                self.output.out(_compact({"status": "not-installed"}))
            else:
                self.output.out("  okx-auth is not installed.\n")
            return 0
        if not force:
            if not self.is_tty:
                self.output.err("  Error: stdin is not a TTY. Use --force to skip confirmation.\n")
                return 1
            answer = await self.ask(f"  Remove okx-auth at {path}? [y/N] ")
            if (answer or "").strip().lower() != "y":
                self.output.out("  Cancelled.\n")
                return 0

        def remove(current: dict[str, Any]) -> None:
            current["binary"] = "missing"

        await self.transact(remove)
        if json_output:
            self.output.out(_compact({"status": "removed", "path": path}))
        else:
            self.output.out(f"  ✓ Removed: {path}\n")
        return 0

    async def _downstream(self, args: list[str], world: dict[str, Any]) -> int:
        try:
            module = importlib.import_module("okx_auth_graph.testing.downstream")
        except ModuleNotFoundError as exc:
            if exc.name != "okx_auth_graph.testing.downstream":
                raise
            action = args[1] if len(args) > 1 else ""
            self.output.err(f"Unknown command: {args[0]} {action}\n")
            return 1
        config = await asyncio.to_thread(read_config, world)
        expired = bool(world.get("session_expired"))
        # A lapsed session is still held by okx-auth (it just cannot be refreshed): downstream
        # commands see it as a logged-in session that is expired, and say "Session expired".
        auth = "logged_in" if expired else str(world["auth"])
        downstream_world = {
            "config": config.data if config.error is None else None,
            "auth": auth,
            "session_expired": expired,
            "binary": world["binary"],
            "site": (world.get("site") or "global") if auth in {"logged_in", "pending"} else None,
            "network": world["network"],
            "version": str(world["version"]),
        }
        code, stdout, stderr = await module.run_downstream(
            args, env=self.env, world=downstream_world
        )
        self.output.write_out(bytes(stdout))
        self.output.write_err(bytes(stderr))
        return int(code)


PROXY_HINT = "proxy_url must start with http:// or https://. SOCKS proxies are not supported."


def _config_failure(world: Mapping[str, Any], args: Sequence[str]) -> tuple[str, str] | None:
    """What every command but ``config`` checks first, as the real CLI's ``loadConfig`` does.

    A config file that does not parse → the TOML error with its code block (the quoted lines);
    the selected profile's ``proxy_url`` not ``http(s)://`` → ``Invalid proxy URL "…"`` in full.
    Emulator decision: the ``auth`` commands load the config first too, as 1.2.4 does for every
    module (its ``okx auth …`` prints these errors before ``Unknown command``).
    """
    config = read_config(world)
    if config.error is not None:
        return f"Invalid TOML document: {config.error}", INTERNAL_HINT
    name: str | None = None
    for index, arg in enumerate(args):
        if arg == "--profile" and index + 1 < len(args):
            name = args[index + 1]
        elif arg.startswith("--profile="):
            name = arg.split("=", 1)[1]
    data = config.data or {}
    name = name or str(data.get("default_profile") or "default")
    profile = config_profiles(config).get(name) or {}
    proxy = profile.get("proxy_url")
    if isinstance(proxy, str) and proxy.strip():
        proxy = proxy.strip()
        if not proxy.startswith(("http://", "https://")):
            return f'Invalid proxy URL "{proxy}".', PROXY_HINT
    return None


def _settled(world: dict[str, Any]) -> dict[str, Any]:
    settle(world)
    return copy.deepcopy(world)


def _device_outcome(world: dict[str, Any], user_code: str) -> str:
    settle(world)
    device = world.get("device") or {}
    if device.get("user_code") != user_code:
        return "expired"
    if device.get("state") == "approved" and world["auth"] == "logged_in":
        return "approved"
    return str(device.get("state") or "expired")
