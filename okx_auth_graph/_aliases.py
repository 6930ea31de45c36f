"""Deprecated import paths of modules that moved in the package's layout by role (0.2).

Each old path is a module file that calls :func:`alias`: importing it warns with a
:class:`DeprecationWarning` naming the new path, and the old name then *is* the new module
(``sys.modules`` holds the same module object under both names), so every object, private ones
included, is the identical object and patching either name patches both. The aliases are kept
for one release.
"""

from __future__ import annotations

import importlib
import sys
import warnings


def alias(old: str, new: str) -> None:
    """Make the module being imported as ``old`` the module ``new``, with a warning."""
    warnings.warn(
        f"{old} is deprecated: import {new} instead (the old path goes in the next release)",
        DeprecationWarning,
        stacklevel=3,  # the line that imports the old path (warnings skips importlib's frames)
    )
    sys.modules[old] = importlib.import_module(new)
