"""Schedules that read like a time of day but run every hour (``mon..fri 22``, ``25:00``).

Proxmox reads a lone number as a minute and drops an hour it cannot use (25 is no hour, so
``25:00`` is minute 25, second 0): both run 24 times a day. Almost always a slip; the warning
says what the text means and how to write either reading.
"""

from __future__ import annotations

from collections.abc import Iterator

from tappaas.model import SiteConfig
from tappaas.policy.findings import Code, Finding, Severity
from tappaas.policy.report import ProtectionReport
from tappaas.schedule.calendar import UTC_SUFFIX, parse_calendar_event


def written_schedules(site: SiteConfig) -> Iterator[tuple[str, str]]:
    """Every calendar event of the config with its path."""
    if site.backup is not None:
        backup = site.backup
        yield "backup.schedule", backup.schedule
        yield "backup.prune_schedule", backup.prune_schedule
        if backup.gc_schedule is not None:
            yield "backup.gc_schedule", backup.gc_schedule
        if backup.verify.schedule is not None:
            yield "backup.verify.schedule", backup.verify.schedule
    for name, service in site.services.items():
        yield f"services.{name}.replication.schedule", service.replication.schedule
    if site.remote is not None:
        yield "remote.schedule", site.remote.schedule
    if site.peer is not None:
        for name, guest in site.peer.guests.items():
            yield f"peer.guests.{name}.schedule", guest.schedule


def _readings(text: str, minutes: tuple[int, ...]) -> tuple[str, str]:
    """What the admin may have meant: the time of day (when it reads as one), and the
    explicit hourly form that keeps the meaning without the warning."""
    body, utc = (
        (text.removesuffix(UTC_SUFFIX).rstrip(), f" {UTC_SUFFIX}")
        if text.endswith(UTC_SUFFIX)
        else (text, "")
    )
    prefix, _, clock = body.rpartition(" ")
    prefix = f"{prefix} " if prefix else ""
    hourly = f"'{prefix}*:{clock}{utc}'"
    if len(minutes) == 1 and ":" not in clock and minutes[0] < 24:
        return f"for {minutes[0]:02d}:00 write '{prefix}{minutes[0]:02d}:00{utc}'", hourly
    return "for a time of day write HH:MM (e.g. '02:30')", hourly


def hourly_lookalikes(site: SiteConfig, _: ProtectionReport) -> Iterator[Finding]:
    """A warning per schedule that runs every hour though written like a time of day."""
    for path, text in written_schedules(site):
        minutes = parse_calendar_event(text).looks_like_a_time
        if not minutes:
            continue
        at = ", ".join(str(minute) for minute in minutes)
        daily, hourly = _readings(text, minutes)
        yield Finding(
            code=Code.SCHEDULE_EVERY_HOUR,
            severity=Severity.WARNING,
            path=path,
            message=f"{text!r} runs every hour, at minute {at}: a number without a colon is "
            "a minute, and an hour above 23 is dropped",
            fix=f"{daily}; to run every hour, write {hourly}",
        )
