"""PVE API areas; ``ROUTES`` lists every implemented route."""

from __future__ import annotations

from lab.api.routes import Route
from lab.handlers.pve import access, agent, cluster, ha, nodes, qemu, replication, storage

ROUTES: tuple[Route, ...] = (
    *access.ROUTES,
    *agent.ROUTES,
    *cluster.ROUTES,
    *ha.ROUTES,
    *nodes.ROUTES,
    *qemu.ROUTES,
    *replication.ROUTES,
    *storage.ROUTES,
)
