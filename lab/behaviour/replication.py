"""PVE storage replication (pvesr): job state, full then incremental runs, direction flips.

A job ``<guest>-<jobnum>`` copies a guest's volumes from the node it runs on (``source``) to
``target`` with ZFS snapshots ``__replicate_<jobid>_<start time>__`` (pve-guest-common
Replication.pm, ReplicationState.pm, ReplicationConfig.pm):

- The first run finds no volume on the target and sends everything ("full sync"); later runs
  send the changes since the job's last snapshot, else since the newest replication snapshot
  both sides share ("incremental"). A target volume without a common snapshot fails the run
  ("No common base snapshot…"). A good run leaves only its new snapshot of this job on both
  sides (the send carries the source's newer snapshots of other jobs along, as
  ``zfs send -I`` does); a failed one changes no snapshot.
- State (per node, in PVE): ``last_sync`` = start of the last good run (0 = never),
  ``last_try`` = start of the last attempt, ``fail_count`` (0 after success), ``duration`` and
  ``error`` while failing. When the next run is due: ``schedulers.replication_next_sync``.
- The target's copy is the guest's disk as it was when the last good run *started*, so a node
  failure loses what was written since then (``data_loss_window``).
- Migrating the guest to the target flips the job (``switch_target``: its target becomes the
  old node, every job's source the new one) and moves the state. HA recovery ("stolen" guest)
  flips it the same way on the new node, which has no state for the job yet; the reversed job
  then fails, and is not retried, until the old node is back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from lab.behaviour.disk_content import DiskContent
from lab.behaviour.schedulers import DEFAULT_REPLICATION_SCHEDULE

__all__ = [
    "DEFAULT_REPLICATION_RATE_MBPS",
    "REPLICATION_OVERHEAD_SECONDS",
    "GuestVolumes",
    "ReplicaSnapshots",
    "ReplicationJob",
    "ReplicationRun",
    "ReplicationState",
    "TransferKind",
    "content_time",
    "data_loss_window",
    "job_status_entry",
    "run_replication",
    "snapshot_name",
    "switch_target",
]

DEFAULT_REPLICATION_RATE_MBPS = 110.0
"""Transfer speed (MB/s) when a job sets no ``rate`` limit: a gigabit link."""

REPLICATION_OVERHEAD_SECONDS = 2.0
"""Snapshot, ssh and ``pvesr prepare-local-job`` round trips of every run."""

_JOB_ID = re.compile(r"^(\d+)-(\d+)$")
_SNAPSHOT = re.compile(r"^__replicate_(\d+-\d+)_(\d+)__$")
_MEGABYTE = 1_000_000

ReplicaSnapshots = Mapping[str, frozenset[str]]
"""Node → the replication snapshots on its copy of the guest's volumes (absent = no copy)."""


def snapshot_name(job_id: str, start: int) -> str:
    """``__replicate_100-0_1736992800__``: the snapshot a run starting at ``start`` makes."""
    return f"__replicate_{job_id}_{start}__"


def _snapshot_time(name: str) -> int | None:
    match = _SNAPSHOT.match(name)
    return int(match[2]) if match else None


class TransferKind(StrEnum):
    """How a run sent the volumes."""

    FULL = "full"
    INCREMENTAL = "incremental"


@dataclass(frozen=True, slots=True)
class ReplicationJob:
    """A ``/etc/pve/replication.cfg`` entry of type ``local``; ``rate`` is in MB/s."""

    guest: int
    jobnum: int
    target: str
    source: str
    schedule: str | None = None
    rate: float | None = None
    disable: bool = False
    comment: str | None = None

    @property
    def id(self) -> str:
        return f"{self.guest}-{self.jobnum}"

    @classmethod
    def from_id(cls, job_id: str, target: str, source: str, **options: Any) -> ReplicationJob:
        """A job from its id ``<guest>-<jobnum>``, checked as PVE does (guest ≥ 100)."""
        match = _JOB_ID.match(job_id)
        if match is None or int(match[1]) < 100:
            raise ValueError(f"invalid replication job id '{job_id}'")
        return cls(int(match[1]), int(match[2]), target, source, **options)

    @property
    def effective_schedule(self) -> str:
        return self.schedule or DEFAULT_REPLICATION_SCHEDULE


@dataclass(frozen=True, slots=True)
class ReplicationState:
    """What a node remembers of a job between runs."""

    last_sync: int = 0
    last_try: int = 0
    fail_count: int = 0
    duration: float | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ReplicationRun:
    """The outcome of one run: new state and snapshots, what was sent, the task log."""

    state: ReplicationState
    snapshots: dict[str, frozenset[str]]
    kind: TransferKind | None
    sent_bytes: int
    log: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.kind is not None


def _base_snapshot(
    job: ReplicationJob, last_sync: int, source: frozenset[str], target: frozenset[str]
) -> str | None:
    """PVE ``find_common_replication_snapshot`` (guest-config snapshots left out)."""
    last = snapshot_name(job.id, last_sync)
    common = source & target
    if last in common:
        return last
    dated = [(t, name) for name in common if (t := _snapshot_time(name)) is not None]
    return max(dated)[1] if dated else None


@dataclass(frozen=True, slots=True)
class GuestVolumes:
    """The guest's replicated volumes: their ids (for messages) and their content."""

    ids: tuple[str, ...]
    disk: DiskContent


