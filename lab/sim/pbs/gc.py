"""Garbage collection of a PBS datastore (scheduled by ``gc-schedule`` or run now).

``behaviour.chunk_store`` does the mark and sweep by access time; this applies it to a lab
datastore, keeps the figures for ``GET /admin/datastore/{store}/gc`` and writes PBS's log.
The cutoff is the datastore's ``tuning`` ``gc-atime-cutoff`` (minutes, default 24 h 5 min).
"""

from __future__ import annotations

import re

from lab.behaviour.chunk_store import DEFAULT_GC_ATIME_CUTOFF_MINUTES
from lab.sim.units import human_bytes
from lab.state.pbs import DatastoreConfig, DatastoreContent, GcRecord

_CUTOFF = re.compile(r"(?:^|,)gc-atime-cutoff=(\d+)")


def atime_cutoff_minutes(config: DatastoreConfig | None) -> int:
    """``tuning`` ``gc-atime-cutoff``, else PBS's default."""
    match = _CUTOFF.search(str(config.get("tuning", ""))) if config is not None else None
    return int(match[1]) if match else DEFAULT_GC_ATIME_CUTOFF_MINUTES


def run_gc(
    store: str, config: DatastoreConfig | None, content: DatastoreContent, start: int, upid: str
) -> list[str]:
    """Collect garbage in ``content`` at ``start``; returns the task log."""
    status = content.chunks.garbage_collect(content.indexes(), start, atime_cutoff_minutes(config))
    content.gc = GcRecord(status, upid, endtime=start)
    usage = status.disk_bytes + status.pending_bytes
    share = 100.0 * usage / status.index_data_bytes if status.index_data_bytes else 0.0
    return [
        f"starting garbage collection on store {store}",
        "Start GC phase1 (mark used chunks)",
        "Start GC phase2 (sweep unused chunks)",
        f"Removed garbage: {human_bytes(status.removed_bytes)}",
        f"Removed chunks: {status.removed_chunks}",
        f"Pending removals: {human_bytes(status.pending_bytes)} "
        f"(in {status.pending_chunks} chunks)",
        f"Original data usage: {human_bytes(status.index_data_bytes)}",
        f"On-Disk usage: {human_bytes(usage)} ({share:.2f}%)",
        f"On-Disk chunks: {status.disk_chunks}",
    ]
