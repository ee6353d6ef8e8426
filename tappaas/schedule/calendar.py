"""PVE/PBS calendar events: parse once, then ask for the next run cheaply.

A port of proxmox-time (``CalendarEvent``, ``compute_next_event``), the Rust code that both
PBS and PVE (through ``Proxmox::RS::CalendarEvent``) use, so a schedule means here exactly what
it means on the cluster, quirks included:

- a lone number is a minute (``mon..fri 22`` = minute 22 of every hour on workdays);
- day-of-month and weekday must both match (``sat *-1..7 15:00`` = first Saturday);
- an open repetition may skip a slot (``*/45`` minutes: 10:45 → 11:45, not 11:00);
- the search gives up after 1000 steps (``2025-02-29`` never fires, ``02-30`` neither).

Time is UTC: TAPPaaS pins its clusters (and the lab) to UTC, so server-local time and the
``UTC`` suffix agree; the suffix is accepted and kept in ``CalendarEvent.utc``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from tappaas.schedule._civil import (
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    SECONDS_PER_MINUTE,
    civil_from_days,
    days_from_civil,
    first_of_month,
    weekday,
)
from tappaas.schedule._fields import FieldTable, Single, list_contains, list_next_above
from tappaas.schedule._grammar import (
    UTC_SUFFIX,
    CalendarEventError,
    ParsedEvent,
    parse_event_fields,
)

__all__ = ["UTC_SUFFIX", "CalendarEvent", "CalendarEventError", "parse_calendar_event"]

MAX_SEARCH_STEPS = 1001
"""Proxmox stops after ``count > 1000`` with ``count`` starting at 0: 1001 loop passes."""

DAYS_PER_WEEK = 7
GREGORIAN_CYCLE_DAYS = 146_097
"""400 Gregorian years: leap years, month lengths and weekdays all repeat (20 871 weeks)."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_SECOND = timedelta(seconds=1)
_PARSE_CACHE_SIZE = 4096


def _weekday_jumps(weekdays: frozenset[int]) -> tuple[int, ...]:
    """Days to add from each weekday (Monday = 0) to reach an allowed one (0 = allowed).

    Like Proxmox, a miss goes to the next allowed day this week, else to next Monday (which the
    next loop pass checks again). No weekdays means any day.
    """
    if not weekdays:
        return (0,) * 7
    jumps = []
    for day in range(7):
        later = [d for d in range(day + 1, 7) if d in weekdays]
        jumps.append(0 if day in weekdays else (later[0] - day if later else 7 - day))
    return tuple(jumps)


