"""The graph's boundary: what an entry may carry, checked before any okx call.

A caller (a parent graph, an SDK client, Studio) hands the graph plain JSON. Everything beyond
``messages`` is validated here, once, by pydantic: a malformed value raises :class:`ValueError`
naming the field, so nothing reaches okx or the state from a shape the graph cannot read.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, StrictStr, ValidationError


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
            ``upstream_status`` is not an object.
    """
    fields = {key: state.get(key) for key in EntryInput.model_fields if key in state}
    try:
        EntryInput.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"invalid graph input {where!r}: {first['msg']}") from None
