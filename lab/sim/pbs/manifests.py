"""Lab snapshots as the behaviour layer sees them (``behaviour.snapshots``), and back.

The lab keeps a mutable ``state.pbs.Snapshot`` (the API changes notes and protection in
place) with the verify state as PBS's strings; the behaviours read frozen snapshots with a
typed verify state. A verify state seeded without a time counts as verified at backup time.
"""

from __future__ import annotations

from collections.abc import Iterable

from lab.behaviour import snapshots as b
from lab.behaviour.sync import DatastoreView, GroupContent
from lab.state.pbs import BackupGroup, DatastoreContent, Snapshot


def group_of(group: BackupGroup) -> b.BackupGroup:
    """``vm/100`` as the behaviour layer names it."""
    return b.BackupGroup(b.BackupType(group.backup_type), group.backup_id)


def verify_state(snapshot: Snapshot) -> b.VerifyState | None:
    """The manifest's verify state, typed."""
    if snapshot.verify_state is None:
        return None
    when = snapshot.verified_at if snapshot.verified_at is not None else snapshot.time
    return b.VerifyState(b.VerifyResult(snapshot.verify_state), when)


def manifest(group: BackupGroup, snapshot: Snapshot) -> b.Snapshot:
    """The behaviour layer's view of one lab snapshot."""
    return b.Snapshot(
        group=group_of(group),
        backup_time=snapshot.time,
        protected=snapshot.protected,
        finished=snapshot.finished,
        encrypted=snapshot.encrypted,
        verification=verify_state(snapshot),
        notes=snapshot.notes,
    )


def view(
    content: DatastoreContent, groups_of: Iterable[tuple[str, Iterable[BackupGroup]]]
) -> DatastoreView:
    """A datastore view of the given namespaces and their (visible) groups."""
    return {
        ns: {
            group_of(g): GroupContent(g.owner, tuple(manifest(g, s) for s in g.snapshots.values()))
            for g in groups
        }
        for ns, groups in groups_of
    }


def copy_snapshot(source: Snapshot, copied: b.Snapshot) -> Snapshot:
    """A new lab snapshot holding ``source``'s data with the manifest fields of ``copied``."""
    verification = copied.verification
    return Snapshot(
        backup_type=source.backup_type,
        backup_id=source.backup_id,
        time=source.time,
        protected=copied.protected,
        encrypted=copied.encrypted,
        key_fingerprint=source.key_fingerprint,
        verify_state=str(verification.state) if verification else None,
        verify_upid=source.verify_upid if verification else None,
        notes=copied.notes,
        size=source.size,
        finished=copied.finished,
        config=dict(source.config),
        index=source.index,
        verified_at=verification.verified_at if verification else None,
    )
