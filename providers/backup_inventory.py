"""``BackupInventory``: the newest finished backup of each VM on a PBS storage, with its size.

What a recovery is about to restore, read once when it is created (before the restores):
the stack turns the sizes into its RTO estimate (the transfer time over the peer's uplink).
Like ``RestoredVm``'s ``latest``, it counts only finished ``vm/<id>`` snapshots
(``StorageApi.vm_backups``: never a container with the same id, never one still being
written), so the estimate sizes what is restored. A VM without one is an error here,
before a restore fails on it. It reads only; deleting it deletes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

import pulumi
from pydantic import Field

from providers._errors import GuidedError
from providers._lifecycle import ObjectProvider, Props
from providers._resource import ObjectResource
from tappaas.client import ProxmoxClient
from tappaas.model._types import NodeName, StorageId
from tappaas.model.service import MAX_VMID, MIN_VMID
from tappaas.pve.storage import PbsStorageApi, StorageApi


class NoBackupError(GuidedError):
    """A guest to restore has no backup on the source storage."""


class BackupInventoryProps(Props):
    identity = frozenset({"node", "storage", "vmids"})

    node: NodeName
    storage: StorageId
    vmids: tuple[Annotated[int, Field(ge=MIN_VMID, le=MAX_VMID)], ...]


class BackupInventoryProvider(ObjectProvider[BackupInventoryProps]):
    props_type = BackupInventoryProps
    makes_an_object = False  # it reads a storage that is always already there

    def object_id(self, props: BackupInventoryProps) -> str:
        return f"{props.node}/{props.storage}"

    def observe(
        self, client: ProxmoxClient, object_id: str, props: BackupInventoryProps
    ) -> BackupInventoryProps | None:
        return props if PbsStorageApi(client).get(props.storage) is not None else None

    def create_object(self, client: ProxmoxClient, props: BackupInventoryProps) -> dict[str, Any]:
        storage = StorageApi(client)
        newest: dict[str, dict[str, Any]] = {}
        for vmid in props.vmids:
            backups = storage.vm_backups(props.node, props.storage, vmid)
            if not backups:
                raise NoBackupError(f"no finished backup of VM {vmid} on storage '{props.storage}'")
            last = backups[-1]
            newest[str(vmid)] = {
                "volid": str(last["volid"]),
                "size": int(last.get("size", 0)),
                "ctime": int(last.get("ctime", 0)),
            }
        return {"backups": newest}

    def update_object(
        self,
        client: ProxmoxClient,
        object_id: str,
        old: BackupInventoryProps,
        new: BackupInventoryProps,
    ) -> None:
        """Only the endpoint can differ here (everything else is identity)."""

    def extra_outputs(self, props: BackupInventoryProps, olds: dict[str, Any]) -> dict[str, Any]:
        return {"backups": olds.get("backups")}

    def delete_object(
        self, client: ProxmoxClient, object_id: str, props: BackupInventoryProps
    ) -> None:
        """It only read: nothing to delete."""


class BackupInventory(ObjectResource, module="pve", name="BackupInventory"):
    """``backups``: vmid → newest ``volid``, ``size`` (bytes) and ``ctime``."""

    provider_type = BackupInventoryProvider
    computed = ("backups",)

    backups: pulumi.Output[dict[str, Any]]
