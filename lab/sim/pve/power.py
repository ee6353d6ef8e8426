"""Nodes going down and coming up: crashes, shutdowns and reboots under the HA policy.

- ``crash``: the node is gone at once (power cut, kernel panic, network loss): its guests
  die, HA fences it after the delay and recovers its services elsewhere.
- ``shutdown`` (``POST /nodes/{node}/status``, or the control surface): the LRM applies
  ``datacenter.cfg`` ``ha: shutdown_policy`` (``behaviour.ha.lifecycle.shutdown_effect``):
  ``migrate`` moves the services away first and the node goes down once none is left;
  ``freeze`` stops them in place until the node is back; a plain stop leaves them to be
  recovered elsewhere after a clean fence. A reboot brings the node back after
  ``REBOOT_SECONDS``.
- ``power_on``: schedulers start again — a vzdump job without ``repeat-missed`` drops the
  runs it missed (``on_pve_scheduler_start``) — and HA brings the services back (failback).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lab.behaviour.ha.lifecycle import (
    DEFAULT_SHUTDOWN_POLICY,
    ShutdownEffect,
    ShutdownPolicy,
    freeze_services,
    shutdown_effect,
    stop_services,
)
from lab.behaviour.schedulers import on_pve_scheduler_start
from lab.sim.pve.ha import HaManager
from lab.sim.pve.vzdump import vzdump_key
from lab.sim.world import World

REBOOT_SECONDS = 120
"""From going down to being back, for a reboot."""
_POLICY = re.compile(r"(?:^|,)shutdown_policy=(\w+)")


def shutdown_policy(options: dict[str, object]) -> ShutdownPolicy:
    """``ha: shutdown_policy=…`` of ``datacenter.cfg`` (``/cluster/options``)."""
    match = _POLICY.search(str(options.get("ha", "")))
    return ShutdownPolicy(match[1]) if match else DEFAULT_SHUTDOWN_POLICY


def _go_down(world: World, node: str, at: int, *, clean: bool, reboot: bool) -> None:
    pve = world.pve
    pve.nodes[node].online = False
    for vm in pve.vms.values():
        if vm.node == node:
            vm.status = "stopped"
    if reboot:
        pve.ha.power_on[node] = at + REBOOT_SECONDS
    HaManager(world).node_lost(node, at, clean=clean)
    world.note(f"pve/{node}", "node", "node down" + (" (reboot)" if reboot else ""))
    world.changed()


def crash(world: World, node: str) -> None:
    """The node fails now."""
    if world.pve.nodes[node].online:
        _go_down(world, node, world.now(), clean=False, reboot=False)


def power_on(world: World, node: str) -> None:
    """The node boots: schedulers start, HA takes its services back."""
    pve, at = world.pve, world.now()
    entry = pve.nodes[node]
    pve.ha.power_on.pop(node, None)
    if entry.online:
        return
    entry.online, entry.up_since = True, at
    for job in pve.backup_jobs:
        record = pve.job_records.get(vzdump_key(job.id, node))
        if record is not None:
            record.run = on_pve_scheduler_start(record.run, at, job.flag("repeat-missed"))
    for vm in pve.vms.values():
        managed = f"vm:{vm.vmid}" in pve.ha_resources
        if vm.node == node and str(vm.config.get("onboot")) == "1" and not managed:
            vm.status = "running"
    HaManager(world).node_back(node, at)
    world.note(f"pve/{node}", "node", "node up")
    world.changed()


def shutdown(world: World, node: str, *, reboot: bool) -> ShutdownEffect:
    """A clean shutdown or reboot of ``node``; returns what its HA services do."""
    pve, at = world.pve, world.now()
    ha = pve.ha
    effect = shutdown_effect(
        shutdown_policy(pve.options), reboot, maintenance_requested=node in ha.maintenance
    )
    world.note(f"pve/{node}", "node", f"{'reboot' if reboot else 'shutdown'}: HA {effect}")
    if effect is ShutdownEffect.MIGRATE:
        ha.leaving.add(node)
        ha.power_off[node] = reboot
        HaManager(world).request_round(at)
        return effect
    if effect is ShutdownEffect.FREEZE:
        ha.statuses = freeze_services(ha.statuses, node)
    else:
        ha.statuses = stop_services(ha.statuses, node)
    _go_down(world, node, at, clean=True, reboot=reboot)
    return effect


def set_maintenance(world: World, node: str, enable: bool) -> None:
    """``ha-manager crm-command node-maintenance enable|disable <node>``."""
    ha = world.pve.ha
    if enable:
        ha.maintenance.add(node)
    else:
        ha.maintenance.discard(node)
    world.note(f"pve/{node}", "ha", f"maintenance mode {'on' if enable else 'off'}")
    HaManager(world).request_round()


def _emptied(world: World, node: str) -> bool:
    """A node leaving under ``migrate`` has no HA service left (all moves done)."""
    statuses = world.pve.ha.statuses.values()
    return not any(node in (s.node, s.target) for s in statuses)


@dataclass(frozen=True)
class NodePower:
    """Powers nodes on after a reboot, and off once ``migrate`` has emptied them."""

    world: World
    key: str = "pve/power"

    def next_due(self, now: int) -> int | None:
        ha = self.world.pve.ha
        times = list(ha.power_on.values())
        if any(_emptied(self.world, node) for node in ha.power_off):
            times.append(now)
        return min(times, default=None)

    def run(self, at: int) -> None:
        ha = self.world.pve.ha
        for node, when in list(ha.power_on.items()):
            if when <= at:
                power_on(self.world, node)
        for node, reboot in list(ha.power_off.items()):
            if _emptied(self.world, node):
                del ha.power_off[node]
                _go_down(self.world, node, at, clean=True, reboot=reboot)
