"""One status line: what was checked, its state, why, and the figures behind it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tappaas.health.state import State


class Check(StrEnum):
    """What a line is about."""

    BACKUP = "backup"
    VERIFY = "verify"
    OFFSITE = "off-site"
    PERSONAL = "personal"
    REPLICATION = "replication"
    HA = "ha"
    DRILL = "drill"
    USAGE = "usage"
    GC = "gc"
    JOB = "job"


class Metric(StrEnum):
    """Figures exported to Prometheus (``tappaas_<name>``), with their help text."""

    BACKUP_AGE = "backup_age_seconds"
    VERIFY_AGE = "verified_backup_age_seconds"
    OFFSITE_AGE = "offsite_age_seconds"
    OFFSITE_LAG = "offsite_lag_seconds"
    PERSONAL_AGE = "personal_age_seconds"
    REPLICATION_AGE = "replication_age_seconds"
    REPLICATION_DURATION = "replication_duration_seconds"
    REPLICATION_FAILURES = "replication_fail_count"
    USED_RATIO = "datastore_used_ratio"
    GC_AGE = "gc_age_seconds"
    JOB_AGE = "job_age_seconds"
    DRILL_AGE = "drill_pass_age_seconds"
    DRILL_RTO = "drill_rto_seconds"

    @property
    def help(self) -> str:
        return _HELP[self]


_HELP = {
    Metric.BACKUP_AGE: "Age of the newest local backup of the service.",
    Metric.VERIFY_AGE: "Age of the newest backup that passed verification.",
    Metric.OFFSITE_AGE: "Age of the newest backup the peer holds (or fetched).",
    Metric.OFFSITE_LAG: "How far the peer's newest copy is behind the newest local backup.",
    Metric.PERSONAL_AGE: "Age of the newest copy on the personal disk.",
    Metric.REPLICATION_AGE: "Time since the last successful replication.",
    Metric.REPLICATION_DURATION: "Duration of the last replication run.",
    Metric.REPLICATION_FAILURES: "Consecutive failed replication runs.",
    Metric.USED_RATIO: "Used share of the datastore (0-1).",
    Metric.GC_AGE: "Time since the last garbage collection ended.",
    Metric.JOB_AGE: "Time since the job last ended.",
    Metric.DRILL_AGE: "Time since the last passing restore drill started.",
    Metric.DRILL_RTO: "Measured RTO (restore to healthy) of the last drill.",
}


@dataclass(frozen=True)
class Line:
    """One judged fact: ``subject`` (a service, ``datastore X``, ``prune/X``) and ``check``."""

    subject: str
    check: Check
    state: State
    why: str
    metrics: tuple[tuple[Metric, float], ...] = ()
