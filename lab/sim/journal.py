"""The lab's journal: notable things that happened, in time order, for timelines and tests.

Routine successes that repeat every few minutes (an incremental replication) are not
journalled; failures, first runs and every backup, prune, sync, GC, verify, HA and fault
event are. The journal is bounded; the oldest entries go first.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass

MAX_ENTRIES = 200_000


@dataclass(frozen=True)
class JournalEntry:
    """One event: when, where (``pve/tappaas1``, ``pbs/local``), what kind, and what."""

    time: int
    source: str
    kind: str
    message: str


class Journal:
    """A bounded, thread-safe list of entries."""

    def __init__(self, limit: int = MAX_ENTRIES) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def add(self, time: float, source: str, kind: str, message: str) -> None:
        """Record one event."""
        with self._lock:
            self._entries.append(JournalEntry(int(time), source, kind, message))

    def entries(
        self, since: float | None = None, kinds: Collection[str] | None = None
    ) -> list[JournalEntry]:
        """Entries at or after ``since``, optionally of some kinds only, oldest first."""
        with self._lock:
            return [
                e
                for e in self._entries
                if (since is None or e.time >= since) and (kinds is None or e.kind in kinds)
            ]
