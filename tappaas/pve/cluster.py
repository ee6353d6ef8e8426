"""What a PVE API says about itself: its version and its nodes (is it the host we expect?).

``GET /version`` and ``GET /nodes`` answer any valid ticket or token (the PVE 9 API schema:
``permissions: {user: all}`` on both), so together they say "this is PVE, our token works,
and node X is online" without needing any privilege on the host.
"""

from __future__ import annotations

from dataclasses import dataclass

from tappaas.client import ProxmoxClient


@dataclass(frozen=True)
class PveVersion:
    version: str
    release: str


class ClusterInfoApi:
    """Read-only facts about a PVE cluster (or single host)."""

    def __init__(self, client: ProxmoxClient) -> None:
        self.client = client

    def version(self) -> PveVersion:
        answer = self.client.get("/version") or {}
        return PveVersion(str(answer.get("version", "")), str(answer.get("release", "")))

    def online_nodes(self) -> list[str]:
        """Names of the nodes whose status is ``online``."""
        return [
            str(item["node"])
            for item in self.client.get("/nodes") or []
            if item.get("status") == "online"
        ]
