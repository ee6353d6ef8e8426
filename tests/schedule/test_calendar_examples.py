"""Next-run examples: the fact sheet's table and proxmox-time's own test vectors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tappaas.schedule.calendar import parse_calendar_event

LAST = datetime(2025, 1, 15, 10, 7, tzinfo=UTC)  # a Wednesday


def at(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# /work/shared/notes/proxmox-behaviour.md §2, "next 3" from Wed 2025-01-15 10:07:00 UTC.
FACT_SHEET = {
    "02:00": [at(1, 16, 2), at(1, 17, 2), at(1, 18, 2)],
    "*/15": [at(1, 15, 10, 15), at(1, 15, 10, 30), at(1, 15, 10, 45)],
    "hourly": [at(1, 15, 11), at(1, 15, 12), at(1, 15, 13)],
    "daily": [at(1, 16), at(1, 17), at(1, 18)],
    "weekly": [at(1, 20), at(1, 27), at(2, 3)],
    "monthly": [at(2, 1), at(3, 1), at(4, 1)],
    "yearly": [at(1, 1, year=2026), at(1, 1, year=2027), at(1, 1, year=2028)],
    "mon..fri 22:00": [at(1, 15, 22), at(1, 16, 22), at(1, 17, 22)],
    "mon..fri 22": [at(1, 15, 10, 22), at(1, 15, 11, 22), at(1, 15, 12, 22)],
    "sat *-1..7 15:00": [at(2, 1, 15), at(3, 1, 15), at(4, 5, 15)],
    "mon..fri 8..17,22:0/15": [at(1, 15, 10, 15), at(1, 15, 10, 30), at(1, 15, 10, 45)],
    "12/2:5": [at(1, 15, 12, 5), at(1, 15, 14, 5), at(1, 15, 16, 5)],
    "1..10/3:00": [at(1, 16, 1), at(1, 16, 4), at(1, 16, 7)],
    "*-05": [at(2, 5), at(3, 5), at(4, 5)],
}


@pytest.mark.parametrize(("text", "expected"), FACT_SHEET.items(), ids=list(FACT_SHEET))
def test_fact_sheet_next_three(text: str, expected: list[datetime]) -> None:
    event = parse_calendar_event(text)
    runs = []
    t = LAST
    for _ in expected:
        nxt = event.next_after(t)
        assert nxt is not None
        runs.append(nxt)
        t = nxt
    assert runs == expected


def test_february_29_in_a_common_year_never_fires() -> None:
    assert parse_calendar_event("2025-02-29").next_after(LAST) is None


def test_occurrences_matches_chained_next_after() -> None:
    event = parse_calendar_event("*/15")
    window = list(event.occurrences(LAST, LAST + timedelta(hours=1)))
    assert window == [at(1, 15, 10, 15), at(1, 15, 10, 30), at(1, 15, 10, 45), at(1, 15, 11)]


def test_occurrences_are_strictly_after_start_and_include_end() -> None:
    event = parse_calendar_event("hourly")
    start = at(1, 15, 10)
    assert list(event.occurrences(start, at(1, 15, 12))) == [at(1, 15, 11), at(1, 15, 12)]


def test_epochs_between_matches_occurrences() -> None:
    event = parse_calendar_event("mon..fri 02:30")
    start, end = LAST, LAST + timedelta(days=14)
    epochs = list(event.epochs_between(int(start.timestamp()), int(end.timestamp())))
    assert epochs == [int(t.timestamp()) for t in event.occurrences(start, end)]
    assert len(epochs) == 10


def test_next_after_is_strict_on_an_exact_event_time() -> None:
    assert parse_calendar_event("02:00").next_after(at(1, 16, 2)) == at(1, 17, 2)


def test_next_after_with_fractional_seconds_stays_strictly_after() -> None:
    t = at(1, 15, 10, 14) + timedelta(seconds=59, microseconds=500_000)
    assert parse_calendar_event("*/15").next_after(t) == at(1, 15, 10, 15)


def test_next_after_converts_other_timezones_to_utc() -> None:
    plus_two = datetime(2025, 1, 15, 12, 7, tzinfo=timezone(timedelta(hours=2)))  # 10:07 UTC
    result = parse_calendar_event("hourly").next_after(plus_two)
    assert result == at(1, 15, 11)
    assert result is not None and result.tzinfo == UTC


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_calendar_event("daily").next_after(datetime(2025, 1, 15))


def test_past_year_9999_is_none() -> None:
    assert parse_calendar_event("yearly").next_after(datetime(9999, 6, 1, tzinfo=UTC)) is None


# proxmox-time src/test.rs `test_compute_next_event` (all parsed with a `UTC` suffix).
MIN, HOUR, DAY = 60, 3600, 86400
THURSDAY_00_00 = 0  # 1970-01-01 was a Thursday
THURSDAY_15_00 = 15 * HOUR
JUL_31_2020 = 1596153600  # Friday
DEC_31_2020 = 1609372800  # Thursday

UPSTREAM_VECTORS = [
    ("0", THURSDAY_00_00, HOUR),
    ("*", THURSDAY_00_00, MIN),
    ("*:0", THURSDAY_00_00, HOUR),
    ("*:*", THURSDAY_00_00, MIN),
    ("*:*:*", THURSDAY_00_00, 1),
    ("*:3:5", THURSDAY_00_00, 3 * MIN + 5),
    ("mon *:*", THURSDAY_00_00, 4 * DAY),
    ("mon 2:*", THURSDAY_00_00, 4 * DAY + 2 * HOUR),
    ("mon 2:50", THURSDAY_00_00, 4 * DAY + 2 * HOUR + 50 * MIN),
    ("tue", THURSDAY_00_00, 5 * DAY),
    ("wed", THURSDAY_00_00, 6 * DAY),
    ("thu", THURSDAY_00_00, 7 * DAY),
    ("fri", THURSDAY_00_00, 1 * DAY),
    ("sat", THURSDAY_00_00, 2 * DAY),
    ("sun", THURSDAY_00_00, 3 * DAY),
    ("4..10/2:0", THURSDAY_00_00, 4 * HOUR),
    ("4..10/2:0", 5 * HOUR, 6 * HOUR),
    ("4..10/2:0", 11 * HOUR, DAY + 4 * HOUR),
    ("5,10:4,8", THURSDAY_00_00, 5 * HOUR + 4 * MIN),
    ("10,5:8,4", THURSDAY_00_00, 5 * HOUR + 4 * MIN),
    ("6,4..10:23,5/5", THURSDAY_00_00, 4 * HOUR + 5 * MIN),
    ("4..10,6:5/5,23", THURSDAY_00_00, 4 * HOUR + 5 * MIN),
    ("sat", JUL_31_2020, JUL_31_2020 + 1 * DAY),
    ("sun", JUL_31_2020, JUL_31_2020 + 2 * DAY),
    ("mon", JUL_31_2020, JUL_31_2020 + 3 * DAY),
    ("tue", JUL_31_2020, JUL_31_2020 + 4 * DAY),
    ("wed", JUL_31_2020, JUL_31_2020 + 5 * DAY),
    ("thu", JUL_31_2020, JUL_31_2020 + 6 * DAY),
    ("fri", JUL_31_2020, JUL_31_2020 + 7 * DAY),
    ("fri", DEC_31_2020, DEC_31_2020 + 1 * DAY),
    ("sat", DEC_31_2020, DEC_31_2020 + 2 * DAY),
    ("sun", DEC_31_2020, DEC_31_2020 + 3 * DAY),
    ("mon", DEC_31_2020, DEC_31_2020 + 4 * DAY),
    ("tue", DEC_31_2020, DEC_31_2020 + 5 * DAY),
    ("wed", DEC_31_2020, DEC_31_2020 + 6 * DAY),
    ("thu", DEC_31_2020, DEC_31_2020 + 7 * DAY),
    ("daily", THURSDAY_00_00, DAY),
    ("daily", 1, DAY),
    ("2020-07-31", 0, JUL_31_2020),
    ("02-28", 0, (31 + 27) * DAY),
    ("02-29", 0, 2 * 365 * DAY + (31 + 28) * DAY),
    ("1965/5-01-01", -1, THURSDAY_00_00),
    ("2020-7..9-2/2", JUL_31_2020, JUL_31_2020 + 2 * DAY),
    ("2020,2021-12-31", JUL_31_2020, DEC_31_2020),
    ("minutely", THURSDAY_00_00, MIN),
    ("hourly", THURSDAY_00_00, HOUR),
    ("weekly", THURSDAY_00_00, 4 * DAY),
    ("monthly", 0, 31 * DAY),
    ("quarterly", 0, (31 + 28 + 31) * DAY),
    ("semiannually", 0, (31 + 28 + 31 + 30 + 31 + 30) * DAY),
    ("semi-annually", 0, (31 + 28 + 31 + 30 + 31 + 30) * DAY),
    ("yearly", 0, 365 * DAY),
    ("annually", 0, 365 * DAY),
]


@pytest.mark.parametrize(("text", "last", "expected"), UPSTREAM_VECTORS)
def test_upstream_vector(text: str, last: int, expected: int) -> None:
    event = parse_calendar_event(f"{text} UTC")
    assert event.utc
    assert event.next_epoch_after(last) == expected


@pytest.mark.parametrize(
    ("text", "start", "step", "count"),
    [("5/2:0", 0, 2 * HOUR, 4), ("*:*", 0, MIN, 99), ("*:0", 0, HOUR, 99), ("1:0", 0, DAY, 99)],
)
def test_upstream_chains(text: str, start: int, step: int, count: int) -> None:
    event = parse_calendar_event(f"{text} UTC")
    first = event.next_epoch_after(THURSDAY_15_00 if text == "1:0" else start)
    assert first is not None
    offset = first
    for _ in range(count - 1):
        nxt = event.next_epoch_after(offset)
        assert nxt == offset + step
        offset = nxt


@pytest.mark.parametrize("text", ["2021-02-29", "02-30"])
def test_upstream_never(text: str) -> None:
    assert parse_calendar_event(f"{text} UTC").next_epoch_after(0) is None
