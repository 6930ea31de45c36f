"""The bounded message window: ``messages`` keeps the current entry plus a few earlier ones.

The rules read only the current entry (its request, the pending question, the reply), so a
thread's ``messages`` does not need its whole past. At every entry the graph removes (with
:class:`~langchain_core.messages.RemoveMessage`) the messages of all but the
``Context.message_window`` latest earlier entries. Every checkpoint then holds a bounded
dialogue, and a thread's storage and per-turn cost grow linearly with its entries instead of
with their square.

An entry starts at its request: the last human message of the input. The ids of the kept
entries' requests are kept in the state key ``entry_starts`` (oldest first), so the window's
edge is found by id, whatever the host added around the messages.

A host that shows the whole history keeps its own transcript (the chat does), or reads the
messages as they stream (``stream_mode="messages"`` / ``"updates"``): each shown text is in
``messages`` exactly once per entry, when the entry writes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AnyMessage, HumanMessage, RemoveMessage

DEFAULT_MESSAGE_WINDOW = 1
"""Earlier entries kept in ``messages`` besides the current one, unless the context says."""


def window_update(
    messages: Sequence[AnyMessage], entry_starts: Sequence[str] | None, window: int
) -> dict[str, Any]:
    """The state update that opens a new entry: drop the messages that left the window.

    Args:
        messages: The thread's messages, the new entry's input last.
        entry_starts: Ids of the requests of the entries kept so far, oldest first.
        window: How many earlier entries to keep (``0``: only the current one).

    Returns:
        ``entry_starts`` with the current request appended and cut to ``window + 1`` ids, and
        ``messages`` as the :class:`RemoveMessage` of every message before the oldest kept
        request, once ``window + 1`` requests are known (a thread written before the window
        existed keeps its past until then); no ``messages`` key when nothing is removed.
    """
    current = next((m.id for m in reversed(messages) if isinstance(m, HumanMessage) and m.id), None)
    starts = [s for s in (entry_starts or []) if s != current]
    if current is not None:
        starts.append(current)
    size = max(window, 0) + 1
    full = len(starts) >= size
    starts = starts[-size:]
    update: dict[str, Any] = {"entry_starts": starts}
    ids = [m.id for m in messages]
    first_kept = next((ids.index(s) for s in starts if s in ids), None)
    if full and first_kept:
        update["messages"] = [RemoveMessage(id=str(i)) for i in ids[:first_kept] if i]
    return update
