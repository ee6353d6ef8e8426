"""PVE backup jobs (``/cluster/backup``, ``jobs.cfg``): which guests vzdump backs up, when and
where.

pve-manager ``PVE/API2/Backup.pm``: a job is created with an ``id`` (fixed), ``enabled``
defaults to 1, the guest list ``vmid`` reads back as a comma list, and ``jobs.cfg`` updates
are not guarded by a digest. Retention is left to PBS: the job says ``prune-backups
keep-all=1`` so PVE (whose PBS token may not prune) never tries.
"""

from __future__ import annotations

from tappaas.client import ProxmoxClient
from tappaas.model._types import PveJobId
from tappaas.pve.storage import CommaList
from tappaas.section import SectionConfig
from tappaas.wire import WireModel


class BackupJobIdentity(WireModel):
    id: PveJobId


class BackupJobSettings(WireModel):
    #: ``delete`` takes any optional option of the job (``pve-configid-list``).
    deletable = frozenset(
        {"vmid", "all", "mode", "prune_backups", "notes_template", "repeat_missed", "comment"}
    )

    schedule: str
    storage: str
    vmid: CommaList | None = None
    all: bool | None = None
    mode: str | None = None
    enabled: bool = True
    """PVE sets 1 when a job is created without it, so it is always managed."""
    prune_backups: str | None = None
    notes_template: str | None = None
    repeat_missed: bool | None = None
    comment: str | None = None


class BackupJob(BackupJobIdentity, BackupJobSettings):
    """A whole vzdump job entry."""


def backup_jobs(client: ProxmoxClient) -> SectionConfig[BackupJob]:
    """The cluster's vzdump jobs."""
    return SectionConfig(client, "/cluster/backup", BackupJob, BackupJobSettings)
