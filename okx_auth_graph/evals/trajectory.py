"""A finished conversation with the auth graph, as the invariants see it.

A :class:`Trajectory` is plain data (JSON round-trips through :meth:`Trajectory.to_dict` and
:meth:`Trajectory.from_dict`): the okx argv log with start/end stamps, the dialogue, one
:class:`Entry` per invocation of the graph (a new input or a resume) with the calls and
messages it produced and the interrupt it left pending, the final state, and the secrets of
the config so the canary check can look for them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from typing_extensions import TypedDict


class OkxCall(TypedDict):
    """One okx invocation: its argv (without the executable), wall-clock stamps, exit code.

    ``exit_code`` is ``None`` when unknown (a call that never finished, or a log without it).
    """

    argv: list[str]
    started: float
    ended: float
    exit_code: int | None


class Message(TypedDict):
    """One dialogue message: ``role`` is ``human`` or ``ai`` (other roles kept as given)."""

    role: str
    content: str


class InterruptRecord(TypedDict):
    """A question the graph asked: its ``type`` and the whole JSON payload."""

    type: str
    payload: dict[str, Any]


class AuthSnapshot(TypedDict):
    """What ``auth status --json`` would say: status, site, and the fields replies must hide."""

    status: str | None
    site: str | None
    profile: str | None
    ttl: int | None
    expiresAt: str | None


class WorldSnapshot(TypedDict):
    """The emulated world when an entry starts: auth state and the API-key profile names."""

    auth: AuthSnapshot
    api_key_profiles: list[str]


class EntryState(TypedDict):
    """The graph's state after an entry: finished or not, and its outcome fields."""

    done: bool
    route: str | None
    outcome: str | None
    site: str | None
    language: str | None


class Entry(TypedDict):
    """One invocation of the graph.

    Attributes:
        kind: ``input`` (a new input: an *entry* of the spec) or ``resume``.
        text: The request (for an input) or the reply (for a resume).
        input: The whole input for ``input`` entries (``upstream_status``, ``failed_command``).
        resumed: The interrupt a resume answered (``None`` for an input).
        calls: ``[start, end)`` indices into :attr:`Trajectory.calls` made during the entry.
        messages: ``[start, end)`` indices into :attr:`Trajectory.messages` added by the entry.
        interrupt: The interrupt pending after the entry, if any.
        state: The graph's state after the entry.
        world: The emulated world when the entry started (``None`` if unknown).
    """

    kind: Literal["input", "resume"]
    text: str
    input: dict[str, Any] | None
    resumed: InterruptRecord | None
    calls: list[int]
    messages: list[int]
    interrupt: InterruptRecord | None
    state: EntryState
    world: WorldSnapshot | None


@dataclass
class Trajectory:
    """A finished conversation (see the module docstring).

    Attributes:
        calls: Every okx call, oldest first.
        messages: The whole dialogue, each message once, as the entries added it (the graph's
            ``messages`` keeps only a window of recent entries).
        entries: Every invocation, in order.
        final_state: The graph's final state values (plain JSON).
        secrets: The config's api_key / secret_key / passphrase values (canaries).
        snapshots: Other JSON the run produced (checkpoint history, logs) for the canary check.
        log: Log lines emitted while the graph ran.
        language: The run's language override (``None``: the user's language decides).
    """

    calls: list[OkxCall] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    final_state: dict[str, Any] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    snapshots: list[Any] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    language: str | None = None

    @property
    def interrupts(self) -> list[InterruptRecord]:
        """Every interrupt the graph raised, in order."""
        return [e["interrupt"] for e in self.entries if e["interrupt"] is not None]

    def entry_calls(self, entry: Entry) -> list[OkxCall]:
        """The okx calls made during ``entry``."""
        start, end = entry["calls"]
        return self.calls[start:end]

    def entry_messages(self, entry: Entry) -> list[Message]:
        """The messages added during ``entry``."""
        start, end = entry["messages"]
        return self.messages[start:end]

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trajectory:
        """Rebuild from :meth:`to_dict` output (unknown keys ignored)."""
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)
