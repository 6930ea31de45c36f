"""The okx emulator's world: a file-backed state shared by every process that emulates ``okx``.

The *world* is everything outside the okx CLI that its behaviour depends on: the OAuth state
kept by the ``okx-auth`` binary (pending device code, session, site, scopes), the binary itself
(installed, missing, corrupt), the CDN, the network, the CLI version, and a controllable clock.
It lives in one directory (``OKX_EMULATOR_STATE``, default ``$HOME/.okx/emulator``):

- ``world.json`` — the state, rewritten atomically (temporary file + :func:`os.replace`);
- ``calls.jsonl`` — one JSON line per okx invocation (``argv``, ``started``, ``ended``);
- ``world.lock`` — a :mod:`filelock` lock taken around every read-modify-write, so concurrent
  processes (a test runner, a server, several shims) see consistent states.

The API-key configuration is NOT in the world: it is a real ``~/.okx/config.toml`` under the
world's ``home`` (recorded when the world is created), read and written like the real CLI does.

The clock: emulated time is real time plus ``clock`` seconds; a fresh world starts with
``clock`` at zero and :meth:`WorldStore.advance` moves it forward. Device codes and sessions
expire in emulated time. Sessions model the OAuth tokens: the access token lives
:data:`ACCESS_TTL` seconds and is refreshed automatically when used; the refresh token lapses
after :data:`REFRESH_TTL` seconds without a refresh (or at once with ``expire-session``), and
then the session is *expired*: commands say ``Session expired — run okx auth login again``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from filelock import FileLock

DEFAULT_VERSION = "1.3.1-beta.17"
DEFAULT_SCOPES: tuple[str, ...] = ("live:read", "live:trade")
SITES: Mapping[str, str] = {"global": "www.okx.com", "eea": "my.okx.com", "us": "app.okx.com"}
AUTH_STATES: tuple[str, ...] = ("not_logged_in", "pending", "logged_in")
BINARY_STATES: tuple[str, ...] = ("installed", "missing", "corrupt")
INSTALL_STATES: tuple[str, ...] = ("ok", "cdn_failed")
NETWORK_STATES: tuple[str, ...] = ("up", "down")
SETTABLE_KEYS: tuple[str, ...] = (
    "auth",
    "site",
    "scopes",
    "binary",
    "install",
    "network",
    "version",
    "latency",
    "login_cap",
)
DEVICE_CODE_TTL = 600
ACCESS_TTL = 3600
REFRESH_TTL = 30 * 24 * 3600
DEFAULT_LOGIN_CAP = 5.0
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"

_T = TypeVar("_T")


class WorldError(Exception):
    """A world verb that cannot apply to the current state (e.g. approve with nothing pending)."""


def state_dir_from_env(env: Mapping[str, str]) -> Path:
    """The world directory: ``OKX_EMULATOR_STATE``, else ``$HOME/.okx/emulator``."""
    explicit = env.get("OKX_EMULATOR_STATE")
    if explicit:
        return Path(explicit)
    home = env.get("HOME")
    return (Path(home) if home else Path.home()) / ".okx" / "emulator"


def parse_scopes(text: str) -> list[str]:
    """Split ``a,b`` into scopes; raise ValueError when none is given."""
    scopes = [s.strip() for s in text.split(",") if s.strip()]
    if not scopes:
        raise ValueError("scopes must be a comma-separated list such as live:read,live:trade")
    return scopes


def _choice(key: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{key} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _seconds(key: str, value: str | float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{key} must be a number of seconds, not {value!r}") from None
    if not 0 <= number < 1e9:
        raise ValueError(f"{key} must be between 0 and 1e9 seconds, not {value!r}")
    return number


def check_version(value: str) -> str:
    """Validate an okx version such as ``1.3.1-beta.17`` or ``1.2.4``."""
    from okx_auth_graph.okx.adapter import parse_version

    try:
        parse_version(value)
    except ValueError:
        raise ValueError(f"version must look like 1.3.1-beta.17, not {value!r}") from None
    return value.strip()


def version_has_auth(version: str) -> bool:
    """Whether the emulated CLI version has the ``okx auth`` commands."""
    if version == DEFAULT_VERSION:
        return True
    from okx_auth_graph.okx.adapter import supports_auth

    try:
        return supports_auth(version)
    except ValueError:
        return False


def new_user_code() -> str:
    """A fresh device user code, ``XXXX-XXXX``."""
    letters = [secrets.choice(USER_CODE_ALPHABET) for _ in range(8)]
    return "".join(letters[:4]) + "-" + "".join(letters[4:])


@dataclass(frozen=True)
class ConfigFile:
    """What ``~/.okx/config.toml`` holds: ``data`` when it parsed, ``error`` when it did not."""

    exists: bool
    data: dict[str, Any] | None
    error: str | None


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class WorldStore:
    """The world directory: locked, atomic access to ``world.json`` and the call log.

    Args:
        state_dir: The world directory (created on first write).
        home: ``HOME`` of the emulated user for a world created by this store; an existing
            world keeps the home it was created with.
    """

    def __init__(self, state_dir: Path, *, home: Path | None = None) -> None:
        self.state_dir = Path(state_dir)
        self.world_path = self.state_dir / "world.json"
        self.calls_path = self.state_dir / "calls.jsonl"
        self.lock_path = self.state_dir / "world.lock"
        self.default_home = Path(home) if home is not None else self.state_dir / "home"
        self._lock = FileLock(self.lock_path, timeout=30, poll_interval=0.005)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the world lock (across processes and threads)."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with self._lock:
            yield

    def fresh(self, *, home: Path | None = None) -> dict[str, Any]:
        """A fresh world: nobody logged in, binary installed, network up, clock at zero."""
        return {
            "home": str(home if home is not None else self.default_home),
            "version": DEFAULT_VERSION,
            "auth": "not_logged_in",
            "site": None,
            "scopes": list(DEFAULT_SCOPES),
            "binary": "installed",
            "install": "ok",
            "network": "up",
            "latency": None,
            "login_cap": DEFAULT_LOGIN_CAP,
            "clock": 0.0,
            "device": None,
            "session": None,
            "session_expired": False,
            "config_sha256": None,
        }

    def _read(self) -> dict[str, Any]:
        try:
            raw = self.world_path.read_bytes()
        except FileNotFoundError:
            return self.fresh()
        try:
            loaded = json.loads(raw)
        except json.JSONDecodeError:
            return self.fresh()
        world = self.fresh()
        if isinstance(loaded, dict):
            world.update(loaded)
        return world

    def _write(self, world: dict[str, Any]) -> None:
        _atomic_write(self.world_path, json.dumps(world, indent=1).encode())

    def read(self) -> dict[str, Any]:
        """A consistent snapshot of the world (a fresh one if none exists yet)."""
        with self.locked():
            return self._read()

    def transact(self, change: Callable[[dict[str, Any]], _T]) -> _T:
        """Apply ``change`` to the world under the lock and save it atomically.

        ``change`` may raise; then nothing is written.
        """
        with self.locked():
            world = self._read()
            before = json.dumps(world, sort_keys=True)
            result = change(world)
            if json.dumps(world, sort_keys=True) != before or not self.world_path.exists():
                self._write(world)
            return result

    def reset(self, build: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
        """Replace the world by ``build(old world)`` and empty the call log, under the lock."""
        with self.locked():
            world = build(self._read())
            self._write(world)
            _atomic_write(self.calls_path, b"")
            return world

    def record_call(self, entry: Mapping[str, Any]) -> None:
        """Append one invocation to the call log."""
        line = (json.dumps(dict(entry), ensure_ascii=False) + "\n").encode()
        with self.locked(), self.calls_path.open("ab") as handle:
            handle.write(line)

    def calls(self) -> list[dict[str, Any]]:
        """The recorded invocations, oldest first."""
        with self.locked():
            try:
                text = self.calls_path.read_text(encoding="utf-8")
            except FileNotFoundError:
                return []
        entries: list[dict[str, Any]] = []
        for line in text.split("\n"):
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict):
                entries.append(entry)
        return sorted(entries, key=lambda entry: float(entry.get("started", 0.0)))


def now(world: Mapping[str, Any]) -> float:
    """The world's emulated time: real time plus the clock offset."""
    return time.time() + float(world.get("clock") or 0.0)


