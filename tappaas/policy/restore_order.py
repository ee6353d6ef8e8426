"""What a recovery restores, and in which order (pure: the program and the check print the
same order).

A tier is a set of services restored side by side; a tier starts when the one before it has
finished. ``recovery.restore_order`` lists the services others depend on (the firewall
first, then identity, …): each gets a tier of its own, in that order. The rest follow
together in one last tier, by vmid. A cloud recovery restores ``cloud.services``, by default
every high-importance service (low-importance ones, like logs, can be rebuilt later).
"""

from __future__ import annotations

from tappaas.model import Importance, Service, SiteConfig

Tier = tuple[str, ...]


def services_to_restore(site: SiteConfig) -> tuple[str, ...]:
    """The services a recovery brings back (unordered: the tiers order them)."""
    cloud = site.cloud
    if cloud is None:
        return tuple(site.services)
    if cloud.services is not None:
        return tuple(name for name in cloud.services if name in site.services)
    return tuple(n for n, s in site.services.items() if s.importance is Importance.HIGH)


def restore_tiers(site: SiteConfig) -> tuple[Tier, ...]:
    """Tiers in restore order: one per ``recovery.restore_order`` entry, then the rest."""
    chosen = set(services_to_restore(site))
    first = [name for name in site.recovery.restore_order if name in chosen]
    rest = sorted(chosen - set(first), key=lambda name: site.services[name].vmid)
    return tuple((name,) for name in first) + ((tuple(rest),) if rest else ())


def restore_order(site: SiteConfig) -> list[tuple[str, Service]]:
    """The restored services one by one, tier by tier: ``recovery.restore_order`` first, in
    that order; the rest by vmid."""
    return [(name, site.services[name]) for tier in restore_tiers(site) for name in tier]
