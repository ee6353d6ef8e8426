"""The state of one Proxmox Backup Server: datastores and their content, jobs, remotes, access.

Datastore content is modelled down to the snapshot: namespaces, backup groups (with owner)
and snapshots with the flags backup policy cares about (protected, encrypted, verify state,
notes, size), each referencing its chunks in the datastore's chunk store (dedup, GC, verify,
usage). Config files are ``SectionConfig``s whose ``options`` hold PBS's own keys;
remote passwords live apart, because PBS never returns them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from lab.behaviour.chunk_store import ChunkStore, GcStatus
from lab.behaviour.disk_content import ChunkIndex
from lab.state.access import AccessControl
from lab.state.jobs import JobRecord
from lab.state.sections import ConfigEntry, SectionConfig

DEFAULT_SNAPSHOT_BYTES = 4 * 1024**3
DEFAULT_PBS_VERSION = "4.2.3"


def backup_time_text(epoch: int) -> str:
    """``2025-01-16T02:00:04Z``, the snapshot name part PBS and PVE volids use."""
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Snapshot:
    """One backup snapshot ``<type>/<id>/<time>``."""

    backup_type: str
    backup_id: str
    time: int
    protected: bool = False
    encrypted: bool = True
    key_fingerprint: str | None = None
    """The fingerprint of the key that encrypted it (the manifest's ``key-fingerprint``)."""
    verify_state: str | None = None
    verify_upid: str | None = None
    notes: str = ""
    size: int = DEFAULT_SNAPSHOT_BYTES
    finished: bool = True
    config: dict[str, str] = field(default_factory=dict)
    """The guest config vzdump stored with the backup (``qemu-server.conf``)."""
    index: ChunkIndex | None = None
    """The chunks the snapshot's index references (in its datastore's chunk store)."""
    verified_at: int | None = None
    """Start time of the verify task that wrote ``verify_state`` (its UPID's start time)."""

    @property
    def backup_time(self) -> int:
        """The backup time (epoch), under the name the behaviour layer's ``Prunable`` reads."""
        return self.time

    @property
    def name(self) -> str:
        """``vm/100/2025-01-16T02:00:04Z``."""
        return f"{self.backup_type}/{self.backup_id}/{backup_time_text(self.time)}"


@dataclass
class BackupGroup:
    """``<type>/<id>`` in one namespace, with its owner and snapshots by backup time."""

    backup_type: str
    backup_id: str
    owner: str
    comment: str = ""
    snapshots: dict[int, Snapshot] = field(default_factory=dict)


@dataclass(frozen=True)
class GcRecord:
    """The last garbage collection of a datastore: its figures, task and outcome."""

    status: GcStatus
    upid: str
    endtime: int
    state: str = "ok"


@dataclass
class DatastoreContent:
    """What is stored in a datastore: namespaces (``""`` is the root), groups and chunks.

    Removing a snapshot drops only its index; its chunks stay in ``chunks`` (and in the
    usage figures) until a garbage collection finds them unreferenced long enough.
    """

    namespaces: set[str] = field(default_factory=lambda: {""})
    groups: dict[str, BackupGroup] = field(default_factory=dict)
    mounted: bool = True
    chunks: ChunkStore = field(default_factory=ChunkStore)
    gc: GcRecord | None = None

    @staticmethod
    def group_key(ns: str, backup_type: str, backup_id: str) -> str:
        """Key of a group in ``groups``: ``ns|type/id``."""
        return f"{ns}|{backup_type}/{backup_id}"

    def groups_in(self, ns: str) -> list[BackupGroup]:
        """Groups directly in namespace ``ns``."""
        prefix = f"{ns}|"
        return [g for k, g in self.groups.items() if k.startswith(prefix)]

    def indexes(self) -> Iterator[ChunkIndex]:
        """Every snapshot's chunk index: what garbage collection marks as in use."""
        for group in self.groups.values():
            for snapshot in group.snapshots.values():
                if snapshot.index is not None:
                    yield snapshot.index


class DatastoreConfig(ConfigEntry):
    """``datastore.cfg``: options ``path``, ``backing-device``, ``gc-schedule`` …"""

    @property
    def removable(self) -> bool:
        """A removable datastore has a ``backing-device``."""
        return bool(self.get("backing-device"))


class Remote(ConfigEntry):
    """``remote.cfg``: ``host``, ``port``, ``auth-id``, ``fingerprint`` (password apart)."""


class SyncJob(ConfigEntry):
    """``sync.cfg``: pull (default) or push between a local store and a remote one."""

    @property
    def direction(self) -> str:
        """``pull`` or ``push``."""
        return str(self.get("sync-direction", "pull"))


class PruneJob(ConfigEntry):
    """``prune.cfg``: ``store``, ``schedule``, ``keep-*``, ``ns``, ``max-depth``."""


class VerifyJob(ConfigEntry):
    """``verification.cfg``: ``store``, ``schedule``, ``ignore-verified``, ``outdated-after``."""


@dataclass
class PbsServer:
    """Everything one PBS instance holds."""

    name: str
    hostname: str
    access: AccessControl
    fingerprint: str = ""
    version: str = DEFAULT_PBS_VERSION
    """The release it runs (``major.minor.patch``): options added later are refused."""
    datastores: SectionConfig[DatastoreConfig] = field(
        default_factory=lambda: SectionConfig("sha256")
    )
    contents: dict[str, DatastoreContent] = field(default_factory=dict)
    remotes: SectionConfig[Remote] = field(default_factory=lambda: SectionConfig("sha256"))
    remote_passwords: dict[str, str] = field(default_factory=dict)
    sync_jobs: SectionConfig[SyncJob] = field(default_factory=lambda: SectionConfig("sha256"))
    prune_jobs: SectionConfig[PruneJob] = field(default_factory=lambda: SectionConfig("sha256"))
    verify_jobs: SectionConfig[VerifyJob] = field(default_factory=lambda: SectionConfig("sha256"))
    job_records: dict[str, JobRecord] = field(default_factory=dict)
    """Scheduler state per job: ``sync:<id>``, ``prune:<id>``, ``verify:<id>``, ``gc:<store>``."""
