"""Finding and removing drill VMs: the run's own, and those an interrupted run left behind.

A drill VM is recognised by two marks set at restore time: a vmid in ``drill``'s reserved
range and the tag ``tappaas-drill``. Only a VM with both is ever deleted, and never one whose
vmid is a service's or the probe helper's, whatever its tags say.
"""

from __future__ import annotations

from dataclasses import dataclass

from tappaas.client import ProxmoxClient, ProxmoxError
from tappaas.model import SiteConfig
from tappaas.pve.nodes import NodesApi
from tappaas.pve.qemu import QemuApi, VmSummary

DRILL_TAG = "tappaas-drill"


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
    return (
        site.drill.in_range(vm.vmid)
        and DRILL_TAG in vm.tags
        and vm.vmid not in protected_vmids(site)
    )


def all_vms(client: ProxmoxClient) -> list[VmSummary]:
    """Every VM of every online node."""
    qemu = QemuApi(client)
    return [vm for node in NodesApi(client).nodes() if node.online for vm in qemu.vms(node.name)]


def find_leftovers(site: SiteConfig, vms: list[VmSummary]) -> list[Leftover]:
    return [Leftover(vm.node, vm.vmid) for vm in vms if is_drill_vm(site, vm)]


def remove(client: ProxmoxClient, site: SiteConfig, node: str, vmid: int) -> str | None:
    """Stop and destroy one drill VM; returns why it could not be, or None."""
    if not site.drill.in_range(vmid) or vmid in protected_vmids(site):
        return f"refused to delete vm {vmid}: not a drill vmid"
    try:
        QemuApi(client).destroy(node, vmid)
    except ProxmoxError as error:
        return str(error)
    return None
