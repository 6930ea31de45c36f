"""The doors: each translates its own input and output and calls the graph or the core.

- :mod:`.tools`: LangChain tools for an agent of your own (:func:`~.tools.make_tools`).
- :mod:`.chat`: ``okx-auth-graph chat``, a terminal conversation with the graph.
- :mod:`.mcp`: ``okx-auth-graph mcp``, the MCP server (the ``mcp`` extra).

No door calls a side-effecting method of the okx adapter itself (tests/unit/test_core_doors.py).
"""
