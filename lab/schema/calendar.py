"""The one place the lab checks calendar events (PVE ``pve-calendar-event``, PBS schedules).

It uses the product's parser ``tappaas.schedule.calendar.parse_calendar_event`` when that
module is installed, and otherwise a loose check of the characters and words the grammar
allows. Both products call the same Rust parser, so one check serves both.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from functools import cache

_LOOSE_EVENT = re.compile(r"^[A-Za-z0-9*/:,.\- ]+$")
_WORDS = frozenset(
    {
        *("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("minutely", "hourly", "daily", "weekly", "monthly", "yearly", "annually"),
        *("quarterly", "semiannually", "semi-annually", "utc"),
    }
)


@cache
def _product_parser() -> Callable[[str], object] | None:
    try:
        module = importlib.import_module("tappaas.schedule.calendar")
    except ImportError:
        return None
    parser = getattr(module, "parse_calendar_event", None)
    return parser if callable(parser) else None


def _loose_error(text: str) -> str | None:
    if not text.strip():
        return "unable to parse calendar event - event is empty"
    if not _LOOSE_EVENT.match(text):
        return f"unable to parse calendar event '{text}'"
    if any(word.lower() not in _WORDS for word in re.findall(r"[A-Za-z][A-Za-z\-]*", text)):
        return f"unable to parse calendar event '{text}'"
    return None


def calendar_event_error(text: str) -> str | None:
    """None if ``text`` is a valid calendar event, else the parser's message."""
    parser = _product_parser()
    if parser is None:
        return _loose_error(text)
    try:
        parser(text)
    except ValueError as exc:
        return str(exc)
    return None