def config_path(world: Mapping[str, Any]) -> Path:
    """``~/.okx/config.toml`` of the world's user."""
    return Path(world["home"]) / ".okx" / "config.toml"


def read_config(world: Mapping[str, Any]) -> ConfigFile:
    """Read the user's config the way the CLI does (a missing file is no config)."""
    path = config_path(world)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return ConfigFile(exists=False, data=None, error=None)
    except OSError as exc:
        return ConfigFile(exists=True, data=None, error=str(exc))
    try:
        text = raw.decode("utf-8")
        return ConfigFile(exists=True, data=tomllib.loads(text), error=None)
    except tomllib.TOMLDecodeError as exc:
        return ConfigFile(exists=True, data=None, error=toml_error_text(text, str(exc)))
    except UnicodeDecodeError as exc:
        return ConfigFile(exists=True, data=None, error=str(exc))


_TOML_POSITION = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)$")


def toml_error_text(text: str, error: str) -> str:
    """A TOML parse error as the real CLI words it: the message, a blank line, then the code block.

    okx 1.2.4 (smol-toml) prints the offending line with the line before and after it, each as
    ``N:  line`` (empty lines skipped) and a caret under the column. The position comes from
    Python's parser: it agrees with smol-toml on a bad value (``key = p"ss``, ``x = = 1``, a
    value on a line of its own); for some other faults the two point at different places.
    """
    match = _TOML_POSITION.search(error)
    message = error[: match.start()] if match else error
    message = message[:1].lower() + message[1:]
    lines = re.split(r"\r\n|\n|\r", text)
    if match and match.group(1):
        line, column = int(match.group(1)), int(match.group(2))
    else:
        line = len(lines)
        column = len(lines[-1]) + 1
    return f"{message}\n\n{_code_block(lines, line, column)}"


