"""Findings about the history kept: retention depth against the design, verify and GC jobs."""

from __future__ import annotations

from collections.abc import Iterator

from tappaas.model import Retention, SiteConfig
from tappaas.model.retention import (
    DESIGN_KEEP_DAILY,
    DESIGN_KEEP_MONTHLY,
    DESIGN_KEEP_WEEKLY,
)
from tappaas.policy.findings import Code, Finding, Severity
from tappaas.policy.report import ProtectionReport

DESIGN_RETENTION = Retention()
"""7 daily, 4 weekly, 12 monthly, yearly forever (the seed design)."""


def retention_shortfalls(retention: Retention) -> list[str]:
    """Buckets kept shorter than the design, e.g. ``["3 daily (design 7)"]``."""
    short = []
    for label, have, design in (
        ("daily", retention.keep_daily, DESIGN_KEEP_DAILY),
        ("weekly", retention.keep_weekly, DESIGN_KEEP_WEEKLY),
        ("monthly", retention.keep_monthly, DESIGN_KEEP_MONTHLY),
    ):
        if have is None or have < design:
            short.append(f"{have or 0} {label} (design {design})")
    if not retention.keeps_yearly_forever:
        short.append(f"{retention.keep_yearly or 0} yearly (design forever)")
    return short


def retention_depth(site: SiteConfig, _: ProtectionReport) -> Iterator[Finding]:
    """History shorter than the design: a slow attack or a late-noticed deletion outlives it."""
    places = []
    if site.backup is not None:
        places.append(("backup.retention", site.backup.retention))
    if site.remote is not None:
        places.append(("remote.retention", site.remote.retention))
    if site.peer is not None:
        places += [
            (f"peer.guests.{name}.retention", guest.retention)
            for name, guest in site.peer.guests.items()
        ]
    for path, retention in places:
        if short := retention_shortfalls(retention):
            yield Finding(
                code=Code.RETENTION_BELOW_DESIGN,
                severity=Severity.WARNING,
                path=path,
                message=f"keeps {', '.join(short)}",
                fix=f"keep at least {DESIGN_RETENTION.describe()}",
            )


def datastore_upkeep(site: SiteConfig, _: ProtectionReport) -> Iterator[Finding]:
    """Without verify, bit rot goes unnoticed; without GC, the datastore only grows."""
    if site.backup is None:
        return
    if site.backup.verify.schedule is None:
        yield Finding(
            code=Code.VERIFY_OFF,
            severity=Severity.WARNING,
            path="backup.verify.schedule",
            message="backups are never verified: corruption shows up only at restore time",
            fix="verify.schedule: 'sun 06:00'",
        )
    if site.backup.gc_schedule is None:
        yield Finding(
            code=Code.GC_OFF,
            severity=Severity.WARNING,
            path="backup.gc_schedule",
            message="garbage collection never runs: pruned backups keep their disk space",
            fix="gc_schedule: '05:00'",
        )
