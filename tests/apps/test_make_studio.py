"""``make studio`` serves on the port it names, or refuses: never quietly on another one.

``langgraph dev`` moves to a free port when the one asked for is taken, while the SDK example
(``STUDIO_PORT``), Studio's link and ``eval --url`` would still go to the one asked for. The
Makefile is run from an empty folder (``-f``) with this interpreter's venv and its install
marker taken as done (``-o``), so nothing is installed and the repository is not written to.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def make_studio(folder: Path, port: int) -> subprocess.CompletedProcess[str]:
    venv = Path(sys.prefix)
    make = ["make", "-s", "-f", str(ROOT / "Makefile"), "-o", f"{venv}/.installed-test"]
    return subprocess.run(
        [*make, f"VENV={venv}", "studio", f"STUDIO_PORT={port}"],
        cwd=folder,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_taken_studio_port_is_refused_by_name_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = make_studio(tmp_path, port)
    assert result.returncode != 0
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert "STUDIO_PORT=" in result.stderr  # how to pick another, and where to use it
    assert "eval --url" in result.stderr
    assert not (tmp_path / ".studio").exists()  # no world was reset, no server started


def test_a_free_studio_port_goes_on_to_langgraph_dev(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = make_studio(tmp_path, port)  # no langgraph.json here: langgraph dev stops at once
    assert "is in use" not in result.stderr
    assert (tmp_path / ".studio" / "world").is_dir()
    assert "langgraph.json" in result.stdout + result.stderr
