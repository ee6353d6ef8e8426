"""PVE HA resources and rules (``/cluster/ha/…``), read to see which ones exist.

The upstream plugin manages them; the program only needs their ids, to adopt those an
interrupted ``up`` created (``/cluster/ha/resources`` items carry ``sid``, rules ``rule``:
pve-ha-manager ``PVE/API2/HA/Resources.pm``, ``PVE/API2/HA/Rules.pm``).
"""

from __future__ import annotations

from tappaas.client import ProxmoxClient


def ha_resource_ids(client: ProxmoxClient) -> frozenset[str]:
    """The sids of every HA resource (``vm:110``…)."""
    return frozenset(str(item["sid"]) for item in client.get("/cluster/ha/resources") or [])


def ha_rule_ids(client: ProxmoxClient) -> frozenset[str]:
    """The ids of every HA rule."""
    return frozenset(str(item["rule"]) for item in client.get("/cluster/ha/rules") or [])
