"""Helpers of the adapter tests: locating the real okx 1.2.4 and the emulator, test HOMEs.

The real npm CLI 1.2.4 comes from :func:`tests.rigs.real_cli.real_okx_cli`.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from okx_auth_graph.okx.adapter import OkxCli

REAL_VERSION = "1.2.4"


def emulator_command() -> Path:
    """The ``okx-emulator`` console script of this environment."""
    beside = Path(sys.executable).with_name("okx-emulator")
    if beside.is_file():
        return beside
    found = shutil.which("okx-emulator")
    if found is None:
        pytest.fail("okx-emulator is not installed; run `pip install -e .[test]`")
    return Path(found)


def seed_home(home: Path) -> Path:
    """An empty HOME whose update-check cache is fresh, so 1.2.4 never calls the registry."""
    okx_dir = home / ".okx"
    okx_dir.mkdir(parents=True, exist_ok=True)
    cache = {"@okx_ai/okx-trade-cli": {"latestVersion": REAL_VERSION, "checkedAt": _now_ms()}}
    (okx_dir / "update-check.json").write_text(json.dumps(cache))
    return home


def _now_ms() -> int:
    return int(time.time() * 1000)


def base_env(home: Path) -> dict[str, str]:
    """A minimal child environment: PATH, HOME, and nothing of the developer's OKX_* vars."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"}


@dataclass
class OkxUnderTest:
    """One okx executable with its own HOME, ready to be driven through :class:`OkxCli`."""

    name: str
    executable: Path
    home: Path
    env: dict[str, str] = field(default_factory=dict)

    def write_config(self, toml_text: str) -> Path:
        """Write ``~/.okx/config.toml`` of this HOME."""
        path = self.home / ".okx" / "config.toml"
        path.write_text(toml_text)
        return path

    def cli(self, *, timeout: float = 30.0, **extra_env: str) -> OkxCli:
        """An adapter for this executable (no os.environ leaks into the child)."""
        env = {**base_env(self.home), **self.env, **extra_env}
        return OkxCli(str(self.executable), env=env, home=str(self.home), timeout=timeout)


def write_fake(directory: Path, body: str, name: str = "okx") -> Path:
    """Write a tiny executable ``/bin/sh`` script standing in for okx; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path
