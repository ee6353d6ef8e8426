"""A PBS sync job run, pull or push, between datastores of the lab's PBS instances.

``behaviour.sync.plan_sync`` decides what moves; this builds its two views and applies the
plan to the lab's datastores, with the credentials the job really uses:

- pull: the local PBS logs into the remote with the remote's ``auth-id`` and password and
  sees only what that credential may read; new local groups belong to the job ``owner``.
- push: the local source is read as the job ``owner``; every write and removal on the remote
  is checked against the remote ``auth-id``'s privileges there (a token with
  ``DatastoreBackup`` alone can add snapshots but never remove one).

Copies carry the chunk index (deduplicated on insert), notes and verify state; the protected
flag stays behind. An unreachable remote fails the run as PBS's HTTP client does. A pull
reads each snapshot it copies through the remote's backup reader protocol, which the remote
logs as a ``reader`` task of the reading credential, worker id ``<store>:<type>/<id>/<HEX
time>`` (proxmox-backup ``src/server/pull.rs`` ``BackupReader::start``,
``src/api2/reader/mod.rs``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lab.behaviour.group_filter import GroupFilter
from lab.behaviour.namespaces import subtree
from lab.behaviour.snapshots import snapshot_time_text
from lab.behaviour.sync import (
    DEFAULT_SYNC_OWNER,
    SyncDirection,
    SyncOptions,
    SyncPlan,
    plan_sync,
)
from lab.sim.pbs import rights
from lab.sim.pbs.manifests import copy_snapshot, view
from lab.sim.world import PBS_DEFAULT_PORT, World
from lab.state.access import AccessControl
from lab.state.pbs import BackupGroup, DatastoreContent, PbsServer, Snapshot, SyncJob

SYNC_FAILED = "sync failed with some errors."


def connect_error(host: str, port: int) -> str:
    """What PBS's HTTP client reports when nothing answers at ``host:port``."""
    return (
        f"error trying to connect: error connecting to https://{host}:{port}/ - "
        "tcp connect error: Connection refused (os error 111)"
    )


class SyncError(Exception):
    """The run fails before any group is synced (store missing, remote unreachable, …)."""


@dataclass
class _End:
    """One side of a sync: a datastore and who acts on it (``checked``: privileges apply)."""

    server: PbsServer
    store: str
    content: DatastoreContent
    auth_id: str
    checked: bool

    @property
    def access(self) -> AccessControl:
        return self.server.access


@dataclass
class _Applied:
    log: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.errors.append(message)
        self.log.append(message)


def _content(server: PbsServer, store: str) -> DatastoreContent:
    content = server.contents.get(store)
    if store not in server.datastores or content is None:
        raise SyncError(f"no such datastore '{store}'")
    if not content.mounted:
        raise SyncError(f"datastore '{store}' is not mounted")
    return content


def _remote_end(world: World, server: PbsServer, job: SyncJob, at: int) -> _End:
    """The far side: a lab PBS reached with the remote's credentials (or this one, locally)."""
    store = str(job.get("remote-store"))
    name = job.get("remote")
    if name is None:
        owner = str(job.get("owner") or DEFAULT_SYNC_OWNER)
        return _End(server, store, _content(server, store), owner, checked=True)
    remote = server.remotes.get(str(name))
    if remote is None:
        raise SyncError(f"no such remote '{name}'")
    host, port = str(remote.get("host")), int(remote.get("port") or PBS_DEFAULT_PORT)
    other = world.pbs_at(host, port)
    if other is None or not world.reachable(other.name):
        raise SyncError(connect_error(host, port))
    auth_id = str(remote.get("auth-id"))
    secret = server.remote_passwords.get(str(name), "")
    if not rights.authenticated(other.access, auth_id, secret, at):
        raise SyncError(f"remote '{name}': authentication failed")
    return _End(other, store, _content(other, store), auth_id, checked=True)


def _options(job: SyncJob, direction: SyncDirection, owner: str) -> SyncOptions:
    filters = job.get("group-filter") or []
    if isinstance(filters, str):
        filters = [filters]
    pull = direction is SyncDirection.PULL
    local_ns, remote_ns = str(job.get("ns") or ""), str(job.get("remote-ns") or "")
    return SyncOptions(
        direction=direction,
        owner=owner,
        source_ns=remote_ns if pull else local_ns,
        target_ns=local_ns if pull else remote_ns,
        max_depth=job.get("max-depth"),
        group_filter=tuple(GroupFilter.parse(str(f)) for f in filters),
        transfer_last=job.get("transfer-last"),
        encrypted_only=bool(job.get("encrypted-only")),
        verified_only=bool(job.get("verified-only")),
        remove_vanished=bool(job.get("remove-vanished")),
        resync_corrupt=bool(job.get("resync-corrupt")),
    )


