"""``RestoredVm``: a VM restored on a PVE node from a PBS snapshot (the DR building block).

Create-only: every input is identity, so a different snapshot, node or option means a new
restore. ``archive`` may end in ``latest`` (the VM's newest finished backup when the restore
runs, never a container's of the same id; newer backups later do not trigger a new restore).
``bridge``/``vlan`` put the VM's first NIC on another network, e.g. an isolated VLAN on a
peer. The task is awaited; outputs say which snapshot was restored and how long it took.
Deleting the resource stops and purges the restored VM (never the backup it came from).
"""

from __future__ import annotations

from typing import Any

import pulumi
from pydantic import Field

from providers._lifecycle import ObjectProvider, Props
from providers._resource import ObjectResource
from tappaas.client import ProxmoxClient
from tappaas.pve.qemu import QemuApi, RestoreRequest
from tappaas.pve.storage import StorageApi

LATEST = "latest"
ARCHIVE_PATTERN = r"^[^:]+:backup/(vm|ct)/\d+/(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|latest)$"


class RestoredVmProps(Props):
    identity = frozenset(
        {
            "node",
            "vmid",
            "archive",
            "storage",
            "unique",
            "live_restore",
            "start",
            "bwlimit",
            "bridge",
            "vlan",
        }
    )

    node: str
    vmid: int = Field(ge=100, le=999_999_999)
    archive: str = Field(pattern=ARCHIVE_PATTERN)
    """``<pbs storage>:backup/vm/<id>/<UTC time>`` (a snapshot's PVE volume id) or ``…/latest``."""
    storage: str | None = None
    unique: bool = True
    """New MAC addresses, so a copy can run beside the original (e.g. in an isolated VLAN)."""
    live_restore: bool = False
    start: bool = False
    bwlimit: int | None = None
    bridge: str | None = None
    vlan: int | None = Field(default=None, ge=1, le=4094)

    def network(self) -> str | None:
        """``net0`` for the restored VM when it must land on another network."""
        if self.bridge is None:
            return None
        return f"virtio,bridge={self.bridge}" + (f",tag={self.vlan}" if self.vlan else "")

    def archive_parts(self) -> tuple[str, int, str]:
        """(storage, vmid, time or ``latest``) of ``archive``."""
        storage, _, rest = self.archive.partition(":")
        _, _, backup_id, time = rest.split("/")
        return storage, int(backup_id), time


class RestoredVmProvider(ObjectProvider[RestoredVmProps]):
    props_type = RestoredVmProps

    def object_id(self, props: RestoredVmProps) -> str:
        return f"{props.node}/{props.vmid}"

    def observe(
        self, client: ProxmoxClient, object_id: str, props: RestoredVmProps
    ) -> RestoredVmProps | None:
        return props if QemuApi(client).exists(props.node, props.vmid) else None

    def create_object(self, client: ProxmoxClient, props: RestoredVmProps) -> dict[str, Any]:
        archive = self._resolve(client, props)
        request = RestoreRequest.model_validate(
            {
                **props.model_dump(include=set(RestoreRequest.model_fields)),
                "archive": archive,
                "net0": props.network(),
            }
        )
        result = QemuApi(client).restore(props.node, request)
        return {
            "restored_snapshot": archive.split(":", 1)[1],
            "restore_seconds": round(result.seconds, 3),
            "restore_task": result.upid.text,
        }

    def _resolve(self, client: ProxmoxClient, props: RestoredVmProps) -> str:
        """The archive to restore: as given, or the VM's newest finished backup for ``latest``."""
        storage, vmid, time = props.archive_parts()
        if time != LATEST:
            return props.archive
        backups = StorageApi(client).vm_backups(props.node, storage, vmid)
        if not backups:
            raise ValueError(f"no backup of VM {vmid} on storage '{storage}' to restore")
        return str(backups[-1]["volid"])

    def extra_outputs(self, props: RestoredVmProps, olds: dict[str, Any]) -> dict[str, Any]:
        keys = ("restored_snapshot", "restore_seconds", "restore_task")
        return {key: olds.get(key) for key in keys}

    def update_object(
        self,
        client: ProxmoxClient,
        object_id: str,
        old: RestoredVmProps,
        new: RestoredVmProps,
    ) -> None:
        """Only the endpoint can differ here (everything else is identity): nothing to send."""

    def delete_object(self, client: ProxmoxClient, object_id: str, props: RestoredVmProps) -> None:
        QemuApi(client).destroy(props.node, props.vmid)


class RestoredVm(ObjectResource, module="pve", name="RestoredVm"):
    """A VM restored from a PBS backup; ``restored_snapshot``/``restore_seconds`` report it."""

    provider_type = RestoredVmProvider
    computed = ("restored_snapshot", "restore_seconds", "restore_task")

    restored_snapshot: pulumi.Output[str]
    restore_seconds: pulumi.Output[float]
