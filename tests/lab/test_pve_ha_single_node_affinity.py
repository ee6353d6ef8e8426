"""The lab refuses a resource in two enabled node-affinity rules, as PVE 9 does.

pve-ha-manager ``src/PVE/HA/Rules/NodeAffinity.pm`` ``check_single_resource_reference``
finds resources used by more than one node-affinity rule; ``src/PVE/API2/HA/Rules.pm``
``$assert_feasibility`` refuses the rule being created or updated with "Rule '<id>' is
invalid." (400) and the error on ``resources``. This is why an upstream TAPPaaS rule
``ha-<module>`` must be taken over (``services.<name>.ha.rule``) or removed before this
program adds its own rule for the same VM.
"""

from __future__ import annotations

import pytest
from proxmoxer import ResourceException

from lab import Lab
from tests.lab.clients import client


def test_a_second_node_affinity_rule_for_a_resource_is_refused(fresh_lab: Lab) -> None:
    api = client(fresh_lab.pve)
    for vmid in (100, 101):
        fresh_lab.control.seed_vm(vmid, "tappaas1")
        api.cluster.ha.resources.post(sid=f"vm:{vmid}", state="started")
    api.cluster.ha.rules.post(
        rule="ha-db", type="node-affinity", resources="vm:100", nodes="tappaas1:2,tappaas2:1"
    )
    with pytest.raises(ResourceException) as caught:
        api.cluster.ha.rules.post(
            rule="tappaas-db", type="node-affinity", resources="vm:100", nodes="tappaas1:2"
        )
    assert caught.value.status_code == 400
    assert caught.value.content == "Rule 'tappaas-db' is invalid."
    assert caught.value.errors == {
        "resources": "resource 'vm:100' is already used in another node affinity rule"
    }
    assert [r["rule"] for r in api.cluster.ha.rules.get()] == ["ha-db"]

    # Updating another rule to take the resource is refused the same way; a disabled rule
    # does not count, and another resource is fine.
    api.cluster.ha.rules.post(
        rule="web", type="node-affinity", resources="vm:101", nodes="tappaas2:1"
    )
    with pytest.raises(ResourceException) as caught:
        api.cluster.ha.rules("web").put(type="node-affinity", resources="vm:100,vm:101")
    assert caught.value.content == "Rule 'web' is invalid."
    api.cluster.ha.rules("ha-db").put(type="node-affinity", disable=1)
    api.cluster.ha.rules.post(
        rule="tappaas-db", type="node-affinity", resources="vm:100", nodes="tappaas1:2"
    )
    assert sorted(r["rule"] for r in api.cluster.ha.rules.get()) == ["ha-db", "tappaas-db", "web"]
