"""The state of a PVE cluster: nodes, disks, ZFS pools, VMs and the cluster-wide configs.

Config files are ``SectionConfig``s of typed entries whose ``options`` hold the values as
PVE stores and returns them (booleans as 0/1); the properties name what the behaviour code
(issue 7: replication, HA, vzdump) reads. Secrets PVE keeps under ``/etc/pve/priv`` are kept
apart from the entries so that a GET can never return them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from lab.behaviour.disk_content import DiskContent
from lab.behaviour.replication import ReplicationState
from lab.state.access import AccessControl
from lab.state.ha import HaState
from lab.state.jobs import JobRecord
from lab.state.pbs import PbsServer
from lab.state.sections import ConfigEntry, SectionConfig

DEFAULT_REPLICATION_SCHEDULE = "*/15"
DEFAULT_NODE_CPUS = 8
DEFAULT_NODE_MEMORY = 64 * 1024**3
DISK_KEY = re.compile(r"^(scsi|sata|ide|virtio)\d+$|^(efidisk|tpmstate)0$")


@dataclass
class PhysicalDisk:
    """A block device of a node (``/nodes/{node}/disks/list``); ``used`` e.g. "ZFS"."""

    devpath: str
    size: int
    serial: str
    model: str = "LAB-DISK"
    used: str | None = None
    failed: bool = False


@dataclass
class ZfsPool:
    """A ZFS pool created through ``/nodes/{node}/disks/zfs``."""

    name: str
    raidlevel: str
    devices: list[str]
    ashift: int = 12
    compression: str = "on"
    size: int = 0
    alloc: int = 0
    lost: bool = False
    """Too many disks failed: the pool and everything on it are gone."""


@dataclass
class PveNode:
    """A cluster node; ``online=False`` models a node that is down (lab ``node_down``)."""

    name: str
    nodeid: int
    online: bool = True
    cpus: int = DEFAULT_NODE_CPUS
    memory: int = DEFAULT_NODE_MEMORY
    disks: dict[str, PhysicalDisk] = field(default_factory=dict)
    zfs: dict[str, ZfsPool] = field(default_factory=dict)
    up_since: int | None = None
    """When the node last came up (its schedulers started), if it was ever down."""


@dataclass
class Vm:
    """A QEMU guest; ``config`` is its ``qemu-server/<vmid>.conf`` as key/value pairs."""

    vmid: int
    node: str
    status: str = "stopped"
    config: dict[str, Any] = field(default_factory=dict)
    lock: str | None = None
    content: DiskContent | None = None
    """What the guest's disks hold over time (created on first use; see ``sim.content``)."""
    io_error: bool = False
    """Its disks' pool is lost: QEMU pauses it with an I/O error (``qmpstatus`` io-error)."""

    @property
    def name(self) -> str:
        """The VM name (PVE shows "VM <vmid>" when unset)."""
        return str(self.config.get("name", f"VM {self.vmid}"))

    def disks(self) -> dict[str, str]:
        """Disk keys (``scsi0``, ``efidisk0`` …) to their property strings."""
        return {k: str(v) for k, v in self.config.items() if DISK_KEY.match(k)}

    def volumes(self) -> list[str]:
        """Volume ids of the disks (``tanka:vm-100-disk-0``), CD-ROMs excluded."""
        out = []
        for value in self.disks().values():
            volume = value.split(",", 1)[0]
            if "media=cdrom" not in value and volume not in ("none", "cdrom"):
                out.append(volume)
        return out


@dataclass
class StorageSecrets:
    """What PVE keeps in ``/etc/pve/priv/storage/<id>.*``: never returned by GET."""

    password: str | None = None
    encryption_key: str | None = None
    master_pubkey: str | None = None

    def key_marker(self) -> str | None:
        """What ``storage.cfg`` records for the key (pve-storage ``PBSPlugin.pm``:
        ``$decoded_key->{fingerprint} || 1``), or None without a key."""
        if not self.encryption_key:
            return None
        try:
            decoded = json.loads(self.encryption_key)
        except json.JSONDecodeError:
            return "1"
        return str(decoded.get("fingerprint") or 1) if isinstance(decoded, dict) else "1"


