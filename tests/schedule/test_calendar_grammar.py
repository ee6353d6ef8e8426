"""Grammar edge cases: what parses, what it means, and how a bad event is reported."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tappaas.schedule._fields import Repeat, Single, Span
from tappaas.schedule.calendar import CalendarEventError, parse_calendar_event

WED = datetime(2025, 1, 15, 10, 7, tzinfo=UTC)


def next_run(text: str, after: datetime = WED) -> datetime | None:
    return parse_calendar_event(text).next_after(after)


def at(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "mon",
        "MON",
        "monDay",
        "Tuesday",
        "wednesday",
        "thu",
        "friday",
        "sat",
        "sunday",
        "mon..fri",
        "mon,tue,fri",
        "mon,tue..wednesday,fri..sat",
        "mon,wed..fri",
        "fri..mon",
    ],
)
def test_upstream_weekday_forms_parse(text: str) -> None:
    assert parse_calendar_event(text).fields.weekdays


def test_weekday_range_wraps_over_sunday() -> None:
    assert parse_calendar_event("fri..mon").fields.weekdays == frozenset({4, 5, 6, 0})
    assert next_run("fri..mon 03:00") == at(1, 17, 3)  # Wed → Fri


def test_all_seven_weekdays_match_any_day() -> None:
    assert next_run("mon..sun 03:00") == at(1, 16, 3)


def test_weekday_without_time_means_midnight() -> None:
    assert next_run("sat") == at(1, 18)


def test_lone_number_is_a_minute() -> None:
    fields = parse_calendar_event("22").fields
    assert fields.hours == () and fields.minutes == (Single(22),) and fields.seconds == (Single(0),)


def test_hour_part_backtracks_when_not_an_hour() -> None:
    """`25:00` is minute 25, second 0: Proxmox drops an hour part that does not parse."""
    fields = parse_calendar_event("25:00").fields
    assert fields.hours == () and fields.minutes == (Single(25),)
    assert next_run("25:00") == at(1, 15, 10, 25)


def test_comma_list_with_an_impossible_hour_becomes_minutes() -> None:
    assert parse_calendar_event("1,30:00").fields.minutes == (Single(1), Single(30))


def test_seconds_part() -> None:
    assert next_run("10:07:30") == at(1, 15, 10, 7, 30)


def test_range_with_step() -> None:
    assert parse_calendar_event("8..17/3:00").fields.hours == (Repeat(8, 3, 17),)
    assert next_run("8..17/3:00") == at(1, 15, 11)


def test_star_step_starts_at_zero_for_time_and_one_for_dates() -> None:
    fields = parse_calendar_event("*-*/10 */6:00").fields
    assert fields.days == (Repeat(1, 10),) and fields.hours == (Repeat(0, 6),)


def test_star_slash_zero_is_not_a_repetition() -> None:
    with pytest.raises(CalendarEventError):
        parse_calendar_event("*/0")


def test_step_zero_matches_only_the_start() -> None:
    assert next_run("10/0:30") == at(1, 15, 10, 30)
    assert next_run("10/0:30", at(1, 15, 10, 31)) == at(1, 16, 10, 30)


def test_open_repetition_skips_the_slot_after_overflow() -> None:
    """`*/45`: 45 → 90 overflows into the next hour at :30, so 11:00 is skipped (as on PVE)."""
    assert next_run("*/45", at(1, 15, 10, 45)) == at(1, 15, 11, 45)


def test_open_hour_repetition_skips_midnight() -> None:
    assert next_run("*/5:00", at(1, 15, 20, 0)) == at(1, 16, 5)


def test_day_and_weekday_must_both_match() -> None:
    assert next_run("fri *-13") == datetime(2025, 6, 13, tzinfo=UTC)


def test_day_31_skips_short_months() -> None:
    assert next_run("*-31", at(4, 5)) == at(5, 31)


def test_year_list_exhausted_is_never() -> None:
    assert next_run("2024-*-* 00:00") is None


def test_year_range_and_step() -> None:
    assert next_run("2026..2030/2-06-01") == datetime(2026, 6, 1, tzinfo=UTC)
    assert next_run("2027/2-01-01", datetime(2027, 1, 2, tzinfo=UTC)) == datetime(
        2029, 1, 1, tzinfo=UTC
    )


def test_year_limit() -> None:
    assert parse_calendar_event("2199-12-31").fields.years == (Single(2199),)
    with pytest.raises(CalendarEventError, match="2200 too large"):
        parse_calendar_event("2200-01-01")


def test_month_day_without_year() -> None:
    assert next_run("12-24 18:00") == at(12, 24, 18)


def test_leap_day_fires_in_a_leap_year() -> None:
    assert next_run("02-29") == datetime(2028, 2, 29, tzinfo=UTC)


def test_rare_combination_within_the_step_bound() -> None:
    """Feb 29 on a Monday: 19 years away, but about 100 search steps, well inside 1000."""
    found = next_run("mon *-02-29")
    assert found == datetime(2044, 2, 29, tzinfo=UTC) and found.weekday() == 0


def test_step_bound_ends_a_search_that_never_matches() -> None:
    """`*-02-30` matches no date; without the 1000-step bound the search would never end."""
    assert next_run("*-02-30") is None


def test_utc_suffix_is_accepted_with_or_without_blank() -> None:
    for text in ("daily UTC", "dailyUTC", "mon..fri 02:00 UTC"):
        assert parse_calendar_event(text).utc
    assert not parse_calendar_event("daily").utc
    assert next_run("mon..fri 02:00 UTC") == at(1, 16, 2)


def test_keywords_are_lower_case_only() -> None:
    with pytest.raises(CalendarEventError, match="unknown weekday 'Daily'"):
        parse_calendar_event("Daily")


def test_text_and_str_round_trip() -> None:
    event = parse_calendar_event("mon..fri 22:00")
    assert str(event) == event.text == "mon..fri 22:00"
    assert event == parse_calendar_event("mon..fri 22:00")


def test_span_is_inclusive() -> None:
    assert parse_calendar_event("8..17:00").fields.hours == (Span(8, 17),)
    assert next_run("8..17:00", at(1, 15, 17, 0)) == at(1, 16, 8)


@pytest.mark.parametrize(
    ("text", "reason", "column"),
    [
        ("", "expected a weekday, a date, a time or a keyword", 1),
        ("UTC", "expected a weekday, a date, a time or a keyword", 1),
        (" daily", "expected a weekday, a date, a time or a keyword", 1),
        ("daily ", "unknown weekday 'daily'", 1),
        ("mon..fry 02:00", "unknown weekday 'fry'", 6),
        ("monday,fry", "unknown weekday 'fry'", 8),
        ("mon..fri 25:61", "value 61 too large (must be below 60)", 13),
        ("60", "value 60 too large (must be below 60)", 1),
        ("24:00:00", "unexpected ':00'", 6),  # 24:00 reads as minute 24, second 0
        ("12:00 tomorrow", "unexpected ' tomorrow'", 6),
        ("17..8:00", "range start 17 is bigger than end 8", 1),
        ("*/60", "value 60 too large (must be below 60)", 3),
        ("2025-13-01", "value 13 too large (must be below 13)", 6),
        ("02:00,", "expected a number", 7),
        ("02:x", "expected a number", 4),
        ("12/:00", "expected a number", 4),
    ],
)
def test_errors_say_what_and_where(text: str, reason: str, column: int) -> None:
    with pytest.raises(CalendarEventError) as caught:
        parse_calendar_event(text)
    error = caught.value
    assert (error.reason, error.position + 1) == (reason, column)
    assert repr(text) in str(error) and f"column {column}" in str(error)
    assert isinstance(error, ValueError)


def test_a_number_too_long_for_int_conversion_is_a_calendar_error() -> None:
    """Python refuses int() of > 4300 digits with a plain ValueError; we must not leak it."""
    with pytest.raises(CalendarEventError, match="too large"):
        parse_calendar_event("1" * 5000)


def test_leading_zeros_are_fine() -> None:
    assert parse_calendar_event("0002:0000005").fields.minutes == (Single(5),)
