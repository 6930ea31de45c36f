"""Checkpointers for the auth graph: SQLite (embedded default) and PostgreSQL (scale).

A login spans at least two user turns (the site menu, then the device code), so a conversation
that must outlive one process needs a durable checkpointer:

* :func:`sqlite_checkpointer` / :func:`async_sqlite_checkpointer` — one local file, the default
  for the terminal chat and any embedded use that spans process lifetimes.
* :func:`postgres_checkpointer` — a PostgreSQL database, for several processes or machines
  sharing threads (install the ``postgres`` extra).
* In tests, :class:`langgraph.checkpoint.memory.InMemorySaver` is enough.

Durability: LangGraph writes checkpoints ``"async"``-ly by default, i.e. possibly after the
next step has started. When an ``interrupt()`` must survive a crash (the user is away
authorising in a browser), pass ``durability=INTERRUPT_DURABILITY`` (``"sync"``) to
``invoke``/``ainvoke``/``astream``: every step's checkpoint is committed before the next one
starts, so a process killed while waiting leaves the pending interrupt on disk and a new
process resumes the thread with ``Command(resume=...)``.

Example (run with ``asyncio.run(main())``; docs/persistence.md has a whole login)::

    from okx_auth_graph import build_graph
    from okx_auth_graph.persistence import INTERRUPT_DURABILITY, async_sqlite_checkpointer


    async def main() -> None:
        async with async_sqlite_checkpointer() as saver:  # $XDG_STATE_HOME/okx-auth-graph/...
            graph = build_graph(checkpointer=saver)
            await graph.ainvoke(
                {"messages": [("human", "log in to okx")]},
                {"configurable": {"thread_id": "t1"}},
                durability=INTERRUPT_DURABILITY,
            )

History retention: LangGraph keeps every checkpoint of a thread (one per step). The graph's
``messages`` is a bounded window (see :mod:`okx_auth_graph.reading.window`), so each checkpoint is bounded,
and these helpers also keep the step-by-step history of only the latest ``keep_entries`` entries
of a thread: when an entry starts (a checkpoint whose source is ``"input"``), the checkpoints and
pending writes of older entries are deleted. A thread's storage is then bounded whatever its
number of entries, and so is each turn's cost. ``keep_entries=None`` keeps every checkpoint
(time travel to any step of any entry).

Inputs: the graph keeps no secret in state (see ``okx_auth_graph.okx.adapter``), but LangGraph saves
each entry's raw input in the ``__start__`` channel of its ``source="input"`` checkpoint, and a
caller's ``failed_command`` (its ``error`` is okx's stderr) or ``upstream_status`` may hold one.
Every helper here stores checkpoints through :class:`MaskingSerializer`, which writes both as
``None``; wrap your own checkpointer's serializer with it (``InMemorySaver(serde=
MaskingSerializer())``, ``saver.serde = MaskingSerializer(saver.serde)``).
"""

from __future__ import annotations

import functools
import os
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph.checkpoint.base import ChannelVersions, Checkpoint, CheckpointMetadata
from langgraph.checkpoint.serde.base import SerializerProtocol
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Durability

if TYPE_CHECKING:
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

INTERRUPT_DURABILITY: Durability = "sync"
"""The durability to run with when a pending interrupt must survive the process."""

DEFAULT_KEEP_ENTRIES = 10
"""Entries of a thread whose step-by-step checkpoints the helpers keep (the current included)."""

_INPUT_CHECKPOINTS_SQL = (
    "SELECT checkpoint_id FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ''"
    " AND json_extract(CAST(metadata AS TEXT), '$.source') = 'input'"
    " ORDER BY checkpoint_id DESC LIMIT 1 OFFSET ?"
)
_PRUNE_SQL = (
    "DELETE FROM checkpoints WHERE thread_id = ? AND checkpoint_id < ?",
    "DELETE FROM writes WHERE thread_id = ? AND checkpoint_id < ?",
)


def _check_keep_entries(keep_entries: int | None) -> int | None:
    if keep_entries is not None and (isinstance(keep_entries, bool) or keep_entries < 1):
        raise ValueError("keep_entries must be None or at least 1 (the current entry)")
    return keep_entries


def _starts_entry(config: Any, metadata: Any) -> bool:
    """Whether a checkpoint being saved is the start of a new entry of a root graph."""
    return bool(
        metadata.get("source") == "input" and not config["configurable"].get("checkpoint_ns")
    )


