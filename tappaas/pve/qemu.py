"""PVE virtual machines: restore from a PBS backup, inspect, and purge.

Restore is ``POST /nodes/{node}/qemu`` with ``archive`` (``<storage>:backup/vm/<id>/<time>``);
it returns a UPID. ``live-restore`` starts the VM at once and streams disks in the background
(PBS archives only). Destroying a VM needs it stopped, and ``purge`` also drops it from
replication jobs, HA resources and backup jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tappaas.client import NotFoundError, ProxmoxClient, TaskResult
from tappaas.wire import WireModel


class RestoreRequest(WireModel):
    """The parameters of a restore; disk keys are not allowed beside ``archive``."""

    vmid: int
    archive: str
    storage: str | None = None
    unique: bool | None = None
    live_restore: bool | None = None
    start: bool | None = None
    bwlimit: int | None = None
    """KiB/s."""
    pool: str | None = None
    net0: str | None = None
    """Overrides the backup's first NIC (e.g. onto an isolated VLAN)."""
    tags: str | None = None
    description: str | None = None
    protection: bool | None = None
    """Config keys beside ``archive`` override the backup's (qemu-server
    ``restore_merge_config``), so a restored VM is marked and protected from its first
    moment, not by a second request that could fail."""


@dataclass(frozen=True)
class VmState:
    """What a restored VM looks like now."""

    node: str
    vmid: int
    name: str | None
    status: str
    config: dict[str, Any]


def backup_volume(storage: str, backup_type: str, backup_id: str, time: str) -> str:
    """``tappaas-pbs:backup/vm/340/2025-01-16T02:00:04Z`` (the PVE volume id of a snapshot)."""
    return f"{storage}:backup/{backup_type}/{backup_id}/{time}"


class QemuApi:
    """Typed operations on the VMs of a PVE cluster."""

    def __init__(self, client: ProxmoxClient) -> None:
        self.client = client

    def restore(self, node: str, request: RestoreRequest) -> TaskResult:
        return self.client.run_task("POST", f"/nodes/{node}/qemu", **request.to_api())

    def exists(self, node: str, vmid: int) -> bool:
        """One read: does ``node`` hold VM ``vmid``'s config (PVE: "does not exist" else)?"""
        try:
            self.client.get(f"/nodes/{node}/qemu/{vmid}/config")
        except NotFoundError:
            return False
        return True

    def config(self, node: str, vmid: int) -> dict[str, Any] | None:
        """The VM's config, or None if ``node`` holds no VM ``vmid``."""
        try:
            config = self.client.get(f"/nodes/{node}/qemu/{vmid}/config")
        except NotFoundError:
            return None
        return dict(config or {})

    def get(self, node: str, vmid: int) -> VmState | None:
        base = f"/nodes/{node}/qemu/{vmid}"
        try:
            config = self.client.get(f"{base}/config") or {}
            status = self.client.get(f"{base}/status/current") or {}
        except NotFoundError:
            return None
        return VmState(node, vmid, config.get("name"), str(status.get("status", "")), config)

    def stop(self, node: str, vmid: int) -> TaskResult:
        return self.client.run_task("POST", f"/nodes/{node}/qemu/{vmid}/status/stop")

    def destroy(self, node: str, vmid: int) -> None:
        """Stop (if running) and destroy, purging the VM from jobs and HA."""
        state = self.get(node, vmid)
        if state is None:
            return
        if state.status == "running":
            self.stop(node, vmid)
        self.client.run_task(
            "DELETE",
            f"/nodes/{node}/qemu/{vmid}",
            purge=True,
            **{"destroy-unreferenced-disks": True},
        )
