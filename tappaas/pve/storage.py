"""PVE storage entries: the one PBS-storage property upstream cannot set, ``master-pubkey``.

``master-pubkey`` is the public half of an RSA key pair whose private half the admin keeps
offline: every backup's encryption key is also stored encrypted with it, so backups can be
restored even when the PVE host and its key file are lost (the DR case). PVE wants it
base64-encoded, accepts it only beside an ``encryption-key``, and never returns it on read.
"""

from __future__ import annotations

import base64
from typing import Any

from tappaas.client import NotFoundError, ProxmoxClient


class StorageApi:
    """Typed operations on ``/storage`` entries."""

    def __init__(self, client: ProxmoxClient) -> None:
        self.client = client

    def get(self, storage: str) -> dict[str, Any] | None:
        try:
            return dict(self.client.get(f"/storage/{storage}") or {})
        except NotFoundError:
            return None

    def backups(self, node: str, storage: str, vmid: int) -> list[dict[str, Any]]:
        """Backups of one guest on a (PBS) storage as ``node`` sees them, oldest first."""
        items = self.client.get(
            f"/nodes/{node}/storage/{storage}/content", content="backup", vmid=vmid
        )
        return sorted(items or [], key=lambda item: int(item.get("ctime", 0)))

    def set_master_pubkey(self, storage: str, pem: str, digest: str | None = None) -> None:
        encoded = base64.b64encode(pem.encode()).decode()
        self.client.put(f"/storage/{storage}", digest=digest, **{"master-pubkey": encoded})

    def remove_master_pubkey(self, storage: str) -> None:
        self.client.put(f"/storage/{storage}", delete=["master-pubkey"])
