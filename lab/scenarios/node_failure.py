"""Scenario "node-failure": the node with most HA services fails; they run again elsewhere.

After a day of normal running, the node fails at 10:07 (between two quarter-hour
replication runs). Watched through ``/cluster/ha/status/current`` every CRM round: HA
fences the node after the fence delay and, once its agent lock has expired, recovers its
services on their failover nodes, which start them from the replicas. Checks: every HA
service of the node runs elsewhere within the fence timeline PVE's HA gives (about 2 to 3
minutes); each lost the writes since its job's last replication (``last_sync`` read from
``/nodes/{node}/replication`` just before the failure); the jobs flipped towards the lost
node and wait for it. An hour later the node returns: the jobs catch up and failback
brings the services home.
"""

from __future__ import annotations

from typing import Any

from lab.behaviour.ha.fencing import CRM_ROUND_SECONDS, fence_timeline
from lab.scenarios.client import api
from lab.scenarios.common import at_day, run_days
from lab.scenarios.result import ScenarioResult
from lab.scenarios.site import SiteLab
from lab.sim.clock import iso
from tappaas.model import SiteConfig

NAME = "node-failure"
TITLE = "A node fails: HA recovery on the failover nodes, data lost since the last replication"
FAIL_CLOCK = "10:07"
WATCH_ROUNDS = 30
"""CRM rounds watched after the failure (5 minutes)."""
DOWN_SECONDS = 3600
BACK_WATCH_SECONDS = 600


def _ha_services(status: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["sid"]: e for e in status if e.get("type") == "service"}


def busiest_node(s: SiteLab) -> str:
    """The node with the most HA services (the prod example: tappaas1)."""
    counts: dict[str, int] = {}
    for service in s.site.services.values():
        if service.ha.enabled:
            counts[service.node] = counts.get(service.node, 0) + 1
    return max(sorted(counts), key=lambda node: counts[node])


def needs(site: SiteConfig, _: SiteConfig) -> list[str]:
    """A service under HA (3 or more nodes, or a QDevice) to fail over."""
    ha = any(service.ha.enabled for service in site.services.values())
    return [] if ha else ["a service with HA (services.<name>.ha.enabled; 3 or more nodes)"]


def play(s: SiteLab, node: str | None = None) -> ScenarioResult:
    """Fail ``node`` (default: the busiest) on day 1 at 10:07 and watch."""
    result = ScenarioResult(NAME, TITLE)
    control, pve = s.lab.control, api(s.lab.pve)
    failed = node or busiest_node(s)
    failed_at = at_day(s, 1, FAIL_CLOCK)
    run_days(s, result, failed_at)
    before = {e["id"]: e for e in pve.nodes(failed).replication.get()}
    services = {
        sid: entry
        for sid, entry in _ha_services(pve.cluster.ha.status.current.get()).items()
        if entry["node"] == failed
    }
    for job in before.values():
        result.say(failed_at, f"{job['id']}: last_sync {iso(job['last_sync'])} -> {job['target']}")
    result.say(failed_at, f"{failed} fails (HA services on it: {', '.join(sorted(services))})")
    control.node_down(failed)
    timeline = fence_timeline(failed_at)
    running_at: dict[str, int] = {}
    for round_number in range(1, WATCH_ROUNDS + 1):
        now = failed_at + round_number * CRM_ROUND_SECONDS
        control.run_until(now)
        current = _ha_services(pve.cluster.ha.status.current.get())
        for sid in services:
            entry = current.get(sid, {})
            moved = entry.get("node") not in (None, failed) and entry.get("state") == "started"
            vmid = sid.split(":")[1]
            if moved and sid not in running_at:
                vm = pve.nodes(entry["node"]).qemu(vmid).status.current.get()
                if vm["status"] == "running":
                    running_at[sid] = now
                    result.say(now, f"{sid} running on {entry['node']}")
    result.events(e for e in control.journal(since=failed_at) if e.time <= failed_at + 600)
    result.flush(failed_at + 600)
    limit = timeline.started_by - failed_at
    slowest = max((t - failed_at for t in running_at.values()), default=None)
    result.check(
        "services recovered within the fence time",
        set(running_at) == set(services) and slowest is not None and slowest <= limit,
        f"{len(running_at)}/{len(services)} running elsewhere; slowest after {slowest} s "
        f"(fence {timeline.fence_at - failed_at} s, recovery {timeline.recovery_at - failed_at} s, "
        f"started by {limit} s)",
    )
    losses = {r.sid: r for r in control.recoveries()}
    expected = {
        f"vm:{job['guest']}": failed_at - int(job["last_sync"])
        for job in before.values()
        if f"vm:{job['guest']}" in services
    }
    measured = {sid: losses[sid].data_loss_seconds for sid in expected if sid in losses}
    result.check(
        "data loss = time since the last replication",
        measured == expected,
        ", ".join(f"{sid}: {seconds} s" for sid, seconds in sorted(measured.items())),
    )
    flipped = []
    for job_id, job in before.items():
        sid = f"vm:{job['guest']}"
        if sid in losses:
            now_on = losses[sid].to_node
            status = pve.nodes(now_on).replication(job_id).status.get()
            flipped.append(status["target"] == failed and status["next_sync"] == 0)
    result.check(
        "replication flipped, waiting for the lost node",
        bool(flipped) and all(flipped),
        f"{sum(flipped)}/{len(flipped)} jobs now target {failed} and wait (next_sync 0)",
    )
    back_at = failed_at + DOWN_SECONDS
    control.run_until(back_at)
    control.node_up(failed)
    result.say(back_at, f"{failed} is back")
    control.run_until(back_at + BACK_WATCH_SECONDS)
    result.events(
        e for e in control.journal(since=back_at) if e.time <= back_at + BACK_WATCH_SECONDS
    )
    home = _ha_services(pve.cluster.ha.status.current.get())
    after = {e["id"]: e for e in pve.nodes(failed).replication.get()}
    result.check(
        "failback: services home, replication caught up",
        all(home[sid]["node"] == failed for sid in services)
        and all(
            after[j]["fail_count"] == 0 and after[j]["target"] == before[j]["target"]
            for j in before
        ),
        f"{sum(home[sid]['node'] == failed for sid in services)}/{len(services)} back on "
        f"{failed}; jobs: "
        + ", ".join(f"{j} -> {after[j]['target']} (fails {after[j]['fail_count']})" for j in after),
    )
    return result
