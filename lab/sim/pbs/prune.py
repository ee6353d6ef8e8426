"""Prune: a PBS prune job (scheduled or run now), and the group prune vzdump asks for.

The selection is ``behaviour.prune`` (PBS ``compute_prune_info``): protected snapshots stay,
no ``keep-*`` set keeps everything, removals go oldest first. A removed snapshot's chunks stay
in the datastore until garbage collection finds them unreferenced long enough.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lab.behaviour.namespaces import subtree
from lab.behaviour.prune import KeepOptions, snapshots_to_remove
from lab.state.pbs import BackupGroup, DatastoreContent, PruneJob, Snapshot

KEEP_FIELDS = ("last", "hourly", "daily", "weekly", "monthly", "yearly")


def keep_options(options: Mapping[str, Any]) -> KeepOptions:
    """``keep-*`` options (PBS names) as ``KeepOptions``."""
    return KeepOptions(**{f: options.get(f"keep-{f}") for f in KEEP_FIELDS})


def prune_group(group: BackupGroup, options: KeepOptions) -> list[Snapshot]:
    """Remove what ``options`` does not keep from ``group``; returns the removed, oldest first."""
    removed = snapshots_to_remove(group.snapshots.values(), options)
    for snapshot in removed:
        del group.snapshots[snapshot.time]
    return removed


def run_prune_job(job: PruneJob, store: DatastoreContent) -> list[str]:
    """Prune every group in the job's scope as its ``keep-*`` say; returns the task log."""
    options = keep_options(job.options)
    anchor, max_depth = str(job.get("ns") or ""), job.get("max-depth")
    scope = set(subtree(store.namespaces, anchor, max_depth))
    log = [f"prune job '{job.id}' on namespace '{anchor}'"]
    if not options.keeps_something:
        return [*log, "No prune selection - keeping all files."]
    for key, group in list(store.groups.items()):
        if key.split("|", 1)[0] not in scope:
            continue
        removed = prune_group(group, options)
        log.append(f"group {group.backup_type}/{group.backup_id}: {len(removed)} to remove")
        log += [f"removed {snapshot.name}" for snapshot in removed]
    return log
