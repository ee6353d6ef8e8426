"""Prune against the documented examples, the worked example and 400 days of daily backups."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lab.behaviour.prune import (
    KeepOptions,
    PruneMark,
    PveKeepOptions,
    compute_prune_info,
    prune_mark_backup_group,
    snapshots_to_remove,
)
from lab.behaviour.snapshots import BackupGroup, Snapshot
from tests.lab_behaviour.prune_reference import reference_reasons

GROUP = BackupGroup.parse("vm/100")
DAY = timedelta(days=1)


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def snap(text: str, protected: bool = False, finished: bool = True) -> Snapshot:
    return Snapshot(GROUP, at(text), protected=protected, finished=finished)


def marks_by_time(info: list[tuple[Snapshot, PruneMark]]) -> dict[str, PruneMark]:
    return {datetime.fromtimestamp(s.backup_time, UTC).strftime("%m-%d %H:%M"): m for s, m in info}


def test_documented_example_keep_daily_1_weekly_3():
    """PBS docs/backup-client.rst: keep 1,0,1,0,1 over 12-04, 12-03, 11-22, 11-21, 11-10."""
    days = ["2019-12-04", "2019-12-03", "2019-11-22", "2019-11-21", "2019-11-10"]
    snapshots = [snap(f"{d}T13:20:37") for d in days]
    info = compute_prune_info(snapshots, KeepOptions(daily=1, weekly=3))
    assert [s.backup_time for s, _ in info] == [at(f"{d}T13:20:37") for d in days]
    assert [m.keeps for _, m in info] == [True, False, True, False, True]


def worked_example_snapshots() -> list[Snapshot]:
    """Notes §1: daily 02:00 from 02-01 to 03-31-2025, a manual 03-31 14:00, 02-10 protected."""
    start = datetime(2025, 2, 1, 2, tzinfo=UTC)
    daily = [start + i * DAY for i in range(59)]
    snapshots = [
        Snapshot(GROUP, int(t.timestamp()), protected=t.strftime("%m-%d") == "02-10") for t in daily
    ]
    return [*snapshots, snap("2025-03-31T14:00:00")]


def test_worked_example_from_the_notes():
    options = KeepOptions(last=3, daily=7, weekly=4, monthly=3)
    marks = marks_by_time(compute_prune_info(worked_example_snapshots(), options))
    kept = {when for when, mark in marks.items() if mark is PruneMark.KEEP}
    last = {"03-31 14:00", "03-31 02:00", "03-30 02:00"}
    daily = {f"03-{d:02d} 02:00" for d in range(23, 30)}
    weekly = {"03-16 02:00", "03-09 02:00", "03-02 02:00", "02-23 02:00"}
    assert kept == last | daily | weekly  # monthly adds nothing: March and February are covered
    assert Counter(marks.values()) == {
        PruneMark.KEEP: 14,
        PruneMark.PROTECTED: 1,
        PruneMark.REMOVE: 45,
    }
    assert marks["02-10 02:00"] is PruneMark.PROTECTED


def test_protected_never_removed_and_never_uses_a_slot():
    snapshots = [snap("2025-03-03T02:00:00", protected=True), snap("2025-03-02T02:00:00")]
    info = compute_prune_info(snapshots, KeepOptions(last=1))
    assert [m for _, m in info] == [PruneMark.PROTECTED, PruneMark.KEEP]


def test_iso_week_year_differs_from_calendar_year():
    """2024-12-30 is in ISO week 2025-W01, so it shares a weekly bucket with 2025-01-05."""
    snapshots = [snap("2025-01-05T02:00:00"), snap("2024-12-30T02:00:00")]
    info = compute_prune_info(snapshots, KeepOptions(weekly=5))
    assert [m for _, m in info] == [PruneMark.KEEP, PruneMark.REMOVE]


def test_an_option_stops_at_its_count_leaving_older_snapshots_to_later_options():
    """keep-daily=1 keeps 03-03 and stops; keep-monthly passes over 03-02 (March is covered
    by 03-03, so 03-02 is removed) and keeps February's newest."""
    snapshots = [snap("2025-03-03T02:00:00"), snap("2025-03-02T02:00:00")]
    snapshots += [snap("2025-02-27T02:00:00"), snap("2025-02-26T02:00:00")]
    info = compute_prune_info(snapshots, KeepOptions(daily=1, monthly=2))
    assert [m for _, m in info] == [
        PruneMark.KEEP,
        PruneMark.REMOVE,
        PruneMark.KEEP,
        PruneMark.REMOVE,
    ]


def test_unfinished_snapshots():
    """The newest unfinished one survives only when no finished snapshot is newer."""
    newest_unfinished = [
        snap("2025-03-03T02:00:00", finished=False),
        snap("2025-03-02T02:00:00"),
        snap("2025-03-01T02:00:00", finished=False),
    ]
    marks = [m for _, m in compute_prune_info(newest_unfinished, KeepOptions(last=5))]
    assert marks == [PruneMark.KEEP_PARTIAL, PruneMark.KEEP, PruneMark.REMOVE]
    finished_newer = [snap("2025-03-03T02:00:00"), snap("2025-03-02T02:00:00", finished=False)]
    marks = [m for _, m in compute_prune_info(finished_newer, KeepOptions(last=5))]
    assert marks == [PruneMark.KEEP, PruneMark.REMOVE]


def test_newest_finished_is_always_kept_when_any_option_is_set():
    snapshots = [snap("2025-03-03T02:00:00"), snap("2025-03-02T02:00:00")]
    for options in (KeepOptions(yearly=1), KeepOptions(hourly=1), KeepOptions(monthly=1)):
        assert compute_prune_info(snapshots, options)[0][1] is PruneMark.KEEP


