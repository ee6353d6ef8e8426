"""What a PVE API says about itself: its version and its nodes (is it the host we expect?).

``GET /version`` answers any authenticated token (PVE ``API2/Version.pm``: no permission
needed beyond a valid ticket or token), and ``GET /nodes`` lists the nodes with their
status, so together they say "this is PVE, our token works, and node X is online".
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
