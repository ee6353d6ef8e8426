"""The forged-timestamp rule and the anchor plan (issue 18, finding 3), pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tappaas.policy.anchors import plan_anchors
from tappaas.policy.snapshot_clock import (
    DEFAULT_CLOCK_SKEW,
    Health,
    SnapshotRef,
    clock_state,
    future_snapshots,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def snap(when: datetime, *, verified: bool = True, protected: bool = False,
         backup_id: str = "110") -> SnapshotRef:  # fmt: skip
    return SnapshotRef("store", "remote/home", "vm", backup_id, int(when.timestamp()),
                       protected=protected, verified=verified)  # fmt: skip


def test_a_snapshot_after_now_plus_skew_is_crit_and_within_skew_is_not() -> None:
    honest = [snap(NOW - timedelta(days=1)), snap(NOW + DEFAULT_CLOCK_SKEW)]
    forged = snap(NOW + DEFAULT_CLOCK_SKEW + timedelta(seconds=1))
    assert future_snapshots(honest, NOW) == []
    assert clock_state(future_snapshots(honest, NOW)) is Health.OK
    assert future_snapshots([*honest, forged], NOW) == [forged]
    assert clock_state([forged]) is Health.CRIT
    assert forged.name == "remote/home/vm/110/2026-11-27T12:15:01Z"


def test_one_verified_anchor_per_month_oldest_first() -> None:
    members = [
        snap(datetime(2026, 11, 2, 2, tzinfo=UTC), verified=False),
        snap(datetime(2026, 11, 3, 2, tzinfo=UTC)),
        snap(datetime(2026, 11, 4, 2, tzinfo=UTC)),
        snap(datetime(2026, 10, 30, 2, tzinfo=UTC)),
    ]
    plan = plan_anchors(members, NOW, keep_monthly=12)
    assert [s.when.day for s in plan.protect] == [30, 3]
    assert plan.release == [] and plan.unanchored == []


def test_future_snapshots_are_never_anchors_and_an_anchored_month_keeps_its_anchor() -> None:
    anchor = snap(datetime(2026, 11, 3, 2, tzinfo=UTC), protected=True)
    backdated = snap(datetime(2026, 11, 1, 0, tzinfo=UTC))  # arrives later, dated earlier
    forged = [snap(NOW + timedelta(days=31 * i)) for i in range(1, 25)]
    plan = plan_anchors([anchor, backdated, *forged], NOW, keep_monthly=12)
    assert plan.protect == [] and plan.kept == [anchor]


def test_anchors_are_released_as_retention_allows_and_yearly_ones_never() -> None:
    def anchored(year: int, month: int) -> SnapshotRef:
        return snap(datetime(year, month, 5, 2, tzinfo=UTC), protected=True)

    anchors = [anchored(2024, m) for m in (3, 4)] + [anchored(2025, m) for m in range(1, 13)]
    plan = plan_anchors(anchors, NOW, keep_monthly=12)
    released = sorted(s.when.strftime("%Y-%m") for s in plan.release)
    # Window: 2025-12 .. 2026-11. 2024-03 and 2025-01 are their years' first: kept forever.
    assert released == ["2024-04", *(f"2025-{m:02}" for m in range(2, 12))]
    assert {s.when.strftime("%Y-%m") for s in plan.kept} == {"2024-03", "2025-01", "2025-12"}


def test_a_month_without_a_verified_snapshot_is_reported() -> None:
    plan = plan_anchors([snap(datetime(2026, 11, 20, tzinfo=UTC), verified=False)], NOW, 12)
    assert plan.protect == []
    assert plan.unanchored == [("remote/home", "vm/110", "2026-11")]


def test_old_history_is_anchored_once_a_year_when_anchoring_starts() -> None:
    history = [snap(datetime(2023, m, 1, tzinfo=UTC)) for m in (5, 6, 7)]
    plan = plan_anchors(history, NOW, keep_monthly=12)
    assert [s.when.strftime("%Y-%m") for s in plan.protect] == ["2023-05"]
