"""The MCP server door (``okx-auth-graph mcp``, the ``mcp`` extra): docs/mcp.md.

:func:`build_server` returns the server over an okx adapter; :mod:`.door` runs each tool call
as an entry of the auth graph and asks the graph's questions by elicitation (:mod:`.asking`);
:mod:`.main` is the command line.
"""

from okx_auth_graph.doors.mcp.server import build_server

__all__ = ["build_server"]
