"""``PveBackupJob``: the daily vzdump job that writes the site's VMs to its PBS.

Ours rather than upstream's ``backup.Job``, whose create panics in the proxmoxve plugin
8.2.1-8.3.0 (see ``pve_zfs_storage``). Everything but the id updates in place.
"""

from __future__ import annotations

from typing import Any

from providers._lifecycle import Props
from providers._resource import ObjectResource
from providers._section import SectionProvider
from tappaas.client import ProxmoxClient
from tappaas.pve.backup_job import BackupJob, BackupJobIdentity, backup_jobs
from tappaas.section import SectionConfig


class PveBackupJobProps(Props, BackupJob):
    identity = frozenset(BackupJobIdentity.model_fields)


class PveBackupJobProvider(SectionProvider[PveBackupJobProps]):
    props_type = PveBackupJobProps
    wire_type = BackupJob

    def section(self, client: ProxmoxClient) -> SectionConfig[Any]:
        return backup_jobs(client)


class PveBackupJob(ObjectResource, module="pve", name="BackupJob"):
    """A vzdump backup job of the cluster."""

    provider_type = PveBackupJobProvider
