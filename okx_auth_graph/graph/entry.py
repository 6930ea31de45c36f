"""The graph's boundary: what an entry may carry, checked before any okx call.

A caller (a parent graph, an SDK client, Studio) hands the graph plain JSON. Everything beyond
``messages`` is validated here, once, by pydantic: a malformed value raises :class:`ValueError`
naming the field, so nothing reaches okx or the state from a shape the graph cannot read.

Depth comes first: LangGraph stores an entry (and a resume value) before any node runs, and its
serializer fails on values nested a few hundred levels deep (``TypeError: Recursion limit
reached``). :func:`bounded` makes a compiled graph check what ``invoke`` / ``ainvoke`` /
``stream`` / ``astream`` are given before LangGraph sees it: an entry with a value nested more
than :data:`MAX_INPUT_DEPTH` levels raises :class:`ValueError` naming its key, and such a resume
value becomes :data:`TOO_DEEP_REPLY`, which no question reads as an answer (it is asked again).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from langchain_core.messages import BaseMessage
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from pydantic import BaseModel, ConfigDict, StrictStr, ValidationError

MAX_INPUT_DEPTH = 32
"""Levels of nesting an input value may have (``{"a": {"b": 1}}`` has 2)."""

TOO_DEEP_REPLY: dict[str, str] = {"unreadable": f"nested more than {MAX_INPUT_DEPTH} levels deep"}
"""What a resume value nested deeper than :data:`MAX_INPUT_DEPTH` is replaced with."""


def too_deep(value: Any, limit: int = MAX_INPUT_DEPTH) -> bool:
    """Whether ``value`` nests mappings, lists, tuples or messages more than ``limit`` levels.

    Iterative (no recursion), and it stops at the first branch past ``limit``.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list | tuple | set | frozenset):
            children = item
        elif isinstance(item, BaseMessage):
            children = (item.content, item.additional_kwargs, item.response_metadata)
        else:
            continue
        if depth >= limit and children:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def bounded_input(value: Any) -> Any:
    """An invocation's input as LangGraph may store it (see the module docstring).

    Raises:
        ValueError: An entry (a mapping, or a ``Command``'s ``update``) holds a value nested
            more than :data:`MAX_INPUT_DEPTH` levels deep.
    """
    if isinstance(value, Command):
        if value.update is not None and too_deep(value.update, MAX_INPUT_DEPTH + 1):
            raise ValueError(
                f"invalid graph input 'update': nested more than {MAX_INPUT_DEPTH} levels deep"
            )
        if value.resume is not None and too_deep(value.resume):
            return dataclasses.replace(value, resume=dict(TOO_DEEP_REPLY))
        return value
    if isinstance(value, Mapping):
        for key, item in value.items():
            if too_deep(item):
                raise ValueError(
                    f"invalid graph input {str(key)!r}: nested more than {MAX_INPUT_DEPTH} "
                    "levels deep"
                )
    return value


class BoundedGraph(CompiledStateGraph[Any, Any, Any, Any]):
    """A compiled graph that checks its input's depth before LangGraph stores it.

    ``invoke`` / ``ainvoke`` run through ``stream`` / ``astream``, so all four are covered;
    ``copy`` and ``with_config`` keep the class.
    """

    def stream(self, input: Any, config: Any = None, **kwargs: Any) -> Iterator[Any]:
        """:meth:`CompiledStateGraph.stream` on :func:`bounded_input`."""
        return super().stream(bounded_input(input), config, **kwargs)

    async def astream(self, input: Any, config: Any = None, **kwargs: Any) -> AsyncIterator[Any]:
        """:meth:`CompiledStateGraph.astream` on :func:`bounded_input`."""
        checked = bounded_input(input)
        async for chunk in super().astream(checked, config, **kwargs):
            yield chunk


def bounded(graph: CompiledStateGraph[Any, Any, Any, Any]) -> BoundedGraph:
    """``graph`` as a :class:`BoundedGraph` (the same graph: nodes, channels, checkpointer)."""
    attrs = {key: value for key, value in vars(graph).items() if key != "__orig_class__"}
    return BoundedGraph(**attrs)


class FailedCommandInput(BaseModel):
    """``failed_command``: the argv of a downstream okx command and its error text."""

    model_config = ConfigDict(extra="forbid", strict=True)

    argv: list[StrictStr]
    error: StrictStr


class EntryInput(BaseModel):
    """The non-message keys of an entry (see the graph contract in the README)."""

    model_config = ConfigDict(extra="ignore", strict=True)

    failed_command: FailedCommandInput | None = None
    upstream_status: dict[str, Any] | None = None


def validate_entry(state: dict[str, Any] | Any) -> None:
    """Check the entry's inputs; raise ``ValueError`` naming the first malformed field.

    Args:
        state: The graph state at the entry (only the input keys are read).

    Raises:
        ValueError: ``failed_command`` is not ``{"argv": [str, ...], "error": str}``, or
            ``upstream_status`` is not an object, or either is nested more than
            :data:`MAX_INPUT_DEPTH` levels deep.
    """
    fields = {key: state.get(key) for key in EntryInput.model_fields if key in state}
    for key, value in fields.items():
        if too_deep(value):
            raise ValueError(
                f"invalid graph input {key!r}: nested more than {MAX_INPUT_DEPTH} levels deep"
            )
    try:
        EntryInput.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"invalid graph input {where!r}: {first['msg']}") from None