class RetainingSqliteSaver(SqliteSaver):
    """:class:`SqliteSaver` that deletes the history of entries older than ``keep_entries``.

    Attributes:
        keep_entries: Entries whose checkpoints are kept, the current one included; ``None``
            keeps everything.
    """

    keep_entries: int | None = DEFAULT_KEEP_ENTRIES

    def put(
        self,
        config: Any,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> Any:
        """Save the checkpoint; at an entry's start, delete the entries out of the window."""
        saved = super().put(config, checkpoint, metadata, new_versions)
        if self.keep_entries is None or not _starts_entry(config, metadata):
            return saved
        thread_id = str(config["configurable"]["thread_id"])
        with self.cursor() as cursor:
            cursor.execute(_INPUT_CHECKPOINTS_SQL, (thread_id, self.keep_entries - 1))
            row = cursor.fetchone()
            if row is not None:
                for statement in _PRUNE_SQL:
                    cursor.execute(statement, (thread_id, row[0]))
        return saved


class AsyncRetainingSqliteSaver(AsyncSqliteSaver):
    """:class:`AsyncSqliteSaver` that deletes the history of entries older than ``keep_entries``.

    Attributes:
        keep_entries: Entries whose checkpoints are kept, the current one included; ``None``
            keeps everything.
    """

    keep_entries: int | None = DEFAULT_KEEP_ENTRIES

    async def aput(
        self,
        config: Any,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> Any:
        """Save the checkpoint; at an entry's start, delete the entries out of the window."""
        saved = await super().aput(config, checkpoint, metadata, new_versions)
        if self.keep_entries is None or not _starts_entry(config, metadata):
            return saved
        thread_id = str(config["configurable"]["thread_id"])
        async with self.lock:
            async with self.conn.execute(
                _INPUT_CHECKPOINTS_SQL, (thread_id, self.keep_entries - 1)
            ) as cursor:
                row = await cursor.fetchone()
            if row is not None:
                for statement in _PRUNE_SQL:
                    await self.conn.execute(statement, (thread_id, row[0]))
                await self.conn.commit()
        return saved


def default_sqlite_path() -> Path:
    """``$XDG_STATE_HOME/okx-auth-graph/threads.sqlite`` (``~/.local/state`` by default).

    Where embedded users keep threads unless told otherwise (the terminal chat keeps its own
    ``chat.sqlite`` in the same folder).
    """
    state_home = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state_home) / "okx-auth-graph" / "threads.sqlite"


def sqlite_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Expand ``~`` in ``path``, make its parent directory, and return it as an absolute path.

    A folder it creates is ``0700`` (the default folder is made so when it exists).

    ``None`` means :func:`default_sqlite_path`; ``":memory:"`` is returned unchanged (as a
    ``Path``) for a throw-away database.
    """
    if path is None:
        path = default_sqlite_path()
    if str(path) == ":memory:":
        return Path(":memory:")
    resolved = Path(path).expanduser().resolve()
    resolved.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path == default_sqlite_path() or resolved.parent == default_sqlite_path().parent:
        resolved.parent.chmod(0o700)
    return resolved


def owner_only_sqlite_file(path: str | os.PathLike[str] | None = None) -> Path:
    """:func:`sqlite_path`, then the database file created (or set) ``0600``.

    The database holds the dialogue (device codes, profile names, okx errors): owner only.
    SQLite gives its ``-wal`` and ``-shm`` files the database file's permissions.
    """
    resolved = sqlite_path(path)
    if str(resolved) != ":memory:":
        os.close(os.open(resolved, os.O_CREAT | os.O_RDWR, 0o600))
        resolved.chmod(0o600)
    return resolved


RAW_INPUT_KEYS: tuple[str, ...] = ("failed_command", "upstream_status")
"""Input keys a checkpoint never holds raw: a caller's downstream error text, an upstream report."""

_START = "__start__"


def without_raw_inputs(obj: Any) -> Any:
    """``obj`` as a checkpointer may store it: :data:`RAW_INPUT_KEYS` of an entry set to ``None``.

    Two shapes carry an entry's input: a whole checkpoint (SQLite savers serialize it at once),
    whose ``channel_values["__start__"]`` is the input; and the input itself (savers that store
    each channel apart: in memory, PostgreSQL), a mapping with one of the keys at its top level.
    Anything else is returned as it is; nothing is changed in place.
    """
    if isinstance(obj, dict):
        values = obj.get("channel_values")
        if isinstance(values, dict) and _START in values:
            return {**obj, "channel_values": {**values, _START: without_raw_inputs(values[_START])}}
        if any(key in obj for key in RAW_INPUT_KEYS):
            return {key: None if key in RAW_INPUT_KEYS else value for key, value in obj.items()}
    return obj


class MaskingSerializer:
    """A checkpoint serializer that never stores a caller's ``failed_command`` or ``upstream_status``.

    LangGraph keeps each entry's input, as the caller gave it, in the ``__start__`` channel of
    the entry's first (``source="input"``) checkpoint. The graph itself never checkpoints
    ``failed_command`` (its ``error`` is okx's stderr, which can quote a secret) or
    ``upstream_status``; this serializer writes them as ``None`` there too
    (:func:`without_raw_inputs`) and leaves everything else to ``inner``. The helpers of this
    module use it; give it to your own checkpointer::

        saver = InMemorySaver(serde=MaskingSerializer())  # or SomeSaver(serde=...)
        saver.serde = MaskingSerializer(saver.serde)  # a saver built elsewhere

    A run resumed from an input checkpoint (a process that died before the entry's first step)
    therefore runs without them. A mapping value of your own graph's state that holds either key
    at its top level is stored with it set to ``None`` too (channels of the auth graph never do).

    Args:
        inner: The serializer that does the work (default: LangGraph's ``JsonPlusSerializer``).
    """

    def __init__(self, inner: SerializerProtocol | None = None) -> None:
        self.inner: SerializerProtocol = inner if inner is not None else JsonPlusSerializer()

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        """Serialize ``obj`` with the inner serializer, raw inputs set to ``None`` first."""
        return self.inner.dumps_typed(without_raw_inputs(obj))

    def loads_typed(self, data: tuple[str, bytes]) -> Any:
        """Deserialize with the inner serializer."""
        return self.inner.loads_typed(data)


def _masking(serde: SerializerProtocol, *, compress: bool) -> SerializerProtocol:
    masking = MaskingSerializer(serde)
    return CompressingSerializer(masking) if compress else masking


class CompressingSerializer:
    """A checkpoint serializer that zlib-compresses what another serializer produces.

    The SQLite saver stores the whole state, the growing dialogue included, in every checkpoint;
    compressed, a checkpoint is about a quarter of its size. Payloads under ``threshold`` bytes
    stay as they are, and uncompressed rows written before still load.

    Args:
        inner: The serializer whose output is compressed (the saver's own).
        level: zlib level, 1 (fast) to 9 (small).
        threshold: Payloads smaller than this many bytes are stored uncompressed.
    """

    SUFFIX = "+zlib"

    def __init__(self, inner: SerializerProtocol, *, level: int = 6, threshold: int = 512) -> None:
        self.inner = inner
        self.level = level
        self.threshold = threshold

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        """Serialize with the inner serializer, then compress a large enough payload."""
        kind, data = self.inner.dumps_typed(obj)
        if len(data) < self.threshold:
            return kind, data
        return kind + self.SUFFIX, zlib.compress(data, self.level)

    def loads_typed(self, data: tuple[str, bytes]) -> Any:
        """Decompress a compressed payload, then deserialize with the inner serializer."""
        kind, payload = data
        if kind.endswith(self.SUFFIX):
            return self.inner.loads_typed((kind[: -len(self.SUFFIX)], zlib.decompress(payload)))
        return self.inner.loads_typed(data)


@contextmanager
def sqlite_checkpointer(
    path: str | os.PathLike[str] | None = None,
    *,
    compress: bool = True,
    keep_entries: int | None = DEFAULT_KEEP_ENTRIES,
) -> Iterator[SqliteSaver]:
    """Open a synchronous SQLite checkpointer on ``path`` (for ``graph.invoke`` / ``stream``).

    The tables are created on first use and the database runs in WAL mode, so a reader in
    another process never blocks the writer. Use :func:`async_sqlite_checkpointer` with
    ``ainvoke``/``astream``: the synchronous saver does not implement the async methods.

    Args:
        path: The database file (``~`` expanded, parent directories created), ``":memory:"``,
            or ``None`` for :func:`default_sqlite_path`.
        compress: Store checkpoints through :class:`CompressingSerializer`.
        keep_entries: Entries of a thread whose checkpoints are kept (see the module
            docstring); ``None`` keeps every checkpoint.

    Yields:
        A ready :class:`RetainingSqliteSaver`; its connection closes when the block exits.
    """
    keep = _check_keep_entries(keep_entries)
    with RetainingSqliteSaver.from_conn_string(str(owner_only_sqlite_file(path))) as saver:
        assert isinstance(saver, RetainingSqliteSaver)
        saver.keep_entries = keep
        saver.serde = _masking(saver.serde, compress=compress)
        saver.setup()
        yield saver


@asynccontextmanager
async def async_sqlite_checkpointer(
    path: str | os.PathLike[str] | None = None,
    *,
    compress: bool = True,
    keep_entries: int | None = DEFAULT_KEEP_ENTRIES,
) -> AsyncIterator[AsyncSqliteSaver]:
    """Open an async SQLite checkpointer on ``path`` (for ``ainvoke`` / ``astream``).

    Run with ``durability=INTERRUPT_DURABILITY`` when a pending interrupt must survive the
    process (see the module docstring).

    Args:
        path: The database file (``~`` expanded, parent directories created), ``":memory:"``,
            or ``None`` for :func:`default_sqlite_path`.
        compress: Store checkpoints through :class:`CompressingSerializer`.
        keep_entries: Entries of a thread whose checkpoints are kept (see the module
            docstring); ``None`` keeps every checkpoint.

    Yields:
        A ready :class:`AsyncRetainingSqliteSaver`; its connection closes when the block exits.
    """
    keep = _check_keep_entries(keep_entries)
    async with AsyncRetainingSqliteSaver.from_conn_string(
        str(owner_only_sqlite_file(path))
    ) as saver:
        assert isinstance(saver, AsyncRetainingSqliteSaver)
        saver.keep_entries = keep
        saver.serde = _masking(saver.serde, compress=compress)
        await saver.setup()
        yield saver


_PG_INPUT_CHECKPOINTS_SQL = (
    "SELECT checkpoint_id FROM checkpoints WHERE thread_id = %s AND checkpoint_ns = ''"
    " AND metadata->>'source' = 'input' ORDER BY checkpoint_id DESC LIMIT 1 OFFSET %s"
)
_PG_PRUNE_SQL = (
    "DELETE FROM checkpoints WHERE thread_id = %(thread)s AND checkpoint_id < %(cutoff)s",
    "DELETE FROM checkpoint_writes WHERE thread_id = %(thread)s AND checkpoint_id < %(cutoff)s",
    # a blob older than every version its channel has in the kept checkpoints is unreachable;
    # a blob being saved for a new checkpoint has a newer version, so it is never caught
    "DELETE FROM checkpoint_blobs b USING ("
    " SELECT c.checkpoint_ns, v.key AS channel, min(v.value #>> '{}') AS oldest"
    " FROM checkpoints c CROSS JOIN LATERAL jsonb_each(c.checkpoint->'channel_versions') v"
    " WHERE c.thread_id = %(thread)s GROUP BY 1, 2) k"
    " WHERE b.thread_id = %(thread)s AND b.checkpoint_ns = k.checkpoint_ns"
    " AND b.channel = k.channel AND b.version < k.oldest",
)


@functools.cache
def _retaining_postgres_saver() -> type[AsyncPostgresSaver]:
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

    class AsyncRetainingPostgresSaver(AsyncPostgresSaver):
        """:class:`AsyncPostgresSaver` that deletes the history of entries out of the window."""

        keep_entries: int | None = DEFAULT_KEEP_ENTRIES

        async def aput(
            self,
            config: Any,
            checkpoint: Checkpoint,
            metadata: CheckpointMetadata,
            new_versions: ChannelVersions,
        ) -> Any:
            """Save the checkpoint; at an entry's start, delete the entries out of the window."""
            saved = await super().aput(config, checkpoint, metadata, new_versions)
            if self.keep_entries is None or not _starts_entry(config, metadata):
                return saved
            thread_id = str(config["configurable"]["thread_id"])
            async with self._cursor() as cursor:
                await cursor.execute(_PG_INPUT_CHECKPOINTS_SQL, (thread_id, self.keep_entries - 1))
                row = await cursor.fetchone()
                if row is not None:
                    values = {"thread": thread_id, "cutoff": row["checkpoint_id"]}
                    for statement in _PG_PRUNE_SQL:
                        await cursor.execute(statement, values)
            return saved

    return AsyncRetainingPostgresSaver


@asynccontextmanager
async def postgres_checkpointer(
    dsn: str, *, pipeline: bool = False, keep_entries: int | None = DEFAULT_KEEP_ENTRIES
) -> AsyncIterator[AsyncPostgresSaver]:
    """Open an async PostgreSQL checkpointer on ``dsn`` and create its tables if needed.

    Needs the ``postgres`` extra (``pip install 'okx-auth-graph[postgres]'``).

    Args:
        dsn: A libpq connection string, e.g. ``postgresql://user@127.0.0.1:5432/db``.
        pipeline: Send each checkpoint's statements in one round trip (psycopg pipeline mode).
        keep_entries: Entries of a thread whose checkpoints are kept (see the module
            docstring); ``None`` keeps every checkpoint.

    Yields:
        A ready :class:`AsyncPostgresSaver`; its connection closes when the block exits.

    Raises:
        ImportError: If ``langgraph-checkpoint-postgres`` is not installed.
    """
    keep = _check_keep_entries(keep_entries)
    try:
        saver_class = _retaining_postgres_saver()
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ImportError(
            "postgres_checkpointer needs the postgres extra: pip install 'okx-auth-graph[postgres]'"
        ) from exc
    async with saver_class.from_conn_string(dsn, pipeline=pipeline) as saver:
        saver.keep_entries = keep  # type: ignore[attr-defined]
        saver.serde = MaskingSerializer(saver.serde)
        await saver.setup()
        yield saver
