"""PVE HA resources and rules (``/cluster/ha/…``), read to see which ones exist.

The upstream plugin manages them; the program only needs their ids, to adopt those an
interrupted ``up`` created (``/cluster/ha/resources`` items carry ``sid``, rules ``rule``:
pve-ha-manager ``PVE/API2/HA/Resources.pm``, ``PVE/API2/HA/Rules.pm``), and which VMs the
node-affinity rules hold (PVE allows one such rule per VM: ``Rules/NodeAffinity.pm``).
"""

from __future__ import annotations

from tappaas.client import ProxmoxClient


def ha_resource_ids(client: ProxmoxClient) -> frozenset[str]:
    """The sids of every HA resource (``vm:110``…)."""
    return frozenset(str(item["sid"]) for item in client.get("/cluster/ha/resources") or [])


def ha_rule_ids(client: ProxmoxClient) -> frozenset[str]:
    """The ids of every HA rule."""
    return frozenset(str(item["rule"]) for item in client.get("/cluster/ha/rules") or [])


NODE_AFFINITY = "node-affinity"


def node_affinity_rules(client: ProxmoxClient) -> dict[str, tuple[str, ...]]:
    """Each enabled node-affinity rule and the resources it holds (``resources`` is a comma
    list; the feasibility check that refuses a VM in two rules skips disabled ones)."""
    listed = client.get("/cluster/ha/rules", type=NODE_AFFINITY) or []
    return {
        str(item["rule"]): tuple(
            part.strip() for part in str(item.get("resources") or "").split(",") if part.strip()
        )
        for item in listed
        if item.get("type") == NODE_AFFINITY and not int(item.get("disable") or 0)
    }
