"""Schedules as Proxmox reads them: calendar events and the gaps between their runs (pure).

Public API: ``from tappaas.schedule.calendar import parse_calendar_event, CalendarEvent,
CalendarEventError``.
"""
