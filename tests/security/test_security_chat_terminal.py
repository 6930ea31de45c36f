"""The terminal chat never writes a raw control or escape sequence that came from okx or input.

The chat runs as a person runs it (the console script, the emulator's ``okx`` first on
``PATH``), fed through a pipe, so rich adds no colour of its own: any escape or control
character in its output came from a text. Its input lines carry escape sequences (OSC, CSI, an
8-bit CSI, a lone BEL, a bidirectional override), and an okx whose ``--version`` line carries
them too stands in for a hostile okx.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from okx_auth_graph.doors.chat import TerminalSafe
from tests.rigs import warm

CHAT = warm.command([sys.executable, "-m", "okx_auth_graph", "chat"])
"""``python -m okx_auth_graph chat``, forked from a warm interpreter (tests/rigs/warm.py)."""
pytestmark = pytest.mark.usefixtures("warm_cli")
DIRTY = "\x1b]0;owned\x07\x1b[2J\x9b31m\u202e\x07"
RAW = ("\x1b", "\x9b", "\x07", "\u202e", "\r")


def _env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "HOME": str(home),
        "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}",
        "TERM": "xterm-256color",
        "COLUMNS": "100",
        "PYTHONUNBUFFERED": "1",
    }


def _hostile_okx(folder: Path) -> Path:
    """An okx 1.2.4 whose every line carries escape sequences (it has no okx auth)."""
    folder.mkdir()
    script = folder / "okx"
    script.write_text(
        "#!/bin/sh\n"
        'case "$1" in\n'
        f"  --version) printf '1.2.4 (88fac29){DIRTY}\\n' ;;\n"
        "  config) printf '{\"profiles\":{}}\\n' ;;\n"
        f"  *) printf 'Unknown command: %s{DIRTY}\\n' \"$*\" >&2; exit 1 ;;\n"
        "esac\n"
    )
    script.chmod(0o755)
    return script


@pytest.mark.parametrize("okx", ["emulator", "hostile"])
def test_no_raw_escape_reaches_the_terminal(tmp_path: Path, okx: str) -> None:
    env = _env(tmp_path)
    if okx == "emulator":
        world = tmp_path / "world"
        subprocess.run(
            ["okx-emulator", "world", "init"],
            env={**env, "OKX_EMULATOR_STATE": str(world)},
            check=True,
            capture_output=True,
            timeout=60,
        )
        shim = tmp_path / "bin"
        subprocess.run(["okx-emulator", "shim", str(shim)], env=env, check=True, timeout=60)
        env = {**env, "PATH": f"{shim}:{env['PATH']}", "OKX_EMULATOR_STATE": str(world)}
        args = ["--db", str(tmp_path / "c.db")]
    else:
        args = ["--okx", str(_hostile_okx(tmp_path / "bin")), "--db", str(tmp_path / "c.db")]
    result = subprocess.run(
        [*CHAT, *args, "--new-thread", "t"],
        env=env,
        input=f"log me in{DIRTY}\n3{DIRTY}\n{DIRTY}what is my status?\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    shown = result.stdout + result.stderr
    assert "you> log me in" in result.stdout, shown
    assert [c for c in RAW if c in shown] == []


def test_the_hook_cleans_every_renderable_and_keeps_richs_own_styles() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="standard", width=60)
    console.push_render_hook(TerminalSafe())
    console.print(Text(f"a{DIRTY}b", "bold"))
    console.print(Panel(Text(f"in a panel{DIRTY}")))
    console.print(f"a plain str{DIRTY}")
    printed = out.getvalue()
    assert "\x1b[1m" in printed, "rich's own bold stays"
    text = re.sub(r"\x1b\[[0-9;]*m", "", printed)  # rich's colours (DIRTY has no 7-bit SGR)
    assert [c for c in RAW if c in text] == []
    assert "in a panel" in printed
