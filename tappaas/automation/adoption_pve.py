"""The PVE side of an adoption: the upstream plugin's resources, and objects in the way.

The plugin's own import serves its four resource types: its Read takes the id below (bpg
terraform-provider-proxmox v0.111.1 ``ImportState``: ``fwprovider/nodes/disks/zfs`` wants
``<node>/<pool>``, ``fwprovider/cluster/ha`` the rule id and the resource's ``vm:<id>``,
``fwprovider/cluster/options`` reads the one set of options whatever the id; pulumi-proxmoxve
documents ``cluster``). That import fails on a missing object, so each one is looked up first
(``ExistingObjects``, GET only). The program itself adopts, with the ``import`` resource
option, the plugin's objects that exist (a pool only on its declared disks:
``providers.upstream_adoption``), so the first ``up`` would import them anyway; adoption
imports them beforehand so their differences are reported first.

Where upstream TAPPaaS named an object otherwise than the stack does, the object is in the
way of the one the stack would create: PVE refuses a VM in a second node-affinity rule
(pve-ha-manager ``NodeAffinity.pm`` ``check_single_resource_reference``), and a second
vzdump job on the same storage would back every VM up twice. The report names the config
key that takes the existing object over (``services.<name>.ha.rule``, ``backup.job_id``) and
the command that removes it instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from providers import PveBackupJob
from tappaas.client import ProxmoxClient
from tappaas.model import SiteConfig
from tappaas.pve.backup_job import BackupJob, backup_jobs
from tappaas.pve.ha import ha_resource_ids, ha_rule_ids, node_affinity_rules
from tappaas.pve.zfs import zfs_pool_names

ZFS = "proxmoxve:node/disk/zfs:Zfs"
HA_RESOURCE = "proxmoxve:index/haresource:Haresource"
HA_RULE = "proxmoxve:index/harule:Harule"
CLUSTER_OPTIONS = "proxmoxve:cluster/options:Options"
OPTIONS_ID = "cluster"
POOL_NOTE = (
    "devices, raidlevel, ashift, compression: PVE does not report them, so the state "
    "records the declared ones (a pool is never re-created)"
)


class ExistingObjects:
    """The cluster's pools, HA resources and rules, and vzdump jobs (GET only), each list
    read once per adoption."""

    def __init__(self, client: ProxmoxClient) -> None:
        self.client = client
        self._pools: dict[str, frozenset[str]] = {}

    def pools(self, node: str) -> frozenset[str]:
        if node not in self._pools:
            self._pools[node] = zfs_pool_names(self.client, node)
        return self._pools[node]

    @cached_property
    def ha_resources(self) -> frozenset[str]:
        return ha_resource_ids(self.client)

    @cached_property
    def ha_rules(self) -> frozenset[str]:
        return ha_rule_ids(self.client)

    @cached_property
    def node_affinity_rules(self) -> dict[str, tuple[str, ...]]:
        return node_affinity_rules(self.client)

    @cached_property
    def backup_jobs(self) -> list[BackupJob]:
        return backup_jobs(self.client).list()


@dataclass(frozen=True)
class PluginType:
    """How the plugin imports one resource type, and how to tell that the object exists."""

    import_id: Callable[[Mapping[str, Any]], str]
    exists: Callable[[Mapping[str, Any], ExistingObjects], bool]
    holds_data: bool = False
    note: str | None = None
    unreadable: frozenset[str] = frozenset()
    """Inputs the plugin's Read cannot return: the import takes them as declared."""


PLUGIN_TYPES: dict[str, PluginType] = {
    ZFS: PluginType(
        lambda i: f"{i['nodeName']}/{i['name']}",
        lambda i, found: str(i["name"]) in found.pools(str(i["nodeName"])),
        holds_data=True,
        note=POOL_NOTE,
        unreadable=frozenset({"devices", "raidlevel", "ashift", "compression", "addStorage"}),
    ),
    HA_RESOURCE: PluginType(
        lambda i: str(i["resourceId"]), lambda i, found: str(i["resourceId"]) in found.ha_resources
    ),
    HA_RULE: PluginType(
        lambda i: str(i["rule"]), lambda i, found: str(i["rule"]) in found.ha_rules
    ),
    CLUSTER_OPTIONS: PluginType(lambda _: OPTIONS_ID, lambda _i, _found: True),
}
"""The plugin's resource types a stack declares (``tappaas.components``)."""


def in_the_way(
    type_token: str, inputs: Mapping[str, Any], site: SiteConfig, found: ExistingObjects
) -> tuple[str, ...]:
    """Existing objects that stop the declared one from being created, each with what to do
    (empty when nothing is in the way)."""
    if type_token == HA_RULE:
        return _rules_in_the_way(inputs, site, found)
    if type_token == PveBackupJob.type_token():
        return _jobs_in_the_way(inputs, found)
    return ()


def _rules_in_the_way(
    inputs: Mapping[str, Any], site: SiteConfig, found: ExistingObjects
) -> tuple[str, ...]:
    declared = str(inputs.get("rule"))
    by_sid = {f"vm:{s.vmid}": name for name, s in site.services.items()}
    notes = []
    for sid in inputs.get("resources") or ():
        for rule, held in sorted(found.node_affinity_rules.items()):
            if rule == declared or sid not in held:
                continue
            service = by_sid.get(str(sid), "<service>")
            notes.append(
                f"node-affinity rule {rule!r} already holds {sid} (PVE allows one): take it "
                f"over with services.{service}.ha.rule: {rule}, or remove it first "
                f"(ha-manager rules remove {rule})"
            )
    return tuple(notes)


def _jobs_in_the_way(inputs: Mapping[str, Any], found: ExistingObjects) -> tuple[str, ...]:
    declared, storage = str(inputs.get("id")), inputs.get("storage")
    notes = []
    for job in found.backup_jobs:
        if job.id == declared or job.storage != storage:
            continue
        comment = f" ({job.comment!r})" if job.comment else ""
        notes.append(
            f"vzdump job {job.id!r}{comment} already backs up to storage {storage} (a second "
            f"job would back every VM up twice): take it over with backup.job_id: {job.id}, "
            f"or remove it first (pvesh delete /cluster/backup/{job.id})"
        )
    return tuple(notes)
