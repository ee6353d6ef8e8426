"""PVE ``/nodes/{node}/replication``: the state of replication jobs, as pvesr keeps it per node.

Only jobs whose guest is on ``{node}`` are listed (``API2/Replication.pm``); another id is
"no such replication job". ``status`` is the job config plus ``last_sync``, ``last_try``,
``fail_count``, ``duration``, ``error`` and ``next_sync``; ``log`` is the last run's log;
``schedule_now`` clears ``last_try`` and ``fail_count`` so the next scheduler pass runs it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lab.api.routes import Call, RouteTable
from lab.errors import pve_die
from lab.handlers.pve.nodes import node_of
from lab.sim.pve import replication
from lab.state.pve import PveCluster, ReplicationJob

ROUTES = RouteTable()
PveCall = Call[PveCluster]


def _local_jobs(call: PveCall) -> list[ReplicationJob]:
    node = node_of(call).name
    return [
        job
        for job in call.state.replication
        if (vm := call.state.vms.get(job.guest)) is not None and vm.node == node
    ]


def _job(call: PveCall) -> ReplicationJob:
    job_id = str(call.param("id"))
    for job in _local_jobs(call):
        if job.id == job_id:
            return job
    raise pve_die(f"no such replication job '{job_id}'")


@ROUTES.route("GET", "/nodes/{node}/replication", "node:pve-node guest?:pve-vmid")
def list_status(call: PveCall) -> list[dict[str, Any]]:
    """Status of the jobs of this node's guests (optionally one guest's)."""
    guest = call.param("guest")
    return [
        replication.status_entry(call.state, job)
        for job in _local_jobs(call)
        if guest is None or job.guest == int(guest)
    ]


@ROUTES.route("GET", "/nodes/{node}/replication/{id}", "node:pve-node id:string")
def index(call: PveCall) -> list[dict[str, str]]:
    """The job's sub-paths."""
    _job(call)
    return [{"name": "schedule_now"}, {"name": "log"}, {"name": "status"}]


@ROUTES.route("GET", "/nodes/{node}/replication/{id}/status", "node:pve-node id:string")
def status(call: PveCall) -> dict[str, Any]:
    """One job's state."""
    return replication.status_entry(call.state, _job(call))


@ROUTES.route(
    "GET",
    "/nodes/{node}/replication/{id}/log",
    "node:pve-node id:string start?:integer limit?:integer",
)
def log(call: PveCall) -> list[dict[str, Any]]:
    """The last run's log, as ``{n, t}`` lines."""
    lines = replication.log_lines(call.state, _job(call).id)
    start, limit = int(call.param("start", 0)), int(call.param("limit", 50))
    call.attributes["total"] = len(lines)
    return [{"n": start + i + 1, "t": t} for i, t in enumerate(lines[start : start + limit])]


@ROUTES.route("POST", "/nodes/{node}/replication/{id}/schedule_now", "node:pve-node id:string")
def schedule_now(call: PveCall) -> None:
    """Run the job at the next scheduler pass."""
    job = _job(call)
    node = node_of(call).name
    states = call.state.replication_state.setdefault(node, {})
    states[job.id] = replace(
        replication.state_on(call.state, node, job.id), last_try=0, fail_count=0
    )
