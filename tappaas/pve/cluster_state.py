"""What keeps services running, as PVE reports it: HA status and replication state.

``GET /cluster/ha/status/current`` lists one ``service`` entry per HA resource (``sid``
``vm:<vmid>``, ``node``, ``state``/``crm_state``, ``request_state``). Replication state is
kept per node: ``GET /nodes/{node}/replication`` lists the jobs of the guests on that node with
``last_sync`` (0 = never), ``last_try``, ``duration``, ``fail_count`` and ``error`` (pve-manager
``API2/Replication.pm``).
"""

from __future__ import annotations

from dataclasses import dataclass

from tappaas.client import ProxmoxClient


@dataclass(frozen=True)
class HaEntry:
    vmid: int
    node: str
    state: str
    request_state: str | None


@dataclass(frozen=True)
class ReplicationEntry:
    job_id: str
    vmid: int
    source: str
    target: str
    last_sync: int
    last_try: int
    duration: float
    fail_count: int
    error: str | None


class ClusterStateApi:
    """Typed reads of HA and replication state."""

    def __init__(self, client: ProxmoxClient) -> None:
        self.client = client

    def ha_services(self) -> list[HaEntry]:
        out = []
        for item in self.client.get("/cluster/ha/status/current") or []:
            sid = str(item.get("sid", ""))
            if item.get("type") != "service" or not sid.startswith("vm:"):
                continue
            out.append(
                HaEntry(
                    vmid=int(sid.split(":", 1)[1]),
                    node=str(item.get("node", "")),
                    state=str(item.get("crm_state") or item.get("state") or ""),
                    request_state=item.get("request_state"),
                )
            )
        return out

    def replication(self, node: str) -> list[ReplicationEntry]:
        out = []
        for item in self.client.get(f"/nodes/{node}/replication") or []:
            out.append(
                ReplicationEntry(
                    job_id=str(item["id"]),
                    vmid=int(item["guest"]),
                    source=str(item.get("source", node)),
                    target=str(item.get("target", "")),
                    last_sync=int(item.get("last_sync") or 0),
                    last_try=int(item.get("last_try") or 0),
                    duration=float(item.get("duration") or 0.0),
                    fail_count=int(item.get("fail_count") or 0),
                    error=item.get("error"),
                )
            )
        return out
