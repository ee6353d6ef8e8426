"""Reads of what a cluster already has where the upstream plugin manages it (GET only).

Adopting a site needs to know, before anything is imported, whether a ZFS pool, an HA
resource or an HA rule exists (the plugin's import fails on a missing one) and which
node-affinity rules already hold a VM (PVE allows one per resource). The plugin has no
read-only lookup for that, so these read PVE's API directly, each list once per run.
"""

from __future__ import annotations

from functools import cached_property

from tappaas.client import ProxmoxClient
from tappaas.pve.backup_job import BackupJob, backup_jobs

NODE_AFFINITY = "node-affinity"


class ExistingObjects:
    """The cluster's pools, HA resources and rules, and vzdump jobs, as PVE lists them."""

    def __init__(self, client: ProxmoxClient) -> None:
        self.client = client
        self._pools: dict[str, frozenset[str]] = {}

    def pools(self, node: str) -> frozenset[str]:
        """Names of the ZFS pools on ``node`` (``GET /nodes/{node}/disks/zfs``)."""
        if node not in self._pools:
            listed = self.client.get(f"/nodes/{node}/disks/zfs") or []
            self._pools[node] = frozenset(str(item["name"]) for item in listed)
        return self._pools[node]

    @cached_property
    def ha_resources(self) -> frozenset[str]:
        """The ``sid`` of every HA resource (``vm:<id>``)."""
        listed = self.client.get("/cluster/ha/resources") or []
        return frozenset(str(item["sid"]) for item in listed)

    @cached_property
    def node_affinity_rules(self) -> dict[str, tuple[str, ...]]:
        """Each enabled node-affinity rule and the resources it holds (pve-ha-manager's
        feasibility check ignores disabled rules)."""
        listed = self.client.get("/cluster/ha/rules", type=NODE_AFFINITY) or []
        return {
            str(item["rule"]): _resources(item.get("resources"))
            for item in listed
            if item.get("type") == NODE_AFFINITY and not int(item.get("disable") or 0)
        }

    @cached_property
    def ha_rules(self) -> frozenset[str]:
        """Every HA rule's id, of any type."""
        listed = self.client.get("/cluster/ha/rules") or []
        return frozenset(str(item["rule"]) for item in listed)

    @cached_property
    def backup_jobs(self) -> list[BackupJob]:
        """The cluster's vzdump jobs."""
        return backup_jobs(self.client).list()


def _resources(value: object) -> tuple[str, ...]:
    """A rule's ``resources`` (a comma list) as sids."""
    return tuple(part.strip() for part in str(value or "").split(",") if part.strip())
