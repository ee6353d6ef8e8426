"""HA resources, node-affinity rules, and the CRM's status of each service.

A resource ``vm:100`` has a requested state — ``started`` (alias ``enabled``), ``stopped``
(kept stopped, still recovered when its node fails), ``disabled`` (stopped, not recovered) or
``ignored`` (left alone by HA) — and ``max_restart``, ``max_relocate`` and ``failback``, which
default to 1, 1 and on (the status API always shows them filled in). A node-affinity rule
``nodes n1:2,n2:1,n3`` gives priorities (default 0); a non-strict rule lets the resource run on
every other node too, at priority -1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "DEFAULT_MAX_RELOCATE",
    "DEFAULT_MAX_RESTART",
    "NON_STRICT_OTHER_NODES_PRIORITY",
    "CrmState",
    "HaResource",
    "NodeAffinityRule",
    "RequestState",
    "ServiceStatus",
    "compile_node_affinity",
]

DEFAULT_MAX_RESTART = 1
DEFAULT_MAX_RELOCATE = 1
NON_STRICT_OTHER_NODES_PRIORITY = -1


class RequestState(StrEnum):
    """The state an HA resource is asked to be in (``state`` in resources.cfg)."""

    STARTED = "started"
    STOPPED = "stopped"
    DISABLED = "disabled"
    IGNORED = "ignored"

    @classmethod
    def parse(cls, text: str) -> RequestState:
        """Like PVE, ``enabled`` is an alias of ``started``."""
        return cls.STARTED if text == "enabled" else cls(text)


class CrmState(StrEnum):
    """A service's state in the CRM's manager status."""

    QUEUED = "queued"
    REQUEST_START = "request_start"
    STARTED = "started"
    REQUEST_STOP = "request_stop"
    STOPPED = "stopped"
    MIGRATE = "migrate"
    RELOCATE = "relocate"
    FENCE = "fence"
    RECOVERY = "recovery"
    FREEZE = "freeze"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class HaResource:
    """An HA resource and its configured node (where the guest is registered)."""

    sid: str
    node: str
    state: RequestState = RequestState.STARTED
    max_restart: int = DEFAULT_MAX_RESTART
    max_relocate: int = DEFAULT_MAX_RELOCATE
    failback: bool = True
    comment: str | None = None

    @property
    def kind(self) -> str:
        """``vm`` or ``ct``: VMs migrate live, containers relocate (stop, move, start)."""
        return self.sid.split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class NodeAffinityRule:
    """A ``node-affinity`` rule; ``nodes`` maps node name to priority."""

    name: str
    resources: frozenset[str]
    nodes: Mapping[str, int]
    strict: bool = False
    disable: bool = False

    @staticmethod
    def parse_nodes(text: str) -> dict[str, int]:
        """``n1:2,n2:1,n3`` → ``{"n1": 2, "n2": 1, "n3": 0}``."""
        nodes = {}
        for item in text.split(","):
            name, _, priority = item.strip().partition(":")
            nodes[name] = int(priority) if priority else 0
        return nodes


def compile_node_affinity(
    rules: Iterable[NodeAffinityRule], nodes: Iterable[str]
) -> dict[str, dict[str, int]]:
    """PVE ``NodeAffinity::plugin_compile``: resource → node → effective priority.

    Disabled rules are skipped; non-strict rules add every other cluster node at -1. A
    resource without a rule may run anywhere (it has no entry).
    """
    all_nodes = list(nodes)
    compiled: dict[str, dict[str, int]] = {}
    for rule in rules:
        if rule.disable:
            continue
        effective = dict(rule.nodes)
        if not rule.strict:
            for node in all_nodes:
                effective.setdefault(node, NON_STRICT_OTHER_NODES_PRIORITY)
        for sid in rule.resources:
            compiled[sid] = effective
    return compiled


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    """One service in the CRM's manager status.

    ``running`` is set once the LRM reports a successful start (the API shows ``starting``
    before). ``target`` is set while migrating/relocating. ``failed_nodes`` lists where starts
    failed; ``maintenance_node`` where to return after maintenance.
    """

    sid: str
    node: str
    state: CrmState
    running: bool = False
    target: str | None = None
    failed_nodes: tuple[str, ...] = field(default=())
    maintenance_node: str | None = None
