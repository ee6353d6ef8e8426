"""Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01).

Integer-only, so ``next_after`` avoids building ``datetime`` objects inside its loop. Days out of
the month's range simply roll over, like C ``mktime`` normalisation, which the Proxmox
algorithm relies on (``add_days`` past the month end lands in the next month).
"""

from __future__ import annotations

SECONDS_PER_DAY = 86_400
SECONDS_PER_HOUR = 3_600
SECONDS_PER_MINUTE = 60
DAYS_PER_ERA = 146_097  # 400 Gregorian years
_EPOCH_SHIFT = 719_468  # days from 0000-03-01 to 1970-01-01
_THURSDAY_OFFSET = 3  # 1970-01-01 was a Thursday; Monday = 0


def days_from_civil(year: int, month: int, day: int) -> int:
    """Day number of ``year-month-day``; ``month`` 1..12, ``day`` may exceed the month."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * DAYS_PER_ERA + day_of_era - _EPOCH_SHIFT


def civil_from_days(days: int) -> tuple[int, int, int]:
    """``(year, month, day)`` of a day number."""
    days += _EPOCH_SHIFT
    era = days // DAYS_PER_ERA
    day_of_era = days - era * DAYS_PER_ERA
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = shifted_month + (3 if shifted_month < 10 else -9)
    return year_of_era + era * 400 + (month <= 2), month, day


def first_of_month(year: int, month: int) -> int:
    """Day number of the 1st of ``month``, where ``month`` may run past 12 (normalised)."""
    carry, month_index = divmod(month - 1, 12)
    return days_from_civil(year + carry, month_index + 1, 1)


def weekday(days: int) -> int:
    """Weekday of a day number, Monday = 0 … Sunday = 6 (the Proxmox ``day_num``)."""
    return (days + _THURSDAY_OFFSET) % 7
