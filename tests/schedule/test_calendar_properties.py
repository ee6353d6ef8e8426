"""Property tests: the next run agrees with a brute-force search, and parsing never crashes."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from tappaas.schedule._civil import civil_from_days, weekday
from tappaas.schedule._fields import FieldValue, list_contains
from tappaas.schedule._grammar import WEEKDAY_NAMES, ParsedEvent
from tappaas.schedule.calendar import CalendarEvent, CalendarEventError, parse_calendar_event

START_2025 = 1735689600  # 2025-01-01T00:00:00Z
TWO_YEARS = 2 * 365 * 86400
ORACLE_HORIZON_DAYS = 16 * 366  # years in events stay below 2035, weekday/date combos recur


def value_list(low: int, high: int, star_steps: Sequence[int]) -> st.SearchStrategy[str]:
    """Field text whose candidates never leave the field (no Proxmox overflow quirks)."""
    single = st.integers(low, high).map(str)
    span = st.tuples(st.integers(low, high), st.integers(low, high)).map(
        lambda ab: f"{min(ab)}..{max(ab)}"
    )
    stepped = st.tuples(st.integers(low, high), st.integers(low, high), st.integers(1, 9)).map(
        lambda abr: f"{min(abr[:2])}..{max(abr[:2])}/{abr[2]}"
    )
    listed = st.lists(st.one_of(single, span, stepped), min_size=1, max_size=3).map(",".join)
    star = st.sampled_from(["*", *(f"*/{r}" for r in star_steps)])
    return st.one_of(listed, star)


weekday_word = st.sampled_from(sorted(WEEKDAY_NAMES)).flatmap(
    lambda w: st.sampled_from([w, w.upper(), w.capitalize()])
)
weekdays = st.lists(
    st.one_of(weekday_word, st.tuples(weekday_word, weekday_word).map("..".join)),
    min_size=1,
    max_size=3,
).map(",".join)
years = st.one_of(
    st.integers(2024, 2034).map(str),
    st.tuples(st.integers(2024, 2034), st.integers(2024, 2034)).map(
        lambda ab: f"{min(ab)}..{max(ab)}"
    ),
)
months = value_list(1, 12, (1, 2, 3, 4, 6, 12))
days = value_list(1, 28, ())  # days ≤ 28 exist in every month
dates = st.one_of(
    st.tuples(months, days).map("-".join),
    st.tuples(years, months, days).map("-".join),
)
times = st.one_of(
    value_list(0, 59, (1, 2, 5, 15, 30)),
    st.tuples(value_list(0, 23, (1, 2, 3, 6, 12)), value_list(0, 59, (5, 15, 30))).map(":".join),
    st.tuples(
        value_list(0, 23, (4, 8)), value_list(0, 59, (10, 20)), value_list(0, 59, (15, 30))
    ).map(":".join),
)
events = (
    st.tuples(
        st.one_of(st.none(), weekdays), st.one_of(st.none(), dates), st.one_of(st.none(), times)
    )
    .filter(any)
    .map(lambda parts: " ".join(p for p in parts if p))
)


def matches(values: Sequence[FieldValue], value: int) -> bool:
    return not values or list_contains(values, value)


def brute_force_next(fields: ParsedEvent, last: int) -> int | None:
    """Smallest second after ``last`` whose every field matches, walking day by day."""
    t0 = last + 1
    first_day = t0 // 86400
    for day_number in range(first_day, first_day + ORACLE_HORIZON_DAYS):
        year, month, day = civil_from_days(day_number)
        if not (
            matches(fields.years, year)
            and matches(fields.months, month)
            and matches(fields.days, day)
            and (not fields.weekdays or weekday(day_number) in fields.weekdays)
        ):
            continue
        earliest = t0 - day_number * 86400 if day_number == first_day else 0
        for hour in range(24):
            if not matches(fields.hours, hour) or (hour + 1) * 3600 <= earliest:
                continue
            for minute in range(60):
                if (
                    not matches(fields.minutes, minute)
                    or hour * 3600 + (minute + 1) * 60 <= earliest
                ):
                    continue
                for second in range(60):
                    second_of_day = hour * 3600 + minute * 60 + second
                    if matches(fields.seconds, second) and second_of_day >= earliest:
                        return day_number * 86400 + second_of_day
    return None


def fields_match(event: CalendarEvent, t: int) -> bool:
    f = event.fields
    day_number, second_of_day = divmod(t, 86400)
    year, month, day = civil_from_days(day_number)
    hour, rest = divmod(second_of_day, 3600)
    minute, second = divmod(rest, 60)
    return (
        matches(f.years, year)
        and matches(f.months, month)
        and matches(f.days, day)
        and (not f.weekdays or weekday(day_number) in f.weekdays)
        and matches(f.hours, hour)
        and matches(f.minutes, minute)
        and matches(f.seconds, second)
    )


@settings(max_examples=300, deadline=None)
@given(events, st.integers(START_2025, START_2025 + TWO_YEARS))
def test_next_run_is_the_first_matching_second(text: str, last: int) -> None:
    event = parse_calendar_event(text)
    assert event.next_epoch_after(last) == brute_force_next(event.fields, last)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(events, st.sampled_from(["*/45", "*/7:00", "*-*/7", "*-*/10 03:00", "*/5-01"])),
    st.integers(-TWO_YEARS, 100 * 365 * 86400),
)
def test_next_run_is_later_matches_every_field_and_is_deterministic(text: str, last: int) -> None:
    """Also for open repetitions, where Proxmox may skip slots: whatever it returns matches."""
    event = parse_calendar_event(text)
    found = event.next_epoch_after(last)
    assert found == parse_calendar_event(text).next_epoch_after(last)
    if found is not None:
        assert found > last
        assert fields_match(event, found)


CALENDAR_CHARS = "0123456789*/.,:- montuewdhfrisaUTCylkq\t"


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(CALENDAR_CHARS, max_size=24), st.text(max_size=24)))
def test_any_text_parses_or_raises_calendar_event_error(text: str) -> None:
    try:
        event = parse_calendar_event(text)
    except CalendarEventError as error:
        assert 0 <= error.position <= len(text)
        assert error.reason
        return
    assert event.text == text
    found = event.next_epoch_after(START_2025)
    assert found is None or found > START_2025
