"""Anchors: one verified snapshot per group and month that prune cannot remove (pure).

A peer's prune job trusts the snapshots' dates, which their writer chose (see
``snapshot_clock``). PBS never prunes a protected snapshot (proxmox-backup
``pbs-datastore/src/prune.rs``: ``PruneMark::Protected``), so the peer marks one snapshot
per backup group and month protected — an anchor — and its history survives a flood of
forged snapshots. Anchors are released only as the design's retention allows, judged by the
peer's own clock and not by the snapshots' dates: a monthly anchor after ``keep_monthly``
months, the year's first anchor never (yearly = forever).

Which snapshot anchors a month: the oldest verified one, not from the future, that the
anchoring run sees first; once a month has its anchor, later arrivals (even back-dated ones)
never replace it. On a peer's guest copies every protected snapshot is an anchor: a sync
never carries protection (proxmox-backup ``src/server/pull.rs`` copies the manifest and
files, not the ``.protected`` marker), so nothing else sets it there. (Notes cannot mark
anchors: the next pull re-syncs a group's newest snapshot and its manifest, notes included.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tappaas.policy.snapshot_clock import DEFAULT_CLOCK_SKEW, SnapshotRef


def month_of(snapshot: SnapshotRef) -> int:
    """Months since year 0 of the snapshot's (UTC) date."""
    when = snapshot.when
    return when.year * 12 + when.month - 1


def is_anchor(snapshot: SnapshotRef) -> bool:
    """On a guest's copy, protected means anchored (see the module docstring)."""
    return snapshot.protected


@dataclass(frozen=True)
class AnchorPlan:
    """What an anchoring run does: protect these, release those; and what it sees."""

    protect: list[SnapshotRef] = field(default_factory=list)
    release: list[SnapshotRef] = field(default_factory=list)
    kept: list[SnapshotRef] = field(default_factory=list)
    """Anchors that stay."""
    unanchored: list[tuple[str, str, str]] = field(default_factory=list)
    """(namespace, group, ``YYYY-MM``) months in the retention window with snapshots but no
    verified one to anchor yet (a check reports them)."""


def plan_anchors(
    snapshots: Iterable[SnapshotRef],
    now: datetime,
    keep_monthly: int,
    skew: timedelta = DEFAULT_CLOCK_SKEW,
) -> AnchorPlan:
    """The anchoring of every group in ``snapshots`` at ``now`` (see the module docstring)."""
    groups: dict[tuple[str, str, str], list[SnapshotRef]] = defaultdict(list)
    for snapshot in snapshots:
        groups[(snapshot.store, snapshot.namespace, snapshot.group)].append(snapshot)
    plan = AnchorPlan()
    current = now.year * 12 + now.month - 1
    window_start = current - max(keep_monthly, 1) + 1
    limit = (now + skew).timestamp()
    for members in groups.values():
        _plan_group(sorted(members, key=lambda s: s.time), window_start, limit, plan)
    return plan


def _plan_group(
    members: Sequence[SnapshotRef], window_start: int, limit: float, plan: AnchorPlan
) -> None:
    anchors = {month_of(s): s for s in reversed(members) if is_anchor(s)}  # oldest per month
    by_month: dict[int, list[SnapshotRef]] = defaultdict(list)
    for snapshot in members:
        if snapshot.time <= limit:
            by_month[month_of(snapshot)].append(snapshot)
    chosen = dict(anchors)
    for month, candidates in sorted(by_month.items()):
        if month in chosen:
            continue
        eligible = [s for s in candidates if s.verified and not s.protected]
        first_of_year = not any(m // 12 == month // 12 and m < month for m in chosen)
        if eligible and (month >= window_start or first_of_year):
            chosen[month] = eligible[0]
            plan.protect.append(eligible[0])
        elif not eligible and month >= window_start:
            first = candidates[0]
            plan.unanchored.append((first.namespace, first.group, first.when.strftime("%Y-%m")))
    yearly = {min(m for m in chosen if m // 12 == year) for year in {m // 12 for m in chosen}}
    for month, anchor in sorted(anchors.items()):
        if month < window_start and month not in yearly:
            plan.release.append(anchor)
        else:
            plan.kept.append(anchor)
