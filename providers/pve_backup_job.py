"""``PveBackupJob``: the daily vzdump job that writes the site's VMs to its PBS.

Ours rather than upstream's ``backup.Job``, whose create panics in the proxmoxve plugin
8.2.1-8.3.0 (see ``pve_zfs_storage``). Everything but the id updates in place. The vzdump
schema says ``notes-template`` ``requires`` ``storage`` (pve-manager ``PVE/VZDump.pm``), and
pve-common ``JSONSchema.pm`` checks that per request: an update that changes the template
sends the storage along, changed or not.
"""

from __future__ import annotations

from typing import Any

from providers._lifecycle import Props
from providers._resource import ObjectResource
from providers._section import SectionProvider, update_fresh
from tappaas.client import ProxmoxClient
from tappaas.pve.backup_job import BackupJob, BackupJobIdentity, backup_jobs
from tappaas.section import Current, SectionConfig
from tappaas.wire import settings_delta


class PveBackupJobProps(Props, BackupJob):
    identity = frozenset(BackupJobIdentity.model_fields)


class PveBackupJobProvider(SectionProvider[PveBackupJobProps]):
    props_type = PveBackupJobProps
    wire_type = BackupJob

    def section(self, client: ProxmoxClient) -> SectionConfig[Any]:
        return backup_jobs(client)

    def update_object(
        self,
        client: ProxmoxClient,
        object_id: str,
        old: PveBackupJobProps,
        new: PveBackupJobProps,
    ) -> None:
        section = self.section(client)
        desired = new.wire(BackupJob)

        def write(current: Current[BackupJob]) -> None:
            values, _ = settings_delta(current.value, desired, section.settings)
            required = "notes-template" in values and "storage" not in values
            section.update(current, desired, **({"storage": desired.storage} if required else {}))

        update_fresh(lambda: section.get(object_id), write, new, object_id)


class PveBackupJob(ObjectResource, module="pve", name="BackupJob"):
    """A vzdump backup job of the cluster."""

    provider_type = PveBackupJobProvider
