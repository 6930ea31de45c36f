"""The real npm okx CLI 1.2.4, for the tests that run it (marked ``real_cli``).

It is ``$OKX_REAL_CLI`` (``make test`` sets it), else ``/tmp/okxcli/…``, else the project's
``.okx-cli/…``, and it needs ``node`` on ``PATH``. Without them a test that needs it is skipped
on a developer machine, the skip saying how to run it, and FAILS under CI (``CI`` set, as
``.ci/run`` does); a wrong ``OKX_REAL_CLI`` always fails.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
REAL_CLI_CANDIDATES = (
    Path("/tmp/okxcli/node_modules/.bin/okx"),
    REPO_ROOT / ".okx-cli" / "node_modules" / ".bin" / "okx",
)
HOW_TO_RUN = (
    "`make test` installs it and runs these tests; by hand: "
    "`npm install --prefix .okx-cli @okx_ai/okx-trade-cli@1.2.4` then "
    "`OKX_REAL_CLI=$PWD/.okx-cli/node_modules/.bin/okx pytest -m real_cli`"
)


def missing(reason: str) -> NoReturn:
    """Skip with how to run the test, or fail under CI (where nothing may be skipped)."""
    message = f"{reason}; {HOW_TO_RUN}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set: a skipped real-CLI test fails)", pytrace=False)
    pytest.skip(message)


def real_okx_cli() -> Path:
    """The real npm okx 1.2.4's executable (see the module's docstring for where it is looked)."""
    explicit = os.environ.get("OKX_REAL_CLI")
    if explicit:
        path = Path(explicit)
        if not (path.is_file() and os.access(path, os.X_OK)):
            pytest.fail(f"OKX_REAL_CLI={explicit} is not an executable file; run `make test`")
    else:
        found = [c for c in REAL_CLI_CANDIDATES if c.is_file() and os.access(c, os.X_OK)]
        if not found:
            looked = ", ".join(str(c) for c in REAL_CLI_CANDIDATES)
            missing(f"the real okx CLI 1.2.4 was not found (OKX_REAL_CLI, {looked})")
        path = found[0]
    if shutil.which("node") is None:
        missing("the real okx CLI 1.2.4 needs node on PATH")
    return path
