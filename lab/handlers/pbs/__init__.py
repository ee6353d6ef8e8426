"""PBS API areas; ``ROUTES`` lists every implemented route."""

from __future__ import annotations

from lab.api.routes import Route
from lab.handlers.pbs import access, datastore, jobs, node, remote, snapshots

ROUTES: tuple[Route, ...] = (
    *access.ROUTES,
    *datastore.ROUTES,
    *snapshots.ROUTES,
    *remote.ROUTES,
    *jobs.ROUTES,
    *node.ROUTES,
)
