"""What a guest's disk holds over time, as chunks: enough for dedup, GC and transfer sizes.

A disk is ``chunk_count`` model chunks of ``chunk_size`` bytes (a model chunk stands for a run
of PBS's 4 MiB chunks, so that a year of a 20-guest site stays cheap to simulate). Each day a
rotating window of ``changed_per_day`` chunks is rewritten, so snapshots of the same guest
share all but the chunks changed between them, and different guests share nothing. A chunk's
identity is ``(disk key, index, generation)``; the generation of chunk ``i`` after day ``d`` is
how often the window has passed over it — a closed form, so any moment costs O(chunk_count).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFAULT_MODEL_CHUNKS",
    "ChunkId",
    "ChunkIndex",
    "DiskContent",
]

SECONDS_PER_DAY = 86400
DEFAULT_MODEL_CHUNKS = 64
"""Model chunks per disk: fine enough for a percent-level daily change, cheap to hash."""

ChunkId = tuple[str, int, int]
"""(disk key, chunk index, generation): equal ids mean equal content, as equal digests do."""


@dataclass(frozen=True, slots=True)
class ChunkIndex:
    """The chunks one backed-up disk image references (PBS's fixed index), all one size."""

    chunks: frozenset[ChunkId]
    chunk_size: int

    @property
    def logical_bytes(self) -> int:
        """The image size the index describes (PBS ``index-data-bytes`` for it)."""
        return len(self.chunks) * self.chunk_size


@dataclass(frozen=True, slots=True)
class DiskContent:
    """A guest disk whose content changes by a fixed share every day.

    ``key`` must differ between guests (e.g. ``vm/100``); ``origin`` is the Unix time of the
    disk's day 0.
    """

    key: str
    chunk_count: int
    chunk_size: int
    changed_per_day: int
    origin: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.changed_per_day <= self.chunk_count:
            raise ValueError("changed_per_day must be between 0 and chunk_count")

    @classmethod
    def sized(
        cls,
        key: str,
        disk_bytes: int,
        daily_change_share: float,
        origin: int = 0,
        chunk_count: int = DEFAULT_MODEL_CHUNKS,
    ) -> DiskContent:
        """A disk of ``disk_bytes`` of which about ``daily_change_share`` changes per day."""
        changed = min(chunk_count, round(chunk_count * daily_change_share))
        return cls(key, chunk_count, -(-disk_bytes // chunk_count), changed, origin)

    @property
    def size_bytes(self) -> int:
        """The whole disk: what a full transfer sends."""
        return self.chunk_count * self.chunk_size

    def _generation(self, index: int, day: int) -> int:
        """How many of days 0..day rewrote chunk ``index`` (the window covers a ring)."""
        written = (day + 1) * self.changed_per_day  # chunk writes so far, round the ring
        return max(0, (written - index + self.chunk_count - 1) // self.chunk_count)

    def chunks_at(self, t: int) -> ChunkIndex:
        """The disk's chunks as a backup at Unix time ``t`` reads them."""
        day = (t - self.origin) // SECONDS_PER_DAY
        chunks = frozenset(
            (self.key, i, self._generation(i, day) if day >= 0 else 0)
            for i in range(self.chunk_count)
        )
        return ChunkIndex(chunks, self.chunk_size)

    def changed_bytes(self, since: int, until: int) -> int:
        """Bytes rewritten between two moments: what an incremental transfer sends.

        The days in between rewrite a contiguous stretch of the ring, so this is the number of
        chunk writes, capped at the whole disk.
        """
        first = max((since - self.origin) // SECONDS_PER_DAY, -1)
        last = max((until - self.origin) // SECONDS_PER_DAY, -1)
        writes = max(last - first, 0) * self.changed_per_day
        return min(writes, self.chunk_count) * self.chunk_size
