"""Finding and removing drill VMs: the run's own, and those an interrupted run left behind.

A drill VM is recognised by two marks: a vmid in ``drill``'s reserved range, and the tag
``tappaas-drill`` set at restore time — or, for a run killed while a full restore was still
copying, PVE's locked placeholder (``lock: create``: the tags arrive with the final config).
Only such a VM is ever deleted, and never one whose vmid is a service's or the probe
helper's, whatever its tags say. A VM still locked by its restore is unlocked first by
stopping the restore task.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from tappaas.client import NotFoundError, ProxmoxClient, ProxmoxError
from tappaas.model import SiteConfig
from tappaas.pve.nodes import NodesApi
from tappaas.pve.qemu import RESTORE_LOCK, QemuApi, VmSummary

DRILL_TAG = "tappaas-drill"
UNLOCK_POLLS = 30
UNLOCK_POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Leftover:
    node: str
    vmid: int


def protected_vmids(site: SiteConfig) -> set[int]:
    """VMs a drill may never delete."""
    vmids = {service.vmid for service in site.services.values()}
    if site.drill.probe_helper is not None:
        vmids.add(site.drill.probe_helper.vmid)
    return vmids


def is_drill_vm(site: SiteConfig, vm: VmSummary) -> bool:
    """Both marks, and not a protected vmid."""
    marked = DRILL_TAG in vm.tags or vm.lock == RESTORE_LOCK
    return site.drill.in_range(vm.vmid) and marked and vm.vmid not in protected_vmids(site)


def all_vms(client: ProxmoxClient) -> list[VmSummary]:
    """Every VM of every online node."""
    qemu = QemuApi(client)
    return [vm for node in NodesApi(client).nodes() if node.online for vm in qemu.vms(node.name)]


def find_leftovers(site: SiteConfig, vms: list[VmSummary]) -> list[Leftover]:
    return [Leftover(vm.node, vm.vmid) for vm in vms if is_drill_vm(site, vm)]


def _end_restore(client: ProxmoxClient, node: str, vmid: int) -> None:
    """A VM still locked by its restore cannot be stopped or destroyed ("VM is locked
    (create)"): stop the running ``qmrestore`` task, which fails the restore and unlocks it
    (qemu-server's restore worker dies on the signal and removes the lock)."""
    qemu, nodes = QemuApi(client), NodesApi(client)
    for _ in range(UNLOCK_POLLS):
        try:
            if qemu.current(node, vmid).get("lock") != RESTORE_LOCK:
                return
        except NotFoundError:
            return
        for task in nodes.tasks(node, typefilter="qmrestore", vmid=vmid, source="active"):
            if task.endtime is None:
                client.delete(f"/nodes/{node}/tasks/{task.upid}")
        time.sleep(UNLOCK_POLL_SECONDS)


def remove(client: ProxmoxClient, site: SiteConfig, node: str, vmid: int) -> str | None:
    """Stop and destroy one drill VM (ending its restore first); returns why it could not
    be, or None."""
    if not site.drill.in_range(vmid) or vmid in protected_vmids(site):
        return f"refused to delete vm {vmid}: not a drill vmid"
    try:
        _end_restore(client, node, vmid)
        QemuApi(client).destroy(node, vmid)
    except ProxmoxError as error:
        return str(error)
    return None