def run_replication(
    job: ReplicationJob,
    state: ReplicationState,
    snapshots: ReplicaSnapshots,
    start: int,
    *,
    target_online: bool,
    volumes: GuestVolumes,
) -> ReplicationRun:
    """One run of ``job`` starting at ``start`` on its source node.

    A full sync sends the whole disk, an incremental one what changed since its base.
    """
    source = snapshots.get(job.source, frozenset())
    target = snapshots.get(job.target)
    log = [f"start replication job {job.id}", f"guest => VM {job.guest}, running => 0"]
    if not target_online:
        error = (
            f"command 'ssh root@{job.target} -- pvesr prepare-local-job {job.id}' failed: "
            "exit code 255"
        )
        return _failed(state, snapshots, start, log, error)
    new_snapshot = snapshot_name(job.id, start)
    if target is None:
        kind, base_time, sent = TransferKind.FULL, None, volumes.disk.size_bytes
        log += [f"full sync '{volume}' ({new_snapshot})" for volume in volumes.ids]
    else:
        base = _base_snapshot(job, state.last_sync, source, target)
        base_time = _snapshot_time(base) if base is not None else None
        if base is None or base_time is None:
            error = (
                f"No common base snapshot on volume(s) {','.join(volumes.ids)}\n"
                "Please remove the problematic volume(s) from the replication target "
                f"or delete and re-create the whole job {job.id}"
            )
            return _failed(state, snapshots, start, log, error)
        kind, sent = TransferKind.INCREMENTAL, volumes.disk.changed_bytes(base_time, start)
        log += [f"incremental sync '{volume}' ({base} => {new_snapshot})" for volume in volumes.ids]
    rate = (job.rate or DEFAULT_REPLICATION_RATE_MBPS) * _MEGABYTE
    duration = round(REPLICATION_OVERHEAD_SECONDS + sent / rate, 2)
    log.append(f"end replication job {job.id}")
    new_state = ReplicationState(last_sync=start, last_try=start, duration=duration)
    after = _snapshots_after(job.id, snapshots, (job.source, job.target), base_time, new_snapshot)
    return ReplicationRun(new_state, after, kind, sent, tuple(log))


def _snapshots_after(
    job_id: str,
    snapshots: ReplicaSnapshots,
    nodes: tuple[str, str],
    base_time: int | None,
    new_snapshot: str,
) -> dict[str, frozenset[str]]:
    """Snapshots after a good run: the send carries the source's newer snapshots along
    (``zfs send -I``; all of them on a full sync), then both sides keep only the newest of
    this job's."""
    source_node, target_node = nodes
    source = snapshots.get(source_node, frozenset())
    carried = {
        name for name in source if base_time is None or (_snapshot_time(name) or 0) > base_time
    }
    after = dict(snapshots)
    after[target_node] = snapshots.get(target_node, frozenset()) | carried
    after[source_node] = source
    prefix = f"__replicate_{job_id}_"
    for node in nodes:
        others = frozenset(name for name in after[node] if not name.startswith(prefix))
        after[node] = others | {new_snapshot}
    return after


def _failed(
    state: ReplicationState,
    snapshots: ReplicaSnapshots,
    start: int,
    log: list[str],
    error: str,
) -> ReplicationRun:
    """A failed attempt: ``fail_count`` + 1, the error kept, no snapshot changed."""
    failed = replace(
        state,
        last_try=start,
        fail_count=state.fail_count + 1,
        duration=REPLICATION_OVERHEAD_SECONDS,
        error=error,
    )
    return ReplicationRun(
        failed, dict(snapshots), None, 0, (*log, f"end replication job with error: {error}")
    )


def content_time(snapshots: ReplicaSnapshots, node: str) -> int | None:
    """When the disk content on ``node``'s copy was taken: its newest replication snapshot."""
    times = [t for name in snapshots.get(node, ()) if (t := _snapshot_time(name)) is not None]
    return max(times, default=None)


def data_loss_window(failed_at: int, state: ReplicationState) -> int | None:
    """Seconds of writes lost when the source fails at ``failed_at`` and the guest restarts
    from the target's copy; ``None`` if no run ever succeeded (there is no copy)."""
    return failed_at - state.last_sync if state.last_sync else None


def switch_target(
    jobs: Iterable[ReplicationJob], guest: int, old_target: str, new_target: str
) -> list[ReplicationJob]:
    """PVE ``switch_replication_job_target``: the guest now runs on ``old_target``.

    Its job that pointed there now points at ``new_target`` (the node it left); every job of
    the guest now has ``old_target`` as source. Other guests' jobs are unchanged.
    """
    return [
        replace(
            job,
            target=new_target if job.target == old_target else job.target,
            source=old_target,
        )
        if job.guest == guest
        else job
        for job in jobs
    ]


def job_status_entry(
    job: ReplicationJob, state: ReplicationState, next_sync: int | None, vmtype: str
) -> dict[str, Any]:
    """One item of ``GET /nodes/{node}/replication`` (and ``…/{id}/status``).

    ``next_sync`` as ``schedulers.replication_next_sync`` gives it (``None`` shows as 0).
    """
    entry: dict[str, Any] = {
        "id": job.id,
        "guest": job.guest,
        "jobnum": job.jobnum,
        "target": job.target,
        "source": job.source,
        "type": "local",
        "vmtype": vmtype,
        "next_sync": next_sync or 0,
        "last_sync": state.last_sync,
        "last_try": state.last_try,
        "fail_count": state.fail_count,
    }
    optional = {
        "schedule": job.schedule,
        "rate": job.rate,
        "comment": job.comment,
        "disable": 1 if job.disable else None,
        "duration": state.duration,
        "error": state.error,
    }
    entry.update({key: value for key, value in optional.items() if value is not None})
    return entry
