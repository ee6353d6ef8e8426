"""Storage replication (pvesr) in the lab: runs, per-node state, status entries, direction flips.

``behaviour.replication`` computes each run; this keeps what PVE keeps — the state per node
(``last_sync``, ``last_try``, ``fail_count``, ``duration``, ``error``), each guest's replica
snapshots per node, the last run's log — and answers ``/nodes/{node}/replication/…``.

A job runs on the node its guest is on, at the minute ``schedulers.replication_next_sync``
gives (after failures: 5, 10, 15, then every 30 minutes, only while the target is online).
When the guest moves to the job's target (migration, or HA recovery) the job is flipped
(``switch_target``): the old node becomes the target. PVE flips a recovered ("stolen")
guest's job lazily on the new node; the lab flips it when the guest moves, with the same
result. A deleted job (``remove_job``) is removed by the next scheduler pass: ``full`` also
drops the target's copy.
"""

from __future__ import annotations

from typing import Any

from lab.behaviour import replication as b
from lab.behaviour.schedulers import replication_next_sync
from lab.sim.clock import iso
from lab.sim.content import guest_content
from lab.sim.schedule import calendar
from lab.sim.world import World
from lab.state.pve import PveCluster, ReplicationJob, Vm

VMTYPE = "qemu"


def job_of(entry: ReplicationJob, vm: Vm | None) -> b.ReplicationJob:
    """The behaviour layer's job; ``source`` defaults to where the guest is."""
    rate = entry.get("rate")
    return b.ReplicationJob(
        guest=entry.guest,
        jobnum=int(entry.id.split("-")[1]),
        target=entry.target,
        source=str(entry.get("source") or (vm.node if vm is not None else "")),
        schedule=entry.get("schedule"),
        rate=float(rate) if rate is not None else None,
        disable=entry.disabled,
        comment=entry.get("comment"),
    )


def state_on(pve: PveCluster, node: str, job_id: str) -> b.ReplicationState:
    """What ``node`` remembers of the job (a fresh state if nothing)."""
    return pve.replication_state.get(node, {}).get(job_id, b.ReplicationState())


def next_sync(pve: PveCluster, entry: ReplicationJob) -> int | None:
    """pvesr's ``next_sync`` for the job on the node its guest is on (None: not scheduled)."""
    vm = pve.vms.get(entry.guest)
    event = calendar(entry.schedule)
    target = pve.nodes.get(entry.target)
    if vm is None or entry.disabled or event is None or target is None:
        return None
    state = state_on(pve, vm.node, entry.id)
    return replication_next_sync(event, state.last_try, state.fail_count, target.online)


def status_entry(pve: PveCluster, entry: ReplicationJob) -> dict[str, Any]:
    """One item of ``GET /nodes/{node}/replication`` (the guest's node)."""
    vm = pve.vms.get(entry.guest)
    node = vm.node if vm is not None else ""
    return b.job_status_entry(
        job_of(entry, vm), state_on(pve, node, entry.id), next_sync(pve, entry), VMTYPE
    )


def run(world: World, entry: ReplicationJob, at: int) -> b.ReplicationRun | None:
    """One run of the job from its guest's node at ``at`` (None if the guest is gone)."""
    pve = world.pve
    vm = pve.vms.get(entry.guest)
    if vm is None:
        return None
    job = job_of(entry, vm)
    before = state_on(pve, vm.node, entry.id)
    volumes = b.GuestVolumes(tuple(vm.volumes()), guest_content(vm, at))
    target = pve.nodes.get(job.target)
    outcome = b.run_replication(
        job,
        before,
        pve.replicas.get(vm.vmid, {}),
        at,
        target_online=target is not None and target.online,
        volumes=volumes,
    )
    pve.replication_state.setdefault(vm.node, {})[entry.id] = outcome.state
    pve.replicas[vm.vmid] = outcome.snapshots
    pve.replication_logs[entry.id] = (at, outcome.log)
    source = f"pve/{vm.node}"
    if not outcome.ok:
        world.note(
            source, "replication", f"{entry.id} to {job.target} failed: {outcome.state.error}"
        )
    elif outcome.kind is b.TransferKind.FULL or before.fail_count:
        world.note(source, "replication", f"{entry.id} to {job.target}: {outcome.kind} sync OK")
    return outcome


def log_lines(pve: PveCluster, job_id: str) -> list[str]:
    """The last run's log as pvesr writes it: ``2025-01-16 10:15:00 100-0: …``."""
    if job_id not in pve.replication_logs:
        return []
    at, lines = pve.replication_logs[job_id]
    stamp = iso(at).replace("T", " ").rstrip("Z")
    return [f"{stamp} {job_id}: {line}" for line in lines]


def remove(world: World, entry: ReplicationJob) -> None:
    """pvesr removing a deleted job; ``remove_job=full`` also drops the target's copy."""
    pve = world.pve
    if entry.get("remove_job") == "full":
        pve.replicas.get(entry.guest, {}).pop(entry.target, None)
    for states in pve.replication_state.values():
        states.pop(entry.id, None)
    pve.replication_logs.pop(entry.id, None)
    pve.replication.remove(entry.id)
    world.note("pve", "replication", f"removed replication job {entry.id}")


def moved(pve: PveCluster, guest: int, old_node: str, new_node: str, *, migration: bool) -> None:
    """The guest now runs on ``new_node``: flip its jobs, and on migration move their state."""
    entries = [e for e in pve.replication if e.guest == guest]
    vm = pve.vms.get(guest)
    flipped = b.switch_target(
        [job_of(e, vm) for e in entries], guest, old_target=new_node, new_target=old_node
    )
    for entry, job in zip(entries, flipped, strict=True):
        entry.options["target"], entry.options["source"] = job.target, job.source
        if migration and entry.id in pve.replication_state.get(old_node, {}):
            state = pve.replication_state[old_node].pop(entry.id)
            pve.replication_state.setdefault(new_node, {})[entry.id] = state


def loss_window(pve: PveCluster, guest: int, failed: str, lost_at: int, to_node: str) -> int | None:
    """Seconds of writes a guest recovered from ``failed`` onto ``to_node`` lost (None: no copy)."""
    for entry in pve.replication:
        if entry.guest == guest and entry.target == to_node:
            return b.data_loss_window(lost_at, state_on(pve, failed, entry.id))
    return None
