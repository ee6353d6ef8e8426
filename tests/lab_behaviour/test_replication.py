"""Storage replication: full then incremental, failures and back-off, loss window, flips."""

from __future__ import annotations

import pytest

from lab.behaviour.disk_content import DiskContent
from lab.behaviour.replication import (
    GuestVolumes,
    ReplicaSnapshots,
    ReplicationJob,
    ReplicationRun,
    ReplicationState,
    TransferKind,
    content_time,
    data_loss_window,
    job_status_entry,
    run_replication,
    snapshot_name,
    switch_target,
)
from lab.behaviour.schedulers import replication_next_sync
from tappaas.schedule.calendar import parse_calendar_event

DAY, MIB = 86400, 1024**2
T0 = 1_736_985_600  # 2025-01-16T00:00:00Z
DISK = DiskContent("vm/100", 64, 64 * MIB, 4, origin=T0)
VOLUMES = GuestVolumes(("local-zfs:vm-100-disk-0",), DISK)
JOB = ReplicationJob.from_id("100-0", target="tappaas2", source="tappaas1")
EVERY_15 = parse_calendar_event(JOB.effective_schedule)


def run(
    job: ReplicationJob,
    state: ReplicationState,
    snapshots: ReplicaSnapshots,
    start: int,
    online: bool = True,
) -> ReplicationRun:
    return run_replication(job, state, snapshots, start, target_online=online, volumes=VOLUMES)


def test_job_ids():
    assert (JOB.guest, JOB.jobnum, JOB.id, JOB.effective_schedule) == (100, 0, "100-0", "*/15")
    for bad in ("99-0", "100", "vm-100-0"):
        with pytest.raises(ValueError, match="invalid replication job id"):
            ReplicationJob.from_id(bad, target="a", source="b")


def test_first_run_is_full_then_incremental_from_the_last_snapshot():
    start = T0 + 600
    first = run(JOB, ReplicationState(), {"tappaas1": frozenset()}, start)
    assert first.kind is TransferKind.FULL and first.sent_bytes == 64 * 64 * MIB
    assert first.state == ReplicationState(
        last_sync=start, last_try=start, fail_count=0, duration=round(2 + 4096 * MIB / 110e6, 2)
    )
    assert first.snapshots == {
        "tappaas1": {snapshot_name("100-0", start)},
        "tappaas2": {snapshot_name("100-0", start)},
    }
    assert "full sync 'local-zfs:vm-100-disk-0' (__replicate_100-0_1736986200__)" in first.log
    later = start + DAY
    second = run(JOB, first.state, first.snapshots, later)
    assert second.kind is TransferKind.INCREMENTAL
    assert second.sent_bytes == 4 * 64 * MIB  # one day of change
    assert second.snapshots["tappaas2"] == {snapshot_name("100-0", later)}
    assert (
        "incremental sync 'local-zfs:vm-100-disk-0' "
        "(__replicate_100-0_1736986200__ => __replicate_100-0_1737072600__)"
    ) in second.log


def test_an_offline_target_fails_and_backs_off_only_while_online():
    start = T0 + 600
    good = run(JOB, ReplicationState(), {"tappaas1": frozenset()}, start)
    attempt = start + 900
    failed = run(JOB, good.state, good.snapshots, attempt, online=False)
    assert not failed.ok and failed.snapshots == good.snapshots
    assert (failed.state.last_sync, failed.state.last_try, failed.state.fail_count) == (
        start,
        attempt,
        1,
    )
    assert "pvesr prepare-local-job 100-0' failed: exit code 255" in (failed.state.error or "")
    state = failed.state
    assert replication_next_sync(EVERY_15, state.last_try, state.fail_count, False) is None
    assert replication_next_sync(EVERY_15, state.last_try, state.fail_count, True) == attempt + 300
    recovered = run(JOB, state, failed.snapshots, attempt + 300)
    assert recovered.ok and recovered.state.fail_count == 0 and recovered.state.error is None


