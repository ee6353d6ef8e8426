"""Longest gap between runs, the worst case behind every RPO estimate: exact over the period."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tappaas.schedule.calendar import CalendarEventError, parse_calendar_event
from tappaas.schedule.interval import (
    ScheduleTooRareError,
    _cycle_maximum,
    _period_days,
    _waits,
    _waits_for,
    longest_gap,
    longest_wait,
)

DAY = 86400


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
        ("yearly", timedelta(days=366)),  # over a leap year
        ("*-02-29", timedelta(days=8 * 365 + 1)),  # 2096-02-29 → 2104-02-29 (2100 is no leap)
        ("mon..fri */1", timedelta(days=2, minutes=1)),  # Fri 23:59 → Mon 00:00
        ("mon..fri 22", timedelta(days=2, hours=1)),  # minute 22: Fri 23:22 → Mon 00:22
        ("25:00", timedelta(hours=1)),  # minute 25 of every hour
        ("*-*-31 02:00", timedelta(days=61)),  # Aug 31 → Oct 31 (September has 30 days)
        ("mon *-02-29 02:00", timedelta(days=14609)),  # leap days on a Monday: 2472 → 2512
    ],
)
def test_longest_gap(text: str, gap: timedelta) -> None:
    assert longest_gap(text) == gap


@pytest.mark.parametrize(
    ("text", "how"),
    [
        ("2025-02-29", "never runs"),
        ("2026-03-01", "runs only once"),
        ("*-02-30", "never runs"),
        ("2025..2030-01-01", "names years"),
        ("*/2-01-01", "names years"),
    ],
)
def test_schedules_that_do_not_keep_running_are_refused(text: str, how: str) -> None:
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
        ("02:00", "*-*-01 04:00", timedelta(days=30, hours=2)),  # the 2nd of a 31-day month
        ("*/45", "sun 04:00", timedelta(days=6, hours=23, minutes=15)),  # 04:00 is skipped
    ],
)
def test_longest_wait(first: str, then: str, wait: timedelta) -> None:
    assert longest_wait(first, then) == wait


def brute_force_gap(text: str, days: int) -> int:
    """Chained next runs over ``days`` days after two weeks of settling."""
    event = parse_calendar_event(text)
    start = 946684800 + 14 * DAY  # 2000-01-15
    runs = list(event.epochs_between(start, start + days * DAY))
    return max(b - a for a, b in pairwise(runs))


time_fields = st.sampled_from(
    ["02:00", "*/15", "*/45", "*/7", "8..17:0/20", "0/5:30", "*:00", "22", "3,17:05", "*:*/13"]
)
weekdays = st.sampled_from(["", "mon..fri ", "sat,sun ", "wed ", "fri..mon "])


@settings(max_examples=40, deadline=None)
@given(weekdays, time_fields)
def test_the_cycle_agrees_with_chained_runs(days: str, time: str) -> None:
    """For weekly patterns three weeks of chained runs cover every gap."""
    assert longest_gap(days + time).total_seconds() == brute_force_gap(days + time, 21)


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("02:00", "*-*-01 04:00"),
        ("mon..fri 01:30", "sat *-1..7 04:00"),
        ("sat 23:00", "*-*-1,15 06:00"),
        ("12:00", "*-02-29 00:00"),
    ],
)
def test_both_ways_of_measuring_a_wait_agree(first: str, then: str) -> None:
    """Walking the leader's runs (400 years of them) and walking the sparse follower's runs
    give the same wait."""
    leader, follower = parse_calendar_event(first), parse_calendar_event(then)
    assert not leader.may_skip_matches
    period = _period_days(leader, follower)
    along_leader = _cycle_maximum(leader, period, _waits(follower))
    along_follower = _cycle_maximum(follower, period, _waits_for(leader))
    assert along_leader == along_follower == longest_wait(first, then).total_seconds()


@pytest.mark.parametrize(
    ("text", "skips"),
    [
        ("*/15", False),
        ("02:00", False),
        ("*-*-31", False),
        ("*/45", True),  # 10:45 → 11:45, never 11:00
        ("*/7", True),
        ("*-*-1/10", True),  # Feb 22 → Mar 3: March 1 is stepped over
        ("*/5-01", True),  # Nov → April: January is stepped over
    ],
)
def test_which_events_step_over_matching_times(text: str, skips: bool) -> None:
    assert parse_calendar_event(text).may_skip_matches is skips


@pytest.mark.parametrize(
    ("text", "omitted"),
    [("mon..fri 22", True), ("25:00", True), ("*/15", True), ("22:00", False), ("hourly", False)],
)
def test_an_omitted_hour_is_remembered(text: str, omitted: bool) -> None:
    assert parse_calendar_event(text).hour_omitted is omitted
