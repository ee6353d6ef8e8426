"""PBS sync jobs: what a pull or push run copies, re-syncs and removes (server/pull.rs, push.rs).

``plan_sync`` reads two datastore views (namespace → group → owner and snapshots) and returns a
``SyncPlan``: namespaces and groups to create, snapshots to copy, snapshots, groups and
namespaces to remove, errors and the task log lines PBS would write. ``apply_sync_plan`` applies
it to a view. Permissions (who may create, prune or remove a namespace) are the caller's:
it passes the views the job's credentials can see and checks removals when applying them.

Per group, after dropping unfinished snapshots and those failing ``verified-only`` /
``encrypted-only``:

- **pull** skips source snapshots older than the newest finished local one (``last``); the one
  at ``last`` is re-synced if its manifest differs (notes or verify state added since);
  ``transfer-last N`` keeps only the newest N (plus ``last``); ``resync-corrupt`` also re-pulls
  local snapshots whose verification failed. A local group owned by someone else than the job
  owner fails ("owner check failed") and the job ends with errors.
- **push** skips source snapshots at or before the target's newest (no re-sync); a target group
  owned by another user is skipped with a warning.
- Copies carry notes, verify state and encryption; the protected flag never travels (a re-sync
  keeps the local one).
- ``remove-vanished`` removes target snapshots whose time is not in the filtered source list
  (protected ones survive), target groups missing from the source if owned by the job owner
  and in filter scope, and target namespaces in scope that the source no longer has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from lab.behaviour.group_filter import GroupFilter, apply_filters
from lab.behaviour.namespaces import (
    MAX_NAMESPACE_DEPTH,
    ROOT_NAMESPACE,
    check_depth_limit,
    depth,
    map_prefix,
    subtree,
)
from lab.behaviour.snapshots import (
    BackupGroup,
    Snapshot,
    VerifyResult,
    snapshot_time_text,
)

__all__ = [
    "DEFAULT_SYNC_OWNER",
    "DatastoreView",
    "GroupContent",
    "SnapshotCopy",
    "SnapshotRef",
    "SyncDirection",
    "SyncOptions",
    "SyncPlan",
    "apply_sync_plan",
    "plan_sync",
]

DEFAULT_SYNC_OWNER = "root@pam"
"""A sync job's ``owner`` when none is set."""


class SyncDirection(StrEnum):
    """Pull (the target fetches from a remote) or push (the source sends to a remote)."""

    PULL = "pull"
    PUSH = "push"


@dataclass(frozen=True, slots=True)
class GroupContent:
    """One group in a datastore view: its owner and its snapshots (any order)."""

    owner: str
    snapshots: tuple[Snapshot, ...] = ()


DatastoreView = Mapping[str, Mapping[BackupGroup, GroupContent]]
"""Namespace (``""`` = root) → its groups; an existing empty namespace maps to ``{}``."""


@dataclass(frozen=True, slots=True)
class SyncOptions:
    """A sync job's parameters, in PBS's terms for the chosen direction.

    ``source_ns``/``target_ns``: for pull ``remote-ns``/``ns``, for push ``ns``/``remote-ns``.
    ``owner``: for pull the job owner (owns new local groups); for push the remote's user (owns
    the groups it creates on the remote).
    """

    direction: SyncDirection = SyncDirection.PULL
    owner: str = DEFAULT_SYNC_OWNER
    source_ns: str = ROOT_NAMESPACE
    target_ns: str = ROOT_NAMESPACE
    max_depth: int | None = None
    group_filter: tuple[GroupFilter, ...] = ()
    transfer_last: int | None = None
    encrypted_only: bool = False
    verified_only: bool = False
    remove_vanished: bool = False
    resync_corrupt: bool = False


@dataclass(frozen=True, slots=True)
class SnapshotRef:
    """A snapshot in a namespace of the target."""

    ns: str
    group: BackupGroup
    backup_time: int


@dataclass(frozen=True, slots=True)
class SnapshotCopy:
    """A snapshot to write on the target, exactly as it will be stored there."""

    source_ns: str
    target_ns: str
    snapshot: Snapshot
    resync: bool = False


