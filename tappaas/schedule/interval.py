"""The longest wait between two runs of a schedule: the worst case a RPO estimate must assume.

Exact over the whole period of the event. The dates a calendar event without a year runs on
repeat every day, every week, or every 400 Gregorian years (``CalendarEvent.repeat_days``),
and the runs come from the calendar's own next-run algorithm (Proxmox's, quirks included:
``*/45`` goes 10:45 → 11:45). Shifted by the period, a run's next run shifts by the same
amount, so once a period starts with a run at an offset seen before, every gap from then on
repeats one already measured: the longest gap of that cycle is the schedule's, leap days and
the skipped leap year 2100 included (``*-02-29`` waits 8 years, 2096 → 2104).

To walk 400 years quickly, the runs inside one day are computed once per time of the day's
first run (inside a day the date fields all match, so only the time fields decide); moving
from one day to the next uses the full algorithm.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from itertools import pairwise

from tappaas.schedule._civil import SECONDS_PER_DAY, days_from_civil
from tappaas.schedule.calendar import CalendarEvent, parse_calendar_event

REFERENCE_DAY = days_from_civil(2000, 1, 1)
"""Where the walk starts (any day would do: the pattern is periodic)."""
MAX_PERIODS = 64
"""Periods walked before the runs must have settled into a cycle (they do within two or three;
the bound only stops a defect from looping)."""
_CACHE_SIZE = 1024


class ScheduleTooRareError(ValueError):
    """A valid calendar event that does not keep running (``2025-02-29``, a year part)."""


Measure = Callable[[int | None, int, tuple[int, ...]], Iterator[tuple[int, int]]]
"""``(previous day's last run or None, day number, the day's runs)`` → ``(time, value)``
pairs, each value at the time of the run it is measured from."""


@dataclass
class _DayWalk:
    """An event's runs, one day at a time: ``(day number, seconds of the day of its runs)``."""

    event: CalendarEvent
    _clock: CalendarEvent = field(init=False)
    _days: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._clock = self.event.time_of_day()

    def runs_from(self, first_second: int) -> tuple[int, ...]:
        """A day's runs from its first one, which decides the rest (cached per first run)."""
        runs = self._days.get(first_second)
        if runs is None:
            base = REFERENCE_DAY * SECONDS_PER_DAY
            found = [first_second]
            t = self._clock.next_epoch_after(base + first_second)
            while t is not None and t < base + SECONDS_PER_DAY:
                found.append(t - base)
                t = self._clock.next_epoch_after(t)
            runs = self._days[first_second] = tuple(found)
        return runs

    def days(self, start_day: int) -> Iterator[tuple[int, tuple[int, ...]]]:
        """Days with runs from ``start_day`` on; ends if the event stops running."""
        t = self.event.next_epoch_after(start_day * SECONDS_PER_DAY - 1)
        while t is not None:
            day, second = divmod(t, SECONDS_PER_DAY)
            runs = self.runs_from(second)
            yield day, runs
            t = self.event.next_epoch_after(day * SECONDS_PER_DAY + runs[-1])


def _period_days(*events: CalendarEvent) -> int:
    """A common period of the events' dates (each divides the largest: 1, 7, 146 097)."""
    periods = []
    for event in events:
        days = event.repeat_days
        if days is None:
            raise _names_years(event)
        periods.append(days)
    return max(periods)


def _how_often(runs: int) -> str:
    return "never runs" if runs == 0 else "runs only once"


def _names_years(event: CalendarEvent) -> ScheduleTooRareError:
    """Why an event with a year part cannot bound data loss (it ends, or skips years)."""
    runs: list[int] = []
    t = event.next_epoch_after(-1)
    while t is not None and len(runs) < 2:
        runs.append(t)
        t = event.next_epoch_after(t)
    if len(runs) < 2:
        return ScheduleTooRareError(f"schedule {event.text!r} {_how_often(len(runs))}")
    return ScheduleTooRareError(
        f"schedule {event.text!r} names years, so it ends or skips years: drop the year part "
        "to run every year"
    )


def _stops(event: CalendarEvent, runs: int) -> ScheduleTooRareError:
    if runs < 2:
        return ScheduleTooRareError(f"schedule {event.text!r} {_how_often(runs)}")
    return ScheduleTooRareError(
        f"schedule {event.text!r} stops: after some runs Proxmox finds no next run"
    )


