"""Longest gap between runs, the worst case behind every RPO estimate."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tappaas.schedule.calendar import CalendarEventError
from tappaas.schedule.interval import ScheduleTooRareError, longest_gap, longest_wait


@pytest.mark.parametrize(
    ("text", "gap"),
    [
        ("*/15", timedelta(minutes=15)),
        ("daily", timedelta(days=1)),
        ("02:00", timedelta(days=1)),
        ("hourly", timedelta(hours=1)),
        ("weekly", timedelta(days=7)),
        ("monthly", timedelta(days=31)),
        ("mon..fri 22:00", timedelta(days=3)),  # Friday to Monday
        ("mon..fri 8..17:0/15", timedelta(hours=62, minutes=15)),  # Fri 17:45 → Mon 08:00
        ("*/45", timedelta(hours=1)),  # 10:45 → 11:45: the Proxmox skip widens the gap
        ("sat *-1..7 15:00", timedelta(days=35)),
        ("yearly", timedelta(days=365)),  # 2026-01-01 → 2027-01-01, the two runs in the window
    ],
)
def test_longest_gap(text: str, gap: timedelta) -> None:
    assert longest_gap(text) == gap


@pytest.mark.parametrize(
    ("text", "how"), [("2025-02-29", "never runs"), ("2026-03-01", "only once")]
)
def test_schedules_that_do_not_repeat_are_refused(text: str, how: str) -> None:
    with pytest.raises(ScheduleTooRareError, match=how):
        longest_gap(text)


def test_invalid_text_is_a_calendar_error() -> None:
    with pytest.raises(CalendarEventError):
        longest_gap("daily at noon")


@pytest.mark.parametrize(
    ("first", "then", "wait"),
    [
        ("02:00", "04:00", timedelta(hours=2)),
        ("02:00", "02:00", timedelta(days=1)),  # same minute: the next day's run carries it
        ("02:00", "*/15", timedelta(minutes=15)),
        ("daily", "sun 04:00", timedelta(days=6, hours=4)),  # Monday's backup waits till Sunday
    ],
)
def test_longest_wait(first: str, then: str, wait: timedelta) -> None:
    assert longest_wait(first, then) == wait