@dataclass(frozen=True)
class SyncPlan:
    """Everything one sync run changes on the target, in the order PBS does it."""

    created_namespaces: tuple[str, ...] = ()
    created_groups: tuple[tuple[str, BackupGroup, str], ...] = ()
    """(namespace, group, owner) of groups new on the target."""
    copies: tuple[SnapshotCopy, ...] = ()
    removed_snapshots: tuple[SnapshotRef, ...] = ()
    removed_groups: tuple[tuple[str, BackupGroup], ...] = ()
    """Groups whose last snapshot goes (protected snapshots keep a vanished group alive)."""
    removed_namespaces: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    log: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """False when PBS would end the task with "sync failed with some errors"."""
        return not self.errors


@dataclass
class _Builder:
    """Collects a plan while walking namespaces and groups."""

    created_namespaces: list[str] = field(default_factory=list)
    created_groups: list[tuple[str, BackupGroup, str]] = field(default_factory=list)
    copies: list[SnapshotCopy] = field(default_factory=list)
    removed_snapshots: list[SnapshotRef] = field(default_factory=list)
    removed_groups: list[tuple[str, BackupGroup]] = field(default_factory=list)
    removed_namespaces: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.errors.append(message)
        self.log.append(message)

    def skipped(self, prefix: str, times: Sequence[int], reason: str) -> None:
        """PBS ``SkipInfo``: one line per reason with the count and the time range."""
        if not times:
            return
        span = snapshot_time_text(times[0])
        if len(times) > 1:
            span += f" .. {snapshot_time_text(times[-1])}"
        self.log.append(f"{prefix}skipped: {len(times)} snapshot(s) ({span}) - {reason}")

    def remove_snapshots(self, ns: str, group: BackupGroup, snapshots: Iterable[Snapshot]) -> int:
        """Remove the unprotected ones; returns how many protected ones stay."""
        kept = 0
        for snapshot in sorted(snapshots, key=lambda s: s.backup_time):
            if snapshot.protected:
                kept += 1
            else:
                self.removed_snapshots.append(SnapshotRef(ns, group, snapshot.backup_time))
        return kept

    def remove_vanished_snapshots(
        self,
        where: tuple[str, BackupGroup],
        vanished: Iterable[Snapshot],
        kept: Callable[[str], str],
        removed: Callable[[str], str],
    ) -> None:
        """Remove the unprotected ``vanished`` snapshots, oldest first, logging each one (and
        each protected one kept) in the direction's words."""
        ns, group = where
        for snapshot in sorted(vanished, key=lambda s: s.backup_time):
            if snapshot.protected:
                self.log.append(kept(snapshot.path))
            else:
                self.log.append(removed(snapshot.path))
                self.removed_snapshots.append(SnapshotRef(ns, group, snapshot.backup_time))

    def build(self) -> SyncPlan:
        return SyncPlan(
            tuple(self.created_namespaces),
            tuple(self.created_groups),
            tuple(self.copies),
            tuple(self.removed_snapshots),
            tuple(self.removed_groups),
            tuple(self.removed_namespaces),
            tuple(self.errors),
            tuple(self.log),
        )


def _passes_content_filters(snapshot: Snapshot, options: SyncOptions) -> bool:
    """PBS ``exclude_not_verified_or_encrypted``, inverted."""
    if options.verified_only and (
        snapshot.verification is None or snapshot.verification.state is not VerifyResult.OK
    ):
        return False
    return snapshot.encrypted or not options.encrypted_only


def _is_owner(owner: str, auth_id: str) -> bool:
    """PBS ``check_backup_owner``: the same id, or a token of that user."""
    return owner == auth_id or ("!" in owner and owner.split("!", 1)[0] == auth_id)


def _selected(source: Iterable[Snapshot], options: SyncOptions) -> tuple[list[Snapshot], int]:
    """The source snapshots a run considers, oldest first, and the transfer-last cutoff.

    Unfinished ones are dropped first (PBS ``filter_out_in_progress``), then those failing
    ``verified-only``/``encrypted-only``; positions below the cutoff fall to transfer-last.
    """
    listed = sorted((s for s in source if s.finished), key=lambda s: s.backup_time)
    selected = [s for s in listed if _passes_content_filters(s, options)]
    cutoff = max(len(selected) - options.transfer_last, 0) if options.transfer_last else 0
    return selected, cutoff


