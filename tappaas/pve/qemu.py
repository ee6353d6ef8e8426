"""PVE virtual machines: restore from a PBS backup, inspect, start, and purge.

Restore is ``POST /nodes/{node}/qemu`` with ``archive`` (``<storage>:backup/vm/<id>/<time>``);
it returns a UPID. Config keys sent beside ``archive`` override the backup's config
(qemu-server ``create_vm`` passes them as ``override_conf``; a NIC without a MAC gets a random
one), except disks ("option conflicts with option 'archive'"). ``live-restore`` starts the VM
at once and streams disks in the background (PBS archives only); the task ends when the
streaming does. ``GET /nodes/{node}/vzdump/extractconfig`` returns a backup's config without
restoring it. Destroying a VM needs it stopped, and ``purge`` also drops it from replication
jobs, HA resources and backup jobs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tappaas.client import NotFoundError, ProxmoxClient, TaskResult
from tappaas.wire import WireModel

CONFIG_COMMENT = "#"
RESTORE_LOCK = "create"
"""The lock of a VM whose restore is still copying (qemu-server ``qmrestore``); its final
config (description, tags) arrives when the restore ends."""


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
    onboot: bool | None = None
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


@dataclass(frozen=True)
class VmSummary:
    """One entry of ``GET /nodes/{node}/qemu``."""

    node: str
    vmid: int
    name: str | None
    status: str
    tags: frozenset[str]
    lock: str | None = None


def backup_volume(storage: str, backup_type: str, backup_id: str, time: str) -> str:
    """``tappaas-pbs:backup/vm/340/2025-01-16T02:00:04Z`` (the PVE volume id of a snapshot)."""
    return f"{storage}:backup/{backup_type}/{backup_id}/{time}"


def parse_config_text(text: str) -> dict[str, str]:
    """A ``qemu-server.conf`` as ``extractconfig`` returns it: ``key: value`` lines of the
    current config (snapshot sections ``[name]`` and comments dropped)."""
    config: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("["):
            break
        key, sep, value = line.partition(":")
        if sep and key and not key.startswith(CONFIG_COMMENT):
            config[key.strip()] = value.strip()
    return config


class QemuApi:
    """Typed operations on the VMs of a PVE cluster."""

    def __init__(self, client: ProxmoxClient) -> None:
        self.client = client

    def restore(self, node: str, request: RestoreRequest) -> TaskResult:
        return self.client.run_task("POST", f"/nodes/{node}/qemu", **request.to_api())

    def start_restore(
        self, node: str, request: RestoreRequest, overrides: Mapping[str, str] | None = None
    ) -> str:
        """Start a restore and return its UPID at once (the caller waits on its own clock)."""
        params = {**request.to_api(), **(overrides or {})}
        return str(self.client.post(f"/nodes/{node}/qemu", **params))

    def extract_config(self, node: str, volume: str) -> dict[str, str]:
        """The config stored in a backup (``vzdump/extractconfig``)."""
        text = self.client.get(f"/nodes/{node}/vzdump/extractconfig", volume=volume)
        return parse_config_text(str(text or ""))

    def vms(self, node: str) -> list[VmSummary]:
        items = self.client.get(f"/nodes/{node}/qemu") or []
        return [
            VmSummary(
                node=node,
                vmid=int(item["vmid"]),
                name=item.get("name"),
                status=str(item.get("status", "")),
                tags=frozenset(t for t in str(item.get("tags") or "").split(";") if t),
                lock=item.get("lock"),
            )
            for item in items
        ]

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

    def current(self, node: str, vmid: int) -> dict[str, Any]:
        """``status/current``: ``status`` (running/stopped), ``qmpstatus``, ``lock`` …"""
        return dict(self.client.get(f"/nodes/{node}/qemu/{vmid}/status/current") or {})

    def start(self, node: str, vmid: int) -> str:
        """Start the VM; returns the ``qmstart`` task's UPID."""
        return str(self.client.post(f"/nodes/{node}/qemu/{vmid}/status/start"))

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
