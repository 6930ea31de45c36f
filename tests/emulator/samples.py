"""Sample worlds and helpers shared by the okx emulator tests."""

from __future__ import annotations

import asyncio
from typing import Any

CONFIG_WITH_KEYS = """default_profile = "live"

[profiles.live]
api_key = "AK-live-0001"
secret_key = "SK-live-secret-0001"
passphrase = "PP-live-0001"
site = "eea"

[profiles.demo]
api_key = "AK-demo-0002"
secret_key = "SK-demo-secret-0002"
passphrase = "PP-demo-0002"
demo = true
"""

SECRETS = ("AK-live-0001", "SK-live-secret-0001", "PP-live-0001", "SK-demo-secret-0002")


async def wait_until_pending(emu: Any, task: asyncio.Task[Any], limit: float = 10.0) -> None:
    """Wait (at most ``limit`` s) until a running interactive login has issued its code."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while emu.world()["auth"] != "pending":
        assert not task.done(), "the login ended before issuing a device code"
        assert loop.time() < deadline, "no device code was issued in time"
        await asyncio.sleep(0.01)
