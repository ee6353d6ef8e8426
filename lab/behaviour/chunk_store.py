"""A PBS datastore's chunk store: dedup on insert, and garbage collection by access time.

PBS GC (pbs-datastore datastore.rs, chunk_store.rs ``cond_sweep_chunk``) never asks which
chunks a prune freed. Phase 1 touches (sets the atime of) every chunk any index references;
phase 2 sweeps every chunk by atime against ``min_atime = start - cutoff`` (``gc-atime-cutoff``,
default 24 h 5 min, moved earlier by 5 minutes before the oldest running backup writer):

- atime < min_atime: removed (``removed-chunks``/``removed-bytes``);
- atime < the oldest writer's start (the GC start if none): ``pending-*``, kept for safety;
- otherwise: ``disk-*``, in use.

So a chunk freed by prune disappears only at the first GC starting more than the cutoff after
its last touch — with daily GC, the second GC after the prune — and the datastore's usage
drops then. The 4 MiB zero chunk the atime safety check inserts is not modelled (it is a few
hundred bytes compressed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lab.behaviour.disk_content import ChunkId, ChunkIndex

__all__ = [
    "DEFAULT_GC_ATIME_CUTOFF_MINUTES",
    "WRITER_SAFETY_GAP_SECONDS",
    "ChunkStore",
    "GcStatus",
]

DEFAULT_GC_ATIME_CUTOFF_MINUTES = 1445
"""``gc-atime-cutoff`` default: 24 hours and 5 minutes (allowed 1 to 2880)."""

WRITER_SAFETY_GAP_SECONDS = 300
"""GC keeps chunks touched up to 5 minutes before the oldest active backup writer started."""


@dataclass(frozen=True, slots=True)
class GcStatus:
    """The figures PBS reports for a GC run (``gc-status``)."""

    index_file_count: int
    index_data_bytes: int
    disk_bytes: int
    disk_chunks: int
    removed_bytes: int
    removed_chunks: int
    pending_bytes: int
    pending_chunks: int


@dataclass(slots=True)
class _Stored:
    size: int
    atime: int


class ChunkStore:
    """The chunks of one datastore with their sizes and access times."""

    def __init__(self) -> None:
        self._chunks: dict[ChunkId, _Stored] = {}

    @property
    def used_bytes(self) -> int:
        """Bytes the chunks take on disk (what the datastore's ``used`` grows and shrinks by)."""
        return sum(stored.size for stored in self._chunks.values())

    @property
    def chunk_count(self) -> int:
        return len(self._chunks)

    def insert(self, index: ChunkIndex, now: int) -> int:
        """Store a backup's or sync's chunks at ``now``; returns the bytes newly written.

        Chunks already present are deduplicated (and touched, as PBS does on insert).
        """
        written = 0
        for chunk in index.chunks:
            stored = self._chunks.get(chunk)
            if stored is None:
                self._chunks[chunk] = _Stored(index.chunk_size, now)
                written += index.chunk_size
            else:
                stored.atime = now
        return written

    def missing(self, index: ChunkIndex) -> int:
        """How many of an index's chunks are gone (a verify of it then fails)."""
        return sum(1 for chunk in index.chunks if chunk not in self._chunks)

    def missing_chunks(self, index: ChunkIndex) -> list[ChunkId]:
        """Which of an index's chunks are gone (what a restore of it stumbles on)."""
        return sorted(chunk for chunk in index.chunks if chunk not in self._chunks)

    def lose(self, chunks: Iterable[ChunkId]) -> None:
        """Chunks destroyed outside PBS's control (a failed disk without redundancy)."""
        for chunk in chunks:
            self._chunks.pop(chunk, None)

    def garbage_collect(
        self,
        indexes: Iterable[ChunkIndex],
        start: int,
        cutoff_minutes: int = DEFAULT_GC_ATIME_CUTOFF_MINUTES,
        oldest_writer: int | None = None,
    ) -> GcStatus:
        """One GC run starting at ``start`` over every index in the datastore.

        ``oldest_writer``: start of the oldest backup still writing, if any.
        """
        writer = start if oldest_writer is None else oldest_writer
        min_atime = start - cutoff_minutes * 60
        if writer < min_atime:
            min_atime = writer - WRITER_SAFETY_GAP_SECONDS
        index_count = index_bytes = 0
        for index in indexes:  # phase 1: mark
            index_count += 1
            index_bytes += index.logical_bytes
            for chunk in index.chunks:
                stored = self._chunks.get(chunk)
                if stored is not None:
                    stored.atime = start
        removed: list[ChunkId] = []
        removed_bytes = pending_bytes = pending_chunks = disk_bytes = 0
        for chunk, stored in self._chunks.items():  # phase 2: sweep
            if stored.atime < min_atime:
                removed.append(chunk)
                removed_bytes += stored.size
            elif stored.atime < writer:
                pending_chunks += 1
                pending_bytes += stored.size
            else:
                disk_bytes += stored.size
        self.lose(removed)
        return GcStatus(
            index_file_count=index_count,
            index_data_bytes=index_bytes,
            disk_bytes=disk_bytes,
            disk_chunks=len(self._chunks) - pending_chunks,
            removed_bytes=removed_bytes,
            removed_chunks=len(removed),
            pending_bytes=pending_bytes,
            pending_chunks=pending_chunks,
        )
