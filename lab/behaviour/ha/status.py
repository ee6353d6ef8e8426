"""The entries of ``GET /cluster/ha/status/current``, as PVE API2/HA/Status.pm builds them.

In order: the quorum of the answering node; the CRM master (if one ever ran), "active" or
"old timestamp - dead?" once its status is over 30 s old; the fencing state; one ``lrm:<node>``
entry per node; one ``service:<sid>`` entry per service the CRM manages, then per configured
service it has not picked up yet (``queued``). Service entries always carry ``max_restart``,
``max_relocate`` and ``failback`` (defaults filled in). HA disarming is not modelled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lab.behaviour.ha.resources import CrmState, HaResource, RequestState, ServiceStatus

__all__ = ["STATUS_STALE_SECONDS", "LrmStatus", "status_entries", "verbose_state"]

STATUS_STALE_SECONDS = 30
"""A CRM or LRM status older than this reads "old timestamp - dead?"."""

_CLOCK_DRIFT_SECONDS = 2

_NOT_ACTIVE = frozenset({CrmState.STOPPED, CrmState.FREEZE, CrmState.ERROR, CrmState.REQUEST_START})
"""Services ``count_active_services`` leaves out (a node with none shows its LRM ``idle``)."""


@dataclass(frozen=True, slots=True)
class LrmStatus:
    """What a node's LRM last wrote: ``mode`` (active, maintenance, restart, shutdown),
    ``state`` (wait_for_agent_lock, active, lost_agent_lock, maintenance) and when."""

    timestamp: int | None
    mode: str = "active"
    state: str = "active"


def _ctime(t: int) -> str:
    """Perl's scalar ``localtime`` (the lab runs in UTC): ``Wed Jan 15 10:07:00 2025``."""
    return datetime.fromtimestamp(t, UTC).ctime()


def _timestamp_status(now: int, timestamp: int) -> str:
    age = now - timestamp
    if age > STATUS_STALE_SECONDS:
        return "old timestamp - dead?"
    if age < -_CLOCK_DRIFT_SECONDS:
        return "detected time drift!"
    return "active"


def verbose_state(status: ServiceStatus | None, resource: HaResource | None) -> str:
    """PVE ``get_verbose_service_state``: the ``state`` field of a service entry."""
    if resource is None:
        return "deleting"
    requested = resource.state
    if requested is RequestState.IGNORED:
        return "ignored"
    if status is None:
        return "queued"
    state = str(status.state)
    if status.state is CrmState.STOPPED and requested is RequestState.STARTED:
        state = "starting"
    elif status.state is CrmState.STOPPED and requested is RequestState.DISABLED:
        state = "disabled"
    elif status.state is CrmState.STARTED:
        if requested in (RequestState.STOPPED, RequestState.DISABLED):
            state = "stopping"
        if not status.running:
            state = "starting"
    elif status.state is CrmState.ERROR and requested is RequestState.DISABLED:
        state = "clearing error flag"
    return state


def _active_count(statuses: Iterable[ServiceStatus], node: str) -> int:
    return sum(1 for s in statuses if node in (s.node, s.target) and s.state not in _NOT_ACTIVE)


def _lrm_entry(
    node: str, lrm: LrmStatus | None, now: int, statuses: Iterable[ServiceStatus]
) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": f"lrm:{node}", "type": "lrm", "node": node}
    if lrm is None or not lrm.timestamp:
        return entry | {"status": f"{node} (unable to read lrm status)"}
    status = _timestamp_status(now, lrm.timestamp)
    holds_watchdog = status == "active" and lrm.state in ("active", "maintenance")
    watchdog = "watchdog active" if holds_watchdog else "watchdog standby"
    if status == "active":
        if lrm.mode != "active":
            status = f"{lrm.mode} mode"
        elif lrm.state == "wait_for_agent_lock" and not _active_count(statuses, node):
            status = "idle"
        else:
            status = lrm.state
    elif lrm.mode == "maintenance":
        status = "maintenance mode"
    text = f"{node} ({status}, {watchdog}, {_ctime(lrm.timestamp)})"
    return entry | {"status": text, "timestamp": lrm.timestamp}


def _service_entry(
    sid: str, status: ServiceStatus | None, resource: HaResource | None
) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": f"service:{sid}", "type": "service", "sid": sid}
    if status is not None:
        entry |= {"node": status.node, "crm_state": str(status.state)}
    elif resource is not None:
        entry["node"] = resource.node
    entry["state"] = verbose_state(status, resource)
    entry["status"] = f"{sid} ({entry.get('node', '---')}, {entry['state']})"
    if resource is not None:
        entry |= {
            "request_state": str(resource.state),
            "max_restart": resource.max_restart,
            "max_relocate": resource.max_relocate,
            "failback": 1 if resource.failback else 0,
        }
        if resource.comment is not None:
            entry["comment"] = resource.comment
    return entry


def status_entries(
    *,
    now: int,
    local_node: str,
    quorate: bool,
    master: tuple[str, int] | None,
    lrms: Mapping[str, LrmStatus | None],
    statuses: Mapping[str, ServiceStatus],
    resources: Mapping[str, HaResource],
) -> list[dict[str, Any]]:
    """The array the API returns on ``local_node`` at ``now``.

    ``master``: the CRM master node and its last status time, if a CRM ever ran; ``lrms``:
    every cluster node known to the manager with its LRM status (``None`` if unreadable).
    """
    entries: list[dict[str, Any]] = [
        {
            "id": "quorum",
            "type": "quorum",
            "node": local_node,
            "status": "OK" if quorate else f"No quorum on node '{local_node}'!",
            "quorate": 1 if quorate else 0,
        }
    ]
    crm_active = False
    if master is not None:
        master_node, timestamp = master
        status = _timestamp_status(now, timestamp)
        crm_active = status == "active"
        if quorate and not crm_active and not resources:
            status = "idle"
        entries.append(
            {
                "id": "master",
                "type": "master",
                "node": master_node,
                "status": f"{master_node} ({status}, {_ctime(timestamp)})",
                "timestamp": timestamp,
            }
        )
    armed = "armed" if crm_active else "standby"
    entries.append(
        {
            "id": "fencing",
            "type": "fencing",
            "node": master[0] if master is not None else local_node,
            "status": f"{armed} (CRM watchdog {'active' if crm_active else 'standby'})",
            "armed-state": armed,
        }
    )
    entries += [_lrm_entry(node, lrms[node], now, statuses.values()) for node in sorted(lrms)]
    entries += [_service_entry(sid, statuses[sid], resources.get(sid)) for sid in sorted(statuses)]
    entries += [
        _service_entry(sid, None, resources[sid])
        for sid in sorted(resources)
        if sid not in statuses
    ]
    return entries
