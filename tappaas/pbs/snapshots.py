"""PBS snapshots (``GET /admin/datastore/{store}/snapshots``): what a datastore holds.

Each entry has ``backup-type``, ``backup-id``, ``backup-time``, ``size`` (absent while the
backup is still running: such a snapshot is not complete), ``files`` with their ``crypt-mode``,
and ``verification`` (``state`` ok/failed and the verify task's ``upid``) once verified
(proxmox-backup ``SnapshotListItem``). Listing needs Datastore.Audit, or Datastore.Backup for
the caller's own groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tappaas.client import Product, ProxmoxClient, Upid

ENCRYPTED_MODE = "encrypt"


@dataclass(frozen=True)
class SnapshotItem:
    """One snapshot as PBS lists it."""

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
    """Typed reads of one datastore's snapshots."""

    def __init__(self, client: ProxmoxClient, store: str) -> None:
        self.client = client
        self.store = store

    def list(self, ns: str = "", backup_type: str | None = None) -> list[SnapshotItem]:
        """Snapshots of namespace ``ns``, oldest first."""
        items = self.client.get(
            f"/admin/datastore/{self.store}/snapshots",
            ns=ns or None,
            **{"backup-type": backup_type},
        )
        snapshots = [SnapshotItem.from_api(item) for item in items or []]
        return sorted(snapshots, key=lambda s: (s.backup_type, s.backup_id, s.backup_time))