def _code_block(lines: list[str], line: int, column: int) -> str:
    """smol-toml's ``makeCodeBlock``: lines ``line-1 .. line+1``, a caret under ``column``."""
    width = len(str(line + 1))
    block = ""
    for number in range(line - 1, line + 2):
        shown = lines[number - 1] if 0 < number <= len(lines) else ""
        if not shown:
            continue
        block += f"{str(number).ljust(width)}:  {shown}\n"
        if number == line:
            block += " " * (width + column + 2) + "^\n"
    return block


def config_profiles(config: ConfigFile) -> dict[str, dict[str, Any]]:
    """The ``[profiles.NAME]`` tables of a config (empty when there are none or it is broken)."""
    profiles = (config.data or {}).get("profiles")
    if not isinstance(profiles, dict):
        return {}
    return {str(name): p for name, p in profiles.items() if isinstance(p, dict)}


def api_key_profile(config: ConfigFile) -> str | None:
    """The profile whose non-empty ``api_key`` makes the CLI skip OAuth (default one first)."""
    profiles = config_profiles(config)
    default = (config.data or {}).get("default_profile")
    names = ([default] if default in profiles else []) + list(profiles)
    for name in names:
        if str(profiles[name].get("api_key") or "").strip():
            return str(name)
    return None


_TOML_ESCAPES = {"\b": "\\b", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_BARE_KEY = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def _toml_string(text: str) -> str:
    out = []
    for char in text:
        if char in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[char])
        elif (char < " " and char != "\t") or char == "\x7f":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_key(key: str) -> str:
    return key if key and set(key) <= _BARE_KEY else _toml_string(key)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _toml_string(value)
    raise TypeError(f"the emulator writes only strings, integers and booleans, not {value!r}")


def toml_dumps(config: Mapping[str, Any]) -> str:
    """The okx config as TOML text, laid out as ``tomli_w.dumps`` lays it out.

    The emulator writes ``config.toml`` the way ``okx config init`` does; the config holds only
    tables, strings, integers and booleans, so this small writer keeps the emulator free of a
    TOML-writing dependency.

    Raises:
        TypeError: For a value of another type (a list, a float, a date).
    """
    sections: list[str] = []

    def table(path: list[str], data: Mapping[str, Any]) -> None:
        scalars = [(k, v) for k, v in data.items() if not isinstance(v, Mapping)]
        lines = [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in scalars]
        if path and (scalars or not data):
            lines.insert(0, "[" + ".".join(_toml_key(k) for k in path) + "]")
        if lines:
            sections.append("\n".join(lines) + "\n")
        for key, value in data.items():
            if isinstance(value, Mapping):
                table([*path, key], value)

    table([], config)
    return "\n".join(sections)


def write_config(world: dict[str, Any], config: Mapping[str, Any] | str) -> None:
    """Write ``~/.okx/config.toml`` atomically and remember that the emulator wrote it.

    TOML text is written as given (a test's exact layout: floats, dates, literal strings); a
    mapping is laid out by :func:`toml_dumps`.
    """
    data = (config if isinstance(config, str) else toml_dumps(config)).encode()
    path = config_path(world)
    _atomic_write(path, data)
    with contextlib.suppress(OSError):
        path.chmod(0o600)
    world["config_sha256"] = hashlib.sha256(data).hexdigest()


def _written_by_emulator(world: Mapping[str, Any], path: Path) -> bool:
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return False
    return digest == world.get("config_sha256")


def replace_config(world: dict[str, Any], config: Mapping[str, Any] | str | None) -> None:
    """Install the config of a fresh world.

    A config the user wrote (not by this emulator) is never destroyed: it is kept beside as
    ``config.toml.before-emulator`` when a new one replaces it, and left alone when the new
    world has no config.

    Raises:
        ValueError: If ``config`` is TOML text that does not parse.
    """
    path = config_path(world)
    ours = _written_by_emulator(world, path)
    if config is None:
        if ours:
            path.unlink(missing_ok=True)
        world["config_sha256"] = None
        return
    if isinstance(config, str):
        try:
            tomllib.loads(config)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"config is not valid TOML: {exc}") from None
    if path.exists() and not ours:
        os.replace(path, path.with_name("config.toml.before-emulator"))
    write_config(world, config)


