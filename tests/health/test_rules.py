"""Status rules as pure functions: one fact changed at a time, its line's state and why."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tappaas.health import (
    Check,
    DatastoreUsage,
    DrillOutcome,
    HaService,
    JobRun,
    Metric,
    OffsiteCopy,
    PersonalCopies,
    Snapshot,
    SourceError,
    State,
    evaluate,
    worst,
)
from tappaas.model import SiteConfig, load_stack_file
from tests.conftest import REPO
from tests.health.observations import DAY, HOUR, LAST_BACKUP, NOW, healthy

NEXTCLOUD = 340


@pytest.fixture(scope="module")
def prod() -> SiteConfig:
    return load_stack_file(REPO / "Pulumi.prod.yaml")


def line(report, subject: str, check: Check):
    [found] = [x for x in report.lines if x.subject == subject and x.check is check]
    return found


def test_a_healthy_site_is_ok_everywhere(prod: SiteConfig) -> None:
    report = evaluate(prod, healthy(prod))
    assert {(x.subject, x.check, x.state) for x in report.lines if x.state is not State.OK} == set()
    assert report.state is State.OK
    backup = line(report, "nextcloud", Check.BACKUP)
    assert dict(backup.metrics)[Metric.BACKUP_AGE] == 10 * HOUR
    assert backup.why == "newest 10h ago (every 1d), 2 kept"


@pytest.mark.parametrize(
    ("age", "state"),
    [(10 * HOUR, State.OK), (36 * HOUR + 1, State.WARN), (3 * DAY + 1, State.CRIT)],
)
def test_backup_age_against_one_and_a_half_and_three_periods(prod, age, state) -> None:
    snapshot = Snapshot(NOW - age, "ok", NOW - age + 60)
    obs = healthy(prod, local={NEXTCLOUD: (snapshot,)})
    assert line(evaluate(prod, obs), "nextcloud", Check.BACKUP).state is state


def test_a_backup_dated_in_the_future_is_crit(prod) -> None:
    """A forged timestamp (trust boundaries: prune keeps by date, the writer picks it) is
    CRIT by the one rule of ``tappaas.policy.snapshot_clock``, 15 minutes of skew allowed."""
    skewed = Snapshot(NOW + 10 * 60, "ok", NOW)
    obs = healthy(prod, local={NEXTCLOUD: (Snapshot(LAST_BACKUP), skewed)})
    assert line(evaluate(prod, obs), "nextcloud", Check.BACKUP).state is State.OK
    forged = Snapshot(NOW + 200 * DAY)
    obs = healthy(prod, local={NEXTCLOUD: (Snapshot(LAST_BACKUP), forged)})
    backup = line(evaluate(prod, obs), "nextcloud", Check.BACKUP)
    assert backup.state is State.CRIT
    assert backup.why.startswith("1 backup(s) dated in the future (latest 2025-")


def test_no_backup_at_all_is_crit(prod) -> None:
    report = evaluate(prod, healthy(prod, local={}))
    assert line(report, "nextcloud", Check.BACKUP).state is State.CRIT
    assert "no backup of vm/340 in tappaas_backup" in line(report, "nextcloud", Check.BACKUP).why


def test_newest_backup_failing_verification_is_crit(prod) -> None:
    bad = (Snapshot(LAST_BACKUP - DAY, "ok", NOW - DAY), Snapshot(LAST_BACKUP, "failed", NOW))
    result = line(evaluate(prod, healthy(prod, local={NEXTCLOUD: bad})), "nextcloud", Check.VERIFY)
    assert (result.state, result.why) == (State.CRIT, "newest backup (10h ago) failed verification")


def test_no_verified_backup_within_the_window_is_crit(prod) -> None:
    # weekly verify + daily backup: window 1.5 x 8 days = 12 days
    old = Snapshot(NOW - 13 * DAY, "ok", NOW - 13 * DAY)
    recent = tuple(Snapshot(NOW - d * DAY) for d in range(12, 0, -1))
    result = line(
        evaluate(prod, healthy(prod, local={NEXTCLOUD: (old, *recent)})), "nextcloud", Check.VERIFY
    )
    assert result.state is State.CRIT and "newest verified backup is 13d old" in result.why


def test_an_older_failed_verification_warns(prod) -> None:
    snaps = (
        Snapshot(NOW - 3 * DAY, "failed", NOW - DAY),
        Snapshot(NOW - 2 * DAY, "ok", NOW - DAY),
        Snapshot(LAST_BACKUP),
    )
    result = line(
        evaluate(prod, healthy(prod, local={NEXTCLOUD: snaps})), "nextcloud", Check.VERIFY
    )
    assert (result.state, result.why) == (State.WARN, "1 older backup(s) failed verification")


def test_verification_switched_off_warns(prod) -> None:
    assert prod.backup is not None
    verify = prod.backup.verify.model_copy(update={"schedule": None})
    site = prod.model_copy(update={"backup": prod.backup.model_copy(update={"verify": verify})})
    assert line(evaluate(site, healthy(site)), "nextcloud", Check.VERIFY).state is State.WARN


def test_peer_stopped_pulling_for_three_days_is_crit_while_local_is_ok(prod) -> None:
    stale = {NEXTCLOUD: OffsiteCopy(LAST_BACKUP - 3 * DAY, LAST_BACKUP - 3 * DAY + 2 * HOUR)}
    report = evaluate(prod, healthy(prod, offsite=stale))
    offsite = line(report, "nextcloud", Check.OFFSITE)
    assert offsite.state is State.CRIT
    assert offsite.why.startswith("none newer than 2d: newest 3d 10h old")
    assert dict(offsite.metrics)[Metric.OFFSITE_LAG] == 3 * DAY
    assert line(report, "nextcloud", Check.BACKUP).state is State.OK


def test_one_missed_pull_warns_on_lag(prod) -> None:
    behind = {NEXTCLOUD: OffsiteCopy(LAST_BACKUP - 2 * DAY, LAST_BACKUP - 2 * DAY + 2 * HOUR)}
    site = prod.model_copy(
        update={"monitoring": prod.monitoring.model_copy(update={"offsite_max_age": timedelta(3)})}
    )
    offsite = line(evaluate(site, healthy(site, offsite=behind)), "nextcloud", Check.OFFSITE)
    assert offsite.state is State.WARN and "2d behind local" in offsite.why


def test_a_copy_the_peer_never_fetched_is_crit(prod) -> None:
    offsite = line(evaluate(prod, healthy(prod, offsite={})), "nextcloud", Check.OFFSITE)
    assert (offsite.state, offsite.why) == (State.CRIT, "the peer never fetched a backup")


def test_an_unreadable_source_is_unknown_and_named(prod) -> None:
    error = SourceError("pbs local", "PBS GET /nodes/localhost/tasks: connection refused")
    obs = healthy(prod, offsite=None, local=None, unreachable=(error,))
    report = evaluate(prod, obs)
    offsite = line(report, "nextcloud", Check.OFFSITE)
    assert offsite.state is State.UNKNOWN and "pbs local unreachable" in offsite.why
    assert report.state is State.UNKNOWN


def test_personal_disk_is_warn_at_worst(prod) -> None:
    old = PersonalCopies(mounted=False, last_sync=NOW - 40 * DAY)
    result = line(evaluate(prod, healthy(prod, personal=old)), "nextcloud", Check.PERSONAL)
    assert (result.state, result.why) == (State.WARN, "disk not mounted; last synced 40d ago")
    never = line(
        evaluate(prod, healthy(prod, personal=PersonalCopies(mounted=True))),
        "nextcloud",
        Check.PERSONAL,
    )
    assert (never.state, never.why) == (State.WARN, "no copy on the disk")


def test_replication_failures_and_age(prod) -> None:
    base = healthy(prod).replication[NEXTCLOUD]
    failing = replace(base, fail_count=1, error="no route to host")
    report = evaluate(prod, healthy(prod, replication={NEXTCLOUD: failing}))
    result = line(report, "nextcloud", Check.REPLICATION)
    assert result.state is State.WARN and "1 failed: no route to host" in result.why
    late = replace(base, last_sync=NOW - 31 * 60)  # nextcloud's rpo_target is 30m
    report = evaluate(prod, healthy(prod, replication={NEXTCLOUD: late}))
    result = line(report, "nextcloud", Check.REPLICATION)
    assert result.state is State.CRIT and "(rpo_target 30min)" in result.why
    gone = line(evaluate(prod, healthy(prod, replication={})), "nextcloud", Check.REPLICATION)
    assert gone.state is State.CRIT


@pytest.mark.parametrize(
    ("service", "state"),
    [
        (HaService(NEXTCLOUD, "tappaas1", "started"), State.OK),
        (HaService(NEXTCLOUD, "tappaas2", "started"), State.WARN),
        (HaService(NEXTCLOUD, "tappaas1", "fence"), State.WARN),
        (HaService(NEXTCLOUD, "tappaas1", "error"), State.CRIT),
        (HaService(NEXTCLOUD, "tappaas1", "stopped"), State.CRIT),
        (None, State.CRIT),
    ],
)
def test_ha_states(prod, service, state) -> None:
    services = {NEXTCLOUD: service} if service is not None else {}
    assert line(evaluate(prod, healthy(prod, ha=services)), "nextcloud", Check.HA).state is state


def test_drills_warn_when_old_or_missing_and_crit_when_failed(prod) -> None:
    old = DrillOutcome(NOW - 8 * DAY, True, "", 70.0, NOW - 8 * DAY)
    failed = DrillOutcome(
        NOW - DAY, False, "restore failed: live-restore failed", None, NOW - 8 * DAY
    )
    cases = {"nextcloud": old, "firewall": failed}
    report = evaluate(prod, healthy(prod, drills=cases))
    assert line(report, "nextcloud", Check.DRILL).state is State.WARN
    assert line(report, "firewall", Check.DRILL).state is State.CRIT
    assert "FAILED 1d ago: restore failed" in line(report, "firewall", Check.DRILL).why
    assert line(report, "identity", Check.DRILL).why == "never drilled (tappaas drill)"


def test_datastore_usage_thresholds_and_failed_jobs(prod) -> None:
    full = DatastoreUsage("tappaas_backup", 100, 91, NOW - HOUR, "ok", "05:00")
    job = JobRun("verify", "weekly", "sun 06:00", NOW - HOUR, "verification failed", None)
    report = evaluate(prod, healthy(prod, datastores=(full,), jobs=(job,)))
    assert line(report, "datastore tappaas_backup", Check.USAGE).state is State.CRIT
    failed = line(report, "verify weekly", Check.JOB)
    assert (failed.state, failed.why) == (State.WARN, "last run 1h ago failed: verification failed")


def test_states_combine_with_crit_above_unknown_above_warn() -> None:
    assert worst([State.OK, State.WARN, State.UNKNOWN]) is State.UNKNOWN
    assert worst([State.UNKNOWN, State.CRIT, State.WARN]) is State.CRIT
    assert worst([]) is State.OK
    assert [int(s) for s in State] == [0, 1, 2, 3]
