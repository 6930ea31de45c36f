"""An okx that answers ``config show`` with docs/spec.md's "No config found" (the emulator otherwise)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from okx_auth_graph.okx.process import RawResult
from okx_auth_graph.testing import OkxEmulator

NO_CONFIG_FOUND = "No config found. Run okx config init first."
"""docs/spec.md, "Error reference": okx's message when there is no config file."""


class NoConfigFound:
    """An okx that says "No config found" when there is no config file; the emulator otherwise.

    A faithful emulator of docs/spec.md's error reference: while the world has no
    ``~/.okx/config.toml``, ``okx config show`` prints the reference's message on standard
    error and exits 1 (the registry's 1.2.4 prints ``{"profiles": {}}`` instead, which the
    emulator plays). Every other command, and ``config show`` once a config exists, is the
    emulator's; the login lock lives in the emulator's world as with the emulator itself.
    """

    def __init__(self, emulator: OkxEmulator) -> None:
        self.emulator = emulator
        self.said_no_config = 0

    @property
    def state_dir(self) -> Path:
        """The emulator's world folder (the okx state; the login lock lives there)."""
        return self.emulator.state_dir

    async def __call__(
        self,
        argv: Sequence[str],
        *,
        timeout: float,
        stdin: bytes | None = None,
        on_stdout: Callable[[bytes], None] | None = None,
    ) -> RawResult:
        if list(argv[:2]) == ["config", "show"] and not self.emulator.config_path.exists():
            self.said_no_config += 1
            return RawResult(tuple(argv), 1, b"", f"{NO_CONFIG_FOUND}\n".encode())
        return await self.emulator(argv, timeout=timeout, stdin=stdin, on_stdout=on_stdout)
