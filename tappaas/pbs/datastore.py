"""PBS datastores (``/config/datastore``): where backups live, so deletion keeps the data.

Create and delete are async (UPID). ``name``, ``path`` and ``backing-device`` cannot change
in place. ``keep-*``/``prune-schedule`` are not sent: PBS would turn them into an implicit
prune job; retention is an explicit ``PruneJob`` instead. ``maintenance-mode`` is not a
setting we manage: PBS sets it itself while it unmounts, deletes or refreshes a datastore,
and clearing it then would abort that work (proxmox-backup ``src/api2/config/datastore.rs``,
``src/api2/admin/datastore.rs`` ``unmount``).
"""

from __future__ import annotations

from tappaas.client import ProxmoxClient, TaskResult
from tappaas.model._types import PbsId
from tappaas.pbs.section import Current, SectionConfig
from tappaas.wire import WireModel


class DatastoreIdentity(WireModel):
    """What a datastore is: changing any of it means a different datastore."""

    name: PbsId
    path: str
    backing_device: str | None = None
    """Filesystem UUID of a removable disk; ``path`` is then relative to the disk."""


class DatastoreSettings(WireModel):
    """What can be changed on a live datastore."""

    # proxmox-backup src/api2/config/datastore.rs ``DeletableProperty``.
    deletable = frozenset(
        {"comment", "gc_schedule", "verify_new", "gc_on_unmount", "notification_mode", "tuning"}
    )

    comment: str | None = None
    gc_schedule: str | None = None
    verify_new: bool | None = None
    gc_on_unmount: bool | None = None
    notification_mode: str | None = None
    tuning: str | None = None


class Datastore(DatastoreIdentity, DatastoreSettings):
    """A whole datastore config entry."""


class DatastoreApi:
    """Typed operations on PBS datastores: async create, in-place update, data-keeping removal."""

    def __init__(self, client: ProxmoxClient) -> None:
        self.client = client
        self.section = SectionConfig(
            client, "datastore", Datastore, DatastoreSettings, id_field="name"
        )

    def get(self, name: str) -> Current[Datastore] | None:
        return self.section.get(name)

    def create(self, datastore: Datastore, reuse: bool = False) -> TaskResult:
        """Create it; ``reuse`` adopts an existing chunk store at the path (data kept)."""
        params = {**datastore.to_api(), "reuse-datastore": reuse or None}
        return self.client.run_task("POST", "/config/datastore", **params)

    def update(self, current: Current[Datastore], desired: Datastore) -> bool:
        return self.section.update(current, desired)

    def remove_config(self, name: str) -> TaskResult:
        """Drop the config entry only: chunks stay on disk and jobs/ACLs stay configured.

        PBS defaults ``keep-job-configs`` to 0, which would silently delete every sync, prune
        and verify job and ACL of the store, including ones the user still declares.
        """
        params = {"destroy-data": False, "keep-job-configs": True}
        return self.client.run_task("DELETE", f"/config/datastore/{name}", **params)
