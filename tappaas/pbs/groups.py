"""Backup groups of a PBS namespace (``/admin/datastore/{store}/groups``) and their owners.

PBS lets only a group's owner (or the user owning that token) add snapshots to it
(proxmox-backup ``src/api2/backup/mod.rs`` "backup owner check failed"), so when PVE starts
backing up with another token, the groups it wrote before must change owner or its next
backup of each VM fails. ``change-owner`` with Datastore.Modify may hand any group over
(``src/api2/admin/datastore.rs`` ``set_backup_owner``).
"""

from __future__ import annotations

from dataclasses import dataclass

from tappaas.client import ProxmoxClient

GUEST_TYPES = ("vm", "ct")


@dataclass(frozen=True)
class BackupGroup:
    """``<type>/<id>`` in one namespace, and who owns it."""

    backup_type: str
    backup_id: str
    owner: str


class GroupsApi:
    """The backup groups of one datastore namespace (``""``: the root)."""

    def __init__(self, client: ProxmoxClient, store: str, ns: str = "") -> None:
        self.client = client
        self.base = f"/admin/datastore/{store}"
        self.ns = ns or None

    def guests(self) -> list[BackupGroup]:
        """The VM and container groups directly in the namespace (not below it)."""
        items = self.client.get(f"{self.base}/groups", ns=self.ns) or []
        return [
            BackupGroup(str(item["backup-type"]), str(item["backup-id"]), str(item["owner"]))
            for item in items
            if item.get("backup-type") in GUEST_TYPES
        ]

    def change_owner(self, group: BackupGroup, new_owner: str) -> None:
        self.client.post(
            f"{self.base}/change-owner",
            ns=self.ns,
            **{
                "backup-type": group.backup_type,
                "backup-id": group.backup_id,
                "new-owner": new_owner,
            },
        )
