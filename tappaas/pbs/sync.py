"""PBS sync jobs (``/config/sync``): copies between datastores, local or with a remote PBS.

Pull (the default) is run by the PBS that receives the copy: a hacked source site cannot
delete it. Push runs on the source. ``GET /config/sync`` lists pull jobs only unless asked
for ``sync-direction=all``; everything but the id can change in place. Rate limits are held
in PBS's stored form (``human_byte``), so ``50MiB`` and PBS's ``50 MiB`` compare equal.
"""

from __future__ import annotations

from enum import StrEnum

from tappaas.client import ProxmoxClient
from tappaas.model._types import PbsId
from tappaas.pbs.human_byte import HumanByteText
from tappaas.pbs.section import SectionConfig
from tappaas.wire import WireModel


class SyncDirection(StrEnum):
    PULL = "pull"
    PUSH = "push"


class SyncJobIdentity(WireModel):
    id: PbsId


class SyncJobSettings(WireModel):
    # proxmox-backup src/api2/config/sync.rs ``DeletableProperty``: ``resync-corrupt`` is not
    # among them, so unsetting it sends its default (false) rather than a refused delete.
    deletable = frozenset(
        {
            *("remote", "owner", "comment", "schedule", "remove_vanished", "group_filter"),
            *("rate_in", "burst_in", "rate_out", "burst_out", "ns", "remote_ns", "max_depth"),
            *("transfer_last", "encrypted_only", "verified_only", "run_on_mount"),
            *("unmount_on_done", "sync_direction", "worker_threads"),
        }
    )
    defaults = {"resync_corrupt": False}
    # proxmox-backup debian/changelog: 4.0.4 "allow one to configure sync jobs to trigger
    # when the underlying datastore gets mounted"; 4.0.20 "a new 'unmount-on-done' option".
    since = {"run_on_mount": (4, 0, 4), "unmount_on_done": (4, 0, 20)}

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
    rate_in: HumanByteText | None = None
    burst_in: HumanByteText | None = None
    rate_out: HumanByteText | None = None
    burst_out: HumanByteText | None = None
    worker_threads: int | None = None
    comment: str | None = None


class SyncJob(SyncJobIdentity, SyncJobSettings):
    """A whole sync job entry."""


def sync_jobs(client: ProxmoxClient) -> SectionConfig[SyncJob]:
    """The sync jobs of one PBS."""
    return SectionConfig(
        client, "sync", SyncJob, SyncJobSettings, list_params={"sync-direction": "all"}
    )
