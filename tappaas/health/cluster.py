"""Rules for what keeps a service running: its replication and its HA resource.

- replication: no job → CRIT; never synced, or the last sync older than the service's
  ``rpo_target``, or 3+ failed runs in a row → CRIT; any failed run, or a sync older than
  1.5 replication periods → WARN;
- HA: not managed, in ``error``, or stopped while it should run → CRIT; fencing, recovery,
  migration, freeze → WARN; running away from its home node → WARN.
"""

from __future__ import annotations

from tappaas.health.lines import Check, Line, Metric
from tappaas.health.observations import Observation
from tappaas.health.state import State
from tappaas.health.wording import ago, span
from tappaas.model import HaState, Service
from tappaas.schedule.interval import longest_gap

PVE_SOURCE = "pve"
REPLICATION_WARN_PERIODS = 1.5
REPLICATION_CRIT_FAILURES = 3
HA_TRANSIENT = frozenset(
    {
        "fence",
        "recovery",
        "migrate",
        "relocate",
        "freeze",
        "queued",
        "request_start",
        "request_stop",
        "starting",
    }
)
HA_DOWN = frozenset({"stopped", "disabled"})


def replication(name: str, service: Service, obs: Observation) -> Line | None:
    """ZFS replication to the failover node, against the schedule and the RPO target."""
    if not service.replication.enabled:
        return None
    if obs.replication is None:
        return Line(name, Check.REPLICATION, State.UNKNOWN, obs.why_unknown(PVE_SOURCE))
    job = obs.replication.get(service.vmid)
    if job is None:
        why = f"no replication job for vm {service.vmid} (replication.enabled)"
        return Line(name, Check.REPLICATION, State.CRIT, why)
    failures = f"; {job.fail_count} failed: {job.error}" if job.fail_count else ""
    metrics: tuple[tuple[Metric, float], ...] = ((Metric.REPLICATION_FAILURES, job.fail_count),)
    if not job.last_sync:
        return Line(name, Check.REPLICATION, State.CRIT, f"never synced{failures}", metrics)
    age = obs.now - job.last_sync
    metrics += ((Metric.REPLICATION_AGE, float(age)), (Metric.REPLICATION_DURATION, job.duration))
    period = longest_gap(service.replication.schedule).total_seconds()
    target = service.rpo_target.total_seconds()
    state = State.OK
    if age > target or job.fail_count >= REPLICATION_CRIT_FAILURES:
        state = State.CRIT
    elif job.fail_count or age > REPLICATION_WARN_PERIODS * period:
        state = State.WARN
    why = f"to {job.target}: last sync {ago(age)} in {span(job.duration)}{failures}"
    if age > target:
        why += f" (rpo_target {span(target)})"
    return Line(name, Check.REPLICATION, state, why, metrics)


def high_availability(name: str, service: Service, obs: Observation) -> Line | None:
    """The HA resource's CRM state and where the service runs."""
    if not service.ha.enabled:
        return None
    if obs.ha is None:
        return Line(name, Check.HA, State.UNKNOWN, obs.why_unknown(PVE_SOURCE))
    resource = obs.ha.get(service.vmid)
    if resource is None:
        return Line(name, Check.HA, State.CRIT, f"not HA-managed (no resource vm:{service.vmid})")
    state, node = resource.state, resource.node
    if state == "error":
        return Line(name, Check.HA, State.CRIT, f"HA error on {node} (needs state disabled)")
    if state in HA_DOWN and service.ha.state is HaState.STARTED:
        return Line(name, Check.HA, State.CRIT, f"{state} on {node}, should run")
    if state in HA_TRANSIENT:
        return Line(name, Check.HA, State.WARN, f"HA {state} on {node}")
    if node != service.node:
        return Line(name, Check.HA, State.WARN, f"{state} on {node}, home is {service.node}")
    return Line(name, Check.HA, State.OK, f"{state} on home node {node}")