class StorageEntry(ConfigEntry):
    """``storage.cfg``: ``type`` is zfspool, pbs, dir …; ``options`` as PVE stores them."""

    @property
    def nodes(self) -> list[str] | None:
        """The nodes the storage is restricted to, or None for all."""
        value = self.get("nodes")
        return str(value).split(",") if value else None

    @property
    def content(self) -> list[str]:
        """Content types (``images``, ``rootdir``, ``backup`` …)."""
        return [c for c in str(self.get("content", "")).split(",") if c]


class ReplicationJob(ConfigEntry):
    """``replication.cfg``: id ``<guest>-<jobnum>``, type ``local``."""

    @property
    def guest(self) -> int:
        """The replicated guest's VMID."""
        return int(self.id.split("-")[0])

    @property
    def target(self) -> str:
        """The node replicated to."""
        return str(self.get("target"))

    @property
    def schedule(self) -> str:
        """Calendar event, default ``*/15``."""
        return str(self.get("schedule", DEFAULT_REPLICATION_SCHEDULE))

    @property
    def disabled(self) -> bool:
        """``disable=1``."""
        return self.flag("disable")


class BackupJob(ConfigEntry):
    """``jobs.cfg`` section of type ``vzdump`` (``/cluster/backup``)."""

    @property
    def schedule(self) -> str:
        """Calendar event."""
        return str(self.get("schedule", ""))

    @property
    def enabled(self) -> bool:
        """``enabled`` defaults to 1."""
        return self.flag("enabled", default=True)


class HaResource(ConfigEntry):
    """``ha/resources.cfg``: id ``vm:<vmid>``, type ``vm``."""

    @property
    def state(self) -> str:
        """Requested state, default ``started``."""
        return str(self.get("state", "started"))

    @property
    def failback(self) -> bool:
        """``failback`` defaults to 1 (PVE 9)."""
        return self.flag("failback", default=True)


class HaRule(ConfigEntry):
    """``ha/rules.cfg``: type ``node-affinity`` or ``resource-affinity``."""

    @property
    def resources(self) -> list[str]:
        """Resource ids the rule covers."""
        return [r for r in str(self.get("resources", "")).split(",") if r]

    @property
    def node_priorities(self) -> dict[str, int]:
        """``nodes`` as ``{node: priority}`` (priority defaults to 0)."""
        out: dict[str, int] = {}
        for item in str(self.get("nodes", "")).split(","):
            if item:
                node, _, priority = item.partition(":")
                out[node] = int(priority or 0)
        return out


@dataclass
class PveCluster:
    """Everything one PVE cluster holds (one API endpoint answers for all nodes)."""

    name: str
    nodes: dict[str, PveNode]
    access: AccessControl
    vms: dict[int, Vm] = field(default_factory=dict)
    storage: SectionConfig[StorageEntry] = field(default_factory=lambda: SectionConfig("sha1"))
    storage_secrets: dict[str, StorageSecrets] = field(default_factory=dict)
    replication: SectionConfig[ReplicationJob] = field(
        default_factory=lambda: SectionConfig("sha1")
    )
    backup_jobs: SectionConfig[BackupJob] = field(default_factory=lambda: SectionConfig("sha1"))
    ha_resources: SectionConfig[HaResource] = field(default_factory=lambda: SectionConfig("sha1"))
    ha_rules: SectionConfig[HaRule] = field(default_factory=lambda: SectionConfig("sha1"))
    options: dict[str, Any] = field(default_factory=dict)
    volumes: dict[str, int] = field(default_factory=dict)
    backup_servers: dict[str, PbsServer] = field(default_factory=dict)
    """The lab's PBS instances by ``host:port``, so PBS storages reach their datastores."""
    job_records: dict[str, JobRecord] = field(default_factory=dict)
    """pvescheduler state per vzdump job and node: ``vzdump:<id>:<node>``."""
    replication_state: dict[str, dict[str, ReplicationState]] = field(default_factory=dict)
    """pvesr state per node and job (PVE keeps it per node)."""
    replication_logs: dict[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)
    """The last run of each replication job: its start and its log lines."""
    replicas: dict[int, dict[str, frozenset[str]]] = field(default_factory=dict)
    """Per guest: the nodes holding a copy of its volumes, with their replication snapshots."""
    ha: HaState = field(default_factory=HaState)

    def online_nodes(self) -> list[str]:
        """Names of the nodes that are up."""
        return [n.name for n in self.nodes.values() if n.online]

    def quorate(self) -> bool:
        """More than half of the nodes are up."""
        return len(self.online_nodes()) * 2 > len(self.nodes)