def _readable(
    source: _End, anchor: str, max_depth: int | None
) -> list[tuple[str, list[BackupGroup]]]:
    """The source namespaces and groups the reading credential can see."""
    access, auth_id, store = source.access, source.auth_id, source.store
    return [
        (ns, rights.readable_groups(access, auth_id, source.content, store, ns))
        for ns in subtree(source.content.namespaces, anchor, max_depth)
        if rights.visible_namespace(access, auth_id, store, ns)
    ]


def run_sync(
    world: World, server: PbsServer, job: SyncJob, at: int
) -> tuple[list[str], str | None]:
    """Run ``job`` of ``server`` at ``at``; returns the task log and the error, if any."""
    direction = SyncDirection(job.direction)
    log = [f"Starting datastore sync job '{job.id}'", f"sync direction: {direction}"]
    try:
        local = _content(server, str(job.get("store")))
        remote = _remote_end(world, server, job, at)
    except SyncError as error:
        return [*log, str(error)], str(error)
    pull = direction is SyncDirection.PULL
    owner = str(job.get("owner") or DEFAULT_SYNC_OWNER)
    local_end = _End(server, str(job.get("store")), local, owner, checked=False)
    source, target = (remote, local_end) if pull else (local_end, remote)
    options = _options(job, direction, owner if pull else remote.auth_id)
    source_view = view(source.content, _readable(source, options.source_ns, options.max_depth))
    target_scope = subtree(target.content.namespaces, options.target_ns, None)
    target_view = view(target.content, ((ns, target.content.groups_in(ns)) for ns in target_scope))
    plan = plan_sync(source_view, target_view, options)
    reads = world.tasks[remote.server.name] if pull and job.get("remote") is not None else None
    applied = _apply(plan, source, target, at)
    if reads is not None:
        for copy in plan.copies:
            group, when = copy.snapshot.group, copy.snapshot.backup_time
            worker_id = f"{source.store}:{group.type}/{group.id}/{when:08X}"
            reads.start(source.server.hostname, "reader", worker_id, source.auth_id)
    log += [*plan.log, *applied.log]
    errors = [*plan.errors, *applied.errors]
    log.append(f"sync job '{job.id}' end")
    return log, SYNC_FAILED if errors else None


def _apply(plan: SyncPlan, source: _End, target: _End, at: int) -> _Applied:
    """Carry ``plan`` out on the target's datastore, as far as the target credential may."""
    out = _Applied()
    access, auth_id, store = target.access, target.auth_id, target.store
    content = target.content
    for ns in plan.created_namespaces:
        if target.checked and not rights.may_create_namespace(access, auth_id, store, ns):
            out.fail(f"creating namespace '{ns}' failed - permission check failed")
            continue
        content.namespaces.add(ns)
    for ns, group, owner in plan.created_groups:
        key = content.group_key(ns, str(group.type), group.id)
        if ns in content.namespaces and key not in content.groups:
            content.groups[key] = BackupGroup(str(group.type), group.id, owner)
    for copy in plan.copies:
        group = copy.snapshot.group
        key = content.group_key(copy.target_ns, str(group.type), group.id)
        stored = content.groups.get(key)
        if stored is None:
            continue
        if target.checked and not rights.may_back_up(access, auth_id, store, copy.target_ns):
            out.fail(f"upload of {copy.snapshot.path} failed - permission check failed")
            continue
        original = _original(
            source, copy.source_ns, group.type, group.id, copy.snapshot.backup_time
        )
        snapshot = copy_snapshot(original, copy.snapshot)
        if snapshot.index is not None:
            content.chunks.insert(snapshot.index, at)
        stored.snapshots[snapshot.time] = snapshot
    for ref in plan.removed_snapshots:
        key = content.group_key(ref.ns, str(ref.group.type), ref.group.id)
        stored = content.groups.get(key)
        if stored is None or ref.backup_time not in stored.snapshots:
            continue
        if target.checked and not rights.may_remove(access, auth_id, store, ref.ns, stored.owner):
            path = f"{ref.group}/{snapshot_time_text(ref.backup_time)}"
            out.fail(f"delete vanished snapshot {path} failed - permission check failed")
            continue
        del stored.snapshots[ref.backup_time]
    for ns, group in plan.removed_groups:
        key = content.group_key(ns, str(group.type), group.id)
        if key in content.groups and not content.groups[key].snapshots:
            del content.groups[key]
    for ns in plan.removed_namespaces:
        if not any(k.split("|", 1)[0] == ns for k in content.groups):
            content.namespaces.discard(ns)
    return out


def _original(source: _End, ns: str, kind: str, backup_id: str, time: int) -> Snapshot:
    group = source.content.groups[source.content.group_key(ns, str(kind), backup_id)]
    return group.snapshots[time]
