"""PVE HA: placement, fencing timeline, lifecycle and status entries.

Several cases replay pve-ha-manager's own simulator tests (src/test/test-*), named below.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from lab.behaviour.ha.fencing import fence_timeline
from lab.behaviour.ha.lifecycle import (
    ShutdownEffect,
    ShutdownPolicy,
    fence_services,
    freeze_services,
    recover_fenced,
    shutdown_effect,
    start_services,
    stop_services,
    unfreeze_services,
)
from lab.behaviour.ha.placement import (
    Move,
    NodePreference,
    apply_moves,
    placement_moves,
    select_service_node,
    usage_scores,
)
from lab.behaviour.ha.resources import (
    CrmState,
    HaResource,
    NodeAffinityRule,
    RequestState,
    ServiceStatus,
    compile_node_affinity,
)
from lab.behaviour.ha.status import LrmStatus, status_entries, verbose_state

NODES = ("node1", "node2", "node3")
STARTED = CrmState.STARTED


def cluster(
    placement: dict[str, str], **options
) -> tuple[dict[str, HaResource], dict[str, ServiceStatus]]:
    resources = {
        sid: HaResource(sid, node, **options.get(sid, {})) for sid, node in placement.items()
    }
    statuses = {
        sid: ServiceStatus(sid, node, STARTED, running=True) for sid, node in placement.items()
    }
    return resources, statuses


def rule(name: str, resources: Iterable[str], nodes: str, strict: bool = False) -> NodeAffinityRule:
    return NodeAffinityRule(name, frozenset(resources), NodeAffinityRule.parse_nodes(nodes), strict)


def where(statuses: dict[str, ServiceStatus]) -> dict[str, tuple[str, str]]:
    return {sid: (s.node, str(s.state)) for sid, s in statuses.items()}


def test_compile_node_affinity():
    rules = [
        rule("a", ["vm:101"], "node2:2,node3:1"),
        rule("b", ["vm:102"], "node3", strict=True),
        NodeAffinityRule("c", frozenset({"vm:103"}), {"node1": 0}, disable=True),
    ]
    assert compile_node_affinity(rules, NODES) == {
        "vm:101": {"node2": 2, "node3": 1, "node1": -1},
        "vm:102": {"node3": 0},
    }
    assert RequestState.parse("enabled") is RequestState.STARTED


def test_usage_counts_services_and_migration_targets():
    statuses = {
        "vm:1": ServiceStatus("vm:1", "node1", STARTED),
        "vm:2": ServiceStatus("vm:2", "node1", CrmState.MIGRATE, target="node2"),
        "vm:3": ServiceStatus("vm:3", "node2", CrmState.STOPPED),
        "vm:4": ServiceStatus("vm:4", "node3", STARTED),  # node3 is offline: not counted
    }
    assert usage_scores(statuses.values(), ["node1", "node2"]) == {"node1": 2, "node2": 1}


def test_nonstrict3_recovers_to_the_least_loaded_other_node():
    """test-node-affinity-nonstrict3: vm:101 should be on node3; node3 fails → node1."""
    resources, statuses = cluster({"vm:101": "node3", "vm:102": "node2", "vm:103": "node2"})
    affinity = compile_node_affinity([rule("r", ["vm:101"], "node3")], NODES)
    fenced = fence_services(statuses, resources, "node3")
    assert where(fenced)["vm:101"] == ("node3", "fence")
    recovered, log = recover_fenced(fenced, resources, affinity, ["node1", "node2"])
    assert where(recovered)["vm:101"] == ("node1", "started")
    assert log == ["recover service 'vm:101' from fenced node 'node3' to node 'node1'"]
    assert not recovered["vm:101"].running


def test_nonstrict5_priorities_failover_and_failback():
    """test-node-affinity-nonstrict5: node2:2,node3:1; vm:101 starts on node3."""
    resources, statuses = cluster({"vm:101": "node3"})
    affinity = compile_node_affinity([rule("r", ["vm:101"], "node2:2,node3:1")], NODES)
    moving, moves = placement_moves(statuses, resources, affinity, NODES)
    assert moves == [Move("vm:101", "node3", "node2", "migrate")]
    assert where(moving)["vm:101"] == ("node3", "migrate")
    on_node2 = apply_moves(moving, moves)
    fenced = fence_services(on_node2, resources, "node2")
    recovered, _ = recover_fenced(fenced, resources, affinity, ["node1", "node3"])
    assert where(recovered)["vm:101"] == ("node3", "started")
    running, _ = start_services(
        recovered, resources, affinity, ["node1", "node3"], lambda s, n: False
    )
    _, moves = placement_moves(running, resources, affinity, NODES)  # node2 is back
    assert moves == [Move("vm:101", "node3", "node2", "migrate")]


def test_manual_migration_off_the_rule_is_undone():
    """test-node-affinity-nonstrict1 and -strict2 (failback 0 but strict): back to node3."""
    for strict, failback in ((False, True), (True, False)):
        resources, statuses = cluster({"vm:101": "node2"}, **{"vm:101": {"failback": failback}})
        affinity = compile_node_affinity([rule("r", ["vm:101"], "node3", strict)], NODES)
        _, moves = placement_moves(statuses, resources, affinity, NODES)
        assert moves == [Move("vm:101", "node2", "node3", "migrate")]


def test_failback_off_stays_where_allowed():
    resources, statuses = cluster({"vm:101": "node1"}, **{"vm:101": {"failback": False}})
    affinity = compile_node_affinity([rule("r", ["vm:101"], "node3")], NODES)
    assert placement_moves(statuses, resources, affinity, NODES)[1] == []


def test_recovery1_strict_rule_with_its_only_node_down_keeps_trying():
    """test-recovery1: vm:102 must be on node2; node2 fails → recovery, retried each round."""
    resources, statuses = cluster({"vm:102": "node2"})
    affinity = compile_node_affinity([rule("r", ["vm:102"], "node2", strict=True)], NODES)
    fenced = fence_services(statuses, resources, "node2")
    state, log = recover_fenced(fenced, resources, affinity, ["node1", "node3"])
    assert where(state)["vm:102"] == ("node2", "recovery")
    assert log == [
        "recovering service 'vm:102' from fenced node 'node2' failed, no recovery node found"
    ]
    again, _ = recover_fenced(state, resources, affinity, ["node1", "node3"])
    assert where(again)["vm:102"] == ("node2", "recovery")


def test_ties_go_to_the_alphabetically_first_node_and_recoveries_count_for_each_other():
    resources, statuses = cluster({"vm:1": "node3", "vm:2": "node3", "vm:3": "node3"})
    fenced = fence_services(statuses, resources, "node3")
    recovered, _ = recover_fenced(fenced, resources, {}, ["node2", "node1"])
    assert [recovered[s].node for s in ("vm:1", "vm:2", "vm:3")] == ["node1", "node2", "node1"]


def test_which_services_are_fenced():
    resources = {
        "vm:1": HaResource("vm:1", "node1"),
        "vm:2": HaResource("vm:2", "node1", state=RequestState.STOPPED),
        "vm:3": HaResource("vm:3", "node1", state=RequestState.DISABLED),
        "vm:4": HaResource("vm:4", "node1"),
    }
    statuses = {
        "vm:1": ServiceStatus("vm:1", "node1", STARTED, running=True),
        "vm:2": ServiceStatus("vm:2", "node1", CrmState.STOPPED),
        "vm:3": ServiceStatus("vm:3", "node1", CrmState.STOPPED),
        "vm:4": ServiceStatus("vm:4", "node1", CrmState.FREEZE),
    }
    fenced = fence_services(statuses, resources, "node1")
    assert [str(fenced[s].state) for s in sorted(fenced)] == ["fence", "fence", "stopped", "freeze"]
    recovered, _ = recover_fenced(fenced, resources, {}, ["node2"])
    assert where(recovered)["vm:2"] == ("node2", "request_stop")  # moved, kept stopped
    settled, _ = start_services(recovered, resources, {}, ["node2"], lambda s, n: False)
    assert where(settled)["vm:2"] == ("node2", "stopped")
    assert settled["vm:1"].running


def test_relocate_policy1_tries_the_least_loaded_untried_nodes():
    """test-relocate-policy1: max_restart 0, max_relocate 3; each node fails the first start."""
    placement = {
        f"vm:10{i}": node for i, node in enumerate(["node1"] * 3 + ["node2"] * 2 + ["node3"])
    }
    resources, statuses = cluster(
        {**placement, "fa:130": "node3"}, **{"fa:130": {"max_restart": 0, "max_relocate": 3}}
    )
    statuses["fa:130"] = ServiceStatus("fa:130", "node3", STARTED)
    tried: list[str] = []

    def first_start_fails(sid: str, node: str) -> bool:
        tried.append(node)
        return tried.count(node) == 1

    settled, log = start_services(statuses, resources, {}, NODES, first_start_fails)
    assert tried == ["node3", "node2", "node1", "node1"]
    assert where(settled)["fa:130"] == ("node1", "started") and settled["fa:130"].running
    assert settled["fa:130"].failed_nodes == ()
    assert [line for line in log if line.startswith("relocate")] == [
        "relocate service 'fa:130' to node 'node2'",
        "relocate service 'fa:130' to node 'node1'",
    ]


def test_restart_then_relocate_then_error():
    resources, statuses = cluster({"vm:1": "node1"})
    statuses["vm:1"] = ServiceStatus("vm:1", "node1", STARTED)
    attempts: list[str] = []

    def always_fails(sid: str, node: str) -> bool:
        attempts.append(node)
        return True

    settled, log = start_services(statuses, resources, {}, ["node1", "node2"], always_fails)
    # max_restart 1: two attempts per node; max_relocate 1: one relocation, then error.
    assert attempts == ["node1", "node1", "node2", "node2"]
    assert where(settled)["vm:1"] == ("node2", "error")
    assert log[-1] == (
        "recovery policy for service vm:1 failed, entering error state. Failed nodes: node1, node2"
    )


def test_select_service_node_try_next_and_maintenance_fallback():
    usage = {"node1": 0, "node2": 1, "node3": 2}
    failed_on_2 = ServiceStatus("vm:1", "node2", STARTED, failed_nodes=("node2",))
    assert select_service_node(failed_on_2, True, None, usage, NodePreference.TRY_NEXT) == "node1"
    back_home = ServiceStatus("vm:1", "node1", STARTED, maintenance_node="node3")
    assert select_service_node(back_home, True, None, usage, NodePreference.NONE) == "node3"


def test_maintenance_moves_services_away_and_back():
    resources, statuses = cluster({"vm:1": "node3", "vm:2": "node2"})
    away, moves = placement_moves(statuses, resources, {}, ["node1", "node2"], ["node3"])
    assert moves == [Move("vm:1", "node3", "node1", "migrate")]
    moved = apply_moves(away, moves)
    assert moved["vm:1"].maintenance_node == "node3"
    home, moves = placement_moves(moved, resources, {}, NODES)
    assert moves == [Move("vm:1", "node1", "node3", "migrate")]
    assert home["vm:1"].maintenance_node is None


def test_a_lost_node_is_left_to_fencing():
    resources, statuses = cluster({"vm:1": "node3"})
    assert placement_moves(statuses, resources, {}, ["node1", "node2"])[1] == []


@pytest.mark.parametrize(
    ("policy", "reboot", "effect"),
    [
        (ShutdownPolicy.CONDITIONAL, True, ShutdownEffect.FREEZE),
        (ShutdownPolicy.CONDITIONAL, False, ShutdownEffect.STOP),
        (ShutdownPolicy.FREEZE, False, ShutdownEffect.FREEZE),
        (ShutdownPolicy.FAILOVER, True, ShutdownEffect.STOP),
        (ShutdownPolicy.MIGRATE, True, ShutdownEffect.MIGRATE),
    ],
)
def test_shutdown_policies(policy, reboot, effect):
    assert shutdown_effect(policy, reboot) is effect


def test_manual_maintenance_overrides_the_policy():
    assert shutdown_effect(ShutdownPolicy.FREEZE, True, maintenance_requested=True) is (
        ShutdownEffect.MIGRATE
    )


def test_reboot1_freezes_and_resumes_on_the_same_node():
    """test-reboot1: conditional policy, reboot node3 → vm:103 frozen, started again there."""
    resources, statuses = cluster({"vm:103": "node3"})
    frozen = freeze_services(statuses, "node3")
    assert where(frozen)["vm:103"] == ("node3", "freeze")
    assert where(fence_services(frozen, resources, "node3"))["vm:103"] == ("node3", "freeze")
    resumed = unfreeze_services(frozen, resources, "node3")
    assert where(resumed)["vm:103"] == ("node3", "started") and not resumed["vm:103"].running


def test_shutdown1_stops_then_recovers_after_a_clean_fence():
    """test-shutdown1: power-off with the conditional policy; recovery 55 s after power-off."""
    resources, statuses = cluster({"vm:103": "node3"})
    stopped = stop_services(statuses, "node3")
    assert where(stopped)["vm:103"] == ("node3", "started") and not stopped["vm:103"].running
    timeline = fence_timeline(145, clean_shutdown=True, crm_round=20)
    assert (timeline.unknown_at, timeline.fence_at, timeline.recovery_at) == (160, 200, 200)
    assert timeline.watchdog_at is None
    fenced = fence_services(stopped, resources, "node3")
    recovered, _ = recover_fenced(fenced, resources, {}, ["node1", "node2"])
    assert where(recovered)["vm:103"] == ("node1", "started")


def test_basic1_timeline_of_a_network_loss():
    """test-basic1: network off at 120 (rounds of 20 s): unknown 120, fence 160, lock 240."""
    timeline = fence_timeline(120, crm_round=20)
    assert (timeline.unknown_at, timeline.fence_at, timeline.recovery_at) == (120, 160, 240)
    assert timeline.watchdog_at == 180


def test_real_timing_restarts_services_about_two_minutes_after_the_loss():
    timeline = fence_timeline(1_000_005)
    assert timeline.fence_at == 1_000_060  # last seen online at 1_000_000
    assert timeline.recovery_at == 1_000_130  # the agent lock expires at 1_000_125
    assert timeline.started_by - timeline.lost_at == 135


def test_verbose_states():
    resource = HaResource("vm:1", "node1")
    assert verbose_state(None, None) == "deleting"
    assert verbose_state(None, resource) == "queued"
    assert verbose_state(ServiceStatus("vm:1", "node1", STARTED), resource) == "starting"
    assert verbose_state(ServiceStatus("vm:1", "node1", STARTED, running=True), resource) == (
        "started"
    )
    assert verbose_state(ServiceStatus("vm:1", "node1", CrmState.STOPPED), resource) == "starting"
    disabled = HaResource("vm:1", "node1", state=RequestState.DISABLED)
    assert verbose_state(ServiceStatus("vm:1", "node1", CrmState.STOPPED), disabled) == "disabled"
    ignored = HaResource("vm:1", "node1", state=RequestState.IGNORED)
    assert verbose_state(None, ignored) == "ignored"


def test_status_entries():
    now = 1_736_935_620  # Wed Jan 15 10:07:00 2025
    resources, statuses = cluster({"vm:100": "node1"}, **{"vm:100": {"comment": "web"}})
    resources["vm:101"] = HaResource("vm:101", "node2", state=RequestState.STOPPED, failback=False)
    lrms = {
        "node1": LrmStatus(now - 5),
        "node2": LrmStatus(now - 5, state="wait_for_agent_lock"),
        "node3": LrmStatus(now - 100),
    }
    entries = status_entries(
        now=now,
        local_node="node1",
        quorate=True,
        master=("node1", now - 3),
        lrms=lrms,
        statuses=statuses,
        resources=resources,
    )
    assert entries == [
        {"id": "quorum", "type": "quorum", "node": "node1", "status": "OK", "quorate": 1},
        {
            "id": "master",
            "type": "master",
            "node": "node1",
            "status": "node1 (active, Wed Jan 15 10:06:57 2025)",
            "timestamp": now - 3,
        },
        {
            "id": "fencing",
            "type": "fencing",
            "node": "node1",
            "status": "armed (CRM watchdog active)",
            "armed-state": "armed",
        },
        {
            "id": "lrm:node1",
            "type": "lrm",
            "node": "node1",
            "status": "node1 (active, watchdog active, Wed Jan 15 10:06:55 2025)",
            "timestamp": now - 5,
        },
        {
            "id": "lrm:node2",
            "type": "lrm",
            "node": "node2",
            "status": "node2 (idle, watchdog standby, Wed Jan 15 10:06:55 2025)",
            "timestamp": now - 5,
        },
        {
            "id": "lrm:node3",
            "type": "lrm",
            "node": "node3",
            "status": "node3 (old timestamp - dead?, watchdog standby, Wed Jan 15 10:05:20 2025)",
            "timestamp": now - 100,
        },
        {
            "id": "service:vm:100",
            "type": "service",
            "sid": "vm:100",
            "node": "node1",
            "crm_state": "started",
            "state": "started",
            "status": "vm:100 (node1, started)",
            "request_state": "started",
            "max_restart": 1,
            "max_relocate": 1,
            "failback": 1,
            "comment": "web",
        },
        {
            "id": "service:vm:101",
            "type": "service",
            "sid": "vm:101",
            "node": "node2",
            "state": "queued",
            "status": "vm:101 (node2, queued)",
            "request_state": "stopped",
            "max_restart": 1,
            "max_relocate": 1,
            "failback": 0,
        },
    ]


def test_a_dead_master_disarms_the_fencing_entry():
    entries = status_entries(
        now=1000,
        local_node="node2",
        quorate=False,
        master=("node1", 900),
        lrms={},
        statuses={},
        resources={},
    )
    assert entries[0]["status"] == "No quorum on node 'node2'!"
    assert entries[1]["status"].startswith("node1 (old timestamp - dead?, ")
    assert entries[2]["armed-state"] == "standby"