def _pull_group(
    plan: _Builder,
    options: SyncOptions,
    where: tuple[str, str, BackupGroup],
    source: Sequence[Snapshot],
    local: Sequence[Snapshot],
) -> None:
    """PBS ``pull_group`` for one group that passed the owner check."""
    source_ns, target_ns, group = where
    selected, cutoff = _selected(source, options)
    selected_times = {s.backup_time for s in selected}
    local_by_time = {s.backup_time: s for s in local}
    last = max((s.backup_time for s in local if s.finished), default=None)
    already: list[int] = []
    not_last: list[int] = []
    for position, snapshot in enumerate(selected):
        existing = local_by_time.get(snapshot.backup_time)
        corrupt = (
            options.resync_corrupt
            and existing is not None
            and existing.verification is not None
            and existing.verification.state is VerifyResult.FAILED
        )
        if not corrupt and last is not None and last > snapshot.backup_time:
            already.append(snapshot.backup_time)
            continue
        if not corrupt and position < cutoff and snapshot.backup_time != last:
            not_last.append(snapshot.backup_time)
            continue
        if existing is None:
            plan.log.append(f"{snapshot_time_text(snapshot.backup_time)}: start sync")
            copy = replace(snapshot, protected=False)
        elif corrupt or not existing.finished or not existing.same_manifest(snapshot):
            plan.log.append(f"re-sync snapshot {snapshot_time_text(snapshot.backup_time)}")
            copy = replace(snapshot, protected=existing.protected)
        else:
            continue  # the manifest is unchanged: nothing to do
        plan.copies.append(SnapshotCopy(source_ns, target_ns, copy, resync=existing is not None))
    prefix = f"{group}: "
    plan.skipped(prefix, already, "older than the newest snapshot present on sync target")
    plan.skipped(prefix, not_last, "due to transfer-last")
    if options.remove_vanished:
        plan.remove_vanished_snapshots(
            (target_ns, group),
            [s for s in local if s.backup_time not in selected_times],
            kept=lambda path: f"{prefix}don't delete vanished snapshot {path} (protected)",
            removed=lambda path: f"delete vanished snapshot {path}",
        )


def _push_group(
    plan: _Builder,
    options: SyncOptions,
    where: tuple[str, str, BackupGroup],
    source: Sequence[Snapshot],
    remote: Sequence[Snapshot],
) -> None:
    """PBS ``push_group`` for one group the remote user owns (or that is new there)."""
    source_ns, target_ns, group = where
    selected, cutoff = _selected(source, options)
    selected_times = {s.backup_time for s in selected}
    last = max((s.backup_time for s in remote), default=None)
    already: list[int] = []
    not_last: list[int] = []
    for position, snapshot in enumerate(selected):
        if last is not None and last >= snapshot.backup_time:
            already.append(snapshot.backup_time)
        elif position < cutoff:
            not_last.append(snapshot.backup_time)
        else:
            plan.log.append(f"{snapshot_time_text(snapshot.backup_time)}: start sync")
            copy = replace(snapshot, protected=False)
            plan.copies.append(SnapshotCopy(source_ns, target_ns, copy))
    plan.skipped("", already, "older than the newest snapshot present on sync target")
    plan.skipped("", not_last, "due to transfer-last")
    if options.remove_vanished:
        plan.remove_vanished_snapshots(
            (target_ns, group),
            [s for s in remote if s.backup_time not in selected_times],
            kept=lambda path: f"Kept protected snapshot {path} on remote",
            removed=lambda path: f"Removed vanished snapshot {path} from remote",
        )


def _sync_namespace(
    plan: _Builder,
    options: SyncOptions,
    where: tuple[str, str],
    source: Mapping[BackupGroup, GroupContent],
    target: Mapping[BackupGroup, GroupContent],
) -> None:
    """PBS ``pull_ns`` / ``push_namespace``: every selected group, then vanished groups."""
    source_ns, target_ns = where
    pull = options.direction is SyncDirection.PULL
    selected = sorted(g for g in source if apply_filters(g, options.group_filter))
    plan.log.append(f"Found {len(selected)} groups to sync (out of {len(source)} total)")
    for group in selected:
        existing = target.get(group)
        if existing is not None and existing.owner != options.owner:
            if pull:
                plan.fail(
                    f"sync group {group} failed - owner check failed "
                    f"({options.owner} != {existing.owner})"
                )
            else:
                plan.log.append(
                    f"Group '{group}' not owned by remote user '{options.owner}' on target, "
                    "skipping upload"
                )
            continue
        if existing is None:
            plan.created_groups.append((target_ns, group, options.owner))
        sync_group = _pull_group if pull else _push_group
        local = existing.snapshots if existing is not None else ()
        sync_group(plan, options, (source_ns, target_ns, group), source[group].snapshots, local)
    if not options.remove_vanished:
        return
    for group, content in sorted(target.items()):
        owned = _is_owner(content.owner, options.owner) if pull else content.owner == options.owner
        if group in source or not owned or not apply_filters(group, options.group_filter):
            continue
        plan.log.append(
            f"Delete vanished group '{group}'" if pull else f"Removed vanished group {group}"
        )
        if plan.remove_snapshots(target_ns, group, content.snapshots) == 0:
            plan.removed_groups.append((target_ns, group))


