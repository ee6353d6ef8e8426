"""Parser for PVE/PBS calendar events, a port of proxmox-time's nom grammar.

``[WEEKDAYS] [[YEARS-]MONTHS-DAYS] [[HOURS:]MINUTES[:SECONDS]] [UTC]``, or a keyword.

The backtracking of the original is kept, because it decides what some strings mean:
``mon..fri 22`` is minute 22 of every hour, ``25:00`` is minute 25 second 0 (25 is no hour, so
the hour part is dropped), ``1,30:00`` is minutes 1 and 30. Whitespace is strict (no leading
or trailing blanks), as PBS checks it. A rejection names a bad value (too large, unknown weekday)
at or past the point where parsing stopped, else the furthest syntax failure: the one a human
means.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from tappaas.schedule._fields import FieldValue, Repeat, Single, Span

T = TypeVar("T")
Values = tuple[FieldValue, ...]

UTC_SUFFIX = "UTC"
YEAR_LIMIT = 2200  # exclusive; systemd's bound, kept by Proxmox
MONTH_LIMIT = 13
DAY_LIMIT = 32
HOUR_LIMIT = 24
MINUTE_LIMIT = 60
SECOND_LIMIT = 60

WEEKDAY_NAMES: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tuesday"),
            ("wed", "wednesday"),
            ("thu", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ]
    )
    for name in names
}

_MIDNIGHT: Values = (Single(0),)


class CalendarEventError(ValueError):
    """A calendar event that PVE/PBS would reject; the message says what and where.

    ``reason`` is what is wrong, ``position`` the 0-based index into ``text``.
    """

    def __init__(self, text: str, reason: str, position: int) -> None:
        self.text = text
        self.reason = reason
        self.position = position
        super().__init__(f"invalid calendar event {text!r}: {reason} at column {position + 1}")


@dataclass(frozen=True)
class ParsedEvent:
    """Field lists as Proxmox holds them; an empty tuple (or set) matches anything.

    ``weekdays`` numbers Monday as 0, like ``datetime.weekday()``.
    """

    utc: bool = False
    weekdays: frozenset[int] = frozenset()
    years: Values = ()
    months: Values = ()
    days: Values = ()
    hours: Values = ()
    minutes: Values = ()
    seconds: Values = ()
    hour_omitted: bool = False
    """A time was written without its hour (``mon..fri 22``, ``25:00``): it runs every hour."""


def _midnight(
    weekdays: frozenset[int] = frozenset(), months: Values = (), days: Values = ()
) -> ParsedEvent:
    """A keyword event at 00:00:00 on the given weekdays, months and days."""
    return ParsedEvent(
        weekdays=weekdays,
        months=months,
        days=days,
        hours=_MIDNIGHT,
        minutes=_MIDNIGHT,
        seconds=_MIDNIGHT,
    )


_FIRST = (Single(1),)
KEYWORDS: dict[str, ParsedEvent] = {
    "minutely": ParsedEvent(seconds=_MIDNIGHT),
    "hourly": ParsedEvent(minutes=_MIDNIGHT, seconds=_MIDNIGHT),
    "daily": _midnight(),
    "weekly": _midnight(weekdays=frozenset({0})),
    "monthly": _midnight(days=_FIRST),
    "yearly": _midnight(months=_FIRST, days=_FIRST),
    "annually": _midnight(months=_FIRST, days=_FIRST),
    "quarterly": _midnight(months=(Single(1), Single(4), Single(7), Single(10)), days=_FIRST),
    "semiannually": _midnight(months=(Single(1), Single(7)), days=_FIRST),
    "semi-annually": _midnight(months=(Single(1), Single(7)), days=_FIRST),
}
"""Keywords, exactly as written (lower case); ``UTC`` may follow."""


class _BranchError(Exception):
    """A parser branch failed at ``position`` (nom's recoverable ``Err::Error``).

    ``about_value`` marks failures on what the user wrote (a value too large, an unknown
    weekday) rather than on what was expected next; those explain a rejection best.
    """

    def __init__(self, position: int, reason: str, about_value: bool) -> None:
        super().__init__(reason)
        self.position = position
        self.reason = reason
        self.about_value = about_value


@dataclass
class _Parser:
    """Recursive descent over ``text`` with nom's semantics; remembers the furthest failures."""

    text: str
    furthest_value_error: _BranchError | None = field(default=None)
    furthest_syntax_error: _BranchError | None = field(default=None)

    def fail(self, position: int, reason: str, *, about_value: bool = False) -> _BranchError:
        """Record and return a failure (raised by the caller)."""
        failure = _BranchError(position, reason, about_value)
        if about_value:
            if self.furthest_value_error is None or position >= self.furthest_value_error.position:
                self.furthest_value_error = failure
        elif self.furthest_syntax_error is None or position > self.furthest_syntax_error.position:
            self.furthest_syntax_error = failure
        return failure

    def optional(self, parse: Callable[[int], tuple[T, int]], pos: int) -> tuple[T | None, int]:
        """nom ``opt``: the parse result, or ``None`` with the position unchanged."""
        try:
            return parse(pos)
        except _BranchError:
            return None, pos

    def tag(self, literal: str, pos: int) -> int:
        """Position after ``literal``, which must follow."""
        if not self.text.startswith(literal, pos):
            raise self.fail(pos, f"expected {literal!r}")
        return pos + len(literal)

    def spaces(self, pos: int) -> int:
        """Position after any blanks (nom ``space0``)."""
        while pos < len(self.text) and self.text[pos] in " \t":
            pos += 1
        return pos

    def separated(self, parse: Callable[[int], tuple[T, int]], pos: int) -> tuple[list[T], int]:
        """nom ``separated_list1(",", parse)``: stops before a comma not followed by an item."""
        first, pos = parse(pos)
        items = [first]
        while self.text.startswith(",", pos):
            try:
                item, after = parse(pos + 1)
            except _BranchError:
                break
            items.append(item)
            pos = after
        return items, pos

    # --- numbers and field values -------------------------------------------------------

    def number(self, pos: int, limit: int) -> tuple[int, int]:
        """Decimal ASCII digits with a value below ``limit``."""
        end = pos
        while end < len(self.text) and "0" <= self.text[end] <= "9":
            end += 1
        if end == pos:
            raise self.fail(pos, "expected a number")
        digits = self.text[pos:end]
        if len(digits.lstrip("0")) > len(str(limit)) or int(digits) >= limit:
            shown = digits if len(digits) <= len(str(limit)) + 2 else f"{digits[:6]}…"
            reason = f"value {shown} too large (must be below {limit})"
            raise self.fail(pos, reason, about_value=True)
        return int(digits), end

    def field_value(self, pos: int, limit: int) -> tuple[FieldValue, int]:
        """``N``, ``a..b``, ``s/r`` or ``a..b/r``."""
        start_pos = pos
        start, pos = self.number(pos, limit)
        if self.text.startswith("..", pos):
            end, after_end = self.optional(lambda p: self.number(p, limit), pos + 2)
            if end is not None:
                if start > end:
                    raise self.fail(
                        start_pos, f"range start {start} is bigger than end {end}", about_value=True
                    )
                pos = after_end
                if self.text.startswith("/", pos):
                    step, pos = self.number(pos + 1, limit)
                    return Repeat(start, step, end), pos
                return Span(start, end), pos
        if self.text.startswith("/", pos):
            step, pos = self.number(pos + 1, limit)
            return Repeat(start, step), pos
        return Single(start), pos

    def field_values(self, pos: int, first: int, limit: int) -> tuple[Values, int]:
        """``*`` (any), ``*/r`` (= ``first/r``) or a comma list of values."""
        if self.text.startswith("*", pos):
            pos += 1
            if self.text.startswith("/", pos):
                step, after = self.number(pos + 1, limit)
                if step > 0:
                    return (Repeat(first, step),), after
            return (), pos
        values, pos = self.separated(lambda p: self.field_value(p, limit), pos)
        return tuple(values), pos

    # --- the three parts ----------------------------------------------------------------

    def weekday(self, pos: int) -> tuple[int, int]:
        """One weekday name (ASCII letters, any case)."""
        end = pos
        while end < len(self.text) and self.text[end].isascii() and self.text[end].isalpha():
            end += 1
        if end == pos:
            raise self.fail(pos, "expected a weekday")
        word = self.text[pos:end]
        if word.lower() not in WEEKDAY_NAMES:
            raise self.fail(pos, f"unknown weekday {word!r}", about_value=True)
        return WEEKDAY_NAMES[word.lower()], end

    def weekday_range(self, pos: int) -> tuple[frozenset[int], int]:
        """``mon`` or ``a..b``; a range may wrap over Sunday (``fri..mon``)."""
        start, pos = self.weekday(pos)
        if self.text.startswith("..", pos):
            end, after = self.optional(self.weekday, pos + 2)
            if end is not None:
                days = (
                    range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)]
                )
                return frozenset(days), after
        return frozenset({start}), pos

    def date(self, pos: int) -> tuple[tuple[Values, Values, Values], int]:
        """``YEARS-MONTHS-DAYS`` or ``MONTHS-DAYS``."""
        try:
            years, after = self.field_values(pos, 0, YEAR_LIMIT)
            months, after = self.field_values(self.tag("-", after), 1, MONTH_LIMIT)
            days, after = self.field_values(self.tag("-", after), 1, DAY_LIMIT)
            return (years, months, days), after
        except _BranchError:
            pass
        try:
            months, after = self.field_values(pos, 1, MONTH_LIMIT)
            days, after = self.field_values(self.tag("-", after), 1, DAY_LIMIT)
            return ((), months, days), after
        except _BranchError:
            raise self.fail(pos, "invalid date") from None

    def time(self, pos: int) -> tuple[tuple[Values | None, Values, Values], int]:
        """``[HOURS:]MINUTES[:SECONDS]``; a lone number is a minute, seconds default to 0.

        The hours are ``None`` when not written (every hour, like ``*``)."""

        def hours_then_colon(p: int) -> tuple[Values, int]:
            hours, after = self.field_values(p, 0, HOUR_LIMIT)
            return hours, self.tag(":", after)

        hours, pos = self.optional(hours_then_colon, pos)
        minutes, pos = self.field_values(pos, 0, MINUTE_LIMIT)
        seconds, pos = self.optional(
            lambda p: self.field_values(self.tag(":", p), 0, SECOND_LIMIT), pos
        )
        return (hours, minutes, _MIDNIGHT if seconds is None else seconds), pos

    def parts(self, utc: bool) -> ParsedEvent:
        """Weekdays, date and time, each optional but not all absent."""
        pos = 0
        weekdays: frozenset[int] = frozenset()
        has_weekdays = self.text[:1].isascii() and self.text[:1].isalpha()
        if has_weekdays:
            ranges, pos = self.separated(self.weekday_range, pos)
            weekdays = frozenset().union(*ranges)
            pos = self.spaces(pos)
        date, pos = self.optional(self.date, pos)
        if date is not None:
            pos = self.spaces(pos)
        time, pos = self.optional(self.time, pos)
        if not has_weekdays and date is None and time is None:
            raise self._explain(pos, "expected a weekday, a date, a time or a keyword")
        if pos != len(self.text):
            raise self._explain(pos, f"unexpected {self.text[pos:]!r}")
        years, months, days = ((), (), ()) if date is None else date
        hours, minutes, seconds = (_MIDNIGHT, _MIDNIGHT, _MIDNIGHT) if time is None else time
        return ParsedEvent(
            utc,
            weekdays,
            years,
            months,
            days,
            () if hours is None else hours,
            minutes,
            seconds,
            hour_omitted=hours is None,
        )

    def _explain(self, pos: int, fallback: str) -> _BranchError:
        """Why parsing stopped at ``pos``: a bad value at or past it, else the furthest syntax
        failure past it, else ``fallback``."""
        value_error, syntax_error = self.furthest_value_error, self.furthest_syntax_error
        if value_error is not None and value_error.position >= pos:
            return value_error
        if syntax_error is not None and syntax_error.position > pos:
            return syntax_error
        return _BranchError(pos, fallback, about_value=False)


def parse_event_fields(text: str) -> ParsedEvent:
    """Parse ``text`` into field lists or raise ``CalendarEventError``."""
    utc = text.endswith(UTC_SUFFIX)
    body = text[: -len(UTC_SUFFIX)].rstrip(" ") if utc else text
    if body in KEYWORDS:
        return replace(KEYWORDS[body], utc=utc)
    try:
        return _Parser(body).parts(utc)
    except _BranchError as failure:
        raise CalendarEventError(text, failure.reason, failure.position) from None
