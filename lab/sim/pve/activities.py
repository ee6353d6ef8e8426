"""The PVE work that runs on its own: vzdump jobs per node, replication jobs, HA, node power,
and restores that take time (``guests``).

pvescheduler runs on every node each minute: a vzdump job from ``jobs.cfg`` runs on each
(online) node for that node's guests, with a run state per node; a replication job runs on
the node its guest is on. HA rounds and node power events come from ``HaManager`` and
``NodePower``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lab.behaviour.schedulers import JobRunState, next_start, next_tick
from lab.sim.engine import Activity
from lab.sim.pve import replication
from lab.sim.pve.guests import RestoreCompletion
from lab.sim.pve.ha import HaManager
from lab.sim.pve.power import NodePower
from lab.sim.pve.vzdump import run_vzdump, vzdump_key
from lab.sim.schedule import calendar
from lab.sim.world import World
from lab.state.access import SUPERUSER
from lab.state.jobs import JobRecord
from tappaas.schedule.calendar import CalendarEvent


@dataclass(frozen=True)
class ScheduledBackup:
    """A vzdump job of ``jobs.cfg`` on one node."""

    world: World
    job_id: str
    node: str
    schedule: CalendarEvent

    @property
    def key(self) -> str:
        return f"pve/{self.node}/vzdump/{self.job_id}"

    def _record(self) -> JobRecord:
        return self.world.pve.job_records[vzdump_key(self.job_id, self.node)]

    def next_due(self, now: int) -> int | None:
        node = self.world.pve.nodes[self.node]
        if not node.online:
            return None
        due = next_start(self.schedule, self._record().run, up_since=node.up_since)
        return None if due is None else max(due, next_tick(now))

    def run(self, at: int) -> None:
        job = self.world.pve.backup_jobs.get(self.job_id)
        if job is None:
            return
        task = run_vzdump(self.world, job.options, self.node, SUPERUSER, self.job_id)
        if task is None:
            self._record().run = self._record().run.started(at)
        else:
            error = None if task.ok else task.exitstatus
            self._record().finished(at, task.upid, error, int(task.started + task.duration))


@dataclass(frozen=True)
class ScheduledReplication:
    """A replication job, run by pvesr on its guest's node."""

    world: World
    job_id: str

    @property
    def key(self) -> str:
        return f"pve/replication/{self.job_id}"

    def next_due(self, now: int) -> int | None:
        pve = self.world.pve
        entry = pve.replication.get(self.job_id)
        if entry is None:
            return None
        if entry.get("remove_job"):
            return next_tick(now)
        vm = pve.vms.get(entry.guest)
        if vm is None or not pve.nodes[vm.node].online:
            return None
        due = replication.next_sync(pve, entry)
        return None if due is None else max(next_tick(due), next_tick(now))

    def run(self, at: int) -> None:
        entry = self.world.pve.replication.get(self.job_id)
        if entry is None:
            return
        if entry.get("remove_job"):
            replication.remove(self.world, entry)
        else:
            replication.run(self.world, entry, at)


@dataclass(frozen=True)
class HaRounds:
    """The CRM: a round whenever it has something to do."""

    world: World
    key: str = "pve/ha"

    def next_due(self, now: int) -> int | None:
        return HaManager(self.world).next_due()

    def run(self, at: int) -> None:
        HaManager(self.world).run(at)


def pve_activities(world: World) -> Iterator[Activity]:
    """Every scheduled vzdump (per node), replication job, HA and node power."""
    pve, now = world.pve, world.now()
    wanted: set[str] = set()
    for job in pve.backup_jobs:
        event = calendar(job.schedule)
        if event is None or not job.enabled:
            continue
        nodes = [str(job.get("node"))] if job.get("node") else list(pve.nodes)
        for node in nodes:
            if node not in pve.nodes:
                continue
            key = vzdump_key(job.id, node)
            wanted.add(key)
            pve.job_records.setdefault(key, JobRecord(JobRunState(created=now)))
            yield ScheduledBackup(world, job.id, node, event)
    for key in set(pve.job_records) - wanted:
        del pve.job_records[key]
    for entry in pve.replication:
        yield ScheduledReplication(world, entry.id)
    yield HaRounds(world)
    yield NodePower(world)
    for vm in pve.vms.values():
        if vm.restore is not None:
            yield RestoreCompletion(world, vm.vmid)
