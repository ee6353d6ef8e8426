"""Moving a guest to another node: migration (a last replication run first), or relocation.

PVE migrates a replicated guest by running its replication job to the target once more,
then moving the guest; the job is then flipped (the old node becomes the target) and its
state moves with the guest (``replication.moved``). HA recovery relocates a guest onto a node
that holds a replica without that last run: the guest continues from the replica's content.
"""

from __future__ import annotations

from lab.sim.pve import replication
from lab.sim.world import World
from lab.state.pve import Vm


def relocate(world: World, vm: Vm, node: str, *, migration: bool) -> None:
    """Register the guest on ``node`` and flip its replication jobs."""
    old, vm.node = vm.node, node
    replication.moved(world.pve, vm.vmid, old, node, migration=migration)
    world.note(
        f"pve/{node}", "ha" if not migration else "migration", f"VM {vm.vmid}: {old} -> {node}"
    )
    world.changed()


def migrate(world: World, vm: Vm, target: str, at: int) -> None:
    """Migrate the guest to ``target`` now: replicate to it once more, then move."""
    for entry in list(world.pve.replication):
        if entry.guest == vm.vmid and entry.target == target:
            replication.run(world, entry, at)
    relocate(world, vm, target, migration=True)
