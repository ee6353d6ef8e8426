"""Keeping a PBS's history safe from its writer: the forged-date check and the anchors.

Runs against the PBS a stack manages (the site's own, or a peer's), with the stack's admin
token: ``check`` lists the snapshots of the stack's own namespace and of every guest's copy
and judges them (``tappaas.policy.snapshot_clock``: any snapshot dated after now + skew is
CRIT; a month of a guest's copy without an anchor is WARN); ``anchor`` applies the anchor
plan (``tappaas.policy.anchors``) to every guest's copy: protect one verified snapshot per
group and month, release anchors as the retention allows, yearly ones never. Meant to run
daily on the peer after its pulls (a timer or the CI's schedule); PBS has no such job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import SecretStr

from tappaas.client import ConnectionSettings, Product, ProxmoxClient
from tappaas.model import SiteConfig
from tappaas.pbs.snapshots import SnapshotApi
from tappaas.policy.anchors import AnchorPlan, plan_anchors
from tappaas.policy.snapshot_clock import (
    DEFAULT_CLOCK_SKEW,
    Health,
    SnapshotRef,
    clock_state,
    future_snapshots,
)


@dataclass(frozen=True)
class Copy:
    """A namespace whose history is judged: the site's own, or a guest's copy (anchored)."""

    namespace: str
    guest: str | None
    keep_monthly: int | None


def copies_of(site: SiteConfig) -> list[Copy]:
    """The stack's own namespace, and each guest's copy on a peer."""
    assert site.backup is not None
    own = [Copy(site.backup.pbs.namespace, None, None)]
    guests = site.peer.guests.items() if site.peer is not None else ()
    return own + [
        Copy(spec.namespace, name, spec.retention.keep_monthly or 1) for name, spec in guests
    ]


def pbs_client(site: SiteConfig, token_secret: SecretStr) -> ProxmoxClient:
    """The stack's PBS, with its admin token, pinned."""
    assert site.backup is not None
    pbs = site.backup.pbs
    return ProxmoxClient(
        ConnectionSettings(
            product=Product.PBS,
            host=pbs.host,
            port=pbs.port,
            fingerprint=pbs.fingerprint,
            token_id=pbs.api_token.token_id,
            token_secret=token_secret,
        )
    )


@dataclass(frozen=True)
class HistoryReport:
    """What a check found on one PBS."""

    now: datetime
    snapshots: int
    future: list[SnapshotRef]
    anchors: int
    unanchored: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def health(self) -> Health:
        """CRIT for forged dates; WARN for months of a copy without an anchor."""
        if clock_state(self.future) is Health.CRIT:
            return Health.CRIT
        return Health.WARN if self.unanchored else Health.OK


def _snapshots(api: SnapshotApi, copies: list[Copy]) -> dict[Copy, list[SnapshotRef]]:
    return {copy: api.list(copy.namespace) for copy in copies}


def check(
    client: ProxmoxClient, site: SiteConfig, now: datetime, skew: timedelta = DEFAULT_CLOCK_SKEW
) -> HistoryReport:
    """Judge the stack's own history and its guests' copies (read-only)."""
    assert site.backup is not None
    listed = _snapshots(SnapshotApi(client, site.backup.pbs.datastore), copies_of(site))
    everything = [s for snapshots in listed.values() for s in snapshots]
    anchors, unanchored = 0, []
    for copy, snapshots in listed.items():
        if copy.keep_monthly is not None:
            plan = plan_anchors(snapshots, now, copy.keep_monthly, skew)
            anchors += len(plan.kept)
            unanchored += plan.unanchored + [
                (s.namespace, s.group, s.when.strftime("%Y-%m")) for s in plan.protect
            ]
    return HistoryReport(now, len(everything), future_snapshots(everything, now, skew),
                         anchors, sorted(set(unanchored)))  # fmt: skip


def anchor(
    client: ProxmoxClient, site: SiteConfig, now: datetime, skew: timedelta = DEFAULT_CLOCK_SKEW
) -> AnchorPlan:
    """Protect each guest copy's new anchors and release the expired ones; the plan done."""
    assert site.backup is not None
    api = SnapshotApi(client, site.backup.pbs.datastore)
    done = AnchorPlan()
    for copy, snapshots in _snapshots(api, copies_of(site)).items():
        if copy.keep_monthly is None:
            continue
        plan = plan_anchors(snapshots, now, copy.keep_monthly, skew)
        for snapshot in plan.protect:
            api.set_protected(snapshot, True)
        for snapshot in plan.release:
            api.set_protected(snapshot, False)
        done.protect.extend(plan.protect)
        done.release.extend(plan.release)
        done.kept.extend(plan.kept)
        done.unanchored.extend(plan.unanchored)
    return done
