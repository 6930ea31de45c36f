"""Python sources parsed once per process, for the tests that read the package's code."""

from __future__ import annotations

import ast
import functools


@functools.cache
def parsed(source: str) -> ast.Module:
    """``ast.parse(source)``, once per process for each text: the package takes ~0.3 CPU-s to
    parse and several tests read all of it (imports, adapter calls, layers). The tree is
    shared: a caller reads it (``ast.walk``, ``ast.unparse``) and never changes it."""
    return ast.parse(source)
