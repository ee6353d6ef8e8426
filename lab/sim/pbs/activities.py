"""The PBS work that runs on a calendar: sync, prune and verify jobs, and datastore GC.

PBS's proxy checks every minute and starts a job when the next event after its last run has
come (``behaviour.schedulers.next_start``); a run missed while nothing ran is made up once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lab.behaviour.schedulers import next_start, next_tick
from lab.sim.engine import Activity
from lab.sim.pbs.jobs import (
    GC,
    PRUNE,
    SCHEDULER_USER,
    SYNC,
    VERIFY,
    PbsJobKind,
    configs_of,
    run_gc_now,
    run_job,
)
from lab.sim.pbs.jobs import record as job_record
from lab.sim.schedule import calendar
from lab.sim.world import World
from lab.state.pbs import PbsServer
from tappaas.schedule.calendar import CalendarEvent


@dataclass(frozen=True)
class ScheduledPbsJob:
    """One scheduled job (or a datastore's GC) of one PBS instance."""

    world: World
    server: PbsServer
    kind: PbsJobKind
    name: str
    schedule: CalendarEvent

    @property
    def key(self) -> str:
        return f"pbs/{self.server.name}/{self.kind.name}/{self.name}"

    def next_due(self, now: int) -> int | None:
        record = job_record(self.server, f"{self.kind.name}:{self.name}", now)
        due = next_start(self.schedule, record.run)
        return None if due is None else max(due, next_tick(now))

    def run(self, at: int) -> None:
        if self.kind is GC:
            run_gc_now(self.world, self.server, self.name, SCHEDULER_USER)
            return
        entry = configs_of(self.server, self.kind).get(self.name)
        if entry is not None:
            run_job(self.world, self.server, self.kind, entry, SCHEDULER_USER)


def pbs_activities(world: World) -> Iterator[Activity]:
    """Every scheduled job and GC of every PBS instance; forgets records of deleted jobs."""
    now = world.now()
    for server in world.pbs.values():
        existing: set[str] = set()
        for kind in (SYNC, PRUNE, VERIFY):
            for job in configs_of(server, kind):
                existing.add(f"{kind.name}:{job.id}")
                event = calendar(job.get("schedule"))
                if event is not None and not job.flag("disable"):
                    job_record(server, f"{kind.name}:{job.id}", now)
                    yield ScheduledPbsJob(world, server, kind, job.id, event)
        for store in server.datastores:
            existing.add(f"gc:{store.id}")
            event = calendar(store.get("gc-schedule"))
            if event is not None:
                job_record(server, f"gc:{store.id}", now)
                yield ScheduledPbsJob(world, server, GC, store.id, event)
        for key in set(server.job_records) - existing:
            del server.job_records[key]
