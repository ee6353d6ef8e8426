"""When Proxmox starts scheduled work: PBS jobs, PVE jobs (vzdump) and storage replication.

Both schedulers wake at every full minute and start a job when the next calendar event after
its last run time has come (``next(last) <= now``); ``next_start`` gives that minute directly,
so a simulation can jump from one start to the next instead of ticking every minute.

- PBS (proxmox-backup-proxy ``check_schedule``): after downtime, a missed run is made up once,
  at the first tick — ``next(last)`` is in the past, and one run moves ``last`` to now.
- PVE (pvescheduler ``run_jobs``): the same rule, except that on its first pass after a start
  it sets ``updated = now`` for jobs without ``repeat-missed``, so runs missed while the node
  was down are dropped (``on_pve_scheduler_start``).
- Replication (pvesr ``job_status``): the calendar after ``last_try`` — or, after failures, a
  back-off of 5, 10, 15, then every 30 minutes, only while the target node is online.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

__all__ = [
    "DEFAULT_REPLICATION_SCHEDULE",
    "SCHEDULER_TICK_SECONDS",
    "JobRunState",
    "Schedule",
    "is_due",
    "next_start",
    "next_tick",
    "on_pve_scheduler_start",
    "replication_next_sync",
]

SCHEDULER_TICK_SECONDS = 60
"""Both daemons wake at each full minute."""

DEFAULT_REPLICATION_SCHEDULE = "*/15"
"""pvesr's schedule when a job sets none."""

REPLICATION_RETRY_STEP_SECONDS = 5 * 60
"""After the n-th consecutive failure (n ≤ 3) pvesr retries after 5n minutes…"""

REPLICATION_RETRY_MAX_STEPS = 3

REPLICATION_RETRY_CAP_SECONDS = 30 * 60
"""…and every 30 minutes after that."""


class Schedule(Protocol):
    """A calendar event (``tappaas.schedule.calendar.CalendarEvent`` is one)."""

    def next_epoch_after(self, last: int, /) -> int | None: ...


@dataclass(frozen=True, slots=True)
class JobRunState:
    """What a scheduler remembers of a job to find its last run time.

    ``created``: when the job was defined; ``last_start``: start of the last run (the task's
    UPID start time); ``updated``: set by a config change of the schedule or, on PVE, by the
    scheduler's first pass after a start — it wins until the next run clears it.
    """

    created: int
    last_start: int | None = None
    updated: int | None = None

    @property
    def last_run(self) -> int:
        """PBS ``last_run_time``, PVE ``get_last_runtime``: updated, else last start or creation."""
        if self.updated is not None:
            return self.updated
        return self.last_start if self.last_start is not None else self.created

    def started(self, at: int) -> JobRunState:
        """The state after a run started at ``at`` (a failed run counts as run too)."""
        return replace(self, last_start=at, updated=None)


def next_tick(t: int) -> int:
    """The first full minute at or after ``t``: when a scheduler notices something due at t."""
    return -(-t // SCHEDULER_TICK_SECONDS) * SCHEDULER_TICK_SECONDS


def is_due(schedule: Schedule, state: JobRunState, now: int) -> bool:
    """The check both schedulers make each minute: ``next(last) <= now``."""
    due = schedule.next_epoch_after(state.last_run)
    return due is not None and due <= now


def next_start(schedule: Schedule, state: JobRunState, up_since: int | None = None) -> int | None:
    """The minute at which the scheduler starts the job next, or ``None`` for never.

    ``up_since``: when the scheduler (its node or PBS) last came up; a run that fell due while
    it was down starts at its first tick, once. For PVE jobs without ``repeat-missed`` apply
    ``on_pve_scheduler_start`` first, which drops such runs.
    """
    due = schedule.next_epoch_after(state.last_run)
    if due is None:
        return None
    return next_tick(due if up_since is None else max(due, up_since))


def on_pve_scheduler_start(state: JobRunState, now: int, repeat_missed: bool) -> JobRunState:
    """pvescheduler's first pass after it starts: without repeat-missed, ``updated = now``."""
    return state if repeat_missed else replace(state, updated=now)


def replication_next_sync(
    schedule: Schedule, last_try: int, fail_count: int, target_online: bool
) -> int | None:
    """pvesr ``next_sync``: ``None`` where PVE reports 0 (the job will not run).

    ``last_try`` is the start of the last attempt (0 = never, so a new job is due at once).
    """
    if fail_count == 0:
        return schedule.next_epoch_after(last_try)
    if not target_online:
        return None
    if fail_count <= REPLICATION_RETRY_MAX_STEPS:
        return last_try + fail_count * REPLICATION_RETRY_STEP_SECONDS
    return last_try + REPLICATION_RETRY_CAP_SECONDS
