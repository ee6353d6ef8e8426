"""What the readers saw of a site's live state: plain values, no HTTP (the rules' input).

Each area is ``None`` when its source could not be read; ``unreachable`` then says which
source and why, so the rules answer UNKNOWN for it instead of guessing. Times are Unix
seconds of the cluster's own clock (``now`` too), so ages never mix two clocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class PeerView(StrEnum):
    """How the site sees its off-site copy."""

    PULL_READS = "pull-reads"
    """Pull, no credential on the peer (the default): the site's PBS logs a ``reader`` task
    for every snapshot the peer fetched with its read-only token; the newest fetched snapshot
    is the newest copy the peer received (not necessarily what it still holds)."""
    LISTING = "listing"
    """A credential on the peer lists the copy itself: the site's write token (push), or the
    read-only restore token the peer minted for the site (held by a recovery stack)."""


@dataclass(frozen=True)
class Snapshot:
    """One backup snapshot of a guest (``vm/<vmid>/<time>``)."""

    time: int
    verify_state: str | None = None
    """``ok``, ``failed`` or None (never verified)."""
    verified_at: int | None = None
    """Start of the verify task that judged it (its UPID's start time)."""
    size: int | None = None
    encrypted: bool = False

    @property
    def verified_ok(self) -> bool:
        return self.verify_state == "ok"


@dataclass(frozen=True)
class OffsiteCopy:
    """The newest copy of one guest on the peer, as the site can see it."""

    time: int
    """Backup time of the newest snapshot the peer holds (or fetched)."""
    seen_at: int
    """When it was fetched (pull reads) or listed (a credential on the peer)."""


@dataclass(frozen=True)
class PersonalCopies:
    """The removable datastore: its snapshots when mounted, else its sync job's last run."""

    mounted: bool
    newest: dict[int, int] = field(default_factory=dict)
    """vmid → backup time of the newest snapshot on the disk (mounted only)."""
    last_sync: int | None = None
    """End of the last successful run-on-mount sync (when unmounted)."""
    problem: str | None = None
    """Why the disk's datastore cannot be read at all (e.g. it does not exist)."""


@dataclass(frozen=True)
class Replication:
    """``pvesr`` state of one job (``/nodes/{node}/replication``)."""

    job_id: str
    vmid: int
    target: str
    last_sync: int
    """Start of the last successful run; 0 = never."""
    last_try: int
    duration: float
    fail_count: int
    error: str | None = None


@dataclass(frozen=True)
class HaService:
    """One HA resource in ``/cluster/ha/status/current``."""

    vmid: int
    node: str
    state: str
    """The CRM state: started, stopped, fence, recovery, migrate, freeze, error, …"""
    request_state: str | None = None


@dataclass(frozen=True)
class DatastoreUsage:
    """A PBS datastore's fill level and its last garbage collection."""

    name: str
    total: int
    used: int
    gc_endtime: int | None = None
    gc_state: str | None = None
    gc_schedule: str | None = None

    @property
    def used_percent(self) -> float:
        return 100.0 * self.used / self.total if self.total else 0.0


@dataclass(frozen=True)
class JobRun:
    """A PBS job's (or a node's vzdump job's) last run and its outcome."""

    kind: str
    """``prune``, ``verify``, ``sync`` (PBS) or ``vzdump`` (PVE, per node)."""
    job_id: str
    schedule: str | None
    last_run_endtime: int | None
    last_run_state: str | None
    """``ok`` / ``OK`` or the error text; None: never ran."""
    next_run: int | None = None

    @property
    def ok(self) -> bool:
        return (self.last_run_state or "").lower() == "ok"


@dataclass(frozen=True)
class DrillOutcome:
    """The last drills of one service, from the drill history file."""

    last_started: int
    last_passed: bool
    last_reason: str
    last_rto: float | None
    last_pass_started: int | None


@dataclass(frozen=True)
class SourceError:
    """A source the readers could not use: ``pve``, ``pbs local``, ``peer``, ``drill history``."""

    source: str
    message: str


@dataclass(frozen=True)
class Observation:
    """Everything read, at ``now``; ``None`` areas come with a ``SourceError``."""

    now: int
    local: dict[int, tuple[Snapshot, ...]] | None
    """vmid → snapshots in the site's own datastore, oldest first."""
    offsite: dict[int, OffsiteCopy] | None
    peer_view: PeerView | None
    personal: PersonalCopies | None
    replication: dict[int, Replication] | None
    ha: dict[int, HaService] | None
    datastores: tuple[DatastoreUsage, ...] | None
    jobs: tuple[JobRun, ...] | None
    drills: dict[str, DrillOutcome] | None
    unreachable: tuple[SourceError, ...] = ()

    def why_unknown(self, source: str) -> str:
        """The error text of ``source`` (for the UNKNOWN lines it causes)."""
        for error in self.unreachable:
            if error.source == source:
                return f"{source} unreachable: {error.message}"
        return f"{source} was not read"
