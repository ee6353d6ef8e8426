"""The Proxmox VE cluster: its API, its nodes and the HA options that apply to all of them."""

from __future__ import annotations

from enum import StrEnum

from tappaas.model._types import Address, StrictModel
from tappaas.model.endpoint import Endpoint
from tappaas.model.secrets import ApiToken


class ShutdownPolicy(StrEnum):
    """``datacenter.cfg`` ``ha: shutdown_policy`` (what HA services do when a node goes down)."""

    CONDITIONAL = "conditional"
    FREEZE = "freeze"
    FAILOVER = "failover"
    MIGRATE = "migrate"


class CrsMode(StrEnum):
    """``crs: ha=`` — how HA picks a node: service count, or also CPU/memory (static, dynamic)."""

    BASIC = "basic"
    STATIC = "static"
    DYNAMIC = "dynamic"


DEFAULT_SHUTDOWN_POLICY = ShutdownPolicy.MIGRATE
"""TAPPaaS reboots nodes for updates: ``migrate`` moves services away first (no downtime);
PVE's own default, ``conditional``, stops them for the length of the reboot."""
DEFAULT_CRS_MODE = CrsMode.STATIC
"""Place services by configured CPU and memory, so one node is not overloaded after a failover;
PVE's default ``basic`` only counts services."""


class ClusterApi(Endpoint):
    """The one PVE API endpoint the program and the upstream provider use, with its token."""

    api_token: ApiToken


class ClusterSettings(StrictModel):
    """Cluster-wide settings (``/cluster/options``) and the API we manage them through."""

    api: ClusterApi
    ha_shutdown_policy: ShutdownPolicy = DEFAULT_SHUTDOWN_POLICY
    crs_mode: CrsMode = DEFAULT_CRS_MODE
    qdevice: Address | None = None
    """A corosync QDevice host: one extra quorum vote, so two nodes can run HA safely."""


class Node(Endpoint):
    """One PVE node (``tappaas1`` …): its own API address and certificate."""
