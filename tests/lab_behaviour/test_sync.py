"""Pull and push sync plans: filters, last/re-sync, transfer-last, remove-vanished, owners."""

from __future__ import annotations

from dataclasses import replace

from lab.behaviour.group_filter import GroupFilter
from lab.behaviour.snapshots import BackupGroup, Snapshot, VerifyResult, VerifyState
from lab.behaviour.sync import (
    DatastoreView,
    GroupContent,
    SnapshotRef,
    SyncDirection,
    SyncOptions,
    apply_sync_plan,
    plan_sync,
)

VM100, VM101 = BackupGroup.parse("vm/100"), BackupGroup.parse("vm/101")
DAY = 86400
T0 = 1_736_992_804  # 2025-01-16T02:00:04Z
OK = VerifyState(VerifyResult.OK, T0 + 3600)
PUSH = SyncDirection.PUSH


def snap(group: BackupGroup, day: int, **fields) -> Snapshot:
    return Snapshot(group, T0 + day * DAY, **fields)


def days(group: BackupGroup, *numbers: int, **fields) -> tuple[Snapshot, ...]:
    return tuple(snap(group, n, **fields) for n in numbers)


def copied(plan) -> list[tuple[str, int]]:
    return [(str(c.snapshot.group), (c.snapshot.backup_time - T0) // DAY) for c in plan.copies]


def removed(plan) -> list[tuple[str, str, int]]:
    return [(r.ns, str(r.group), (r.backup_time - T0) // DAY) for r in plan.removed_snapshots]


def test_first_pull_copies_finished_snapshots_with_notes_and_verify_but_not_protection():
    source_snaps = (
        snap(VM100, 0, notes="web", verification=OK, protected=True),
        snap(VM100, 1),
        snap(VM100, 2, finished=False),
    )
    source = {"": {VM100: GroupContent("site@pbs", source_snaps)}}
    plan = plan_sync(source, {"": {}}, SyncOptions())
    assert plan.ok
    assert plan.created_groups == (("", VM100, "root@pam"),)
    assert copied(plan) == [("vm/100", 0), ("vm/100", 1)]
    first = plan.copies[0].snapshot
    assert (first.notes, first.verification, first.protected) == ("web", OK, False)
    assert "2025-01-16T02:00:04Z: start sync" in plan.log


def test_pull_skips_older_than_last_and_resyncs_last_only_when_its_manifest_changed():
    local = {"": {VM100: GroupContent("root@pam", days(VM100, 1, 2, protected=True))}}
    source_snaps = days(VM100, 0, 1, 2, 3)
    source = {"": {VM100: GroupContent("site@pbs", source_snaps)}}
    plan = plan_sync(source, local, SyncOptions())
    assert copied(plan) == [("vm/100", 3)]
    assert (
        "vm/100: skipped: 2 snapshot(s) (2025-01-16T02:00:04Z .. 2025-01-17T02:00:04Z)"
        " - older than the newest snapshot present on sync target"
    ) in plan.log
    verified_later = (*source_snaps[:2], replace(source_snaps[2], verification=OK), source_snaps[3])
    source = {"": {VM100: GroupContent("site@pbs", verified_later)}}
    plan = plan_sync(source, local, SyncOptions())
    assert copied(plan) == [("vm/100", 2), ("vm/100", 3)]
    resynced = plan.copies[0]
    assert resynced.resync
    assert (resynced.snapshot.verification, resynced.snapshot.protected) == (OK, True)


def test_transfer_last_keeps_the_newest_n_plus_last():
    source = {"": {VM100: GroupContent("site@pbs", days(VM100, 0, 1, 2, 3, 4))}}
    plan = plan_sync(source, {"": {}}, SyncOptions(transfer_last=2))
    assert copied(plan) == [("vm/100", 3), ("vm/100", 4)]
    assert any("skipped: 3 snapshot(s)" in line and "transfer-last" in line for line in plan.log)
    local = {"": {VM100: GroupContent("root@pam", days(VM100, 1))}}
    changed = (*days(VM100, 0), snap(VM100, 1, notes="new"), *days(VM100, 2, 3, 4))
    source = {"": {VM100: GroupContent("site@pbs", changed)}}
    plan = plan_sync(source, local, SyncOptions(transfer_last=1))
    assert copied(plan) == [("vm/100", 1), ("vm/100", 4)]  # last (re-synced) + the newest


def test_encrypted_only_and_verified_only():
    mixed = (snap(VM100, 0, encrypted=True), snap(VM100, 1), snap(VM100, 2, verification=OK))
    source = {"": {VM100: GroupContent("site@pbs", mixed)}}
    assert copied(plan_sync(source, {"": {}}, SyncOptions(encrypted_only=True))) == [("vm/100", 0)]
    assert copied(plan_sync(source, {"": {}}, SyncOptions(verified_only=True))) == [("vm/100", 2)]
    failed = VerifyState(VerifyResult.FAILED, T0)
    source = {"": {VM100: GroupContent("site@pbs", (snap(VM100, 0, verification=failed),))}}
    assert copied(plan_sync(source, {"": {}}, SyncOptions(verified_only=True))) == []


def test_remove_vanished_snapshots_keeps_protected_ones():
    local = {
        "": {VM100: GroupContent("root@pam", (snap(VM100, 0, protected=True), *days(VM100, 1, 2)))}
    }
    source = {"": {VM100: GroupContent("site@pbs", days(VM100, 2, 3))}}  # 0 and 1 were pruned
    plan = plan_sync(source, local, SyncOptions(remove_vanished=True))
    assert removed(plan) == [("", "vm/100", 1)]
    assert "vm/100: don't delete vanished snapshot vm/100/2025-01-16T02:00:04Z (protected)" in (
        plan.log
    )
    assert removed(plan_sync(source, local, SyncOptions())) == []  # the default keeps them


def test_remove_vanished_groups_only_owned_and_in_filter_scope():
    ct200, vm102 = BackupGroup.parse("ct/200"), BackupGroup.parse("vm/102")
    local = {
        "": {
            VM100: GroupContent("root@pam!sync", days(VM100, 0)),  # a token of the job owner
            VM101: GroupContent("alice@pbs", days(VM101, 0)),
            ct200: GroupContent("root@pam", days(ct200, 0)),
            vm102: GroupContent("root@pam", (*days(vm102, 0), snap(vm102, 1, protected=True))),
        }
    }
    only_vms = (GroupFilter.parse("type:vm"),)
    plan = plan_sync({"": {}}, local, SyncOptions(remove_vanished=True, group_filter=only_vms))
    assert {(str(group)) for _, group in plan.removed_groups} == {"vm/100"}
    assert {str(r.group) for r in plan.removed_snapshots} == {"vm/100", "vm/102"}
    assert "Delete vanished group 'vm/102'" in plan.log  # its protected snapshot keeps it


def test_owner_check_failure_fails_the_job_but_other_groups_sync():
    local = {"": {VM100: GroupContent("alice@pbs", days(VM100, 0))}}
    source = {
        "": {
            VM100: GroupContent("site@pbs", days(VM100, 0, 1)),
            VM101: GroupContent("site@pbs", days(VM101, 0)),
        }
    }
    plan = plan_sync(source, local, SyncOptions(owner="sync@pbs"))
    assert not plan.ok
    assert plan.errors == ("sync group vm/100 failed - owner check failed (sync@pbs != alice@pbs)",)
    assert copied(plan) == [("vm/101", 0)]


def test_resync_corrupt_repulls_failed_snapshots_even_when_older_than_last():
    failed = VerifyState(VerifyResult.FAILED, T0)
    local = {
        "": {
            VM100: GroupContent("root@pam", (snap(VM100, 0, verification=failed), *days(VM100, 1)))
        }
    }
    source = {
        "": {
            VM100: GroupContent(
                "site@pbs",
                days(VM100, 0, 1),
            )
        }
    }
    assert copied(plan_sync(source, local, SyncOptions())) == []
    plan = plan_sync(source, local, SyncOptions(resync_corrupt=True))
    assert copied(plan) == [("vm/100", 0)]
    assert plan.copies[0].snapshot.verification is None  # the source's manifest replaces it


def test_push_skips_up_to_the_remote_newest_without_resync():
    remote = {"": {VM100: GroupContent("site@pbs", days(VM100, 0, 1))}}
    pushed = (*days(VM100, 0), snap(VM100, 1, notes="changed"), *days(VM100, 2))
    source = {"": {VM100: GroupContent("root@pam", pushed)}}
    plan = plan_sync(source, remote, SyncOptions(direction=PUSH, owner="site@pbs"))
    assert copied(plan) == [("vm/100", 2)]


def test_push_skips_groups_the_remote_user_does_not_own_without_error():
    remote = {"": {VM100: GroupContent("other@pbs", ())}}
    source = {"": {VM100: GroupContent("root@pam", days(VM100, 0))}}
    plan = plan_sync(source, remote, SyncOptions(direction=PUSH, owner="site@pbs"))
    assert plan.ok
    assert copied(plan) == []
    assert any("not owned by remote user 'site@pbs'" in line for line in plan.log)


def test_namespace_mapping_max_depth_and_vanished_namespaces():
    source = {
        "site": {VM100: GroupContent("x@pbs", days(VM100, 0))},
        "site/a": {VM101: GroupContent("x@pbs", days(VM101, 0))},
        "site/a/b": {VM100: GroupContent("x@pbs", days(VM100, 5))},
    }
    target = {
        "": {},
        "peer": {},
        "peer/old": {VM100: GroupContent("someone@pbs", (snap(VM100, 0, protected=True),))},
        "peer/gone": {VM101: GroupContent("someone@pbs", days(VM101, 0))},
    }
    options = SyncOptions(source_ns="site", target_ns="peer", max_depth=1, remove_vanished=True)
    plan = plan_sync(source, target, options)
    assert plan.created_namespaces == ("peer/a",)
    assert [(c.source_ns, c.target_ns) for c in plan.copies] == [
        ("site", "peer"),
        ("site/a", "peer/a"),
    ]
    assert plan.removed_namespaces == ("peer/gone",)
    assert removed(plan) == [("peer/gone", "vm/101", 0)]
    assert "Did not remove namespace peer/old - protected snapshots remain" in plan.log
    after = apply_sync_plan(target, plan)
    assert set(after) == {"", "peer", "peer/a", "peer/old"}
    assert [s.protected for s in after["peer/old"][VM100].snapshots] == [True]


def test_depth_limit_fails_before_anything_happens():
    source: DatastoreView = {"site": {}, "site/a/b": {}}
    options = SyncOptions(source_ns="site", target_ns="a/b/c/d/e/f")
    plan = plan_sync(source, {"": {}}, options)
    assert not plan.ok
    assert "namespace depth limit exceeded" in plan.errors[0]
    assert plan.copies == () and plan.created_namespaces == ()


def test_a_second_run_after_applying_changes_nothing():
    source = {
        "": {
            VM100: GroupContent("site@pbs", days(VM100, 0, 1, 2)),
            VM101: GroupContent("site@pbs", days(VM101, 3)),
        }
    }
    target = apply_sync_plan({"": {}}, plan_sync(source, {"": {}}, SyncOptions()))
    again = plan_sync(source, target, SyncOptions(remove_vanished=True))
    assert again.copies == () and again.removed_snapshots == () and again.ok


def test_ransomware_on_the_site_pull_copies_survive_push_with_remove_vanished_does_not():
    """The site's datastore is wiped with the site's credentials; then each job runs once."""
    site_before = {
        "": {
            VM100: GroupContent("root@pam", days(VM100, 0, 1, 2)),
            VM101: GroupContent("root@pam", days(VM101, 0, 1, 2)),
        }
    }
    site_after: DatastoreView = {"": {}}
    peer_pulled = apply_sync_plan({"": {}}, plan_sync(site_before, {"": {}}, SyncOptions()))
    pull_again = plan_sync(site_after, peer_pulled, SyncOptions(owner="root@pam"))
    assert apply_sync_plan(peer_pulled, pull_again) == peer_pulled

    push = SyncOptions(direction=PUSH, owner="site@pbs", remove_vanished=True)
    peer_pushed = apply_sync_plan({"": {}}, plan_sync(site_before, {"": {}}, push))
    push_again = plan_sync(site_after, peer_pushed, push)
    assert len(push_again.removed_snapshots) == 6
    assert apply_sync_plan(peer_pushed, push_again) == {"": {}}
    assert SnapshotRef("", VM100, T0) in push_again.removed_snapshots
