"""RPO/RTO per service and disaster, from one table of which copies survive what.

``RULES`` is the whole policy: for each disaster, the copies that survive it (and under which
condition), where the data loss (RPO) comes from, and how long recovery takes (RTO class).
The estimate for a disaster is the surviving copy with the smallest RPO (then the best RTO).
``render_rules_table`` prints the same table for the README.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from tappaas.model import RecoveryMethod, Service, SiteConfig
from tappaas.policy.copies import Copy, CopyKind
from tappaas.schedule.interval import longest_gap, longest_wait


class Disaster(StrEnum):
    """The disasters of the seed design (hardware split by scope; software; hackers; users)."""

    DISK_FAILURE = "disk failure"
    NODE_FAILURE = "node failure"
    SITE_LOSS = "site loss"
    RANSOMWARE = "ransomware"
    ACCIDENTAL_DELETION = "accidental deletion"
    BAD_UPDATE = "bad update"


class Survives(StrEnum):
    """When a copy outlives the disaster."""

    ALWAYS = "always"
    POOL_REDUNDANT = "if its pool is redundant"
    PBS_ON_OTHER_NODE = "if the PBS runs on another node"
    DISK_OFFSITE = "if the disk is kept off-site"
    DISK_UNMOUNTED = "if the disk is unmounted after each run"
    NO_REMOVE_VANISHED = "if remove-vanished is off"


class RpoFrom(StrEnum):
    """Where the worst-case data loss comes from."""

    NOTHING_LOST = "0"
    REPLICATION = "longest replication gap"
    BACKUP = "longest backup gap"
    BACKUP_AND_SYNC = "longest backup gap + longest wait from a backup to the next sync"
    LAST_ATTACH = "since the disk was last attached"


class RtoClass(StrEnum):
    """How long until the service runs again, coarse on purpose."""

    NO_OUTAGE = "none"
    MINUTES = "minutes"
    UNDER_AN_HOUR = "< 1 hour"
    HOURS = "hours"
    DAYS = "days"

    @property
    def rank(self) -> int:
        """Order, best first."""
        return list(RtoClass).index(self)


class RtoFrom(StrEnum):
    """How recovery happens; ``rto_class`` picks the class from the config."""

    NO_OUTAGE = "keeps running"
    FAILOVER = "HA failover: minutes; manual start on the replica: < 1 hour"
    LOCAL_RESTORE = "live-restore: < 1 hour; full restore: hours; unprepared: days"
    REMOTE_RESTORE = "restore on the peer or in the cloud: hours; rebuild first: days"
    MANUAL_RESTORE = "by hand from the disk: days"


@dataclass(frozen=True)
class RecoveryRule:
    """One row: ``copy`` survives ``disaster`` when ``survives``; RPO and RTO follow."""

    disaster: Disaster
    copy: CopyKind
    survives: Survives
    rpo: RpoFrom
    rto: RtoFrom


def _rules(
    disaster: Disaster, *rows: tuple[CopyKind, Survives, RpoFrom, RtoFrom]
) -> tuple[RecoveryRule, ...]:
    return tuple(RecoveryRule(disaster, *row) for row in rows)


_D, _S, _R, _T = CopyKind, Survives, RpoFrom, RtoFrom  # short names keep the table readable
_OFF_SITE_COPIES = (
    (_D.REMOTE_PBS, _S.ALWAYS, _R.BACKUP_AND_SYNC, _T.REMOTE_RESTORE),
    (_D.REMOVABLE, _S.ALWAYS, _R.LAST_ATTACH, _T.MANUAL_RESTORE),
    (_D.NATIVE_EXPORT, _S.ALWAYS, _R.LAST_ATTACH, _T.MANUAL_RESTORE),
)
_HISTORY = ((_D.LOCAL_PBS, _S.ALWAYS, _R.BACKUP, _T.LOCAL_RESTORE), *_OFF_SITE_COPIES)

RULES: tuple[RecoveryRule, ...] = (
    *_rules(
        Disaster.DISK_FAILURE,
        (_D.LIVE, _S.POOL_REDUNDANT, _R.NOTHING_LOST, _T.NO_OUTAGE),
        (_D.REPLICA, _S.ALWAYS, _R.REPLICATION, _T.FAILOVER),
        *_HISTORY,
    ),
    *_rules(
        Disaster.NODE_FAILURE,
        (_D.REPLICA, _S.ALWAYS, _R.REPLICATION, _T.FAILOVER),
        (_D.LOCAL_PBS, _S.PBS_ON_OTHER_NODE, _R.BACKUP, _T.LOCAL_RESTORE),
        *_OFF_SITE_COPIES,
    ),
    *_rules(
        Disaster.SITE_LOSS,
        (_D.REMOTE_PBS, _S.ALWAYS, _R.BACKUP_AND_SYNC, _T.REMOTE_RESTORE),
        (_D.REMOVABLE, _S.DISK_OFFSITE, _R.LAST_ATTACH, _T.MANUAL_RESTORE),
        (_D.NATIVE_EXPORT, _S.DISK_OFFSITE, _R.LAST_ATTACH, _T.MANUAL_RESTORE),
    ),
    # An attacker with root on one node owns the cluster, the replicas and the PBS running on
    # a node; only copies beyond their reach count.
    *_rules(
        Disaster.RANSOMWARE,
        (_D.REMOTE_PBS, _S.NO_REMOVE_VANISHED, _R.BACKUP_AND_SYNC, _T.REMOTE_RESTORE),
        (_D.REMOVABLE, _S.DISK_UNMOUNTED, _R.LAST_ATTACH, _T.MANUAL_RESTORE),
        (_D.NATIVE_EXPORT, _S.DISK_UNMOUNTED, _R.LAST_ATTACH, _T.MANUAL_RESTORE),
    ),
    # Mirrors and replicas copy a deletion or a broken update within minutes.
    *_rules(Disaster.ACCIDENTAL_DELETION, *_HISTORY),
    *_rules(Disaster.BAD_UPDATE, *_HISTORY),
)


class Estimate(BaseModel):
    """Worst-case data loss and recovery time for one disaster; ``via`` is the copy used.

    ``rpo`` ``None`` with a copy means "unknown bound" (a disk attached by hand);
    ``recoverable`` false means no copy survives.
    """

    model_config = ConfigDict(frozen=True, ser_json_timedelta="float")

    disaster: Disaster
    recoverable: bool
    via: CopyKind | None = None
    rpo: timedelta | None = None
    rto: RtoClass | None = None


def _survives(condition: Survives, site: SiteConfig, service: Service) -> bool:
    """Whether ``condition`` holds for ``service`` on ``site``."""
    personal, remote, backup = site.personal, site.remote, site.backup
    checks: dict[Survives, Callable[[], bool]] = {
        Survives.ALWAYS: lambda: True,
        Survives.POOL_REDUNDANT: lambda: site.pool_of(service).redundancy.tolerates_disk_failure,
        Survives.PBS_ON_OTHER_NODE: lambda: backup is not None and backup.pbs.node != service.node,
        Survives.DISK_OFFSITE: lambda: personal is not None and personal.offsite,
        Survives.DISK_UNMOUNTED: lambda: personal is not None and personal.unmount_on_done,
        Survives.NO_REMOVE_VANISHED: lambda: remote is not None and not remote.remove_vanished,
    }
    return checks[condition]()


def _rpo(source: RpoFrom, site: SiteConfig, copy: Copy) -> timedelta | None:
    """Worst-case data loss when recovering from ``copy``."""
    if source is RpoFrom.NOTHING_LOST:
        return timedelta(0)
    if source is RpoFrom.LAST_ATTACH:
        return None
    assert copy.schedule is not None  # replicas and PBS copies always have one
    if source is RpoFrom.BACKUP_AND_SYNC:
        assert site.backup is not None
        backup = site.backup.schedule
        return longest_gap(backup) + longest_wait(backup, copy.schedule)
    return longest_gap(copy.schedule)


def rto_class(source: RtoFrom, site: SiteConfig, service: Service) -> RtoClass:
    """The RTO class of a recovery path, from HA, live-restore and the prepared methods."""
    methods = site.recovery.methods
    if source is RtoFrom.NO_OUTAGE:
        return RtoClass.NO_OUTAGE
    if source is RtoFrom.FAILOVER:
        return RtoClass.MINUTES if service.ha.enabled else RtoClass.UNDER_AN_HOUR
    if source is RtoFrom.LOCAL_RESTORE:
        if RecoveryMethod.LOCAL_REBUILD not in methods:
            return RtoClass.DAYS
        return RtoClass.UNDER_AN_HOUR if site.recovery.live_restore else RtoClass.HOURS
    if source is RtoFrom.REMOTE_RESTORE and (
        RecoveryMethod.PEER_RESTORE in methods or RecoveryMethod.CLOUD in methods
    ):
        return RtoClass.HOURS
    return RtoClass.DAYS


def estimate(
    disaster: Disaster, site: SiteConfig, service: Service, copies: tuple[Copy, ...]
) -> Estimate:
    """The best recovery from ``disaster`` that the surviving copies allow."""
    by_kind = {copy.kind: copy for copy in copies}
    candidates = []
    for rule in RULES:
        copy = by_kind.get(rule.copy)
        if rule.disaster is disaster and copy and _survives(rule.survives, site, service):
            rpo = _rpo(rule.rpo, site, copy)
            rto = rto_class(rule.rto, site, service)
            unbounded = rpo is None
            candidates.append(((unbounded, rpo or timedelta(0), rto.rank), rule.copy, rpo, rto))
    if not candidates:
        return Estimate(disaster=disaster, recoverable=False)
    _, via, rpo, rto = min(candidates, key=lambda candidate: candidate[0])
    return Estimate(disaster=disaster, recoverable=True, via=via, rpo=rpo, rto=rto)


def render_rules_table() -> str:
    """``RULES`` as a Markdown table (the copy in ``tappaas/policy/README.md``)."""
    lines = [
        "| Disaster | Surviving copy | Condition | RPO (data loss) | RTO (recovery) |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {rule.disaster} | {rule.copy} | {rule.survives} | {rule.rpo} | {rule.rto} |"
        for rule in RULES
    ]
    return "\n".join(lines)