def test_no_option_set_keeps_everything():
    snapshots = [snap("2025-03-03T02:00:00"), snap("2025-03-02T02:00:00")]
    assert not KeepOptions().keeps_something
    assert snapshots_to_remove(snapshots, KeepOptions()) == []


def test_snapshots_to_remove_is_oldest_first():
    snapshots = [snap(f"2025-03-0{d}T02:00:00") for d in (1, 4, 2, 3)]
    removed = snapshots_to_remove(snapshots, KeepOptions(last=1))
    assert [s.backup_time for s in removed] == [at(f"2025-03-0{d}T02:00:00") for d in (1, 2, 3)]


def test_keep_counts_below_one_are_rejected():
    with pytest.raises(ValueError, match="keep-daily must be at least 1"):
        KeepOptions(daily=0)
    with pytest.raises(ValueError, match="must not be negative"):
        PveKeepOptions(weekly=-1)


def test_pve_variant_matches_pbs_on_the_worked_example():
    snapshots = worked_example_snapshots()
    pve = prune_mark_backup_group(snapshots, PveKeepOptions(last=3, daily=7, weekly=4, monthly=3))
    pbs = compute_prune_info(snapshots, KeepOptions(last=3, daily=7, weekly=4, monthly=3))
    assert pve == pbs


def test_pve_keep_all_and_zero_means_unset():
    snapshots = [snap("2025-03-03T02:00:00", protected=True), snap("2025-03-02T02:00:00")]
    for options in (PveKeepOptions(keep_all=True, last=1), PveKeepOptions()):
        marks = [m for _, m in prune_mark_backup_group(snapshots, options)]
        assert marks == [PruneMark.PROTECTED, PruneMark.KEEP]
    older = [*snapshots, snap("2025-03-01T02:00:00")]
    marks = [m for _, m in prune_mark_backup_group(older, PveKeepOptions(last=1, daily=0))]
    assert marks == [PruneMark.PROTECTED, PruneMark.KEEP, PruneMark.REMOVE]


def test_pve_options_as_passed_to_pbs():
    assert PveKeepOptions(keep_all=True, daily=3).for_pbs() == KeepOptions()
    assert PveKeepOptions(daily=3, weekly=0).for_pbs() == KeepOptions(daily=3)


RETENTION = {"daily": 7, "weekly": 4, "monthly": 12, "yearly": 100}


def last_sunday(year: int, month: int) -> datetime:
    day = datetime(year + month // 12, month % 12 + 1, 1, 2, tzinfo=UTC) - DAY
    return day - (day.isoweekday() % 7) * DAY


def test_400_days_of_daily_backups_pruned_daily():
    """Backups at 02:00 from 2025-01-01, each followed by a prune (as vzdump does).

    Every day the survivors must equal the reference rule applied to the previous survivors
    plus the new backup. At the end: 7 daily + 4 weekly + 12 monthly, and one per year without
    a yearly keep of its own — the overlap: keep-monthly reaches back to January 2025 (the 7
    daily and 4 weekly cover January and February 2026, 12 monthly cover 2025), so both years
    already hold a kept snapshot and keep-yearly finds no uncovered bucket.
    """
    options = KeepOptions(**RETENTION)
    first = datetime(2025, 1, 1, 2, tzinfo=UTC)
    survivors: list[Snapshot] = []
    reference: set[int] = set()
    for day in range(400):
        backup = Snapshot(GROUP, int((first + day * DAY).timestamp()))
        removed = snapshots_to_remove([*survivors, backup], options)
        survivors = [s for s in [*survivors, backup] if s not in removed]
        reasons = reference_reasons(reference | {backup.backup_time}, RETENTION)
        reference = set(reasons)
        assert {s.backup_time for s in survivors} == reference, f"day {day}"
    assert Counter(reasons.values()) == {"daily": 7, "weekly": 4, "monthly": 12}
    # In calendar terms (the last backup is Wed 2026-02-04): the last 7 days; the Sundays of
    # the 4 ISO weeks before; and, for each month of 2025, its last Sunday — pruning daily,
    # a month's last weekdays were dropped as older members of a week kept for its Sunday
    # before keep-monthly ever saw them.
    last = first + 399 * DAY
    daily = {last - i * DAY for i in range(7)}
    weekly = {datetime(2026, 1, 25, 2, tzinfo=UTC) - i * 7 * DAY for i in range(4)}
    monthly = {last_sunday(2025, month) for month in range(1, 13)}
    assert {datetime.fromtimestamp(t, UTC) for t in reference} == daily | weekly | monthly
    # Pruning the survivors again removes nothing: the retained set is stable.
    assert snapshots_to_remove(survivors, options) == []


option_counts = st.one_of(st.none(), st.integers(min_value=1, max_value=6))


@settings(max_examples=300, deadline=None)
@given(
    times=st.sets(
        st.integers(min_value=at("2023-12-20T00:00:00"), max_value=at("2026-01-10T00:00:00")),
        max_size=40,
    ),
    protected_share=st.integers(min_value=0, max_value=5),
    counts=st.tuples(*([option_counts] * 6)),
)
def test_matches_the_reference_rule(times, protected_share, counts):
    names = ("last", "hourly", "daily", "weekly", "monthly", "yearly")
    options = dict(zip(names, counts, strict=True))
    protected = {t for t in times if protected_share and t % 7 < protected_share}
    snapshots = [Snapshot(GROUP, t, protected=t in protected) for t in times]
    info = compute_prune_info(snapshots, KeepOptions(**options))
    kept = {s.backup_time for s, m in info if m.keeps}
    assert kept == set(reference_reasons(times, options, protected))
