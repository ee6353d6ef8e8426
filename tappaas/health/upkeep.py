"""Rules for the site's PBS: datastore usage, garbage collection and the jobs' last runs.

Usage at or above ``monitoring.usage_warn_percent`` → WARN, ``usage_crit_percent`` → CRIT.
GC, prune, verify, sync and vzdump: a failed last run → WARN; no run for 1.5 schedule periods
(or never, once a run was due) → WARN. Per-service consequences (a missing backup, a failed
verification) are CRIT on the service's own lines.
"""

from __future__ import annotations

from tappaas.health.lines import Check, Line, Metric
from tappaas.health.observations import DatastoreUsage, JobRun, Observation
from tappaas.health.state import State
from tappaas.health.wording import ago
from tappaas.model import SiteConfig
from tappaas.schedule.interval import longest_gap

OVERDUE_PERIODS = 1.5


def usage(store: DatastoreUsage, site: SiteConfig) -> Line:
    """How full the datastore is."""
    percent = store.used_percent
    limits = site.monitoring
    state = State.OK
    if percent >= limits.usage_crit_percent:
        state = State.CRIT
    elif percent >= limits.usage_warn_percent:
        state = State.WARN
    why = f"{percent:.0f}% used of {store.total / 1024**4:.1f} TiB"
    return Line(
        f"datastore {store.name}", Check.USAGE, state, why, ((Metric.USED_RATIO, percent / 100),)
    )


def _last_run(
    subject: str,
    check: Check,
    *,
    schedule: str | None,
    endtime: int | None,
    outcome: str | None,
    next_run: int | None,
    now: int,
    metric: Metric,
) -> Line:
    if endtime is None:
        if next_run is not None and next_run > now:
            return Line(subject, check, State.OK, f"not run yet (next {ago(now - next_run)})")
        if schedule is None:
            return Line(subject, check, State.OK, "not run yet (no schedule: on demand, on mount)")
        return Line(subject, check, State.WARN, "never ran")
    age = now - endtime
    metrics = ((metric, float(age)),)
    if (outcome or "").lower() != "ok":
        return Line(subject, check, State.WARN, f"last run {ago(age)} failed: {outcome}", metrics)
    if schedule is not None and age > OVERDUE_PERIODS * longest_gap(schedule).total_seconds():
        why = f"last run {ago(age)} ({schedule}): overdue"
        return Line(subject, check, State.WARN, why, metrics)
    return Line(subject, check, State.OK, f"last run {ago(age)}, ok", metrics)


def garbage_collection(store: DatastoreUsage, now: int) -> Line:
    """The datastore's last GC (without GC, pruned chunks are never freed)."""
    subject = f"datastore {store.name}"
    if store.gc_schedule is None and store.gc_endtime is None:
        return Line(subject, Check.GC, State.WARN, "no GC schedule: space is never freed")
    return _last_run(
        subject,
        Check.GC,
        schedule=store.gc_schedule,
        endtime=store.gc_endtime,
        outcome=store.gc_state,
        next_run=None,
        now=now,
        metric=Metric.GC_AGE,
    )


def job(run: JobRun, now: int) -> Line:
    """A prune, verify, sync or vzdump job's last run."""
    return _last_run(
        f"{run.kind} {run.job_id}",
        Check.JOB,
        schedule=run.schedule,
        endtime=run.last_run_endtime,
        outcome=run.last_run_state,
        next_run=run.next_run,
        now=now,
        metric=Metric.JOB_AGE,
    )


def upkeep_lines(site: SiteConfig, obs: Observation) -> list[Line]:
    """Datastores (usage, GC) and jobs, or one UNKNOWN line per unreadable area."""
    lines: list[Line] = []
    if obs.datastores is None:
        lines.append(Line("datastores", Check.USAGE, State.UNKNOWN, obs.why_unknown("pbs local")))
    else:
        for store in obs.datastores:
            lines += [usage(store, site), garbage_collection(store, obs.now)]
    if obs.jobs is None:
        lines.append(Line("jobs", Check.JOB, State.UNKNOWN, "jobs could not be read"))
    else:
        lines += [job(run, obs.now) for run in obs.jobs]
    return lines
