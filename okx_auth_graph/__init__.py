"""okx_auth_graph: the OKX CLI authentication procedure as a LangGraph graph."""
