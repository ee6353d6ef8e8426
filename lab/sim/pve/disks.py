"""ZFS pools and disk failures: a mirror keeps serving, a pool past its redundancy is lost.

A pool tolerates ``len(devices) - 1`` failed disks as a mirror, 1/2/3 as raidz/raidz2/raidz3
(and 1 as raid10), none as a single disk. A lost pool takes with it every volume on it: the
guests whose disks were there stop with an I/O error and their copies (replicas) on that node
are gone, so HA cannot start them there, backups and replication of them fail, and only a
backup (or a replica elsewhere) brings them back.
"""

from __future__ import annotations

from lab.sim.world import World
from lab.state.pve import PveCluster, PveNode, Vm, ZfsPool

FAILURES_TOLERATED = {"single": 0, "raidz": 1, "raidz2": 2, "raidz3": 3, "raid10": 1}


def tolerated(pool: ZfsPool) -> int:
    """How many failed disks ``pool`` survives."""
    if pool.raidlevel == "mirror":
        return len(pool.devices) - 1
    return FAILURES_TOLERATED.get(pool.raidlevel, 0)


def health(node: PveNode, pool: ZfsPool) -> str:
    """``ONLINE``, ``DEGRADED`` (serving on fewer disks) or ``FAULTED`` (data lost)."""
    failed = sum(1 for device in pool.devices if node.disks[device].failed)
    if pool.lost or failed > tolerated(pool):
        return "FAULTED"
    return "DEGRADED" if failed else "ONLINE"


def pool_of(pve: PveCluster, volume: str) -> str | None:
    """The ZFS pool a volume (``tanka1:vm-110-disk-0``) lives on, if its storage is zfspool."""
    entry = pve.storage.get(volume.split(":", 1)[0])
    if entry is None or entry.type != "zfspool":
        return None
    return str(entry.get("pool"))


def disks_on(pve: PveCluster, vm: Vm, node: str) -> bool:
    """Whether ``node`` holds the guest's disks: its own node, or a replica, on a live pool."""
    here = pve.nodes[node]
    if node != vm.node and node not in pve.replicas.get(vm.vmid, {}):
        return False
    for volume in vm.volumes():
        pool = pool_of(pve, volume)
        if pool is not None and pool in here.zfs and here.zfs[pool].lost:
            return False
    return True


def fail_disk(world: World, node_name: str, devpath: str) -> str:
    """A disk of a node fails; returns the health of the pool it belonged to (or ``unused``)."""
    pve = world.pve
    node = pve.nodes[node_name]
    node.disks[devpath].failed = True
    pool = next((p for p in node.zfs.values() if devpath in p.devices), None)
    source = f"pve/{node_name}"
    if pool is None:
        world.note(source, "fault", f"disk {devpath} failed (unused)")
        return "unused"
    state = health(node, pool)
    if state != "FAULTED" or pool.lost:
        world.note(source, "fault", f"disk {devpath} failed: pool {pool.name} {state}, serving")
        return state
    pool.lost = True
    world.note(source, "fault", f"disk {devpath} failed: pool {pool.name} lost with its data")
    for vm in pve.vms.values():
        on_pool = [v for v in vm.volumes() if pool_of(pve, v) == pool.name]
        if not on_pool:
            continue
        pve.replicas.get(vm.vmid, {}).pop(node_name, None)
        if vm.node == node_name:
            vm.io_error = True
            world.note(source, "fault", f"VM {vm.vmid}: I/O error, its disks are gone")
    world.changed()
    return state