def _cycle_maximum(event: CalendarEvent, period_days: int, measure: Measure) -> int:
    """The largest value ``measure`` gives over one full cycle of the event's runs.

    Each value counts for the period (from ``REFERENCE_DAY``) of the time it is measured
    from; once a period starts with a run at an offset an earlier period started with, the
    periods from that one on are the cycle.
    """
    period_seconds = period_days * SECONDS_PER_DAY
    origin = REFERENCE_DAY * SECONDS_PER_DAY
    first_offsets: dict[int, int] = {}
    largest: dict[int, int] = {}
    current: int | None = None
    previous_last: int | None = None
    count = 0
    for day, runs in _DayWalk(event).days(REFERENCE_DAY):
        for at, value in measure(previous_last, day, runs):
            key = (at - origin) // period_seconds
            largest[key] = max(largest.get(key, 0), value)
        period, day_in_period = divmod(day - REFERENCE_DAY, period_days)
        if period != current:
            offset = day_in_period * SECONDS_PER_DAY + runs[0]
            if offset in first_offsets:
                return max(largest.get(p, 0) for p in range(first_offsets[offset], period))
            if len(first_offsets) >= MAX_PERIODS:
                raise RuntimeError(f"the runs of {event.text!r} did not settle into a cycle")
            first_offsets[offset] = current = period
        previous_last = day * SECONDS_PER_DAY + runs[-1]
        count += len(runs)
    raise _stops(event, count)


def _gaps() -> Measure:
    """Gaps between consecutive runs (the gap into a day counts from the day before's run)."""
    inside: dict[tuple[int, ...], int] = {}

    def measure(
        previous_last: int | None, day: int, runs: tuple[int, ...]
    ) -> Iterator[tuple[int, int]]:
        start = day * SECONDS_PER_DAY
        if previous_last is not None:
            yield previous_last, start + runs[0] - previous_last
        if runs not in inside:
            inside[runs] = max((b - a for a, b in pairwise(runs)), default=0)
        yield start + runs[0], inside[runs]

    return measure


def _waits(follower: CalendarEvent) -> Measure:
    """From each run, the wait until the next run of ``follower`` (strictly after it).

    Walked along the leader's runs: for a leader whose dates repeat no slower than the
    follower's.
    """

    def measure(_: int | None, day: int, runs: tuple[int, ...]) -> Iterator[tuple[int, int]]:
        start = day * SECONDS_PER_DAY
        for second in runs:
            run = start + second
            following = follower.next_epoch_after(run)
            if following is None:
                raise _stops(follower, 2)
            yield run, following - run

    return measure


def _waits_for(leader: CalendarEvent) -> Measure:
    """Walked along the follower's runs instead (when the follower is the sparse one): for
    each run F, the longest wait ending there is from the leader's first run at or after the
    follower's run before F. Needs a leader whose runs are exactly its matching times."""

    def measure(
        previous_last: int | None, day: int, runs: tuple[int, ...]
    ) -> Iterator[tuple[int, int]]:
        start = day * SECONDS_PER_DAY
        before = previous_last
        for second in runs:
            run = start + second
            if before is not None:
                first = leader.next_epoch_after(before - 1)
                if first is None:
                    raise _stops(leader, 2)
                if first < run:
                    yield before, run - first
            before = run

    return measure


@lru_cache(maxsize=_CACHE_SIZE)
def longest_gap(text: str) -> timedelta:
    """Longest time between consecutive runs of ``text``, over the event's whole period.

    Raises ``CalendarEventError`` for invalid text, ``ScheduleTooRareError`` if it does not
    keep running (never, once, a year part, or Proxmox's search gives up).
    """
    event = parse_calendar_event(text)
    return timedelta(seconds=_cycle_maximum(event, _period_days(event), _gaps()))


@lru_cache(maxsize=_CACHE_SIZE)
def longest_wait(first: str, then: str) -> timedelta:
    """Longest time from a run of ``first`` to the next run of ``then`` (strictly after it).

    E.g. a 02:00 backup and a 04:00 off-site sync: 2 hours. A sync at the same minute as the
    backup does not carry it (the backup is still running), so the next one counts.
    """
    longest_gap(first)  # the same validation: both must repeat
    longest_gap(then)
    leader, follower = parse_calendar_event(first), parse_calendar_event(then)
    period = _period_days(leader, follower)
    if _period_days(follower) > _period_days(leader) and not leader.may_skip_matches:
        return timedelta(seconds=_cycle_maximum(follower, period, _waits_for(leader)))
    return timedelta(seconds=_cycle_maximum(leader, period, _waits(follower)))
