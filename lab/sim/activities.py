"""Everything the engine schedules, collected from the state of the whole lab."""

from __future__ import annotations

from collections.abc import Iterator

from lab.sim.engine import Activity
from lab.sim.pbs.activities import pbs_activities
from lab.sim.pve.activities import pve_activities
from lab.sim.world import World


def collect(world: World) -> Iterator[Activity]:
    """PVE's and every PBS instance's scheduled work."""
    yield from pve_activities(world)
    yield from pbs_activities(world)
