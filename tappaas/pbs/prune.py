"""PBS prune jobs (``/config/prune``): the retention policy, run by PBS itself.

Retention lives here, not on PVE: PVE's backup user holds DatastoreBackup only, so a
compromised hypervisor cannot prune. Each ``keep-*`` is >= 1 with no maximum; unset means the
option does not apply (and a job with no keep option at all keeps everything).
"""

from __future__ import annotations

from tappaas.client import ProxmoxClient
from tappaas.model._types import PbsId
from tappaas.pbs.section import SectionConfig
from tappaas.wire import WireModel


class PruneJobIdentity(WireModel):
    id: PbsId


class PruneJobSettings(WireModel):
    # proxmox-backup src/api2/config/prune.rs ``DeletableProperty``.
    deletable = frozenset(
        {"comment", "disable", "ns", "max_depth", "keep_last", "keep_hourly", "keep_daily"}
        | {"keep_weekly", "keep_monthly", "keep_yearly"}
    )

    store: str
    schedule: str
    ns: str | None = None
    max_depth: int | None = None
    keep_last: int | None = None
    keep_hourly: int | None = None
    keep_daily: int | None = None
    keep_weekly: int | None = None
    keep_monthly: int | None = None
    keep_yearly: int | None = None
    disable: bool | None = None
    comment: str | None = None


class PruneJob(PruneJobIdentity, PruneJobSettings):
    """A whole prune job entry."""


def prune_jobs(client: ProxmoxClient) -> SectionConfig[PruneJob]:
    """The prune jobs of one PBS."""
    return SectionConfig(client, "prune", PruneJob, PruneJobSettings)
