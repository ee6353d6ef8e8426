"""``evaluate``: every rule over one observation of a site, into one report."""

from __future__ import annotations

from dataclasses import dataclass

from tappaas.health.backups import local_backup, offsite, personal, verification
from tappaas.health.cluster import high_availability, replication
from tappaas.health.drills import drill
from tappaas.health.lines import Line
from tappaas.health.observations import Observation, SourceError
from tappaas.health.state import State, worst
from tappaas.health.upkeep import upkeep_lines
from tappaas.model import SiteConfig


@dataclass(frozen=True)
class StatusReport:
    """The judged lines of a site at ``now``, and the sources that could not be read."""

    site: str
    now: int
    lines: tuple[Line, ...]
    unreachable: tuple[SourceError, ...]

    @property
    def state(self) -> State:
        """The worst line; UNKNOWN at least when a source was unreachable."""
        floor = [State.UNKNOWN] if self.unreachable else []
        return worst([*(line.state for line in self.lines), *floor])

    def count(self, state: State) -> int:
        return sum(line.state is state for line in self.lines)


def evaluate(site: SiteConfig, obs: Observation) -> StatusReport:
    """Per service (config order): backup, verify, off-site, personal, replication, HA,
    drill; then datastores and jobs."""
    lines: list[Line | None] = []
    for name, service in site.services.items():
        lines += [
            local_backup(name, service, site, obs),
            verification(name, service, site, obs),
            offsite(name, service, site, obs),
            personal(name, service, site, obs),
            replication(name, service, obs),
            high_availability(name, service, obs),
            drill(name, service, site, obs),
        ]
    lines += upkeep_lines(site, obs)
    return StatusReport(
        site=site.name,
        now=obs.now,
        lines=tuple(line for line in lines if line is not None),
        unreachable=obs.unreachable,
    )
