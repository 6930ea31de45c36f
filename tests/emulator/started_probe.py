"""A ``main`` for the shim's launcher that prints the ``started`` it got and when it was imported."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

IMPORTED = time.time()


def main(argv: Sequence[str], *, started: float) -> int:
    print(json.dumps({"argv": list(argv), "started": started, "imported": IMPORTED}))
    return 0
