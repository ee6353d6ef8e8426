"""What happens to HA services when nodes fail, restart or shut down (pve-ha-manager).

The steps, each a pure function over the CRM's service statuses, called by the lab's clock at
the times ``fencing.fence_timeline`` gives:

- ``fence_services``: a lost node's services go to ``fence`` — started, stopping, migrating
  and ``stopped`` ones (stopped services are recovered too); disabled, frozen and failed
  ones stay.
- ``recover_fenced``: fenced services get a new node (``best-score``), in id order; a
  ``stopped`` one moves there stopped; with no node allowed, ``recovery`` is retried each round
  (a disabled one gives up and is ``stopped``).
- ``start_services``: the LRM starts services, retrying ``max_restart`` times on the node;
  after that the CRM relocates them ("try-next", skipping failed nodes) while the failed nodes
  number at most ``max_relocate``, then gives up with ``error``. The rounds this takes are
  collapsed into one call.
- Shutdown policy (``datacenter.cfg`` ``ha: shutdown_policy``, default ``conditional``): a
  reboot freezes the services in place (``freeze_services``, ``unfreeze_services`` when the
  node's LRM is back); a power-off stops them and they are recovered elsewhere once the node
  is fenced (a clean fence, right after the 60 s delay); ``failover`` does that even on
  reboot, unless the node is back first; ``migrate`` puts the node into maintenance, so its
  services migrate away and come back when it returns (``placement.placement_moves``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from enum import StrEnum

from lab.behaviour.ha.placement import NodePreference, select_service_node, usage_scores
from lab.behaviour.ha.resources import CrmState, HaResource, RequestState, ServiceStatus

__all__ = [
    "DEFAULT_SHUTDOWN_POLICY",
    "ShutdownEffect",
    "ShutdownPolicy",
    "StartFails",
    "fence_services",
    "freeze_services",
    "recover_fenced",
    "shutdown_effect",
    "start_services",
    "stop_services",
    "unfreeze_services",
]

_FENCED_WHEN_NODE_LOST = frozenset(
    {CrmState.STARTED, CrmState.REQUEST_STOP, CrmState.MIGRATE, CrmState.RELOCATE}
)

Statuses = dict[str, ServiceStatus]
StartFails = Callable[[str, str], bool]
"""``start_fails(sid, node)``: whether this start attempt of ``sid`` on ``node`` fails; called
once per attempt (the LRM's restarts included), so it may count."""


class ShutdownPolicy(StrEnum):
    """``ha: shutdown_policy=`` in datacenter.cfg."""

    CONDITIONAL = "conditional"
    FREEZE = "freeze"
    FAILOVER = "failover"
    MIGRATE = "migrate"


DEFAULT_SHUTDOWN_POLICY = ShutdownPolicy.CONDITIONAL


class ShutdownEffect(StrEnum):
    """What the LRM does with its services when its node shuts down."""

    FREEZE = "freeze"
    """Stop and freeze: they restart on this node when it is back, and are never recovered."""
    STOP = "stop"
    """Stop: recovered elsewhere once the node is fenced, unless it is back first."""
    MIGRATE = "migrate"
    """Maintenance mode: migrate them away first, bring them back afterwards."""


def shutdown_effect(
    policy: ShutdownPolicy, reboot: bool, maintenance_requested: bool = False
) -> ShutdownEffect:
    """PVE LRM ``shutdown_request``; manual maintenance mode overrides the policy."""
    if maintenance_requested or policy is ShutdownPolicy.MIGRATE:
        return ShutdownEffect.MIGRATE
    if policy is ShutdownPolicy.FREEZE or (policy is ShutdownPolicy.CONDITIONAL and reboot):
        return ShutdownEffect.FREEZE
    return ShutdownEffect.STOP


def _on(statuses: Mapping[str, ServiceStatus], node: str) -> list[str]:
    return sorted(sid for sid, status in statuses.items() if status.node == node)


def fence_services(
    statuses: Mapping[str, ServiceStatus], resources: Mapping[str, HaResource], node: str
) -> Statuses:
    """The services of lost ``node`` after the fence delay."""
    result = dict(statuses)
    for sid in _on(statuses, node):
        status = statuses[sid]
        stopped_but_recoverable = (
            status.state is CrmState.STOPPED and resources[sid].state is not RequestState.DISABLED
        )
        if status.state in _FENCED_WHEN_NODE_LOST or stopped_but_recoverable:
            result[sid] = replace(status, state=CrmState.FENCE, running=False)
    return result


def recover_fenced(
    statuses: Mapping[str, ServiceStatus],
    resources: Mapping[str, HaResource],
    affinity: Mapping[str, Mapping[str, int]],
    online_nodes: Collection[str],
) -> tuple[Statuses, list[str]]:
    """The CRM round that holds the lost node's lock: fence → recovery → a new node."""
    result = dict(statuses)
    usage = usage_scores(statuses.values(), online_nodes)
    log = []
    for sid in sorted(statuses):
        status = statuses[sid]
        if status.state not in (CrmState.FENCE, CrmState.RECOVERY):
            continue
        resource = resources[sid]
        node = select_service_node(
            status, resource.failback, affinity.get(sid), usage, NodePreference.BEST_SCORE
        )
        if node is None:
            log.append(
                f"recovering service '{sid}' from fenced node '{status.node}' failed, "
                "no recovery node found"
            )
            disabled = resource.state is RequestState.DISABLED
            state = CrmState.STOPPED if disabled else CrmState.RECOVERY
            result[sid] = replace(
                status, state=state, failed_nodes=() if disabled else status.failed_nodes
            )
            continue
        log.append(f"recover service '{sid}' from fenced node '{status.node}' to node '{node}'")
        started = resource.state is RequestState.STARTED
        state = CrmState.STARTED if started else CrmState.REQUEST_STOP
        result[sid] = replace(status, node=node, state=state, running=False, target=None)
        usage[node] += 1
    return result, log


def start_services(
    statuses: Mapping[str, ServiceStatus],
    resources: Mapping[str, HaResource],
    affinity: Mapping[str, Mapping[str, int]],
    online_nodes: Collection[str],
    start_fails: StartFails,
) -> tuple[Statuses, list[str]]:
    """The LRMs act on started services not yet running (and finish pending stops).

    Returns the statuses once each service runs or is in ``error``, and the log lines.
    """
    result = dict(statuses)
    log: list[str] = []
    for sid in sorted(statuses):
        status = statuses[sid]
        if status.state is CrmState.REQUEST_STOP:
            result[sid] = replace(status, state=CrmState.STOPPED, running=False)
            log.append(f"service status {sid} stopped")
            continue
        if status.state is CrmState.REQUEST_START:
            status = replace(status, state=CrmState.STARTED)
        if status.state is not CrmState.STARTED or status.running:
            continue
        result[sid] = _start(
            status,
            resources[sid],
            affinity=affinity.get(sid),
            others=result,
            online_nodes=online_nodes,
            start_fails=start_fails,
            log=log,
        )
    return result, log


def _start(
    status: ServiceStatus,
    resource: HaResource,
    *,
    affinity: Mapping[str, int] | None,
    others: Mapping[str, ServiceStatus],
    online_nodes: Collection[str],
    start_fails: StartFails,
    log: list[str],
) -> ServiceStatus:
    """Start one service: LRM restarts, then CRM relocations, until it runs or errors."""
    sid = status.sid
    while True:
        log.append(f"{status.node}: starting service {sid}")
        for retry in range(resource.max_restart + 1):
            if retry:
                log.append(
                    f"{status.node}: restart policy: retry number {retry} for service '{sid}'"
                )
            if not start_fails(sid, status.node):
                log.append(f"{status.node}: service status {sid} started")
                return replace(status, state=CrmState.STARTED, running=True, failed_nodes=())
        log.append(
            f"{status.node}: unable to start service {sid} on local node "
            f"after {resource.max_restart} retries"
        )
        status = replace(status, failed_nodes=(*status.failed_nodes, status.node))
        if len(status.failed_nodes) > resource.max_relocate:
            log.append(
                f"recovery policy for service {sid} failed, entering error state. "
                f"Failed nodes: {', '.join(status.failed_nodes)}"
            )
            return replace(status, state=CrmState.ERROR, running=False)
        log.append(f"starting service {sid} on node '{status.node}' failed, relocating service.")
        usage = usage_scores({**others, sid: status}.values(), online_nodes)
        node = select_service_node(
            status, resource.failback, affinity, usage, NodePreference.TRY_NEXT
        )
        if node is None or node == status.node:
            log.append(
                f"Start Error Recovery: Tried all available nodes for service '{sid}', retry "
                f"start on current node. Tried nodes: {', '.join(status.failed_nodes)}"
            )
        else:
            log.append(f"relocate service '{sid}' to node '{node}'")
            status = replace(status, node=node)


def freeze_services(statuses: Mapping[str, ServiceStatus], node: str) -> Statuses:
    """Reboot with a freezing policy: the node's services stop and stay frozen on it."""
    result = dict(statuses)
    for sid in _on(statuses, node):
        if statuses[sid].state in (CrmState.STARTED, CrmState.STOPPED, CrmState.REQUEST_STOP):
            result[sid] = replace(statuses[sid], state=CrmState.FREEZE, running=False)
    return result


def unfreeze_services(
    statuses: Mapping[str, ServiceStatus], resources: Mapping[str, HaResource], node: str
) -> Statuses:
    """The node's LRM is active again: frozen services resume their requested state."""
    result = dict(statuses)
    for sid in _on(statuses, node):
        if statuses[sid].state is CrmState.FREEZE:
            started = resources[sid].state is RequestState.STARTED
            state = CrmState.STARTED if started else CrmState.REQUEST_STOP
            result[sid] = replace(statuses[sid], state=state, running=False)
    return result


def stop_services(statuses: Mapping[str, ServiceStatus], node: str) -> Statuses:
    """Power-off without freezing: the LRM stops its services; the CRM still has them
    ``started`` on the node, so fencing recovers them once the node is gone."""
    result = dict(statuses)
    for sid in _on(statuses, node):
        result[sid] = replace(statuses[sid], running=False)
    return result
