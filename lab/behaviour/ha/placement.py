"""Where HA puts a service: PVE ``select_service_node`` and the moves a CRM round makes.

A node is chosen among the online nodes (a node in maintenance is not online) that the
service's node-affinity rule allows, keeping only those of the highest priority present. Then:

- ``none`` (a running service): stay on the current node if failback is off and the node is
  allowed, or if the node is in the top set; otherwise the best-scored node of the top set;
- ``best-score`` (recovery): the best-scored node of the top set;
- ``try-next`` (after a failed start): skip nodes where starts failed, take the node after the
  current one in score order (or the best);
- a ``maintenance_node`` in the top set wins (the service goes home after maintenance).

Best means the lowest basic score — the number of HA services on the node, counting
migrations at both ends — with ties going to the alphabetically first node.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from lab.behaviour.ha.resources import CrmState, HaResource, RequestState, ServiceStatus

__all__ = [
    "Move",
    "NodePreference",
    "apply_moves",
    "placement_moves",
    "select_service_node",
    "usage_scores",
]

_LOAD_ON_CURRENT_NODE = frozenset(
    {
        CrmState.STARTED,
        CrmState.REQUEST_STOP,
        CrmState.FENCE,
        CrmState.FREEZE,
        CrmState.ERROR,
        CrmState.RECOVERY,
        CrmState.MIGRATE,
        CrmState.RELOCATE,
    }
)
"""PVE ``get_used_service_nodes``: states that put load on the service's node (if online)."""


class NodePreference(StrEnum):
    """How ``select_service_node`` weighs the current node."""

    NONE = "none"
    BEST_SCORE = "best-score"
    TRY_NEXT = "try-next"


@dataclass(frozen=True, slots=True)
class Move:
    """A service moving between nodes: ``migrate`` (VM, live) or ``relocate`` (stop, start)."""

    sid: str
    source: str
    target: str
    kind: str


def usage_scores(statuses: Iterable[ServiceStatus], online_nodes: Collection[str]) -> Counter[str]:
    """PVE ``Usage::Basic``: HA services per online node (a migration counts at both ends)."""
    scores: Counter[str] = Counter(dict.fromkeys(online_nodes, 0))
    for status in statuses:
        if status.state in _LOAD_ON_CURRENT_NODE and status.node in online_nodes:
            scores[status.node] += 1
        moving = status.state in (CrmState.MIGRATE, CrmState.RELOCATE)
        if moving and status.target is not None and status.target in online_nodes:
            scores[status.target] += 1
    return scores


def _allowed_and_preferred(
    affinity: Mapping[str, int] | None, online_nodes: Collection[str]
) -> tuple[set[str], set[str]]:
    """PVE ``get_node_affinity``: allowed online nodes and the top-priority ones among them."""
    if affinity is None:
        return set(online_nodes), set(online_nodes)
    allowed = {node for node in affinity if node in online_nodes}
    if not allowed:
        return set(), set()
    top = max(affinity[node] for node in allowed)
    return allowed, {node for node in allowed if affinity[node] == top}


def select_service_node(
    status: ServiceStatus,
    failback: bool,
    affinity: Mapping[str, int] | None,
    usage: Mapping[str, int],
    preference: NodePreference,
) -> str | None:
    """PVE ``select_service_node``; ``None`` when no node may take the service.

    ``affinity``: the service's compiled node priorities (``None`` = no rule, any node);
    ``usage``: the score of every online node (``usage_scores``).
    """
    current = status.node
    allowed, preferred = _allowed_and_preferred(affinity, usage.keys())
    if not preferred:
        return None
    if preference is NodePreference.NONE and not failback and current in allowed:
        return current
    if preference is NodePreference.TRY_NEXT:
        preferred -= set(status.failed_nodes)
    if status.maintenance_node in preferred:
        return status.maintenance_node
    if preference is NodePreference.NONE and current in preferred:
        return current
    ranked = sorted(preferred, key=lambda node: (usage[node], node))
    if not ranked:
        return None
    if preference is NodePreference.TRY_NEXT and current in ranked:
        position = ranked.index(current)
        return ranked[position + 1] if position + 1 < len(ranked) else ranked[0]
    return ranked[0]


def placement_moves(
    statuses: Mapping[str, ServiceStatus],
    resources: Mapping[str, HaResource],
    affinity: Mapping[str, Mapping[str, int]],
    online_nodes: Collection[str],
    maintenance_nodes: Collection[str] = (),
) -> tuple[dict[str, ServiceStatus], list[Move]]:
    """One CRM round over started services: failback, leaving and returning from maintenance.

    A started service whose node is not where ``select_service_node`` (``none``) puts it
    moves there; one leaving a node in maintenance remembers it as ``maintenance_node``.
    Services on nodes that are simply gone are left to fencing. Services are taken in id
    order and each move counts for the next one's scores. Returns the statuses with the moves
    in progress (``migrate``/``relocate``) and the moves.
    """
    result = dict(statuses)
    scores = usage_scores(statuses.values(), online_nodes)
    moves = []
    for sid in sorted(statuses):
        status = statuses[sid]
        resource = resources[sid]
        if status.state is not CrmState.STARTED or resource.state is not RequestState.STARTED:
            continue
        if status.node not in online_nodes:
            if status.node not in maintenance_nodes:
                continue
            status = replace(status, maintenance_node=status.node)
        node = select_service_node(
            status, resource.failback, affinity.get(sid), scores, NodePreference.NONE
        )
        if node is None or node == status.node:
            continue
        fallback = status.maintenance_node
        if fallback is not None and (node == fallback or status.node != fallback):
            status = replace(status, maintenance_node=None)
        kind = "migrate" if resource.kind == "vm" else "relocate"
        moves.append(Move(sid, status.node, node, kind))
        result[sid] = replace(status, state=CrmState(kind), target=node)
        scores[node] += 1
    return result, moves


def apply_moves(
    statuses: Mapping[str, ServiceStatus], moves: Iterable[Move]
) -> dict[str, ServiceStatus]:
    """The statuses once the moves succeeded: started and running on their targets."""
    result = dict(statuses)
    for move in moves:
        result[move.sid] = replace(
            result[move.sid], node=move.target, state=CrmState.STARTED, target=None, running=True
        )
    return result
