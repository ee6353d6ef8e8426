"""A vzdump run on one node: its guests of a job's selection, into the PBS storage it names.

``behaviour.vzdump`` selects and names; this writes into the lab PBS the storage points at,
with the storage's credential (the PBS checks it as it would a client's: login, Datastore.Backup
on the namespace, group owner), the guest's chunks (deduplicated against its earlier
snapshots), the rendered notes, the encryption flag when the storage holds a key, then
``protected``, ``verify-new`` and the group prune, as PVE does. An unreachable PBS fails the
task before any guest with PVE's message and writes nothing. Guests go one after the other in
ascending VMID; each one's backup time is when its backup starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lab.behaviour.prune import PveKeepOptions
from lab.behaviour.vzdump import (
    BackupSelection,
    Guest,
    guests_per_node,
    prune_options,
    render_notes,
    unreachable_storage_error,
)
from lab.sim.clock import iso
from lab.sim.content import guest_content
from lab.sim.pbs import rights
from lab.sim.pbs.prune import prune_group
from lab.sim.pbs.verify import verify_snapshots
from lab.sim.pve.disks import disks_on
from lab.sim.units import human_bytes
from lab.sim.world import PBS_DEFAULT_PORT, PVE_INSTANCE, World
from lab.state.pbs import BackupGroup, DatastoreContent, PbsServer, Snapshot
from lab.state.pve import StorageEntry, Vm
from lab.state.tasks import Task

STARTUP_SECONDS = 4
"""From the task's start to the first guest's backup time (``02:00:04`` for a 02:00 job)."""
GUEST_OVERHEAD_SECONDS = 6
UPLOAD_BYTES_PER_SECOND = 200 * 1024**2
"""What a guest's backup takes: a fixed overhead plus the new chunks at this rate."""
JOB_ERRORS = "job errors"


def vzdump_key(job_id: str, node: str) -> str:
    """The scheduler record of a vzdump job on one node (pvescheduler keeps one per node)."""
    return f"vzdump:{job_id}:{node}"


class StorageError(Exception):
    """The storage cannot be activated; the task dies before any guest."""


def _ids(text: Any) -> tuple[int, ...]:
    return tuple(int(v) for v in str(text or "").replace(";", ",").split(",") if v.strip())


def selection(options: Mapping[str, Any]) -> BackupSelection:
    """The guest selection of a job (pools are not modelled: a pool selects nobody)."""
    return BackupSelection(
        all=bool(options.get("all")),
        vmids=_ids(options.get("vmid")),
        exclude=_ids(options.get("exclude")),
        pool_members=() if options.get("pool") else None,
        node=options.get("node"),
    )


def keep_options(text: Any) -> PveKeepOptions | None:
    """A ``prune-backups`` property string (``keep-all=1`` or ``keep-daily=7,…``)."""
    if not text:
        return None
    values = dict(item.split("=", 1) for item in str(text).split(",") if "=" in item)
    return PveKeepOptions(
        keep_all=values.get("keep-all") == "1",
        **{k.removeprefix("keep-"): int(v) for k, v in values.items() if k != "keep-all"},
    )


@dataclass
class _Target:
    """The PBS datastore a storage writes to, and the credential it writes with."""

    storage: StorageEntry
    server: PbsServer
    store: str
    ns: str
    content: DatastoreContent
    auth_id: str
    key_fingerprint: str | None
    log: list[str] = field(default_factory=list)

    @property
    def encrypted(self) -> bool:
        return self.key_fingerprint is not None


def _activate(world: World, storage_id: str, at: int) -> _Target:
    """PVE ``activate_storage`` for a PBS storage: reach and log into the datastore."""
    entry = world.pve.storage.get(storage_id)
    if entry is None:
        raise StorageError(f"storage '{storage_id}' does not exist")
    if entry.type != "pbs":
        raise StorageError(f"storage '{storage_id}': only PBS storages are modelled in the lab")
    host, port = str(entry.get("server")), int(entry.get("port") or PBS_DEFAULT_PORT)
    server = world.pbs_at(host, port)
    if server is None or not world.reachable(server.name):
        raise StorageError(unreachable_storage_error(storage_id, host, port))
    secrets = world.pve.storage_secrets.get(storage_id)
    auth_id = str(entry.get("username"))
    password = secrets.password if secrets is not None and secrets.password else ""
    prefix = f"could not activate storage '{storage_id}': {storage_id}: error fetching datastores"
    if not rights.authenticated(server.access, auth_id, password, at):
        raise StorageError(f"{prefix} - 401 Unauthorized: authentication failed")
    store, ns = str(entry.get("datastore")), str(entry.get("namespace") or "")
    content = server.contents.get(store)
    if store not in server.datastores or content is None or not content.mounted:
        raise StorageError(f"{prefix} - datastore '{store}' does not exist")
    key = secrets.key_marker() if secrets is not None else None
    return _Target(entry, server, store, ns, content, auth_id, key)