def test_a_target_volume_without_a_common_snapshot_fails():
    snapshots = {"tappaas1": frozenset(), "tappaas2": frozenset({"__replicate_100-0_5__"})}
    failed = run(JOB, ReplicationState(), snapshots, T0)
    assert (failed.state.error or "").startswith(
        "No common base snapshot on volume(s) local-zfs:vm-100-disk-0\n"
    )


def test_data_loss_window_is_the_time_since_the_last_good_run_started():
    start = T0 + 600
    good = run(JOB, ReplicationState(), {"tappaas1": frozenset()}, start)
    assert content_time(good.snapshots, "tappaas2") == start
    assert data_loss_window(start + 840, good.state) == 840
    assert data_loss_window(start, ReplicationState()) is None


def test_migration_to_the_target_flips_the_jobs():
    jobs = [
        JOB,
        ReplicationJob.from_id("100-1", target="tappaas3", source="tappaas1"),
        ReplicationJob.from_id("101-0", target="tappaas2", source="tappaas1"),
    ]
    flipped = switch_target(jobs, 100, old_target="tappaas2", new_target="tappaas1")
    assert [(j.id, j.source, j.target) for j in flipped] == [
        ("100-0", "tappaas2", "tappaas1"),
        ("100-1", "tappaas2", "tappaas3"),
        ("101-0", "tappaas1", "tappaas2"),
    ]


def test_after_ha_recovery_the_reversed_job_waits_for_the_old_node_then_goes_incremental():
    start = T0 + 600
    good = run(JOB, ReplicationState(), {"tappaas1": frozenset()}, start)
    # tappaas1 dies; HA starts vm 100 on tappaas2, whose replication state has no entry.
    (reversed_job,) = switch_target([JOB], 100, old_target="tappaas2", new_target="tappaas1")
    assert (reversed_job.source, reversed_job.target) == ("tappaas2", "tappaas1")
    fresh = ReplicationState()
    assert replication_next_sync(EVERY_15, fresh.last_try, fresh.fail_count, False) == 900
    attempt = start + DAY
    failed = run(reversed_job, fresh, good.snapshots, attempt, online=False)
    assert replication_next_sync(EVERY_15, attempt, failed.state.fail_count, False) is None
    back = attempt + 3600  # tappaas1 is back with its disks
    assert replication_next_sync(EVERY_15, attempt, 1, True) == attempt + 300
    resumed = run(reversed_job, failed.state, failed.snapshots, back)
    assert resumed.kind is TransferKind.INCREMENTAL  # from the snapshot both sides kept


def test_snapshots_of_other_jobs_travel_with_an_incremental_send():
    job_c = ReplicationJob.from_id("100-1", target="tappaas3", source="tappaas1")
    to_b = run(JOB, ReplicationState(), {"tappaas1": frozenset()}, T0)
    to_c = run(job_c, ReplicationState(), to_b.snapshots, T0 + 60)
    again_b = run(JOB, to_b.state, to_c.snapshots, T0 + 900)
    assert snapshot_name("100-1", T0 + 60) in again_b.snapshots["tappaas2"]
    # After migrating to tappaas2, job 100-1 continues incrementally from tappaas2 to tappaas3.
    _, moved_c = switch_target([JOB, job_c], 100, old_target="tappaas2", new_target="tappaas1")
    onward = run(moved_c, to_c.state, again_b.snapshots, T0 + 1800)
    assert onward.kind is TransferKind.INCREMENTAL


def test_status_entry_shape():
    failed = ReplicationState(last_sync=10, last_try=20, fail_count=2, duration=2.0, error="x")
    entry = job_status_entry(JOB, failed, None, "qemu")
    assert entry == {
        "id": "100-0",
        "guest": 100,
        "jobnum": 0,
        "target": "tappaas2",
        "source": "tappaas1",
        "type": "local",
        "vmtype": "qemu",
        "next_sync": 0,
        "last_sync": 10,
        "last_try": 20,
        "fail_count": 2,
        "duration": 2.0,
        "error": "x",
    }
    assert "duration" not in job_status_entry(JOB, ReplicationState(), 900, "qemu")
