"""Running a PBS job: scheduled by its calendar, or now through ``/admin/{kind}/{id}/run``.

Each run is a task of the job's worker type (``syncjob``, ``prunejob``, ``verificationjob``,
``garbage_collection``) whose log is what the work wrote; it updates the job's record (what
the scheduler counts from and ``/admin/…`` shows) and the lab's journal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lab.behaviour.schedulers import JobRunState, next_start
from lab.sim.pbs.gc import run_gc
from lab.sim.pbs.prune import run_prune_job
from lab.sim.pbs.sync import run_sync
from lab.sim.pbs.verify import run_verify
from lab.sim.schedule import calendar
from lab.sim.world import World
from lab.state.access import SUPERUSER
from lab.state.jobs import JobRecord
from lab.state.pbs import PbsServer, PruneJob, SyncJob, VerifyJob
from lab.state.sections import ConfigEntry, SectionConfig
from lab.state.tasks import Task

SCHEDULER_USER = SUPERUSER
"""Scheduled PBS jobs run as root@pam."""


@dataclass(frozen=True)
class PbsJobKind:
    """A job family: its name in records and URLs, and its task's worker type."""

    name: str
    worker_type: str


SYNC = PbsJobKind("sync", "syncjob")
PRUNE = PbsJobKind("prune", "prunejob")
VERIFY = PbsJobKind("verify", "verificationjob")
GC = PbsJobKind("gc", "garbage_collection")
KINDS = {kind.name: kind for kind in (SYNC, PRUNE, VERIFY, GC)}


def configs_of(server: PbsServer, kind: PbsJobKind) -> SectionConfig[Any]:
    """The config file of a job family (GC has none: it is a datastore option)."""
    configs: dict[PbsJobKind, SectionConfig[Any]] = {
        SYNC: server.sync_jobs,
        PRUNE: server.prune_jobs,
        VERIFY: server.verify_jobs,
    }
    return configs[kind]


def worker_id(kind: PbsJobKind, entry: ConfigEntry) -> str:
    """The task's worker id, as PBS forms it for each job family."""
    store = entry.get("store")
    if kind is SYNC:
        remote = entry.get("remote") or "-"
        return f"{remote}:{entry.get('remote-store')}:{store}:{entry.get('ns') or ''}:{entry.id}"
    return f"{store}:{entry.id}"


def record(server: PbsServer, key: str, now: int) -> JobRecord:
    """The scheduler record of ``key`` (``sync:<id>``, ``gc:<store>`` …), made on first use."""
    found = server.job_records.get(key)
    if found is None:
        found = server.job_records[key] = JobRecord(JobRunState(created=now))
    return found


def next_run(record: JobRecord | None, schedule: object) -> int | None:
    """When the scheduler starts the job next (``next-run`` in PBS's job status)."""
    event = calendar(schedule)
    if record is None or event is None:
        return None
    return next_start(event, record.run)


def _finish(
    world: World, server: PbsServer, key: str, task: Task, *, log: list[str], error: str | None
) -> Task:
    task.finish(log, error)
    at = task.starttime
    record(server, key, at).finished(at, task.upid, error, int(task.started + task.duration))
    kind, _, name = key.partition(":")
    outcome = "OK" if error is None else f"failed: {error}"
    world.note(f"pbs/{server.name}", kind, f"{kind} {name}: {outcome}")
    return task


def run_job(
    world: World, server: PbsServer, kind: PbsJobKind, entry: ConfigEntry, user: str
) -> Task:
    """Run a sync, prune or verify job now as ``user``; returns its task."""
    task = world.tasks[server.name].start(
        server.hostname, kind.worker_type, worker_id(kind, entry), user
    )
    at = task.starttime
    store = str(entry.get("store"))
    content = server.contents.get(store)
    log: list[str] = []
    error: str | None = None
    if content is None or not content.mounted:
        error = f"datastore '{store}' is not available"
    elif isinstance(entry, SyncJob):
        log, error = run_sync(world, server, entry, at)
    elif isinstance(entry, PruneJob):
        log = run_prune_job(entry, content)
    elif isinstance(entry, VerifyJob):
        log, error = run_verify(
            content,
            store,
            ns=str(entry.get("ns") or ""),
            max_depth=entry.get("max-depth"),
            ignore_verified=entry.flag("ignore-verified", default=True),
            outdated_after=entry.get("outdated-after"),
            start=at,
            upid=task.upid,
        )
    else:
        raise TypeError(f"not a PBS job: {entry!r}")
    return _finish(world, server, f"{kind.name}:{entry.id}", task, log=log, error=error)


def run_gc_now(world: World, server: PbsServer, store: str, user: str) -> Task:
    """Garbage-collect datastore ``store`` now as ``user``; returns its task."""
    task = world.tasks[server.name].start(server.hostname, GC.worker_type, store, user)
    content = server.contents.get(store)
    if content is None or not content.mounted:
        error = f"datastore '{store}' is not available"
        return _finish(world, server, f"gc:{store}", task, log=[], error=error)
    log = run_gc(store, server.datastores.get(store), content, task.starttime, task.upid)
    return _finish(world, server, f"gc:{store}", task, log=log, error=None)
