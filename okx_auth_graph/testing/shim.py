"""The ``okx`` shim: a small executable that runs the okx emulator, for ``PATH=DIR:$PATH``.

``write_shim(DIR)`` writes ``DIR/okx``: a ``/bin/sh`` script that execs this interpreter (by
absolute path, so it works from any ``PATH``) on :mod:`okx_auth_graph.testing.okx`. It never
installs anything named ``okx`` anywhere else, and refuses to overwrite a file that is not one
of its own shims.

Start-up time: the package's ``__init__`` imports LangGraph (about a second). The emulator
needs none of it, so the shim registers the ``okx_auth_graph`` package without running its
``__init__`` (its submodules import normally) and starts in about 0.15 s, like the real CLI. The launcher stamps the time first, before any
import, and hands it to the emulator as the call's start (the call log's ``started``).
"""

from __future__ import annotations

import shlex
import stat
import sys
from pathlib import Path

SHIM_MARKER = "# okx emulator shim written by okx-emulator (okx_auth_graph.testing)"

_BOOTSTRAP = """import time
started = time.time()
import importlib.util, inspect, sys, types
spec = importlib.util.find_spec("okx_auth_graph")
if spec is not None and spec.submodule_search_locations is not None:
    package = types.ModuleType("okx_auth_graph")
    package.__path__ = list(spec.submodule_search_locations)
    package.__spec__ = spec
    package.__file__ = spec.origin
    sys.modules.setdefault("okx_auth_graph", package)
from {module} import main
if "started" in inspect.signature(main).parameters:
    raise SystemExit(main(sys.argv[1:], started=started))
raise SystemExit(main(sys.argv[1:]))
"""


class ShimError(Exception):
    """The shim cannot be written (a foreign ``okx`` is in the way)."""


def launcher_argv(module: str = "okx_auth_graph.testing.okx") -> list[str]:
    """The command that runs ``module``'s ``main`` quickly (without the package's ``__init__``)."""
    return [str(Path(sys.executable).absolute()), "-c", _BOOTSTRAP.format(module=module)]


def write_shim(directory: Path, *, state: Path | None = None) -> Path:
    """Write ``directory/okx`` and return its path.

    Args:
        directory: Where to write the script (created if needed).
        state: A world directory baked in as the default ``OKX_EMULATOR_STATE``.

    Raises:
        ShimError: If ``directory/okx`` exists and is not a shim written by this function.
    """
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "okx"
    if target.exists() or target.is_symlink():
        try:
            ours = SHIM_MARKER in target.read_text(encoding="utf-8", errors="replace")
        except OSError:
            ours = False
        if not ours:
            raise ShimError(f"{target} exists and is not an okx emulator shim; not touching it")
    lines = ["#!/bin/sh", SHIM_MARKER]
    if state is not None:
        # A plain assignment of a single-quoted word: nothing in the path is expanded (inside
        # "${VAR:-WORD}" the quotes of WORD would be literal and `$(...)` would run).
        quoted = shlex.quote(str(state.resolve()))
        lines.append('if [ -z "${OKX_EMULATOR_STATE:-}" ]; then')
        lines.append(f"  OKX_EMULATOR_STATE={quoted}")
        lines.append("fi")
        lines.append("export OKX_EMULATOR_STATE")
    lines.append("exec " + " ".join(shlex.quote(part) for part in launcher_argv()) + ' "$@"')
    tmp = target.with_name(".okx.tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    mode = tmp.stat().st_mode | stat.S_IRUSR | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH
    tmp.chmod(mode)
    tmp.replace(target)
    return target
