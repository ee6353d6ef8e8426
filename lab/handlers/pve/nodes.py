"""PVE ``/nodes``: node list and status, disks, ZFS pools (``Disks/ZFS.pm``) and tasks.

Creating a pool is a ``zfscreate`` task; its devices must be unused and a mirror needs two.
``add_storage`` creates the zfspool storage entry, or on a second node appends that node to
an existing entry for the same pool. Pool and disk health follow failed disks
(``sim.pve.disks``). ``POST /nodes/{node}/status`` shuts a node down or reboots it under the
cluster's HA shutdown policy (``sim.pve.power``).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from lab.api.routes import Call, RouteTable
from lab.errors import ApiError, pve_die
from lab.handlers.tasks import register_task_routes
from lab.schema.pve_check import split_list
from lab.sim.pve import power
from lab.sim.pve.disks import health
from lab.state.pve import PhysicalDisk, PveCluster, PveNode, StorageEntry, ZfsPool

ROUTES = RouteTable()
PveCall = Call[PveCluster]
MIN_DISKS = {"single": 1, "mirror": 2, "raid10": 4, "raidz": 3, "raidz2": 4, "raidz3": 5}
ZFS_CONTENT = "images,rootdir"


def node_of(call: PveCall) -> PveNode:
    """The node in the path."""
    name = str(call.param("node"))
    node = call.state.nodes.get(name)
    if node is None:
        raise pve_die(
            f"hostname lookup '{name}' failed - failed to get address info for: {name}: "
            "Name or service not known"
        )
    return node


@ROUTES.route("GET", "/nodes")
def list_nodes(call: PveCall) -> list[dict[str, Any]]:
    """Every node with status and capacity."""
    return [
        {
            "node": n.name,
            "id": f"node/{n.name}",
            "type": "node",
            "status": "online" if n.online else "offline",
            "maxcpu": n.cpus,
            "maxmem": n.memory,
            "cpu": 0.02 if n.online else 0,
            "mem": n.memory // 8 if n.online else 0,
            "uptime": 86400 if n.online else 0,
            "level": "",
        }
        for n in call.state.nodes.values()
    ]


@ROUTES.route("GET", "/nodes/{node}/status", "node:pve-node")
def node_status(call: PveCall) -> dict[str, Any]:
    """CPU, memory and versions of one node."""
    node = node_of(call)
    return {
        "uptime": 86400,
        "cpu": 0.02,
        "cpuinfo": {"cpus": node.cpus, "model": "TAPPaaS lab CPU", "sockets": 1},
        "memory": {
            "total": node.memory,
            "used": node.memory // 8,
            "free": node.memory - node.memory // 8,
        },
        "pveversion": "pve-manager/9.1.2/7b3a1f2c9d4e5b6a",
        "kversion": "Linux 6.14.8-2-pve #1 SMP PREEMPT_DYNAMIC",
        "loadavg": ["0.10", "0.10", "0.10"],
    }


@ROUTES.route("POST", "/nodes/{node}/status", "node:pve-node command:string")
def node_command(call: PveCall) -> None:
    """``reboot`` or ``shutdown`` the node (Sys.PowerMgmt)."""
    primary_only(call)
    command = str(call.param("command"))
    power.shutdown(call.services.world, node_of(call).name, reboot=command == "reboot")


@ROUTES.route(
    "GET",
    "/nodes/{node}/disks/list",
    "node:pve-node include-partitions?:boolean skipsmart?:boolean type?:string",
)
def list_disks(call: PveCall) -> list[dict[str, Any]]:
    """Block devices and what uses them."""
    out = []
    for disk in node_of(call).disks.values():
        item: dict[str, Any] = {
            "devpath": disk.devpath,
            "size": disk.size,
            "serial": disk.serial,
            "model": disk.model,
            "vendor": "LAB",
            "type": "ssd",
            "gpt": 1,
            "health": "FAILED" if disk.failed else "PASSED",
            "wwn": "unknown",
            "rpm": 0,
            "osdid": -1,
        }
        if disk.used:
            item["used"] = disk.used
        out.append(item)
    return out


@ROUTES.route("GET", "/nodes/{node}/disks/zfs", "node:pve-node")
def list_zfs(call: PveCall) -> list[dict[str, Any]]:
    """ZFS pools of the node."""
    return [
        {
            "name": p.name,
            "size": p.size,
            "alloc": p.alloc,
            "free": p.size - p.alloc,
            "frag": 0,
            "dedup": 1.0,
            "health": health(node, p),
        }
        for node in [node_of(call)]
        for p in node.zfs.values()
    ]


@ROUTES.route(
    "POST",
    "/nodes/{node}/disks/zfs",
    "node:pve-node name:pve-storage-id raidlevel:string devices:string ashift?:integer "
    "compression?:string add_storage?:boolean",
)
def create_zfs(call: PveCall) -> str:
    """Create a pool (a ``zfscreate`` task)."""
    node = node_of(call)
    name, raidlevel = str(call.param("name")), str(call.param("raidlevel"))
    devices = split_list(str(call.param("devices")))
    if name in node.zfs:
        raise pve_die(f"pool '{name}' already exists on node '{node.name}'")
    for device in devices:
        disk = node.disks.get(device)
        if disk is None:
            raise pve_die(f"unable to get device info for '{device}'")
        if disk.used:
            raise pve_die(f"device '{device}' is already in use")
    if len(devices) < MIN_DISKS.get(raidlevel, 1):
        raise pve_die(f"{raidlevel} needs at least {MIN_DISKS[raidlevel]} disks")
    storage = call.state.storage.get(name)
    foreign = storage is not None and (storage.type != "zfspool" or storage.get("pool") != name)
    if call.param("add_storage") and foreign:
        raise pve_die(f"storage ID '{name}' already defined")
    sizes = [node.disks[d].size for d in devices]
    usable = min(sizes) if raidlevel == "mirror" else sum(sizes)
    node.zfs[name] = ZfsPool(
        name=name,
        raidlevel=raidlevel,
        devices=devices,
        ashift=call.param("ashift", 12),
        compression=call.param("compression", "on"),
        size=usable,
    )
    for device in devices:
        node.disks[device].used = "ZFS"
    if call.param("add_storage"):
        if storage is None:
            options = {"pool": name, "content": ZFS_CONTENT, "nodes": node.name, "sparse": 1}
            call.state.storage.put(StorageEntry(name, "zfspool", options))
        elif storage.nodes is not None and node.name not in storage.nodes:
            storage.options["nodes"] = ",".join([*storage.nodes, node.name])
    return call.services.tasks.start(node.name, "zfscreate", name, call.auth_id).upid


def by_id_path(disk: PhysicalDisk) -> str:
    """The disk as ``zpool status -P`` names it in a pool PVE created.

    PVE's create replaces each device by its udev ``by_id_link`` before ``zpool create``, and
    ZFS puts a whole disk's data in its first partition (pve-storage
    ``src/PVE/API2/Disks/ZFS.pm``, ``create``): ``/dev/disk/by-id/ata-<model>_<serial>-part1``.
    """
    return f"/dev/disk/by-id/ata-{disk.model}_{disk.serial}-part1"


VDEV_KINDS = {"mirror": "mirror", "raidz": "raidz1", "raidz2": "raidz2", "raidz3": "raidz3"}


@ROUTES.route("GET", "/nodes/{node}/disks/zfs/{name}", "node:pve-node name:string")
def read_zfs(call: PveCall) -> dict[str, Any]:
    """Pool detail: ``zpool status -P`` as a tree (pve-storage ``API2/Disks/ZFS.pm``
    ``detail``): the pool, its vdev (``mirror-0``; none for a single disk), the disks."""
    node = node_of(call)
    pool = node.zfs.get(str(call.param("name")))
    if pool is None:
        raise pve_die(f"zpool '{call.param('name')}' not found")
    state = health(node, pool)
    disks: list[dict[str, Any]] = [
        {
            "name": by_id_path(node.disks[d]),
            "state": "FAULTED" if node.disks[d].failed else "ONLINE",
            "read": 0,
            "write": 0,
            "cksum": 0,
            "msg": "",
            "leaf": 1,
        }
        for d in pool.devices
    ]
    kind = VDEV_KINDS.get(pool.raidlevel)
    children = disks
    if kind is not None:
        vdev = {"name": f"{kind}-0", "state": state, "read": 0, "write": 0, "cksum": 0}
        children = [{**vdev, "msg": "", "leaf": 0, "children": disks}]
    return {
        "name": pool.name,
        "state": state,
        "errors": "No known data errors" if state != "FAULTED" else "pool I/O is suspended",
        "leaf": 0,
        "children": children,
    }


@ROUTES.route(
    "DELETE",
    "/nodes/{node}/disks/zfs/{name}",
    "node:pve-node name:string cleanup-config?:boolean cleanup-disks?:boolean",
)
def delete_zfs(call: PveCall) -> str:
    """Destroy a pool (a ``zfsremove`` task)."""
    node = node_of(call)
    name = str(call.param("name"))
    pool = node.zfs.pop(name, None)
    if pool is None:
        raise pve_die(f"zpool '{name}' not found")
    if call.param("cleanup-disks"):
        for device in pool.devices:
            node.disks[device].used = None
    storage = call.state.storage.get(name)
    if call.param("cleanup-config") and storage is not None and storage.nodes is not None:
        remaining = [n for n in storage.nodes if n != node.name]
        if remaining:
            storage.options["nodes"] = ",".join(remaining)
        else:
            call.state.storage.remove(name)
    return call.services.tasks.start(node.name, "zfsremove", name, call.auth_id).upid


register_task_routes(ROUTES, lambda state: "")


def primary_only(call: PveCall) -> None:
    """The lab's scheduled behaviours (HA, power, vzdump) run on its primary cluster only:
    on a secondary cluster, the calls that drive them answer 501 rather than act elsewhere."""
    if call.state is not call.services.world.pve:
        raise ApiError(
            HTTPStatus.NOT_IMPLEMENTED,
            f"Method '{call.method} {call.template}' not implemented in the TAPPaaS lab "
            "on a secondary cluster",
        )
