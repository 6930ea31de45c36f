"""A blocking login's output is read as it arrives: its code is known while the login waits."""

from __future__ import annotations

import sys
from pathlib import Path

from okx_auth_graph.okx.adapter import OkxCli
from okx_auth_graph.okx.models import LoginChallenge
from okx_auth_graph.okx.process import SubprocessRunner

# Prints a challenge the way the emulated `okx auth login --site X` does, then blocks until the
# file named by its first argument exists (the "browser approval"), then succeeds.
FAKE_LOGIN = r"""
import pathlib, sys, time
print("Open the link below in your browser and enter the code to authorize:")
print("  URL:  https://my.okx.com/account/oauth/device")
print("  Code: WXYZ-2345")
print("  (expires in 10 minutes)", flush=True)
approved = pathlib.Path(sys.argv[1])
for _ in range(200):
    if approved.exists():
        print("Logged in successfully!")
        sys.exit(0)
    time.sleep(0.05)
print("Authorization timed out", file=sys.stderr)
sys.exit(1)
"""


class ScriptRunner(SubprocessRunner):
    """Runs the fake login script with the real subprocess machinery (argv ignored)."""

    def __init__(self, script: Path, approved: Path) -> None:
        super().__init__(sys.executable)
        self.prefix = [str(script), str(approved)]

    async def __call__(self, argv, *, timeout, stdin=None, on_stdout=None):  # type: ignore[no-untyped-def]
        return await super().__call__(
            self.prefix, timeout=timeout, stdin=stdin, on_stdout=on_stdout
        )


async def test_the_code_arrives_before_the_blocking_login_ends(tmp_path: Path) -> None:
    script = tmp_path / "login.py"
    script.write_text(FAKE_LOGIN, encoding="utf-8")
    approved = tmp_path / "approved"
    seen: list[LoginChallenge] = []

    def on_challenge(challenge: LoginChallenge) -> None:
        seen.append(challenge)
        approved.touch()  # only possible while the process still runs and waits

    cli = OkxCli(runner=ScriptRunner(script, approved), login_timeout=20)
    result = await cli.login_interactive("eea", on_challenge=on_challenge)
    assert result["status"] == "logged_in"
    assert seen == [
        {
            "verificationUri": "https://my.okx.com/account/oauth/device",
            "userCode": "WXYZ-2345",
            "expiresIn": 600,
        }
    ]
