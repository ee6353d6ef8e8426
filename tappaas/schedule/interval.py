"""The longest wait between two runs of a schedule: the worst case a RPO estimate must assume.

Measured over a fixed window (so the policy is deterministic): the first ``MAX_RUNS`` runs after
``REFERENCE_START``, at most ``HORIZON`` long. Calendar events are periodic (day, week, month,
year), so a thousand runs or two years cover every gap pattern users write.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import islice, pairwise

from tappaas.schedule.calendar import parse_calendar_event

REFERENCE_START = datetime(2025, 1, 1, tzinfo=UTC)
HORIZON = timedelta(days=731)
MAX_RUNS = 1000
_CACHE_SIZE = 1024


class ScheduleTooRareError(ValueError):
    """A valid calendar event that runs fewer than twice in the window (e.g. ``2025-02-29``)."""


@lru_cache(maxsize=_CACHE_SIZE)
def longest_gap(text: str) -> timedelta:
    """Longest time between consecutive runs of ``text`` within the reference window.

    Raises ``CalendarEventError`` for invalid text, ``ScheduleTooRareError`` if it runs fewer
    than twice.
    """
    start = int(REFERENCE_START.timestamp())
    runs = parse_calendar_event(text).epochs_between(start, start + int(HORIZON.total_seconds()))
    times = list(islice(runs, MAX_RUNS))
    if len(times) < 2:
        how_often = "never runs" if not times else "runs only once"
        raise ScheduleTooRareError(
            f"schedule {text!r} {how_often} between {REFERENCE_START:%Y-%m-%d} and "
            f"{REFERENCE_START + HORIZON:%Y-%m-%d}"
        )
    return timedelta(seconds=max(later - earlier for earlier, later in pairwise(times)))


@lru_cache(maxsize=_CACHE_SIZE)
def longest_wait(first: str, then: str) -> timedelta:
    """Longest time from a run of ``first`` to the next run of ``then`` (strictly after it).

    E.g. a 02:00 backup and a 04:00 off-site sync: 2 hours. A sync at the same minute as the
    backup does not carry it (the backup is still running), so the next one counts.
    """
    longest_gap(first)  # the same validation: both must repeat
    longest_gap(then)
    follower = parse_calendar_event(then)
    start = int(REFERENCE_START.timestamp())
    runs = parse_calendar_event(first).epochs_between(start, start + int(HORIZON.total_seconds()))
    waits = []
    for run in islice(runs, MAX_RUNS):
        following = follower.next_epoch_after(run)
        if following is not None:
            waits.append(following - run)
    return timedelta(seconds=max(waits))
