"""PVE ``/nodes/{node}/qemu``: list, create, restore from a PBS archive, config, power, delete.

Restore (``Qemu.pm create_vm`` with ``archive=<pbs-storage>:backup/vm/<id>/<time>``) is a
``qmrestore`` task: the archive's snapshot must exist on the lab PBS the storage points at,
and an encrypted one restores only through a storage entry holding a key (else the task
fails). Disks are recreated on ``storage`` (default: where they were), ``unique`` gives new
MAC addresses, ``live-restore``/``start`` leave the VM running, ``ha-managed`` adds an HA
resource; other config keys (``tags``, ``description``, ``protection``) override the
backup's. A VM with ``protection`` set can neither be destroyed nor restored over. A config
that lives on another node is "does not exist" here, as on PVE.

Power and migration requests for an HA-managed VM go to HA, as on PVE (``hastart``,
``hastop``, ``hamigrate`` tasks that only ask: the resource's requested state changes, the
CRM acts in its next round). Other VMs migrate at once (a replication run to the target
first, then the jobs flip). A VM whose pool is lost shows ``qmpstatus`` ``io-error`` and
cannot start. ``POST /nodes/{node}/vzdump`` backs up now (``sim.pve.vzdump``).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from typing import Any

from lab.api.routes import Call, RouteTable
from lab.errors import pve_die
from lab.handlers.pve.nodes import node_of, primary_only
from lab.handlers.pve.storage import pbs_target
from lab.schema.pve_check import split_list
from lab.sim.pve.disks import disks_on
from lab.sim.pve.ha import HaManager
from lab.sim.pve.migration import migrate
from lab.sim.pve.vzdump import run_vzdump
from lab.state.pve import DISK_KEY, HaResource, PveCluster, Vm

ROUTES = RouteTable()
PveCall = Call[PveCluster]
ARCHIVE = re.compile(r"^([^:]+):backup/(vm|ct)/(\d+)/(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$")
NEW_DISK = re.compile(r"^([^:,]+):(\d+(?:\.\d+)?)(,.*)?$")
MAC = re.compile(r"([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}")
CREATE_CONTROL = (
    "node",
    "vmid",
    "archive",
    "storage",
    "force",
    "unique",
    "live-restore",
    "start",
    "pool",
    "bwlimit",
    "ha-managed",
)
GIB = 1024**3


def _protected(vm: Vm) -> bool:
    """The ``protection`` flag (pve-guest-common ``AbstractConfig.pm`` check_protection)."""
    return str(vm.config.get("protection", "0")) not in ("0", "False", "")


def _vm(call: PveCall) -> Vm:
    node = node_of(call)
    vmid = int(call.param("vmid"))
    vm = call.state.vms.get(vmid)
    if vm is None or vm.node != node.name:
        raise pve_die(
            f"Configuration file 'nodes/{node.name}/qemu-server/{vmid}.conf' does not exist"
        )
    return vm


def _allocate(state: PveCluster, vmid: int, value: str, storage: str | None) -> str:
    """``tanka:32`` → ``tanka:vm-100-disk-0,size=32G``; existing volumes are re-homed."""
    match = NEW_DISK.match(value)
    if match and "vm-" not in match.group(1):
        target, size, rest = storage or match.group(1), float(match.group(2)), match.group(3) or ""
    else:
        volume, _, rest = value.partition(",")
        target = storage or volume.split(":", 1)[0]
        sizes = re.search(r"size=(\d+)G", rest)
        size, rest = (float(sizes.group(1)) if sizes else 32.0), ("," + rest if rest else "")
        rest = re.sub(r",size=[^,]*", "", rest)
    if target not in state.storage:
        raise pve_die(f"storage '{target}' does not exist")
    index = 0
    while f"{target}:vm-{vmid}-disk-{index}" in state.volumes:
        index += 1
    volid = f"{target}:vm-{vmid}-disk-{index}"
    state.volumes[volid] = int(size * GIB)
    return f"{volid}{rest},size={int(size)}G"


def _new_mac(value: str) -> str:
    mac = "BC:24:11:" + ":".join(f"{random.randrange(256):02X}" for _ in range(3))
    return MAC.sub(mac, value)


def _restore_source(call: PveCall, archive: str) -> tuple[dict[str, str], str | None]:
    match = ARCHIVE.match(archive)
    if match is None:
        raise pve_die(f"unable to parse volume ID '{archive}'")
    storage_id, backup_type, backup_id, stamp = match.groups()
    entry = call.state.storage.get(storage_id)
    if entry is None:
        raise pve_die(f"storage '{storage_id}' does not exist")
    if entry.type != "pbs":
        raise pve_die(
            f"can't restore from storage '{storage_id}' of type '{entry.type}' in the lab"
        )
    target = pbs_target(call.services.world, entry)
    if target is None:
        return {}, f"{storage_id}: error fetching datastores - connection refused"
    _, store = target
    group = store.groups.get(
        store.group_key(str(entry.get("namespace", "")), backup_type, backup_id)
    )
    snapshot = None
    if group is not None:
        snapshot = next((s for s in group.snapshots.values() if s.name.endswith(stamp)), None)
    if snapshot is None:
        return {}, f"unable to find snapshot '{backup_type}/{backup_id}/{stamp}'"
    secrets_of = call.state.storage_secrets.get(storage_id)
    provided = secrets_of.key_marker() if secrets_of is not None else None
    manifest_key = snapshot.key_fingerprint or "unknown"
    # proxmox-backup pbs-datastore/src/manifest.rs check_fingerprint
    if snapshot.encrypted and provided is None:
        return {}, f"missing key - manifest was created with key {manifest_key}"
    if snapshot.encrypted and snapshot.key_fingerprint not in (None, provided):
        return {}, (
            f"wrong key - manifest's key {manifest_key} does not match provided key {provided}"
        )
    config = dict(snapshot.config) or {
        "name": f"vm{backup_id}",
        "memory": "2048",
        "cores": "2",
        "scsi0": f"{entry.get('restore-storage', 'local-zfs')}:vm-{backup_id}-disk-0,size=32G",
        "net0": "virtio=BC:24:11:00:00:01,bridge=vmbr0",
    }
    return config, None


@ROUTES.route("GET", "/nodes/{node}/qemu", "node:pve-node full?:boolean")
def list_vms(call: PveCall) -> list[dict[str, Any]]:
    """Guests on one node."""
    node = node_of(call)
    out = []
    for vm in call.state.vms.values():
        if vm.node != node.name:
            continue
        item: dict[str, Any] = {
            "vmid": vm.vmid,
            "name": vm.name,
            "status": vm.status,
            "maxmem": int(str(vm.config.get("memory", "2048")).split(",")[0].split("=")[-1])
            * 1024**2,
            "cpus": int(vm.config.get("cores", 1)),
            "uptime": 3600 if vm.status == "running" else 0,
        }
        if vm.lock:
            item["lock"] = vm.lock
        out.append(item)
    return out


@ROUTES.route(
    "POST",
    "/nodes/{node}/qemu",
    "node:pve-node vmid:pve-vmid archive?:string storage?:pve-storage-id force?:boolean "
    "unique?:boolean live-restore?:boolean start?:boolean pool?:string ha-managed?:boolean",
)
def create_vm(call: PveCall) -> str:
    """Create a VM, or restore one with ``archive`` (``qmcreate``/``qmrestore`` task)."""
    node = node_of(call)
    vmid = int(call.param("vmid"))
    archive, storage = call.param("archive"), call.param("storage")
    existing = call.state.vms.get(vmid)
    if existing is not None and not (archive and call.param("force")):
        raise pve_die(
            f"unable to create VM {vmid} - VM {vmid} already exists on node '{existing.node}'"
        )
    if existing is not None and existing.status == "running":
        raise pve_die(f"unable to restore VM {vmid} - VM is running")
    if existing is not None and _protected(existing):  # qemu-server API2/Qemu.pm restorefn
        return call.services.tasks.start(
            node.name,
            "qmrestore",
            str(vmid),
            call.auth_id,
            error=f"unable to restore VM {vmid} - protection mode enabled",
        ).upid
    overrides = {k: str(v) for k, v in call.params.items() if k not in CREATE_CONTROL}
    if archive:
        if any(DISK_KEY.match(k) for k in overrides):
            raise pve_die("option conflicts with option 'archive'")
        config, error = _restore_source(call, str(archive))
        if error is not None:
            return call.services.tasks.start(
                node.name,
                "qmrestore",
                str(vmid),
                call.auth_id,
                error=f"unable to restore VM {vmid} - {error}",
            ).upid
        config.update(overrides)
        worker = "qmrestore"
    else:
        config, worker = overrides, "qmcreate"
    if existing is not None:
        for volid in existing.volumes():
            call.state.volumes.pop(volid, None)
    for key, value in list(config.items()):
        if DISK_KEY.match(key) and "media=cdrom" not in value and not value.startswith("none"):
            config[key] = _allocate(call.state, vmid, value, storage)
        elif key.startswith("net") and (call.param("unique") or not archive):
            config[key] = _new_mac(value)
    running = bool(call.param("start") or call.param("live-restore"))
    call.state.vms[vmid] = Vm(vmid, node.name, "running" if running else "stopped", config)
    if call.param("ha-managed"):
        call.state.ha_resources.put(HaResource(f"vm:{vmid}", "vm", {"state": "started"}))
    return call.services.tasks.start(node.name, worker, str(vmid), call.auth_id).upid


@ROUTES.route(
    "GET", "/nodes/{node}/qemu/{vmid}/config", "node:pve-node vmid:pve-vmid current?:boolean"
)
def read_config(call: PveCall) -> dict[str, Any]:
    """The VM config and its digest."""
    vm = _vm(call)
    digest = hashlib.sha1(json.dumps(vm.config, sort_keys=True).encode()).hexdigest()
    return {**vm.config, "digest": digest}


def _update_config(call: PveCall) -> Vm:
    vm = _vm(call)
    digest = call.param("digest")
    if digest and digest != read_config(call)["digest"]:
        raise pve_die("detected modified configuration - file changed by other user? Try again.")
    changes = {
        k: str(v)
        for k, v in call.params.items()
        if k not in ("node", "vmid", "delete", "digest", "revert", "skiplock")
    }
    for key in split_list(str(call.param("delete", ""))):
        if key in changes:
            raise pve_die(f"cannot set and delete property '{key}' at the same time!")
        vm.config.pop(key, None)
    for key, value in changes.items():
        new_disk = DISK_KEY.match(key) and NEW_DISK.match(value) and "vm-" not in value
        vm.config[key] = _allocate(call.state, vm.vmid, value, None) if new_disk else value
    return vm


@ROUTES.route(
    "PUT",
    "/nodes/{node}/qemu/{vmid}/config",
    "node:pve-node vmid:pve-vmid delete?:string digest?:string",
)
def set_config(call: PveCall) -> None:
    """Change the config synchronously."""
    _update_config(call)


@ROUTES.route(
    "POST",
    "/nodes/{node}/qemu/{vmid}/config",
    "node:pve-node vmid:pve-vmid delete?:string digest?:string",
)
def set_config_async(call: PveCall) -> str:
    """Change the config as a ``qmconfig`` task."""
    vm = _update_config(call)
    return call.services.tasks.start(vm.node, "qmconfig", str(vm.vmid), call.auth_id).upid


@ROUTES.route("GET", "/nodes/{node}/qemu/{vmid}/status/current", "node:pve-node vmid:pve-vmid")
def current_status(call: PveCall) -> dict[str, Any]:
    """Run state, and whether HA manages the VM."""
    vm = _vm(call)
    ha = call.state.ha_resources.get(f"vm:{vm.vmid}")
    return {
        "vmid": vm.vmid,
        "name": vm.name,
        "status": vm.status,
        "qmpstatus": "io-error" if vm.io_error and vm.status == "running" else vm.status,
        "uptime": 3600 if vm.status == "running" else 0,
        "cpus": int(vm.config.get("cores", 1)),
        "ha": {"managed": 1, "state": ha.state} if ha else {"managed": 0},
    }


def _power(call: PveCall, worker: str, target: str) -> str:
    vm = _vm(call)
    tasks = call.services.tasks
    resource = call.state.ha_resources.get(f"vm:{vm.vmid}")
    if resource is not None:
        start = target == "running"
        resource.options["state"] = "started" if start else "stopped"
        request = f"Requesting HA {'start' if start else 'stop'} for VM {vm.vmid}"
        ha_worker = "hastart" if start else "hastop"
        return tasks.start(vm.node, ha_worker, str(vm.vmid), call.auth_id, log=[request]).upid
    error = None
    if worker == "qmstart" and vm.status == "running":
        error = f"VM {vm.vmid} already running"
    elif worker == "qmstart" and not disks_on(call.state, vm, vm.node):
        error = f"volume '{vm.volumes()[0]}' does not exist"
    else:
        vm.status = target
    return tasks.start(vm.node, worker, str(vm.vmid), call.auth_id, error=error).upid


@ROUTES.route("POST", "/nodes/{node}/qemu/{vmid}/status/start", "node:pve-node vmid:pve-vmid")
def start(call: PveCall) -> str:
    """Start (a ``qmstart`` task)."""
    return _power(call, "qmstart", "running")


@ROUTES.route("POST", "/nodes/{node}/qemu/{vmid}/status/stop", "node:pve-node vmid:pve-vmid")
def stop(call: PveCall) -> str:
    """Stop (a ``qmstop`` task)."""
    return _power(call, "qmstop", "stopped")


@ROUTES.route("POST", "/nodes/{node}/qemu/{vmid}/status/shutdown", "node:pve-node vmid:pve-vmid")
def shutdown(call: PveCall) -> str:
    """Shut down (a ``qmshutdown`` task)."""
    return _power(call, "qmshutdown", "stopped")


@ROUTES.route(
    "DELETE",
    "/nodes/{node}/qemu/{vmid}",
    "node:pve-node vmid:pve-vmid purge?:boolean destroy-unreferenced-disks?:boolean "
    "skiplock?:boolean",
)
def destroy(call: PveCall) -> str:
    """Remove a stopped VM and its disks; ``purge`` also drops its jobs and HA resource."""
    vm = _vm(call)
    sid = f"vm:{vm.vmid}"
    if _protected(vm):  # qemu-server API2/Qemu.pm destroy_vm: check_protection first
        raise pve_die(f"can't remove VM {vm.vmid} - protection mode enabled")
    if vm.status == "running":
        raise pve_die(f"VM {vm.vmid} is running - destroy failed")
    if sid in call.state.ha_resources and not call.param("purge"):
        raise pve_die(
            f"unable to remove VM {vm.vmid} - used in HA resources and purge parameter not set."
        )
    for volid in vm.volumes():
        call.state.volumes.pop(volid, None)
    del call.state.vms[vm.vmid]
    call.state.replicas.pop(vm.vmid, None)
    if call.param("purge"):
        call.state.ha_resources.remove(sid)
        for job in call.state.replication:
            if job.guest == vm.vmid:
                call.state.replication.remove(job.id)
    return call.services.tasks.start(vm.node, "qmdestroy", str(vm.vmid), call.auth_id).upid


@ROUTES.route(
    "POST",
    "/nodes/{node}/qemu/{vmid}/migrate",
    "node:pve-node vmid:pve-vmid target:pve-node online?:boolean with-local-disks?:boolean",
)
def migrate_vm(call: PveCall) -> str:
    """Migrate to ``target`` (through HA for an HA-managed VM)."""
    vm = _vm(call)
    target = str(call.param("target"))
    if target == vm.node:
        raise pve_die("target is local node.")
    if target not in call.state.nodes or not call.state.nodes[target].online:
        raise pve_die(f"target node '{target}' is not online")
    world, tasks = call.services.world, call.services.tasks
    sid = f"vm:{vm.vmid}"
    if sid in call.state.ha_resources:
        primary_only(call)
        HaManager(world).request_migration(sid, target, world.now())
        log = [f"Requesting HA migration for VM {vm.vmid} to node {target}"]
        return tasks.start(vm.node, "hamigrate", str(vm.vmid), call.auth_id, log=log).upid
    task = tasks.start(vm.node, "qmigrate", str(vm.vmid), call.auth_id)
    migrate(world, vm, target, task.starttime)
    return task.upid


@ROUTES.route(
    "POST",
    "/nodes/{node}/vzdump",
    "node:pve-node storage?:pve-storage-id vmid?:string all?:boolean exclude?:string "
    "mode?:string notes-template?:string prune-backups?:prune-backups remove?:boolean "
    "protected?:boolean",
)
def vzdump(call: PveCall) -> str:
    """Back up this node's selected guests now (a ``vzdump`` task)."""
    node = node_of(call)
    primary_only(call)
    options = {k: v for k, v in call.params.items() if k != "node"}
    task = run_vzdump(call.services.world, options, node.name, call.auth_id)
    if task is None:
        raise pve_die(f"no guest of the selection is on node '{node.name}'")
    return task.upid
