"""PBS sync jobs (``/config/sync``): copies between datastores, local or with a remote PBS.

Pull (the default) is run by the PBS that receives the copy: a hacked source site cannot
delete it. Push runs on the source. ``GET /config/sync`` lists pull jobs only unless asked
for ``sync-direction=all``; everything but the id can change in place.
"""

from __future__ import annotations

from enum import StrEnum

from tappaas.client import ProxmoxClient
from tappaas.model._types import PbsId
from tappaas.pbs.section import SectionConfig
from tappaas.wire import WireModel


class SyncDirection(StrEnum):
    PULL = "pull"
    PUSH = "push"


class SyncJobIdentity(WireModel):
    id: PbsId


class SyncJobSettings(WireModel):
    store: str
    remote_store: str
    remote: str | None = None
    """Omitted for a local sync (e.g. onto a removable datastore)."""
    sync_direction: SyncDirection | None = None
    ns: str | None = None
    remote_ns: str | None = None
    max_depth: int | None = None
    owner: str | None = None
    remove_vanished: bool | None = None
    schedule: str | None = None
    group_filter: tuple[str, ...] | None = None
    transfer_last: int | None = None
    encrypted_only: bool | None = None
    verified_only: bool | None = None
    resync_corrupt: bool | None = None
    run_on_mount: bool | None = None
    unmount_on_done: bool | None = None
    rate_in: str | None = None
    burst_in: str | None = None
    rate_out: str | None = None
    burst_out: str | None = None
    worker_threads: int | None = None
    comment: str | None = None


class SyncJob(SyncJobIdentity, SyncJobSettings):
    """A whole sync job entry."""


def sync_jobs(client: ProxmoxClient) -> SectionConfig[SyncJob]:
    """The sync jobs of one PBS."""
    return SectionConfig(
        client, "sync", SyncJob, SyncJobSettings, list_params={"sync-direction": "all"}
    )
