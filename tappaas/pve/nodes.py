"""PVE nodes: which are online, their clock, free memory, and their task lists.

``GET /nodes/{node}/time`` gives the node's clock: drills and status measure with it, so an
age never mixes the server's timestamps with the client's clock. ``GET /nodes/{node}/tasks``
filters by ``typefilter`` (e.g. ``vzdump``), ``vmid``, ``since`` (pve-manager
``API2/Tasks.pm``); each entry has ``upid``, ``type``, ``id``, ``starttime``, ``endtime`` and
``status`` (the exit status) once stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tappaas.client import ProxmoxClient

TASK_LIST_LIMIT = 500


@dataclass(frozen=True)
class NodeInfo:
    name: str
    online: bool


@dataclass(frozen=True)
class Memory:
    total: int
    free: int


@dataclass(frozen=True)
class TaskEntry:
    """One finished or running task of a node (or of a PBS)."""

    upid: str
    worker_type: str
    worker_id: str
    user: str
    starttime: int
    endtime: int | None
    status: str | None

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> TaskEntry:
        endtime = item.get("endtime")
        return cls(
            upid=str(item["upid"]),
            worker_type=str(item.get("type", "")),
            worker_id=str(item.get("id") or ""),
            user=str(item.get("user", "")),
            starttime=int(item.get("starttime", 0)),
            endtime=int(endtime) if endtime is not None else None,
            status=item.get("status") if endtime is not None else None,
        )


class NodesApi:
    """Typed reads of the cluster's nodes."""

    def __init__(self, client: ProxmoxClient) -> None:
        self.client = client

    def nodes(self) -> list[NodeInfo]:
        items = self.client.get("/nodes") or []
        return [NodeInfo(str(i["node"]), i.get("status") == "online") for i in items]

    def time(self, node: str) -> int:
        """The node's clock (Unix seconds, UTC)."""
        return int(self.client.get(f"/nodes/{node}/time")["time"])

    def memory(self, node: str) -> Memory:
        memory = (self.client.get(f"/nodes/{node}/status") or {}).get("memory") or {}
        return Memory(int(memory.get("total", 0)), int(memory.get("free", 0)))

    def tasks(
        self,
        node: str,
        *,
        typefilter: str | None = None,
        vmid: int | None = None,
        since: int | None = None,
        limit: int = TASK_LIST_LIMIT,
        source: str | None = None,
    ) -> list[TaskEntry]:
        """The node's tasks, newest first (``source``: ``archive`` finished, the default;
        ``active`` running and recent; ``all``)."""
        items = self.client.get(
            f"/nodes/{node}/tasks",
            typefilter=typefilter,
            vmid=vmid,
            since=since,
            limit=limit,
            source=source,
        )
        return [TaskEntry.from_api(item) for item in items or []]
