"""PVE storage replication jobs (``/cluster/replication``): a guest's ZFS disks copied to
another node on a schedule, so HA can recover it there with little data lost.

pve-guest-common ``PVE/ReplicationConfig.pm``: the id is ``<guest>-<jobnum>``, ``type`` is
``local`` and ``target`` is fixed once created (pvesr swaps ``source`` and ``target`` when the
guest migrates to its target, so a changed target is PVE's doing, not drift). ``rate`` is in
MB/s. Deleting a job only marks it (``remove_job=full``) for pvesr, which then removes the
job and the replicated volumes on the target.
"""

from __future__ import annotations

from tappaas.client import ProxmoxClient
from tappaas.model._types import ReplicationJobId
from tappaas.section import SectionConfig
from tappaas.wire import WireModel


class ReplicationIdentity(WireModel):
    id: ReplicationJobId
    type: str = "local"


class ReplicationSettings(WireModel):
    #: ``delete`` takes any optional option of the job (``pve-configid-list``).
    deletable = frozenset({"schedule", "rate", "comment", "disable"})

    target: str
    schedule: str | None = None
    rate: float | None = None
    comment: str | None = None
    disable: bool | None = None


class ReplicationJob(ReplicationIdentity, ReplicationSettings):
    """A whole replication job entry."""


def replication_jobs(client: ProxmoxClient) -> SectionConfig[ReplicationJob]:
    """The cluster's replication jobs."""
    return SectionConfig(client, "/cluster/replication", ReplicationJob, ReplicationSettings)