def _back_up(world: World, target: _Target, vm: Vm, start: int, options: Mapping[str, Any]) -> int:
    """One guest's backup starting at ``start``; returns its duration (raises on failure)."""
    content, access = target.content, target.server.access
    if not disks_on(world.pve, vm, vm.node):
        raise StorageError(f"volume '{vm.volumes()[0]}' does not exist")
    if target.ns not in content.namespaces:
        raise StorageError(f"namespace '{target.ns}' does not exist")
    if not rights.may_back_up(access, target.auth_id, target.store, target.ns):
        raise StorageError("permission check failed")
    key = content.group_key(target.ns, "vm", str(vm.vmid))
    group = content.groups.get(key)
    if group is not None and not rights.is_owner(group.owner, target.auth_id):
        raise StorageError(f"backup owner check failed ({target.auth_id} != {group.owner})")
    if group is not None and start in group.snapshots:
        raise StorageError(f"backup 'vm/{vm.vmid}/{iso(start)}' already exists")
    index = guest_content(vm, start).chunks_at(start)
    written = content.chunks.insert(index, start)
    template = options.get("notes-template")
    guest = Guest(vm.vmid, vm.node, vm.config.get("name"))
    snapshot = Snapshot(
        backup_type="vm",
        backup_id=str(vm.vmid),
        time=start,
        protected=bool(options.get("protected")),
        encrypted=target.encrypted,
        key_fingerprint=target.key_fingerprint,
        notes=render_notes(str(template), guest, vm.node, world.pve.name) if template else "",
        size=index.logical_bytes,
        config=dict(vm.config),
        index=index,
    )
    if group is None:
        group = content.groups[key] = BackupGroup("vm", str(vm.vmid), target.auth_id)
    group.snapshots[start] = snapshot
    duration = GUEST_OVERHEAD_SECONDS + written // UPLOAD_BYTES_PER_SECOND
    reused = index.logical_bytes - written
    target.log += [
        f"INFO: creating Proxmox Backup Server archive '{snapshot.name}'",
        f"INFO: backup was done incrementally, reused {human_bytes(reused)}",
        f"INFO: transferred {human_bytes(index.logical_bytes)} in {duration} seconds",
    ]
    if template:
        target.log.append("INFO: adding notes to backup")
    _after_backup(world, target, group, snapshot, options)
    return duration


def _after_backup(
    world: World,
    target: _Target,
    group: BackupGroup,
    snapshot: Snapshot,
    options: Mapping[str, Any],
) -> None:
    """``verify-new`` on the datastore, then the group prune vzdump asks PBS for."""
    store_config = target.server.datastores.get(target.store)
    if store_config is not None and store_config.flag("verify-new"):
        registry = world.tasks[target.server.name]
        task = registry.start(
            target.server.hostname, "verify", f"{target.store}:{snapshot.name}", target.auth_id
        )
        lines, failed = verify_snapshots(
            target.content, target.store, [snapshot], task.starttime, task.upid
        )
        task.finish(lines, "verification failed" if failed else None)
    chosen = prune_options(
        keep_options(options.get("prune-backups")),
        keep_options(target.storage.get("prune-backups")),
        remove=bool(options.get("remove", 1)),
    )
    if chosen is None:
        return
    access = target.server.access
    if not rights.may_remove(access, target.auth_id, target.store, target.ns, group.owner):
        target.log.append(
            f"ERROR: prune older backups of vm/{group.backup_id} failed - permission check failed"
        )
        return
    removed = prune_group(group, chosen.for_pbs())
    target.log.append(f"INFO: prune older backups with retention: {options.get('prune-backups')}")
    target.log += [f"INFO: removing backup '{s.name}'" for s in removed]


def run_vzdump(
    world: World, options: Mapping[str, Any], node: str, user: str, job_id: str | None = None
) -> Task | None:
    """Back up ``node``'s guests of the selection now; None when it has none to back up."""
    pve = world.pve
    guests = [Guest(vm.vmid, vm.node, vm.config.get("name")) for vm in pve.vms.values()]
    local = guests_per_node(selection(options), guests).get(node, [])
    if not local:
        return None
    registry = world.tasks[PVE_INSTANCE]
    task = registry.start(node, "vzdump", str(local[0]) if len(local) == 1 else "", user)
    at = task.starttime
    storage_id = str(options.get("storage") or "local")
    header = f"INFO: starting new backup job: vzdump {' '.join(map(str, local))}"
    header += f" --storage {storage_id}" + (f" (job {job_id})" if job_id else "")
    try:
        target = _activate(world, storage_id, at)
    except StorageError as error:
        task.finish([header, f"ERROR: {error}"], str(error))
        world.note(f"pve/{node}", "backup", f"backup job failed: {error}")
        return task
    log, failed, cursor = [header], [], at + STARTUP_SECONDS
    for vmid in local:
        vm = pve.vms[vmid]
        log += [
            f"INFO: Starting Backup of VM {vmid} (qemu)",
            f"INFO: Backup started at {iso(cursor)}",
        ]
        target.log, start = [], cursor
        try:
            cursor += _back_up(world, target, vm, start, options)
        except StorageError as error:
            failed.append(vmid)
            log += [*target.log, f"ERROR: Backup of VM {vmid} failed - {error}"]
            world.note(f"pve/{node}", "backup", f"vm/{vmid} failed: {error}")
            continue
        log += [*target.log, f"INFO: Finished Backup of VM {vmid}"]
        world.note(f"pve/{node}", "backup", f"vm/{vmid}/{iso(start)} -> {storage_id}")
    log.append("INFO: Backup job finished " + ("with errors" if failed else "successfully"))
    task.finish(log, JOB_ERRORS if failed else None)
    return task
