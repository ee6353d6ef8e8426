"""PVE HA in the lab: CRM rounds over the configured resources, fencing and recovery, failback.

The pure steps are ``behaviour.ha``; this runs them as the CRM would, but only when there is
something to do (a change requests a round at the next 10 s boundary; a round that changed
something requests the next one), so a quiet cluster costs nothing over a simulated year.
A round, in order:

1. the LRMs act on what the previous round asked (start, with ``max_restart`` and
   ``max_relocate``; finish requested stops) — so each step takes one round, as in PVE;
2. migrations that were started one round ago complete (a replication run to the target
   first, then the guest moves and its replication jobs flip);
3. lost nodes are fenced after the fence delay and their services recovered once the node's
   agent lock expires (``fencing.fence_timeline``) — the guest moves to its new node, its
   replication jobs flip, and the data it loses (time since the last good replication to
   that node) is recorded in ``HaState.recoveries``;
4. services follow the configuration (new, removed, requested state changed);
5. failback and maintenance moves start (``placement.placement_moves``).

A guest starts only on a node holding its disks (its own, or a replica on a live pool).
Nothing happens without quorum. Resource-affinity rules and the static/dynamic CRS are not
modelled (``behaviour.ha``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lab.behaviour.ha.fencing import CRM_ROUND_SECONDS, fence_timeline
from lab.behaviour.ha.lifecycle import fence_services, recover_fenced, start_services
from lab.behaviour.ha.placement import Move, apply_moves, placement_moves
from lab.behaviour.ha.resources import (
    CrmState,
    HaResource,
    NodeAffinityRule,
    RequestState,
    ServiceStatus,
    compile_node_affinity,
)
from lab.behaviour.ha.status import LrmStatus, status_entries
from lab.sim.clock import iso
from lab.sim.pve import replication
from lab.sim.pve.disks import disks_on
from lab.sim.pve.migration import migrate, relocate
from lab.sim.world import World
from lab.state.ha import LostNode, PendingMove, Recovery
from lab.state.pve import Vm

MIGRATION_SECONDS = CRM_ROUND_SECONDS
"""A migration completes in the next CRM round."""
_LRM_PENDING = frozenset({CrmState.STARTED, CrmState.REQUEST_START, CrmState.REQUEST_STOP})


def round_at_or_after(t: int) -> int:
    """The CRM's next round boundary."""
    return -(-t // CRM_ROUND_SECONDS) * CRM_ROUND_SECONDS


def vmid_of(sid: str) -> int | None:
    """``vm:100`` → 100."""
    kind, _, name = sid.partition(":")
    return int(name) if kind in ("vm", "ct") and name.isdigit() else None


class HaManager:
    """The CRM of the lab's cluster, acting on ``world.pve.ha``."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.pve = world.pve
        self.ha = world.pve.ha

    # -- inputs ------------------------------------------------------------------------
    def _vm(self, sid: str) -> Vm | None:
        vmid = vmid_of(sid)
        return self.pve.vms.get(vmid) if vmid is not None else None

    def resources(self) -> dict[str, HaResource]:
        """The configured resources, each at its guest's node."""
        out = {}
        fallback = next(iter(self.pve.nodes))
        for entry in self.pve.ha_resources:
            vm, status = self._vm(entry.id), self.ha.statuses.get(entry.id)
            node = vm.node if vm is not None else (status.node if status else fallback)
            comment = entry.get("comment")
            out[entry.id] = HaResource(
                sid=entry.id,
                node=node,
                state=RequestState.parse(entry.state),
                max_restart=int(entry.get("max_restart", 1)),
                max_relocate=int(entry.get("max_relocate", 1)),
                failback=entry.failback,
                comment=str(comment) if comment is not None else None,
            )
        return out

    def affinity(self) -> dict[str, dict[str, int]]:
        """Node-affinity rules compiled per resource."""
        rules = [
            NodeAffinityRule(
                rule.id,
                frozenset(rule.resources),
                rule.node_priorities,
                strict=rule.flag("strict"),
                disable=rule.flag("disable"),
            )
            for rule in self.pve.ha_rules
            if rule.type == "node-affinity"
        ]
        return compile_node_affinity(rules, self.pve.nodes)

    def in_maintenance(self) -> set[str]:
        """Nodes in maintenance, by an operator or by a shutdown under ``migrate``."""
        return self.ha.maintenance | self.ha.leaving

    def placeable(self) -> list[str]:
        """Online nodes that may take services."""
        return [n for n in self.pve.online_nodes() if n not in self.in_maintenance()]

    # -- scheduling ------------------------------------------------------------------------
    def request_round(self, at: int | None = None) -> None:
        """Ask for a CRM round at the next boundary."""
        due = round_at_or_after((self.world.now() if at is None else at) + 1)
        self.ha.round_due = due if self.ha.round_due is None else min(self.ha.round_due, due)
        self.world.changed()

    def next_due(self) -> int | None:
        """The next moment the CRM has something to do (nothing without quorum: a node's
        return requests a round)."""
        if not self.pve.quorate():
            return None
        times = [m.due for m in self.ha.moves]
        if self.ha.round_due is not None:
            times.append(self.ha.round_due)
        for lost in self.ha.lost.values():
            if not lost.fenced:
                times.append(lost.timeline.fence_at)
            elif not lost.recovered:
                times.append(lost.timeline.recovery_at)
        return min(times, default=None)

    def request_migration(self, sid: str, target: str, at: int) -> bool:
        """``ha-manager migrate``: the CRM migrates a started service in its next round."""
        status = self.ha.statuses.get(sid)
        if status is None or status.state is not CrmState.STARTED or status.node == target:
            return False
        move = Move(sid, status.node, target, "migrate")
        self.ha.statuses[sid] = replace(status, state=CrmState.MIGRATE, target=target)
        self.ha.moves.append(PendingMove(round_at_or_after(at) + MIGRATION_SECONDS, move))
        self.request_round(at)
        return True

    def node_lost(self, node: str, at: int, clean: bool) -> None:
        """``node`` left the cluster at ``at`` (``clean``: its LRM released the lock)."""
        if self.pve.ha_resources or self.ha.statuses:
            self.ha.lost[node] = LostNode(fence_timeline(at, clean_shutdown=clean))
        self.request_round(at)

    def node_back(self, node: str, at: int) -> None:
        """``node`` is back: its LRM is active again and starts its services (frozen ones
        resume; those of a crash were killed with the node)."""
        self.ha.lost.pop(node, None)
        self.ha.leaving.discard(node)
        self.ha.statuses = {
            sid: replace(s, state=CrmState.STARTED, running=False)
            if s.node == node and s.state in (CrmState.FREEZE, CrmState.STARTED)
            else s
            for sid, s in self.ha.statuses.items()
        }
        self.request_round(at)

    # -- the round -------------------------------------------------------------------------
    def run(self, at: int) -> None:
        """One CRM round at ``at``."""
        self.ha.round_due = None
        if not self.pve.quorate():
            return
        resources = self.resources()
        affinity = self.affinity()
        changed = self._lrm(at, resources, affinity)
        changed |= self._complete_moves(at)
        changed |= self._fence_and_recover(at, resources, affinity)
        changed |= self._follow_config(resources)
        changed |= self._place(at, resources, affinity)
        self._stamp(at)
        waiting = any(s.state is CrmState.RECOVERY for s in self.ha.statuses.values())
        if changed or waiting:
            self.ha.round_due = at + CRM_ROUND_SECONDS

    def _note(self, node: str | None, message: str) -> None:
        self.world.note(f"pve/{node}" if node else "pve", "ha", message)

    def _lrm(
        self, at: int, resources: dict[str, HaResource], affinity: dict[str, dict[str, int]]
    ) -> bool:
        """The LRMs start and stop what the CRM asked for in the previous round."""
        online = set(self.pve.online_nodes())
        pending = {
            sid: s
            for sid, s in self.ha.statuses.items()
            if s.node in online
            and sid in resources
            and s.state in _LRM_PENDING
            and not (s.state is CrmState.STARTED and s.running)
        }
        if not pending:
            return False

        def start_fails(sid: str, node: str) -> bool:
            vm = self._vm(sid)
            return vm is None or node not in online or not disks_on(self.pve, vm, node)

        started, log = start_services(pending, resources, affinity, self.placeable(), start_fails)
        for line in log:
            self._note(None, line)
        for sid, status in started.items():
            vm = self._vm(sid)
            if vm is not None:
                if status.node != vm.node:
                    relocate(self.world, vm, status.node, migration=False)
                vm.status = "running" if status.running else "stopped"
        self.ha.statuses.update(started)
        return True

    def _complete_moves(self, at: int) -> bool:
        due = [m for m in self.ha.moves if m.due <= at]
        if not due:
            return False
        self.ha.moves = [m for m in self.ha.moves if m.due > at]
        done = []
        for pending in due:
            move, vm = pending.move, self._vm(pending.move.sid)
            status = self.ha.statuses.get(move.sid)
            if vm is None or status is None:
                continue
            if not self.pve.nodes[move.target].online:
                self.ha.statuses[move.sid] = replace(status, state=CrmState.STARTED, target=None)
                continue
            migrate(self.world, vm, move.target, at)
            done.append(move)
            self._note(move.target, f"service '{move.sid}': {move.kind} from {move.source} done")
        self.ha.statuses = apply_moves(self.ha.statuses, done)
        return True

    def _fence_and_recover(
        self, at: int, resources: dict[str, HaResource], affinity: dict[str, dict[str, int]]
    ) -> bool:
        changed = False
        for node, lost in self.ha.lost.items():
            if not lost.fenced and at >= lost.timeline.fence_at:
                self.ha.statuses = fence_services(self.ha.statuses, resources, node)
                lost.fenced = changed = True
                self._note(node, f"node '{node}': fencing (lost at {iso(lost.timeline.lost_at)})")
            if lost.fenced and not lost.recovered and at >= lost.timeline.recovery_at:
                lost.recovered = changed = True
        recoverable = {n for n, lost in self.ha.lost.items() if lost.recovered}
        waiting = {CrmState.FENCE, CrmState.RECOVERY}
        candidates = {
            sid: s
            for sid, s in self.ha.statuses.items()
            if sid in resources and (s.state not in waiting or s.node in recoverable)
        }
        if not any(s.state in waiting for s in candidates.values()):
            return changed
        recovered, log = recover_fenced(candidates, resources, affinity, self.placeable())
        for line in log:
            self._note(None, line)
        for sid, status in recovered.items():
            before = self.ha.statuses[sid]
            vm = self._vm(sid)
            if before.state is CrmState.FENCE and status.node != before.node and vm is not None:
                lost_at = self.ha.lost[before.node].timeline.lost_at
                loss = replication.loss_window(self.pve, vm.vmid, before.node, lost_at, status.node)
                self.ha.recoveries.append(
                    Recovery(sid, before.node, status.node, lost_at, at, loss)
                )
                relocate(self.world, vm, status.node, migration=False)
        self.ha.statuses.update(recovered)
        return True

    def _follow_config(self, resources: dict[str, HaResource]) -> bool:
        statuses, changed = self.ha.statuses, False
        for sid in [s for s in statuses if s not in resources]:
            del statuses[sid]
            changed = True
        for sid, resource in resources.items():
            status, vm = statuses.get(sid), self._vm(sid)
            wanted = resource.state
            if wanted is RequestState.IGNORED:
                changed |= statuses.pop(sid, None) is not None
                continue
            if status is None:
                running = vm is not None and vm.status == "running"
                state = CrmState.STARTED if wanted is RequestState.STARTED else CrmState.STOPPED
                if state is CrmState.STOPPED and running:
                    state = CrmState.REQUEST_STOP
                statuses[sid] = ServiceStatus(sid, resource.node, state, running=running)
                self._note(resource.node, f"adding new service '{sid}' on node '{resource.node}'")
                changed = True
            elif status.state is CrmState.STARTED and wanted is not RequestState.STARTED:
                statuses[sid] = replace(status, state=CrmState.REQUEST_STOP)
                changed = True
            elif status.state is CrmState.STOPPED and wanted is RequestState.STARTED:
                statuses[sid] = replace(status, state=CrmState.STARTED, running=False)
                changed = True
            elif status.state is CrmState.ERROR and wanted is RequestState.DISABLED:
                statuses[sid] = replace(status, state=CrmState.STOPPED, failed_nodes=())
                changed = True
        return changed

    def _place(
        self, at: int, resources: dict[str, HaResource], affinity: dict[str, dict[str, int]]
    ) -> bool:
        statuses, moves = placement_moves(
            self.ha.statuses, resources, affinity, self.placeable(), self.in_maintenance()
        )
        for move in moves:
            self.ha.moves.append(PendingMove(at + MIGRATION_SECONDS, move))
            self._note(move.source, f"{move.kind} service '{move.sid}' to node '{move.target}'")
        self.ha.statuses = statuses
        return bool(moves)

    def _stamp(self, at: int) -> None:
        online = sorted(self.pve.online_nodes())
        for node in online:
            self.ha.lrm_timestamps[node] = at
        if online and (self.pve.ha_resources or self.ha.statuses):
            self.ha.master = (online[0], at)

    # -- status ----------------------------------------------------------------------------
    def status(self, now: int) -> list[dict[str, Any]]:
        """``GET /cluster/ha/status/current``: live daemons write every round, so an online
        node's LRM (and the master) show ``now``; a lost one its last write."""
        online = sorted(self.pve.online_nodes())
        quorate = self.pve.quorate()
        master = self.ha.master
        if master is not None and quorate and online:
            master = (online[0], now)
        maintenance = self.in_maintenance()
        statuses = self.ha.statuses
        lrms: dict[str, LrmStatus | None] = {}
        for node in self.pve.nodes:
            stamp = now if node in online else self.ha.lrm_timestamps.get(node)
            busy = any(
                node in (s.node, s.target) and s.state is not CrmState.STOPPED
                for s in statuses.values()
            )
            lrms[node] = LrmStatus(
                stamp,
                mode="maintenance" if node in maintenance else "active",
                state="active" if busy else "wait_for_agent_lock",
            )
        return status_entries(
            now=now,
            local_node=online[0] if online else next(iter(self.pve.nodes)),
            quorate=quorate,
            master=master,
            lrms=lrms,
            statuses=statuses,
            resources=self.resources(),
        )
