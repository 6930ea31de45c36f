"""Deprecated: moved to :mod:`okx_auth_graph.reading.chat_model` (this alias goes in the next release)."""

from okx_auth_graph._aliases import alias
from okx_auth_graph.reading.chat_model import *  # noqa: F403  (its names, for type checkers)

alias(__name__, "okx_auth_graph.reading.chat_model")
