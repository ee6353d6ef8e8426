"""The order a recovery cluster brings services back in (pure: the program and the check
print the same order)."""

from __future__ import annotations

from tappaas.model import Service, SiteConfig


def restore_order(site: SiteConfig) -> list[tuple[str, Service]]:
    """``recovery.restore_order`` first, in that order; the rest by vmid."""
    first = [name for name in site.recovery.restore_order if name in site.services]
    rest = sorted(
        (name for name in site.services if name not in first),
        key=lambda name: site.services[name].vmid,
    )
    return [(name, site.services[name]) for name in [*first, *rest]]
