"""Running a PBS prune job now: the job's ``keep-*`` applied to every group in its scope.

The selection is ``tappaas.lab.behaviour.prune.snapshots_to_remove`` (PBS
``compute_prune_info``): protected snapshots stay, no option set keeps everything. The scope
is the job's namespace and its children down to ``max-depth`` (unset: all). Removed data
waits for garbage collection, as chunks do on PBS.
"""

from __future__ import annotations

from tappaas.lab.behaviour.prune import KeepOptions, snapshots_to_remove
from tappaas.lab.state.pbs import DatastoreContent, PruneJob

KEEP_FIELDS = ("last", "hourly", "daily", "weekly", "monthly", "yearly")


def _depth(ns: str) -> int:
    return len([part for part in ns.split("/") if part])


def in_scope(ns: str, anchor: str, max_depth: int | None) -> bool:
    """Whether namespace ``ns`` lies under ``anchor`` within ``max_depth`` levels."""
    inside = ns == anchor or not anchor or ns.startswith(anchor + "/")
    return inside and (max_depth is None or _depth(ns) - _depth(anchor) <= max_depth)


def run_prune(job: PruneJob, store: DatastoreContent) -> list[str]:
    """Prune ``store`` as ``job`` says; returns the task log lines."""
    options = KeepOptions(**{f: job.get(f"keep-{f}") for f in KEEP_FIELDS})
    anchor, max_depth = str(job.get("ns") or ""), job.get("max-depth")
    log = [f"prune job '{job.id}' on namespace '{anchor}'"]
    for key, group in list(store.groups.items()):
        if not in_scope(key.split("|", 1)[0], anchor, max_depth):
            continue
        removed = snapshots_to_remove(group.snapshots.values(), options)
        log.append(f"group {group.backup_type}/{group.backup_id}: {len(removed)} to remove")
        for snapshot in removed:
            del group.snapshots[snapshot.time]
            store.gc_pending_bytes += snapshot.size
            log.append(f"removed {snapshot.name}")
    return log
