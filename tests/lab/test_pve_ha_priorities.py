"""The lab refuses a negative HA node priority, as PVE does (issue 11.9).

pve-ha-manager ``src/PVE/HA/Tools.pm``: ``pve_verify_ha_node`` accepts
``node(:\\d+)?`` only, and ``parse_node_priority`` reads the priority with ``\\d+``.
"""

from __future__ import annotations

import pytest

from lab import Lab
from tappaas.client import ParameterError
from tests.providers.harness import lab_client


@pytest.mark.parametrize("nodes", ["tappaas1:-1,tappaas2:1", "tappaas1:2,tappaas2:-5"])
def test_a_negative_priority_is_refused(lab: Lab, unique_name, nodes: str) -> None:
    pve = lab_client(lab.pve)
    with pytest.raises(ParameterError, match="nodes"):
        pve.post(
            "/cluster/ha/rules",
            rule=unique_name("neg"),
            type="node-affinity",
            resources="vm:100",
            nodes=nodes,
        )