@dataclass(frozen=True)
class CalendarEvent:
    """A parsed calendar event; ``text`` is what the user wrote (and what Proxmox is sent)."""

    text: str
    fields: ParsedEvent = field(repr=False, compare=False)
    _months: FieldTable = field(init=False, repr=False, compare=False)
    _days: FieldTable = field(init=False, repr=False, compare=False)
    _weekday_jumps: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _hours: FieldTable = field(init=False, repr=False, compare=False)
    _minutes: FieldTable = field(init=False, repr=False, compare=False)
    _seconds: FieldTable = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Tabulate every field once, so ``next_after`` only indexes tuples."""
        tables = {
            "_months": FieldTable.build(self.fields.months),
            "_days": FieldTable.build(self.fields.days),
            "_weekday_jumps": _weekday_jumps(self.fields.weekdays),
            "_hours": FieldTable.build(self.fields.hours),
            "_minutes": FieldTable.build(self.fields.minutes),
            "_seconds": FieldTable.build(self.fields.seconds),
        }
        for name, table in tables.items():
            object.__setattr__(self, name, table)

    @property
    def utc(self) -> bool:
        """Whether the text ends in ``UTC`` (the same instants here: TAPPaaS runs in UTC)."""
        return self.fields.utc

    def __str__(self) -> str:
        return self.text

    @property
    def hour_omitted(self) -> bool:
        """Whether a time was written without its hour, so it runs every hour (``mon..fri 22``)."""
        return self.fields.hour_omitted

    @property
    def looks_like_a_time(self) -> tuple[int, ...]:
        """The minutes of an event written like a time of day but missing its hour, which
        runs every hour at them (``mon..fri 22``: minute 22; ``25:00``: minute 25); empty
        for anything else (``*/15``, ``*:22`` and ``hourly`` say what they mean)."""
        minutes = self.fields.minutes
        if not self.hour_omitted or not minutes or not all(isinstance(m, Single) for m in minutes):
            return ()
        return tuple(m.value for m in minutes if isinstance(m, Single))

    @property
    def repeat_days(self) -> int | None:
        """Days after which the dates the event runs on repeat; ``None`` if it names years.

        No date part: every day (1); weekdays only: a week (7); months or days of the month:
        the 400-year Gregorian cycle (leap years included, a whole number of weeks).
        """
        if self.fields.years:
            return None
        if not all(self._months.allowed[1:13]) or not all(self._days.allowed[1:32]):
            return GREGORIAN_CYCLE_DAYS
        return DAYS_PER_WEEK if self.fields.weekdays else 1

    @property
    def may_skip_matches(self) -> bool:
        """Whether the next-run search may step over a time the event matches.

        Proxmox's quirk: a repetition that overshoots its field rolls into the next month,
        day, hour or minute at the overshoot (``*/45``: 10:45 → 11:30 → 11:45, never 11:00).
        Without it, the runs are exactly the matching times, from any starting point.
        """
        fields = (
            (self._months, 1, 13, 12),  # (table, first value, limit, shortest unit it rolls by)
            (self._days, 1, 32, 28),
            (self._hours, 0, 24, 24),
            (self._minutes, 0, 60, 60),
            (self._seconds, 0, 60, 60),
        )
        for table, first, limit, shortest in fields:
            allowed = [v for v in range(first, limit) if table.allowed[v]]
            for value in range(first, limit):
                landing = table.next_above[value]
                if table.allowed[value] or landing is None or landing < first + shortest:
                    continue
                if allowed and allowed[0] < landing - shortest:
                    return True
        return False

    def time_of_day(self) -> CalendarEvent:
        """The same event on every day: its time fields only (runs within an allowed day)."""
        every_day = replace(self.fields, weekdays=frozenset(), years=(), months=(), days=())
        return CalendarEvent(self.text, every_day)

    def next_epoch_after(self, last: int) -> int | None:
        """First event strictly after Unix time ``last`` (seconds), or ``None`` for never.

        The loop of proxmox-time ``compute_next_event``: check fields coarse to fine; on a miss
        jump to the next candidate (zeroing finer fields) and start over.
        """
        years = self.fields.years
        months, days, hours = self._months, self._days, self._hours
        minutes, seconds, weekday_jumps = self._minutes, self._seconds, self._weekday_jumps
        t = last + 1
        for _ in range(MAX_SEARCH_STEPS):
            day_number, second_of_day = divmod(t, SECONDS_PER_DAY)
            year, month, day = civil_from_days(day_number)
            if years and not list_contains(years, year):
                next_year = list_next_above(years, year)
                if next_year is None:
                    return None
                t = days_from_civil(next_year, 1, 1) * SECONDS_PER_DAY
                continue
            if not months.allowed[month]:
                next_month = months.next_above[month]
                month_start = (
                    first_of_month(year, next_month)
                    if next_month is not None
                    else days_from_civil(year + 1, 1, 1)
                )
                t = month_start * SECONDS_PER_DAY
                continue
            if not days.allowed[day]:
                next_day = days.next_above[day]
                target = (
                    day_number + next_day - day
                    if next_day is not None
                    else first_of_month(year, month + 1)
                )
                t = target * SECONDS_PER_DAY
                continue
            if jump := weekday_jumps[weekday(day_number)]:
                t = (day_number + jump) * SECONDS_PER_DAY
                continue
            day_start = day_number * SECONDS_PER_DAY
            hour, second_of_hour = divmod(second_of_day, SECONDS_PER_HOUR)
            if not hours.allowed[hour]:
                next_hour = hours.next_above[hour]
                t = day_start + (
                    SECONDS_PER_DAY if next_hour is None else next_hour * SECONDS_PER_HOUR
                )
                continue
            minute, second = divmod(second_of_hour, SECONDS_PER_MINUTE)
            hour_start = day_start + hour * SECONDS_PER_HOUR
            if not minutes.allowed[minute]:
                next_minute = minutes.next_above[minute]
                t = hour_start + (
                    SECONDS_PER_HOUR if next_minute is None else next_minute * SECONDS_PER_MINUTE
                )
                continue
            minute_start = hour_start + minute * SECONDS_PER_MINUTE
            if not seconds.allowed[second]:
                next_second = seconds.next_above[second]
                t = minute_start + (SECONDS_PER_MINUTE if next_second is None else next_second)
                continue
            return t
        return None

    def next_after(self, t: datetime) -> datetime | None:
        """First event strictly after the aware datetime ``t``, in UTC; ``None`` for never.

        Also ``None`` past year 9999, which ``datetime`` cannot represent.
        """
        if t.tzinfo is None or t.utcoffset() is None:
            raise ValueError(f"next_after needs an aware datetime, got naive {t.isoformat()}")
        following = self.next_epoch_after((t - _EPOCH) // _ONE_SECOND)
        if following is None:
            return None
        try:
            return _EPOCH + timedelta(seconds=following)
        except OverflowError:
            return None

    def epochs_between(self, after: int, until: int) -> Iterator[int]:
        """Event times ``after < t <= until`` in Unix seconds, oldest first."""
        t = self.next_epoch_after(after)
        while t is not None and t <= until:
            yield t
            t = self.next_epoch_after(t)

    def occurrences(self, after: datetime, until: datetime) -> Iterator[datetime]:
        """Event times strictly after ``after`` and up to and including ``until``, in UTC."""
        t = self.next_after(after)
        while t is not None and t <= until:
            yield t
            t = self.next_after(t)


@lru_cache(maxsize=_PARSE_CACHE_SIZE)
def parse_calendar_event(text: str) -> CalendarEvent:
    """Parse a PVE/PBS calendar event (cached: events are immutable and often repeated).

    Raises ``CalendarEventError`` (a ``ValueError``) naming what is wrong and at which column.
    """
    return CalendarEvent(text, parse_event_fields(text))
