"""PBS snapshots of a datastore (``/admin/datastore/{store}/…``): list, protect, notes.

Used by the checks and the anchoring of a peer's copies. ``protected`` makes PBS keep a
snapshot through any prune (proxmox-backup ``pbs-datastore/src/prune.rs``) and refuse to
forget it; setting it needs Datastore.Modify (or the group's owner with Datastore.Backup).
"""

from __future__ import annotations

from typing import Any

from tappaas.client import ProxmoxClient
from tappaas.policy.snapshot_clock import SnapshotRef


class SnapshotApi:
    """Typed operations on the snapshots of one datastore."""

    def __init__(self, client: ProxmoxClient, store: str) -> None:
        self.client = client
        self.store = store
        self.base = f"/admin/datastore/{store}"

    def namespaces(self) -> list[str]:
        """Every namespace of the datastore (``""`` is the root)."""
        items = self.client.get(f"{self.base}/namespace") or []
        return sorted({str(item.get("ns", "")).strip("/") for item in items} | {""})

    def list(self, namespace: str) -> list[SnapshotRef]:
        """The snapshots of one namespace (not below it)."""
        items = self.client.get(f"{self.base}/snapshots", ns=namespace or None) or []
        return [self._ref(namespace, item) for item in items]

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
