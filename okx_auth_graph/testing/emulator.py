"""``OkxEmulator``: the in-process okx emulator (a runner) and the world's control verbs.

An emulator of a contract, not a mock: it answers every okx command the authentication
procedure uses as the okx CLI >= 1.3.1-beta.17 does (the contract is documented in
:mod:`okx_auth_graph.testing.commands`), from a file-backed world
(:mod:`okx_auth_graph.testing.world`) that the same emulator run as an executable
(``okx-emulator shim DIR`` writes ``DIR/okx``) shares. Use it as the adapter's runner::

    emu = OkxEmulator(tmp_path / "world")
    emu.init_world(auth="not_logged_in")
    cli = OkxCli(runner=emu)
    challenge = await cli.login_manual("eea")
    emu.approve(scopes=["live:read"])  # the user approves in the browser
    assert (await cli.auth_status())["status"] == "logged_in"

Each call awaits at least once (``asyncio.sleep(latency)``), so concurrent calls really
overlap; every call is recorded (:meth:`OkxEmulator.calls`) with its argv and real wall-clock
``started``/``ended`` stamps. World changes take a file lock and run off the event loop.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from okx_auth_graph.okx.process import RawResult
from okx_auth_graph.testing.commands import OkxCommand, Output, redact_argv
from okx_auth_graph.testing.world import (
    AUTH_STATES,
    BINARY_STATES,
    DEFAULT_LOGIN_CAP,
    DEFAULT_SCOPES,
    DEFAULT_VERSION,
    INSTALL_STATES,
    NETWORK_STATES,
    SITES,
    WorldError,
    WorldStore,
    check_version,
    replace_config,
    set_key,
    settle,
    start_device,
    start_session,
    summary,
)

_T = TypeVar("_T")
LineReader = Callable[[], Awaitable[str | None]]


def _one_of(name: str, value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _scopes(scopes: Sequence[str] | str | None) -> list[str] | None:
    if scopes is None:
        return None
    items = scopes.split(",") if isinstance(scopes, str) else list(scopes)
    cleaned = [str(s).strip() for s in items if str(s).strip()]
    if not cleaned:
        raise ValueError("scopes must name at least one scope, e.g. live:read")
    return cleaned


class OkxEmulator:
    """The okx CLI emulator: an async runner plus the verbs that play the world outside it.

    Args:
        state_dir: The world directory (``world.json``, ``calls.jsonl``, ``world.lock``).
        latency: Seconds each call sleeps (asynchronously) before answering; a world
            ``latency`` set with :meth:`set` overrides it.
        home: ``HOME`` of the emulated user (where ``~/.okx/config.toml`` lives) for a world
            created by this object; default ``state_dir/home``. An existing world keeps its own.
        env: Environment handed to downstream commands; default this process's plus ``HOME``.
        is_tty: Whether emulated stdin is a terminal (``auth remove`` without ``--force``
            then asks for confirmation on stdin instead of refusing).
    """

    def __init__(
        self,
        state_dir: Path | str,
        *,
        latency: float = 0.0,
        home: Path | str | None = None,
        env: Mapping[str, str] | None = None,
        is_tty: bool = False,
    ) -> None:
        if latency < 0:
            raise ValueError("latency must not be negative")
        self.store = WorldStore(Path(state_dir), home=Path(home) if home is not None else None)
        self.latency = latency
        self._env = dict(env) if env is not None else None
        self.is_tty = is_tty

    @property
    def state_dir(self) -> Path:
        """The world directory."""
        return self.store.state_dir

    @property
    def home(self) -> Path:
        """``HOME`` of the emulated user."""
        return Path(self.store.read()["home"])

    @property
    def config_path(self) -> Path:
        """The emulated user's ``~/.okx/config.toml``."""
        return self.home / ".okx" / "config.toml"

    def init_world(
        self,
        config: Mapping[str, Any] | str | None = None,
        *,
        auth: str = "not_logged_in",
        site: str | None = None,
        scopes: Sequence[str] | str | None = None,
        binary: str = "installed",
        install: str = "ok",
        network: str = "up",
        version: str = DEFAULT_VERSION,
        latency: float | None = None,
        login_cap: float = DEFAULT_LOGIN_CAP,
    ) -> dict[str, Any]:
        """Start a fresh world: empty call log, clock at zero.

        Args:
            config: The ``~/.okx/config.toml`` to write (a dict or TOML text); ``None`` for no
                config (a config written by the user, not the emulator, is kept).
            auth: ``not_logged_in``, ``pending`` (a device code was issued for ``site``) or
                ``logged_in`` (a session on ``site`` with ``scopes``).
            site: The OAuth site (``global``, ``eea``, ``us``); ``global`` when needed and unset.
            scopes: Scopes of a session (default ``live:read``, ``live:trade``).
            binary: ``installed``, ``missing`` or ``corrupt`` (the ``okx-auth`` binary).
            install: ``ok`` or ``cdn_failed`` (what ``okx auth install`` meets).
            network: ``up`` or ``down``.
            version: What ``okx --version`` reports; below 1.3.1-beta.17 there is no ``auth``.
            latency: Seconds each call takes (``None``: the constructor's ``latency``).
            login_cap: Real seconds the blocking ``okx auth login`` waits at most.

        Returns:
            The secret-free summary of the new world.

        Raises:
            ValueError: On an invalid value.
        """
        _one_of("auth", auth, AUTH_STATES)
        if site is not None:
            _one_of("site", site, tuple(SITES))
        _one_of("binary", binary, BINARY_STATES)
        _one_of("install", install, INSTALL_STATES)
        _one_of("network", network, NETWORK_STATES)
        checked_version = check_version(version)
        chosen_scopes = _scopes(scopes) or list(DEFAULT_SCOPES)
        if latency is not None and latency < 0:
            raise ValueError("latency must not be negative")
        if login_cap < 0:
            raise ValueError("login_cap must not be negative")

        def build(old: dict[str, Any]) -> dict[str, Any]:
            world = self.store.fresh()
            world["config_sha256"] = old.get("config_sha256")
            replace_config(world, config)
            world.update(
                version=checked_version,
                site=site,
                scopes=chosen_scopes,
                binary=binary,
                install=install,
                network=network,
                latency=latency,
                login_cap=login_cap,
            )
            if auth == "pending":
                start_device(world, site or "global")
            elif auth == "logged_in":
                start_session(world, site or "global", chosen_scopes)
            return world

        world = self.store.reset(build)
        return summary(world)

    def _change(self, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        def apply(world: dict[str, Any]) -> dict[str, Any]:
            settle(world)
            change(world)
            return summary(world)

        return self.store.transact(apply)

    def approve(self, scopes: Sequence[str] | str | None = None) -> dict[str, Any]:
        """The user approves the pending device code in the browser: the world is logged in.

        Raises:
            WorldError: If no device code is pending (none issued, or it lapsed).
        """
        granted = _scopes(scopes)

        def approve(world: dict[str, Any]) -> None:
            device = _pending_device(world)
            device["state"] = "approved"
            start_session(world, device["site"], granted or list(DEFAULT_SCOPES))

        return self._change(approve)

    def deny(self) -> dict[str, Any]:
        """The user rejects the pending device code: the world is not logged in.

        Raises:
            WorldError: If no device code is pending.
        """

        def deny(world: dict[str, Any]) -> None:
            _pending_device(world)["state"] = "denied"
            world["auth"] = "not_logged_in"

        return self._change(deny)

    def expire_code(self) -> dict[str, Any]:
        """The pending device code lapses now.

        Raises:
            WorldError: If no device code is pending.
        """

        def expire(world: dict[str, Any]) -> None:
            device = _pending_device(world)
            device["expires"] = float(device["issued"])
            settle(world)

        return self._change(expire)

    def advance(self, seconds: float) -> dict[str, Any]:
        """Let ``seconds`` of emulated time pass (device codes and sessions may lapse).

        Raises:
            ValueError: If ``seconds`` is negative or not finite.
        """
        step = float(seconds)
        if not 0 <= step < 1e10:
            raise ValueError(f"seconds must be between 0 and 1e10, not {seconds!r}")

        def advance(world: dict[str, Any]) -> None:
            world["clock"] = float(world.get("clock") or 0.0) + step
            settle(world)

        return self._change(advance)

    def expire_session(self) -> dict[str, Any]:
        """The refresh token lapses now: later commands say ``Session expired``.

        Raises:
            WorldError: If nobody is logged in.
        """

        def expire(world: dict[str, Any]) -> None:
            session = world.get("session")
            if world["auth"] != "logged_in" or not session:
                raise WorldError("no session to expire: nobody is logged in")
            session["refresh_expires"] = float(session["issued"])
            settle(world)

        return self._change(expire)

    def set(self, key: str, value: Any) -> dict[str, Any]:
        """Set one switch of the world from its text form (the ``set KEY VALUE`` verb).

        Keys: auth, site, scopes, binary, install, network, version, latency, login_cap.

        Raises:
            ValueError: For an unknown key or an invalid value.
        """
        text = ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        return self._change(lambda world: set_key(world, key, text))

    def world(self) -> dict[str, Any]:
        """The secret-free summary of the world (never the config's keys)."""

        def view(world: dict[str, Any]) -> dict[str, Any]:
            settle(world)
            return summary(world)

        return self.store.transact(view)

    def calls(self) -> list[dict[str, Any]]:
        """Every recorded okx invocation, oldest first: ``argv``, ``started``, ``ended``, …."""
        return self.store.calls()

    async def _transact(self, change: Callable[[dict[str, Any]], _T]) -> _T:
        return await asyncio.to_thread(self.store.transact, change)

    def _default_env(self, world: Mapping[str, Any]) -> dict[str, str]:
        if self._env is None:
            return {**os.environ, "HOME": str(world["home"])}
        return {"HOME": str(world["home"]), **self._env}

    async def execute(
        self,
        argv: Sequence[str],
        *,
        read_line: LineReader,
        output: Output,
        is_tty: bool,
        env: Mapping[str, str] | None = None,
        started: float | None = None,
    ) -> int:
        """Run one okx command against the world, recording it in the call log.

        Args:
            argv: The okx arguments (without the executable).
            read_line: Returns the next line of stdin (without its newline) or ``None``.
            output: Receives stdout and stderr.
            is_tty: Whether stdin is a terminal.
            env: The environment of the command (default: see the constructor).
            started: When the call started (``time.time()``; default: now), e.g. the okx
                process's own start, before its imports.

        Returns:
            The exit code.
        """
        args = [str(a) for a in argv]
        started = time.time() if started is None else started
        code: int | None = None
        try:
            world = await asyncio.to_thread(self.store.read)
            latency = world.get("latency")
            await asyncio.sleep(self.latency if latency is None else float(latency))

            async def ask(prompt: str) -> str | None:
                output.out(prompt)
                return await read_line()

            command = OkxCommand(
                self.store,
                transact=self._transact,
                env=env if env is not None else self._default_env(world),
                ask=ask,
                is_tty=is_tty,
                output=output,
            )
            code = await command.run(args)
            return code
        finally:
            entry = {
                "argv": redact_argv(args),
                "started": started,
                "ended": time.time(),
                "exit_code": code,
            }
            # Off the event loop; the thread finishes even if this task is cancelled again.
            await asyncio.to_thread(self.store.record_call, entry)

    def in_terminal(self, argv: Sequence[str], *, timeout: float) -> int:
        """Run ``okx *argv`` on this world attached to the terminal (e.g. ``config init``).

        The emulator's executable (``python -m okx_auth_graph.testing.okx``) runs in a child
        process with ``OKX_EMULATOR_STATE`` set to this world; returns its exit status.
        """
        args = [sys.executable, "-m", "okx_auth_graph.testing.okx", *(str(a) for a in argv)]
        env = {**os.environ, "OKX_EMULATOR_STATE": str(self.state_dir)}
        return subprocess.run(args, env=env, timeout=timeout, check=False).returncode

    async def __call__(
        self,
        argv: Sequence[str],
        *,
        timeout: float,
        stdin: bytes | None = None,
        on_stdout: Callable[[bytes], None] | None = None,
    ) -> RawResult:
        """Run ``okx *argv`` in-process; raise TimeoutError after ``timeout`` seconds.

        ``on_stdout`` receives standard output as it is written (the blocking login prints its
        URL and code, then waits).
        """
        text = (stdin or b"").decode("utf-8", errors="replace")
        lines = re.split(r"\r\n|\r|\n", text)
        if lines and lines[-1] == "":
            lines.pop()
        lines.reverse()

        async def read_line() -> str | None:
            return lines.pop() if lines else None

        output = Output(on_stdout)
        code = await asyncio.wait_for(
            self.execute(argv, read_line=read_line, output=output, is_tty=self.is_tty), timeout
        )
        return RawResult(
            tuple(str(a) for a in argv), code, bytes(output.stdout), bytes(output.stderr)
        )


def _pending_device(world: dict[str, Any]) -> dict[str, Any]:
    device = world.get("device")
    if world.get("auth") != "pending" or not device:
        raise WorldError("no pending authorization: run okx auth login first (or the code lapsed)")
    return device  # type: ignore[no-any-return]
