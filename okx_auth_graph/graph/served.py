"""The graph a server serves: ``langgraph.json`` names :data:`graph` (``langgraph dev``, Studio).

A client of a served graph is not its operator. Its runs may set only the user-level context
(:class:`~okx_auth_graph.context.ServedContext`: ``language`` and ``message_window``); a run whose
context names an operator setting (which program runs as okx, its environment and HOME, the
timeouts, the chat model, the interactive login) is refused before any node runs, and the
operator settings come from this process's environment (``OKX_EXECUTABLE``, ``OKX_HOME``, ...).
See docs/security.md, "Operator settings".

Importing this module compiles the graph (the server imports it); ``import okx_auth_graph``
does not import it.
"""

from __future__ import annotations

from okx_auth_graph.graph import GRAPH_NAME, build_graph

graph = build_graph(served=True, name=GRAPH_NAME)
"""The served auth graph: no checkpointer of its own (the server brings its persistence)."""
