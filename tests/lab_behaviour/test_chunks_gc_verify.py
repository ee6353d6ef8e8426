"""Disk content model, chunk store dedup and GC timing, and the verify filter."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lab.behaviour.chunk_store import ChunkStore
from lab.behaviour.disk_content import DiskContent
from lab.behaviour.prune import KeepOptions, snapshots_to_remove
from lab.behaviour.snapshots import BackupGroup, Snapshot, VerifyResult, VerifyState
from lab.behaviour.verify import (
    needs_verify,
    record_verify,
    select_for_verify,
    verify_result,
)

DAY, HOUR, MIB = 86400, 3600, 1024**2
T0 = 1_736_985_600  # 2025-01-16T00:00:00Z
DISK = DiskContent("vm/100", chunk_count=64, chunk_size=64 * MIB, changed_per_day=4, origin=T0)


def test_same_day_backups_are_identical_and_each_day_rewrites_the_window():
    assert DISK.chunks_at(T0 + 2 * HOUR) == DISK.chunks_at(T0 + 20 * HOUR)
    monday, tuesday = DISK.chunks_at(T0 + 2 * HOUR), DISK.chunks_at(T0 + DAY + 2 * HOUR)
    assert len(tuesday.chunks - monday.chunks) == 4
    assert DISK.changed_bytes(T0, T0 + DAY) == 4 * 64 * MIB
    assert DISK.changed_bytes(T0, T0 + 16 * DAY) == 64 * 64 * MIB  # the window went round
    other = DiskContent("vm/101", 64, 64 * MIB, 4, origin=T0)
    assert not (other.chunks_at(T0).chunks & monday.chunks)


def test_sized_disk():
    disk = DiskContent.sized("vm/100", 32 * 1024**3, 0.02, origin=T0)
    assert (disk.chunk_count, disk.chunk_size, disk.changed_per_day) == (64, 512 * MIB, 1)
    assert DISK.chunks_at(T0).logical_bytes == 64 * 64 * MIB


@given(
    chunk_count=st.integers(min_value=1, max_value=40),
    changed=st.integers(min_value=0, max_value=40),
    days=st.integers(min_value=0, max_value=120),
)
def test_generations_match_a_day_by_day_ring_walk(chunk_count, changed, days):
    changed = min(changed, chunk_count)
    disk = DiskContent("d", chunk_count, 1, changed, origin=0)
    generations = [0] * chunk_count
    for day in range(days + 1):
        for step in range(changed):
            generations[(day * changed + step) % chunk_count] += 1
    expected = {("d", i, g) for i, g in enumerate(generations)}
    assert disk.chunks_at(days * DAY + 5).chunks == expected


def test_insert_deduplicates():
    store = ChunkStore()
    assert store.insert(DISK.chunks_at(T0), T0) == 64 * 64 * MIB
    assert store.insert(DISK.chunks_at(T0 + DAY), T0 + DAY) == 4 * 64 * MIB
    assert store.used_bytes == 68 * 64 * MIB
    assert store.chunk_count == 68


def test_chunks_freed_by_prune_go_at_the_second_daily_gc():
    """Backups 02:00 with keep-last=1 pruned at once; GC daily at 03:00."""
    group = BackupGroup.parse("vm/100")
    store = ChunkStore()
    kept: list[Snapshot] = []
    indexes = {}
    statuses = {}
    usage = {}
    for day in range(4):
        backup_time = T0 + day * DAY + 2 * HOUR
        snapshot = Snapshot(group, backup_time)
        indexes[backup_time] = DISK.chunks_at(backup_time)
        store.insert(indexes[backup_time], backup_time)
        kept = [
            s
            for s in [*kept, snapshot]
            if s not in snapshots_to_remove([*kept, snapshot], KeepOptions(last=1))
        ]
        gc_start = T0 + day * DAY + 3 * HOUR
        statuses[day] = store.garbage_collect([indexes[s.backup_time] for s in kept], gc_start)
        usage[day] = store.used_bytes
    # Day 1's prune freed day 0's 4 rewritten chunks: touched by GC 0 (03:00 day 0), so at
    # GC 1 they are newer than the 24h05m cutoff (pending), and GC 2 removes them.
    assert (statuses[1].removed_chunks, statuses[1].pending_chunks) == (0, 4)
    assert (statuses[2].removed_chunks, statuses[2].pending_chunks) == (4, 4)
    assert statuses[2].removed_bytes == 4 * 64 * MIB
    assert statuses[2].disk_chunks == 64 and statuses[2].index_file_count == 1
    assert usage[1] == 68 * 64 * MIB and usage[2] == 68 * 64 * MIB  # -4 removed, +4 new
    assert usage[3] == 68 * 64 * MIB


def test_a_running_writer_moves_the_cutoff_back():
    store = ChunkStore()
    store.insert(DISK.chunks_at(T0), T0)
    start = T0 + 3 * DAY
    status = store.garbage_collect([], start, oldest_writer=T0 + 60)
    assert (status.removed_chunks, status.pending_chunks) == (0, 64)
    status = store.garbage_collect([], start, cutoff_minutes=60)
    assert status.removed_chunks == 64 and store.used_bytes == 0


def test_verify_filter():
    now = T0 + 10 * DAY
    ok_3_days_ago = VerifyState(VerifyResult.OK, now - 3 * DAY)
    failed_3_days_ago = VerifyState(VerifyResult.FAILED, now - 3 * DAY)
    assert needs_verify(None, now)
    assert not needs_verify(ok_3_days_ago, now)
    assert not needs_verify(failed_3_days_ago, now)  # even failed ones are skipped
    assert needs_verify(failed_3_days_ago, now, ignore_verified=False)
    assert not needs_verify(ok_3_days_ago, now, outdated_after=3)  # 3 whole days is not > 3
    assert needs_verify(ok_3_days_ago, now + DAY, outdated_after=3)


def test_select_and_record_verify():
    group = BackupGroup.parse("vm/100")
    snapshots = [
        Snapshot(group, T0 + DAY),
        Snapshot(group, T0, verification=VerifyState(VerifyResult.OK, T0)),
        Snapshot(group, T0 + 2 * DAY, finished=False),
        Snapshot(group, T0 - DAY),
    ]
    chosen = select_for_verify(snapshots, T0 + 3 * DAY)
    assert [s.backup_time for s in chosen] == [T0 - DAY, T0 + DAY]
    store = ChunkStore()
    index = DISK.chunks_at(T0)
    store.insert(index, T0)
    assert verify_result(index, store) is VerifyResult.OK
    store.lose(list(index.chunks)[:1])
    assert verify_result(index, store) is VerifyResult.FAILED
    verified = record_verify(chosen[0], VerifyResult.FAILED, T0 + 3 * DAY)
    assert verified.verification == VerifyState(VerifyResult.FAILED, T0 + 3 * DAY)


@given(
    changed=st.integers(min_value=0, max_value=64),
    since=st.integers(min_value=T0 - 3 * DAY, max_value=T0 + 40 * DAY),
    span=st.integers(min_value=0, max_value=40 * DAY),
)
def test_changed_bytes_equals_the_chunk_difference(changed, since, span):
    disk = DiskContent("vm/100", 64, 64 * MIB, changed, origin=T0)
    until = since + span
    difference = disk.chunks_at(until).chunks - disk.chunks_at(since).chunks
    assert disk.changed_bytes(since, until) == len(difference) * 64 * MIB
