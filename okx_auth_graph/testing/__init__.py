"""A faithful emulator of the ``okx`` CLI (>= 1.3.1-beta.17) for tests, demos and users.

It emulates a contract: the okx CLI and its ``okx-auth`` binary as the project's spec
(docs/spec.md) and the real CLI's measured behaviour describe them (see
:mod:`okx_auth_graph.testing.commands`). Test rigs (process starters for ``langgraph dev`` and
PostgreSQL, the local OKX REST emulator) live under ``tests/rigs/``, outside the package.
Two ways in, one shared file-backed world (:mod:`okx_auth_graph.testing.world`):

- in-process: :class:`OkxEmulator` is a runner for :class:`okx_auth_graph.okx.adapter.OkxCli`, with
  verbs that play the world outside the CLI (approve, deny, expire-code, advance the clock,
  expire the session, set switches) and the log of every call;
- as an executable: ``okx-emulator shim DIR`` writes ``DIR/okx``; ``okx-emulator world …``
  and ``okx-emulator calls`` drive and inspect the same world from a shell.
"""

from okx_auth_graph.testing.emulator import OkxEmulator
from okx_auth_graph.testing.world import WorldError

__all__ = ["OkxEmulator", "WorldError"]
