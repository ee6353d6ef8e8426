"""The PBS and PVE schedulers: due rule, missed runs, repeat-missed, replication back-off."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lab.behaviour.schedulers import (
    JobRunState,
    is_due,
    next_start,
    next_tick,
    on_pve_scheduler_start,
    replication_next_sync,
)
from tappaas.schedule.calendar import parse_calendar_event

NIGHTLY = parse_calendar_event("02:00")
EVERY_15 = parse_calendar_event("*/15")


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def test_next_tick_is_the_next_full_minute():
    assert next_tick(at("2025-01-15T10:07:00")) == at("2025-01-15T10:07:00")
    assert next_tick(at("2025-01-15T10:07:01")) == at("2025-01-15T10:08:00")


def test_a_new_job_runs_at_the_first_event_after_its_creation():
    state = JobRunState(created=at("2025-01-15T10:07:00"))
    assert next_start(NIGHTLY, state) == at("2025-01-16T02:00:00")
    assert not is_due(NIGHTLY, state, at("2025-01-16T01:59:00"))
    assert is_due(NIGHTLY, state, at("2025-01-16T02:00:00"))
    ran = state.started(at("2025-01-16T02:00:00"))
    assert next_start(NIGHTLY, ran) == at("2025-01-17T02:00:00")


def test_seconds_in_the_schedule_wait_for_the_next_minute_tick():
    state = JobRunState(created=at("2025-01-15T10:07:00"))
    assert next_start(parse_calendar_event("*:*:30"), state) == at("2025-01-15T10:08:00")


def test_pbs_makes_up_one_missed_run_after_downtime():
    state = JobRunState(created=0, last_start=at("2025-01-15T02:00:00"))
    back = at("2025-01-18T09:30:20")  # down since 01-16 01:00: three nightly runs missed
    assert next_start(NIGHTLY, state, up_since=back) == at("2025-01-18T09:31:00")
    made_up = state.started(at("2025-01-18T09:31:00"))
    assert next_start(NIGHTLY, made_up, up_since=back) == at("2025-01-19T02:00:00")


def test_pve_drops_missed_runs_unless_repeat_missed():
    state = JobRunState(created=0, last_start=at("2025-01-15T02:00:00"))
    first_pass = at("2025-01-18T09:31:00")
    skipped = on_pve_scheduler_start(state, first_pass, repeat_missed=False)
    assert next_start(NIGHTLY, skipped, up_since=first_pass) == at("2025-01-19T02:00:00")
    repeated = on_pve_scheduler_start(state, first_pass, repeat_missed=True)
    assert next_start(NIGHTLY, repeated, up_since=first_pass) == first_pass
    # The next run clears `updated` again.
    assert skipped.started(at("2025-01-19T02:00:00")).updated is None


def test_pve_first_pass_on_a_due_minute_drops_that_run_too():
    state = JobRunState(created=0, last_start=at("2025-01-15T02:00:00"))
    boot_tick = at("2025-01-16T02:00:00")
    skipped = on_pve_scheduler_start(state, boot_tick, repeat_missed=False)
    assert not is_due(NIGHTLY, skipped, boot_tick)


def test_a_schedule_that_never_fires():
    never = parse_calendar_event("2025-02-29")
    assert next_start(never, JobRunState(created=at("2025-01-01T00:00:00"))) is None
    assert not is_due(never, JobRunState(created=0), at("2030-01-01T00:00:00"))


def test_replication_follows_the_calendar_after_the_last_try():
    last_try = at("2025-01-15T10:07:00")
    assert replication_next_sync(EVERY_15, last_try, 0, True) == at("2025-01-15T10:15:00")
    assert replication_next_sync(EVERY_15, 0, 0, True) == 0 + 15 * 60  # never ran: due at once


@pytest.mark.parametrize(("fail_count", "minutes"), [(1, 5), (2, 10), (3, 15), (4, 30), (9, 30)])
def test_replication_back_off_while_the_target_is_online(fail_count, minutes):
    last_try = at("2025-01-15T10:07:00")
    assert replication_next_sync(EVERY_15, last_try, fail_count, True) == last_try + minutes * 60
    assert replication_next_sync(EVERY_15, last_try, fail_count, False) is None