def _remove_vanished_namespaces(
    plan: _Builder, options: SyncOptions, target: DatastoreView, synced: set[str]
) -> None:
    """Target namespaces in scope the source no longer has, children first, with content.

    Removing a namespace removes its groups whoever owns them; protected snapshots (or a child
    namespace kept for them) keep it.
    """
    in_scope = subtree(target, options.target_ns, _target_depth_limit(options))
    kept: list[str] = []
    for ns in sorted(in_scope, key=depth, reverse=True):
        if ns in synced or ns in (options.target_ns, ROOT_NAMESPACE):
            continue
        protected_left = False
        for group, content in sorted(target[ns].items()):
            if plan.remove_snapshots(ns, group, content.snapshots):
                protected_left = True
            else:
                plan.removed_groups.append((ns, group))
        if protected_left or any(child.startswith(f"{ns}/") for child in kept):
            kept.append(ns)
            plan.log.append(f"Did not remove namespace {ns} - protected snapshots remain")
            continue
        plan.removed_namespaces.append(ns)
        plan.log.append(f"Removed namespace {ns}")


def _target_depth_limit(options: SyncOptions) -> int:
    """How deep below the target anchor remove-vanished looks (clamped as PBS does)."""
    if options.max_depth is not None:
        return options.max_depth
    return max(0, MAX_NAMESPACE_DEPTH - depth(options.source_ns))


def plan_sync(source: DatastoreView, target: DatastoreView, options: SyncOptions) -> SyncPlan:
    """What one run of a sync job with ``options`` does to ``target``, reading ``source``."""
    plan = _Builder()
    if options.source_ns not in source:
        plan.fail(f"namespace '{options.source_ns}' does not exist on the source")
        return plan.build()
    namespaces = subtree(source, options.source_ns, options.max_depth)
    try:
        check_depth_limit(options.source_ns, options.target_ns, namespaces)
    except ValueError as error:
        plan.fail(str(error))
        return plan.build()
    synced: set[str] = set()
    for ns in namespaces:
        target_ns = map_prefix(ns, options.source_ns, options.target_ns)
        synced.add(target_ns)
        if target_ns not in target and target_ns != ROOT_NAMESPACE:
            plan.created_namespaces.append(target_ns)
            plan.log.append(f"Created namespace {target_ns}")
        groups = target.get(target_ns, {})
        _sync_namespace(plan, options, (ns, target_ns), source[ns], groups)
    if options.remove_vanished:
        _remove_vanished_namespaces(plan, options, target, synced)
    return plan.build()


def apply_sync_plan(
    target: DatastoreView, plan: SyncPlan
) -> dict[str, dict[BackupGroup, GroupContent]]:
    """``target`` after ``plan`` (a new view; ``target`` is left as it was)."""
    snapshots: dict[tuple[str, BackupGroup], dict[int, Snapshot]] = {}
    owners: dict[tuple[str, BackupGroup], str] = {}
    namespaces = set(target)
    for ns, groups in target.items():
        for group, content in groups.items():
            owners[ns, group] = content.owner
            snapshots[ns, group] = {s.backup_time: s for s in content.snapshots}
    namespaces.update(plan.created_namespaces)
    for ns, group, owner in plan.created_groups:
        owners[ns, group] = owner
        snapshots[ns, group] = {}
    for copy in plan.copies:
        snapshots[copy.target_ns, copy.snapshot.group][copy.snapshot.backup_time] = copy.snapshot
    for ref in plan.removed_snapshots:
        del snapshots[ref.ns, ref.group][ref.backup_time]
    for key in plan.removed_groups:
        del snapshots[key], owners[key]
    namespaces.difference_update(plan.removed_namespaces)
    result: dict[str, dict[BackupGroup, GroupContent]] = {ns: {} for ns in namespaces}
    for (ns, group), by_time in snapshots.items():
        content = GroupContent(owners[ns, group], tuple(by_time.values()))
        result.setdefault(ns, {})[group] = content
    return result
