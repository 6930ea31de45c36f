"""okx_auth_graph: the OKX CLI authentication procedure as a LangGraph graph.

``build_graph`` compiles the graph (you choose the checkpointer), ``build_builder`` returns it
uncompiled, ``graph`` is the compiled graph that ``langgraph.json`` serves, ``Context``
configures a run, and ``OkxCli`` is the only code that runs okx.

``okx_auth_graph.graph`` is the compiled graph: the name is bound here after its module
``okx_auth_graph/graph.py`` was imported, so it shadows the module as an attribute. Import the
module's other names with ``from okx_auth_graph.graph import ...``.
"""

from okx_auth_graph.cli import OkxCli
from okx_auth_graph.context import Context
from okx_auth_graph.errors import OkxCliError
from okx_auth_graph.graph import build_builder, build_graph, graph

__all__ = ["Context", "OkxCli", "OkxCliError", "build_builder", "build_graph", "graph"]
