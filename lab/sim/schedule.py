"""Calendar events for the lab's schedulers: parsed once, invalid ones never fire."""

from __future__ import annotations

from tappaas.schedule.calendar import CalendarEvent, CalendarEventError, parse_calendar_event


def calendar(text: object) -> CalendarEvent | None:
    """The parsed event, or None when unset or invalid (the API refuses those anyway)."""
    if not text:
        return None
    try:
        return parse_calendar_event(str(text))
    except CalendarEventError:
        return None
