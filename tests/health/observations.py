"""Observations for rule tests: a healthy site at ``NOW`` to break one fact at a time."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tappaas.health import (
    DatastoreUsage,
    DrillOutcome,
    HaService,
    JobRun,
    Observation,
    OffsiteCopy,
    PeerView,
    PersonalCopies,
    Replication,
    Snapshot,
)
from tappaas.model import SiteConfig

HOUR, DAY = 3600, 86400
NOW = 1_736_000_000 // DAY * DAY + 12 * HOUR
"""Noon; the daily backup ran at 02:00."""
LAST_BACKUP = NOW - 10 * HOUR


def healthy(site: SiteConfig, **changes: Any) -> Observation:
    """Every service backed up at 02:00 (verified the day before), fetched by the peer,
    replicated a minute ago, started at home, drilled yesterday; jobs fine."""
    snapshots = {
        s.vmid: (
            Snapshot(LAST_BACKUP - DAY, "ok", LAST_BACKUP - 2 * HOUR, 2**30, True),
            Snapshot(LAST_BACKUP, None, None, 2**30, True),
        )
        for s in site.services.values()
    }
    observation = Observation(
        now=NOW,
        local=snapshots,
        offsite={
            s.vmid: OffsiteCopy(LAST_BACKUP, LAST_BACKUP + 2 * HOUR) for s in site.services.values()
        },
        peer_view=PeerView.PULL_READS,
        personal=PersonalCopies(mounted=False, last_sync=NOW - DAY),
        replication={
            s.vmid: Replication(
                f"{s.vmid}-0", s.vmid, s.ha.failover_node or "", NOW - 60, NOW - 60, 4.0, 0
            )
            for s in site.services.values()
        },
        ha={
            s.vmid: HaService(s.vmid, s.node, "started", "started") for s in site.services.values()
        },
        datastores=(
            DatastoreUsage("tappaas_backup", 8 * 2**40, 2**40, NOW - 7 * HOUR, "ok", "05:00"),
        ),
        jobs=(
            JobRun(
                "prune", "tappaas_backup-retention", "03:00", NOW - 9 * HOUR, "ok", NOW + 15 * HOUR
            ),
        ),
        drills={name: DrillOutcome(NOW - DAY, True, "", 61.0, NOW - DAY) for name in site.services},
    )
    return replace(observation, **changes)
