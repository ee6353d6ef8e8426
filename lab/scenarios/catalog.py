"""The scenarios ``tappaas lab scenario <name>`` runs, each on labs of its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lab.scenarios import accidental_deletion, node_failure, ransomware, retention
from lab.scenarios.result import ScenarioResult
from lab.scenarios.site import SiteLab, start_site_lab
from tappaas.model import Role, SiteConfig

Needs = Callable[[SiteConfig, SiteConfig], list[str]]


def _nothing_more(site: SiteConfig, peer: SiteConfig) -> list[str]:
    return []


def _offsite_copy(site: SiteConfig, peer: SiteConfig) -> list[str]:
    return [] if site.remote is not None else ["an off-site copy (remote) kept by the peer"]


@dataclass(frozen=True)
class Scenario:
    """A named scenario: what it shows, what it needs of the site, and how to play it."""

    name: str
    summary: str
    play: Callable[[SiteLab], ScenarioResult]
    variants: Callable[[SiteConfig, SiteConfig], list[tuple[SiteConfig, SiteConfig]]] = (
        lambda site, peer: [(site, peer)]
    )
    needs: Needs = _nothing_more
    """What the site must have beyond a local PBS backing up a service (``unmet_needs``)."""


SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        Scenario(retention.NAME, retention.TITLE, retention.play, needs=_offsite_copy),
        Scenario(
            node_failure.NAME, node_failure.TITLE, node_failure.play, needs=node_failure.needs
        ),
        Scenario(
            ransomware.NAME,
            "Ransomware with the site's credentials: pulled copies survive, pushed ones not",
            ransomware.play,
            lambda site, peer: [(site, peer), ransomware.push_variant(site, peer)],
            needs=_offsite_copy,
        ),
        Scenario(
            accidental_deletion.NAME,
            accidental_deletion.TITLE,
            accidental_deletion.play,
            needs=accidental_deletion.needs,
        ),
    )
}


def unmet_needs(name: str, site: SiteConfig, peer: SiteConfig) -> list[str]:
    """What scenario ``name`` needs that ``site`` and ``peer`` lack (empty: it can run).

    Every scenario runs a site with a local PBS backing up at least one service, next to a
    peer (``role: peer``) that keeps the site's copy when it has one.
    """
    unmet = []
    if site.role is not Role.SITE:
        unmet.append(f"a site (role: site); {site.name!r} has role {site.role.value}")
    if site.backup is None:
        unmet.append("a local PBS (backup.pbs)")
    if not any(service.backup.enabled for service in site.services.values()):
        unmet.append("a service that is backed up (services)")
    if peer.role is not Role.PEER or peer.peer is None:
        unmet.append(f"a peer (role: peer) next to it; {peer.name!r} has role {peer.role.value}")
    elif site.remote is not None and site.name not in peer.peer.guests:
        guests = ", ".join(peer.peer.guests) or "none"
        unmet.append(
            f"a peer that keeps the copy of {site.name!r}, but {peer.name!r} keeps copies of: "
            f"{guests} (peer.guests)"
        )
    if not unmet:
        unmet += [need for need in SCENARIOS[name].needs(site, peer) if need not in unmet]
    return unmet


def run_scenario(name: str, site: SiteConfig, peer: SiteConfig) -> list[ScenarioResult]:
    """Play scenario ``name`` for ``site`` and its ``peer`` on fresh simulated labs (followed
    by the listener of ``streaming``, if any)."""
    scenario = SCENARIOS[name]
    results = []
    for variant_site, variant_peer in scenario.variants(site, peer):
        configured = start_site_lab(variant_site, variant_peer)
        try:
            result = scenario.play(configured)
        finally:
            configured.lab.stop()
        result.finish()
        results.append(result)
    return results
