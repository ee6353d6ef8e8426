"""A node fails: its HA services run on their failover nodes within the fence timeline, each
having lost exactly the writes since its last replication; failback when it returns."""

from __future__ import annotations

from lab.scenarios import node_failure
from lab.scenarios.client import api


def test_node_failure_recovery_and_failback(site_lab, prod, peer):
    configured = site_lab(prod, peer)
    result = node_failure.play(configured)
    assert result.ok, result.checks
    recoveries = {r.sid: r for r in configured.lab.control.recoveries()}
    on_failed = {
        f"vm:{s.vmid}": s for s in prod.services.values() if s.node == "tappaas1" and s.ha.enabled
    }
    assert set(recoveries) == set(on_failed)
    for sid, recovery in recoveries.items():
        assert recovery.to_node == on_failed[sid].ha.failover_node
        assert recovery.recovered_at - recovery.lost_at <= 180
        assert 0 < recovery.data_loss_seconds <= 15 * 60  # */15 replication
    messages = [e.message for e in result.timeline]
    assert any("fencing" in m for m in messages)
    services = {
        e["sid"]: e
        for e in api(configured.lab.pve).cluster.ha.status.current.get()
        if e["type"] == "service"
    }
    assert {services[sid]["node"] for sid in on_failed} == {"tappaas1"}