def start_device(world: dict[str, Any], site: str) -> dict[str, Any]:
    """Issue a device code for ``site``: the world is then ``pending``."""
    device = {
        "user_code": new_user_code(),
        "site": site,
        "issued": now(world),
        "expires": now(world) + DEVICE_CODE_TTL,
        "state": "pending",
    }
    world["device"] = device
    world["session"] = None
    world["auth"] = "pending"
    world["session_expired"] = False
    return device


def start_session(world: dict[str, Any], site: str, scopes: list[str]) -> None:
    """A fresh OAuth session for ``site`` with ``scopes``: the world is then ``logged_in``."""
    issued = now(world)
    world["session"] = {
        "site": site,
        "scopes": list(scopes),
        "issued": issued,
        "access_expires": issued + ACCESS_TTL,
        "refresh_expires": issued + REFRESH_TTL,
    }
    world["site"] = site
    world["scopes"] = list(scopes)
    world["auth"] = "logged_in"
    world["session_expired"] = False


def settle(world: dict[str, Any]) -> None:
    """Apply the passage of time: lapse device codes, refresh or expire the session."""
    current = now(world)
    device = world.get("device")
    if world.get("auth") == "pending" and device and current >= float(device["expires"]):
        device["state"] = "expired"
        world["auth"] = "not_logged_in"
    session = world.get("session")
    if world.get("auth") == "logged_in" and session:
        if current >= float(session["refresh_expires"]):
            world["session"] = None
            world["auth"] = "not_logged_in"
            world["session_expired"] = True
        elif current >= float(session["access_expires"]):
            session["access_expires"] = current + ACCESS_TTL
            session["refresh_expires"] = current + REFRESH_TTL


def set_key(world: dict[str, Any], key: str, value: str) -> None:
    """Set one world switch from its text form (the ``set KEY VALUE`` verb).

    Raises:
        ValueError: For an unknown key or an invalid value.
    """
    if key == "auth":
        state = _choice("auth", value, AUTH_STATES)
        site = world.get("site") or "global"
        if state == "logged_in":
            start_session(world, site, list(world.get("scopes") or DEFAULT_SCOPES))
        elif state == "pending":
            start_device(world, site)
        else:
            world.update(auth="not_logged_in", session=None, device=None, session_expired=False)
    elif key == "site":
        world["site"] = _choice("site", value, tuple(SITES))
        for holder in (world.get("session"), world.get("device")):
            if holder:
                holder["site"] = value
    elif key == "scopes":
        world["scopes"] = parse_scopes(value)
        if world.get("session"):
            world["session"]["scopes"] = list(world["scopes"])
    elif key == "binary":
        world["binary"] = _choice("binary", value, BINARY_STATES)
    elif key == "install":
        world["install"] = _choice("install", value, INSTALL_STATES)
    elif key == "network":
        world["network"] = _choice("network", value, NETWORK_STATES)
    elif key == "version":
        world["version"] = check_version(value)
    elif key == "latency":
        world["latency"] = _seconds("latency", value)
    elif key == "login_cap":
        world["login_cap"] = _seconds("login_cap", value)
    else:
        raise ValueError(f"unknown key {key!r}; settable keys: {', '.join(SETTABLE_KEYS)}")


def summary(world: Mapping[str, Any]) -> dict[str, Any]:
    """A secret-free view of the world for the ``world`` verbs' ``--json`` output."""
    config = read_config(world)
    device = world.get("device") or {}
    session = world.get("session") or {}
    current = now(world)
    return {
        "home": world["home"],
        "version": world["version"],
        "auth": world["auth"],
        "site": world.get("site"),
        "scopes": session.get("scopes") if session else world.get("scopes"),
        "binary": world["binary"],
        "install": world["install"],
        "network": world["network"],
        "latency": world.get("latency"),
        "login_cap": world.get("login_cap"),
        "clock": world.get("clock"),
        "session_expired": bool(world.get("session_expired")),
        "pending": (
            {
                "userCode": device["user_code"],
                "site": device["site"],
                "expiresIn": max(0, int(float(device["expires"]) - current)),
            }
            if world["auth"] == "pending" and device
            else None
        ),
        "config": {
            "exists": config.exists,
            "valid": config.error is None,
            "profiles": {
                name: {"site": p.get("site"), "has_api_key": bool(p.get("api_key"))}
                for name, p in config_profiles(config).items()
            },
        },
    }
