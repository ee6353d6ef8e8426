"""PBS snapshots of a datastore (``/admin/datastore/{store}/…``): list, protect, notes.

``GET …/snapshots`` lists each snapshot with ``backup-type``, ``backup-id``, ``backup-time``,
``size`` (absent while the backup is still running: such a snapshot is not complete),
``files`` with their ``crypt-mode``, ``protected``, and ``verification`` (``state`` ok/failed
and the verify task's ``upid``) once verified (proxmox-backup ``SnapshotListItem``). Listing
needs Datastore.Audit, or Datastore.Backup for the caller's own groups. Two views of it:
``list`` (``SnapshotRef``: what the checks and the anchoring of a peer's copies need) and
``items`` (``SnapshotItem``: what ``tappaas status`` judges — completeness, encryption, when
it was verified). ``protected`` makes PBS keep a snapshot through any prune (proxmox-backup
``pbs-datastore/src/prune.rs``) and refuse to forget it; setting it needs Datastore.Modify
(or the group's owner with Datastore.Backup).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tappaas.client import Product, ProxmoxClient, Upid
from tappaas.policy.snapshot_clock import SnapshotRef

ENCRYPTED_MODE = "encrypt"


@dataclass(frozen=True)
class SnapshotItem:
    """One snapshot as ``tappaas status`` reads it."""

    backup_type: str
    backup_id: str
    backup_time: int
    size: int | None
    encrypted: bool
    verify_state: str | None
    verified_at: int | None

    @property
    def complete(self) -> bool:
        """A finished backup (PBS reports no size for one still being written)."""
        return self.size is not None

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> SnapshotItem:
        verification = item.get("verification") or {}
        upid = str(verification.get("upid") or "")
        verified_at = Upid.parse(upid, Product.PBS).start.timestamp() if upid else None
        files = item.get("files") or []
        size = item.get("size")
        return cls(
            backup_type=str(item["backup-type"]),
            backup_id=str(item["backup-id"]),
            backup_time=int(item["backup-time"]),
            size=int(size) if size is not None else None,
            encrypted=any(f.get("crypt-mode") == ENCRYPTED_MODE for f in files),
            verify_state=verification.get("state"),
            verified_at=int(verified_at) if verified_at is not None else None,
        )


class SnapshotApi:
    """Typed operations on the snapshots of one datastore."""

    def __init__(self, client: ProxmoxClient, store: str) -> None:
        self.client = client
        self.store = store
        self.base = f"/admin/datastore/{store}"

    def _listed(self, namespace: str) -> list[dict[str, Any]]:
        items = self.client.get(f"{self.base}/snapshots", ns=namespace or None)
        return list(items or [])

    def items(self, namespace: str = "") -> list[SnapshotItem]:
        """The snapshots of one namespace with size, encryption and verification, oldest
        first within each group."""
        snapshots = [SnapshotItem.from_api(item) for item in self._listed(namespace)]
        return sorted(snapshots, key=lambda s: (s.backup_type, s.backup_id, s.backup_time))

    def list(self, namespace: str) -> list[SnapshotRef]:
        """The snapshots of one namespace (not below it)."""
        return [self._ref(namespace, item) for item in self._listed(namespace)]

    def _ref(self, namespace: str, item: dict[str, Any]) -> SnapshotRef:
        verification = item.get("verification") or {}
        return SnapshotRef(
            store=self.store,
            namespace=namespace,
            backup_type=str(item["backup-type"]),
            backup_id=str(item["backup-id"]),
            time=int(item["backup-time"]),
            protected=bool(item.get("protected")),
            verified=verification.get("state") == "ok",
        )

    def _address(self, snapshot: SnapshotRef) -> dict[str, Any]:
        return {
            "ns": snapshot.namespace or None,
            "backup-type": snapshot.backup_type,
            "backup-id": snapshot.backup_id,
            "backup-time": snapshot.time,
        }

    def set_protected(self, snapshot: SnapshotRef, protected: bool) -> None:
        self.client.put(f"{self.base}/protected", protected=protected, **self._address(snapshot))
