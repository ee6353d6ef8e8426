"""The scenarios ``tappaas lab scenario <name>`` runs, each on labs of its own."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lab.scenarios import (
    accidental_deletion,
    corrupted_snapshot,
    node_failure,
    peer_stops_pulling,
    ransomware,
    restore_drills,
    retention,
)
from lab.scenarios.monitoring import DRILL_TIMING
from lab.scenarios.result import ScenarioResult
from lab.scenarios.site import SiteLab, start_site_lab
from tappaas.model import SiteConfig


@dataclass(frozen=True)
class Scenario:
    """A named scenario: what it shows, and how to play it on a configured lab."""

    name: str
    summary: str
    play: Callable[[SiteLab], ScenarioResult]
    variants: Callable[[SiteConfig, SiteConfig], list[tuple[SiteConfig, SiteConfig]]] = (
        lambda site, peer: [(site, peer)]
    )
    lab: Mapping[str, Any] = field(default_factory=dict)
    """``LabConfig`` fields beyond the site's (e.g. restore and boot timing for drills)."""


SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        Scenario(retention.NAME, retention.TITLE, retention.play),
        Scenario(node_failure.NAME, node_failure.TITLE, node_failure.play),
        Scenario(
            ransomware.NAME,
            "Ransomware with the site's credentials: pulled copies survive, pushed ones not",
            ransomware.play,
            lambda site, peer: [(site, peer), ransomware.push_variant(site, peer)],
        ),
        Scenario(accidental_deletion.NAME, accidental_deletion.TITLE, accidental_deletion.play),
        Scenario(restore_drills.NAME, restore_drills.TITLE, restore_drills.play, lab=DRILL_TIMING),
        Scenario(
            corrupted_snapshot.NAME,
            corrupted_snapshot.TITLE,
            corrupted_snapshot.play,
            lab=DRILL_TIMING,
        ),
        Scenario(peer_stops_pulling.NAME, peer_stops_pulling.TITLE, peer_stops_pulling.play),
    )
}


def run_scenario(name: str, site: SiteConfig, peer: SiteConfig) -> list[ScenarioResult]:
    """Play scenario ``name`` for ``site`` and its ``peer`` on fresh simulated labs."""
    scenario = SCENARIOS[name]
    results = []
    for variant_site, variant_peer in scenario.variants(site, peer):
        configured = start_site_lab(variant_site, variant_peer, **scenario.lab)
        try:
            results.append(scenario.play(configured))
        finally:
            configured.lab.stop()
    return results
