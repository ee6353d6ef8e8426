"""``PveReplicationJob``: ZFS replication of a guest's disks to its failover node.

Ours rather than upstream's ``Replication``, whose create panics in the proxmoxve plugin
8.2.1-8.3.0 (see ``pve_zfs_storage``). ``target`` is fixed by PVE and swapped by pvesr when
the guest migrates to it (pve-guest-common ``PVE/ReplicationConfig.pm``), so it only steers
creation: never compared with the live job, never sent on update. Everything else updates in
place.
"""

from __future__ import annotations

from typing import Any

from providers._lifecycle import Props
from providers._resource import ObjectResource
from providers._section import SectionProvider, update_fresh
from tappaas.client import ProxmoxClient
from tappaas.pve.replication import ReplicationIdentity, ReplicationJob, replication_jobs
from tappaas.section import Current, SectionConfig


class PveReplicationJobProps(Props, ReplicationJob):
    identity = frozenset(ReplicationIdentity.model_fields)
    create_only = frozenset({"target"})


class PveReplicationJobProvider(SectionProvider[PveReplicationJobProps]):
    props_type = PveReplicationJobProps
    wire_type = ReplicationJob

    def section(self, client: ProxmoxClient) -> SectionConfig[Any]:
        return replication_jobs(client)

    def update_object(
        self,
        client: ProxmoxClient,
        object_id: str,
        old: PveReplicationJobProps,
        new: PveReplicationJobProps,
    ) -> None:
        section = self.section(client)

        def write(current: Current[ReplicationJob]) -> None:
            target = {"target": current.value.target}
            section.update(current, new.wire(ReplicationJob).model_copy(update=target))

        update_fresh(lambda: section.get(object_id), write, new, object_id)


class PveReplicationJob(ObjectResource, module="pve", name="ReplicationJob"):
    """A storage replication job ``<vmid>-<n>``."""

    provider_type = PveReplicationJobProvider
