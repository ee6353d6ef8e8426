"""What the PVE HA stack (CRM and LRMs) holds between rounds, in the lab.

The CRM's manager status (one ``ServiceStatus`` per service), when each LRM last wrote its
status, the nodes in maintenance, nodes being fenced (with their timeline), moves in flight,
and the record of every recovery (with the data the guest lost, for scenarios and tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lab.behaviour.ha.fencing import FenceTimeline
from lab.behaviour.ha.placement import Move
from lab.behaviour.ha.resources import ServiceStatus


@dataclass
class LostNode:
    """A node the CRM saw leave: its fence timeline and how far recovery has come."""

    timeline: FenceTimeline
    fenced: bool = False
    recovered: bool = False


@dataclass(frozen=True)
class PendingMove:
    """A migration or relocation that completes at ``due``."""

    due: int
    move: Move


@dataclass(frozen=True)
class Recovery:
    """A service recovered from a fenced node; ``data_loss_seconds`` is None without a replica."""

    sid: str
    from_node: str
    to_node: str
    lost_at: int
    recovered_at: int
    data_loss_seconds: int | None


@dataclass
class HaState:
    """The CRM and LRM state of the cluster."""

    statuses: dict[str, ServiceStatus] = field(default_factory=dict)
    lrm_timestamps: dict[str, int] = field(default_factory=dict)
    master: tuple[str, int] | None = None
    maintenance: set[str] = field(default_factory=set)
    """Nodes an operator put into maintenance mode."""
    leaving: set[str] = field(default_factory=set)
    """Nodes in maintenance because they shut down under the ``migrate`` policy."""
    lost: dict[str, LostNode] = field(default_factory=dict)
    moves: list[PendingMove] = field(default_factory=list)
    round_due: int | None = None
    """When the CRM has something to do next (None: nothing until the next change)."""
    power_on: dict[str, int] = field(default_factory=dict)
    """Nodes rebooting, with the time they are back."""
    power_off: dict[str, bool] = field(default_factory=dict)
    """Nodes that shut down once their services have migrated away (``migrate`` policy),
    with whether they reboot."""
    recoveries: list[Recovery] = field(default_factory=list)
