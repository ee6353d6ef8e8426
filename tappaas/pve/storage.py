"""PVE storage entries: the one PBS-storage property upstream cannot set, ``master-pubkey``.

``master-pubkey`` is the public half of an RSA key pair whose private half the admin keeps
offline: every backup's encryption key is also stored encrypted with it, so backups can be
restored even when the PVE host and its key file are lost (the DR case). PVE wants it
base64-encoded and never returns it on read (only ``master-pubkey: 1``). It insists on an
``encryption-key`` beside it only when the entry is created (pve-storage ``PBSPlugin.pm``
``on_add_hook``); an update sets it alone (``on_update_hook``), and without a key PVE simply
does not use it (``pbs_open_master_pubkey`` is called only with an encryption key).
"""

from __future__ import annotations

import base64
from typing import Any

from tappaas.client import NotFoundError, ProxmoxClient

SIZE_WITHOUT_MANIFEST = 1
"""What PVE shows as the size of a PBS snapshot still being written: PBS lists one without a
manifest with no ``size`` (proxmox-backup ``src/tools/mod.rs``
``backup_info_to_snapshot_list_item``) and PVE fills in ``$item->{size} // 1`` (pve-storage
``PBSPlugin.pm`` ``list_volumes``); a finished one counts at least its manifest."""


class StorageApi:
    """Typed operations on ``/storage`` entries."""

    def __init__(self, client: ProxmoxClient) -> None:
        self.client = client

    def get(self, storage: str) -> dict[str, Any] | None:
        try:
            return dict(self.client.get(f"/storage/{storage}") or {})
        except NotFoundError:
            return None

    def vm_backups(self, node: str, storage: str, vmid: int) -> list[dict[str, Any]]:
        """Finished backups of VM ``vmid`` on a (PBS) storage as ``node`` sees them, oldest
        first. PVE lists by backup id alone (``PBSPlugin.pm`` asks PBS for ``backup-id``), so a
        container with the same id shows up too; it and unfinished snapshots are left out."""
        items = self.client.get(
            f"/nodes/{node}/storage/{storage}/content", content="backup", vmid=vmid
        )
        prefix = f"{storage}:backup/vm/{vmid}/"
        finished = [
            item
            for item in items or []
            if str(item.get("volid", "")).startswith(prefix)
            and int(item.get("size") or 0) > SIZE_WITHOUT_MANIFEST
        ]
        return sorted(finished, key=lambda item: int(item.get("ctime", 0)))

    def set_master_pubkey(self, storage: str, pem: str, digest: str | None = None) -> None:
        encoded = base64.b64encode(pem.encode()).decode()
        self.client.put(f"/storage/{storage}", digest=digest, **{"master-pubkey": encoded})

    def remove_master_pubkey(self, storage: str) -> None:
        self.client.put(f"/storage/{storage}", delete=["master-pubkey"])
