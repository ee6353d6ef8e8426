"""Findings about name resolution when a node or the uplink fails (the ``network`` section).

DNS is the first thing a small site loses: every service reached by name stops when the one
resolver stops (it runs in the firewall VM), and a name only an outside resolver knows
stops resolving when the uplink is down.
"""

from __future__ import annotations

from collections.abc import Iterator

from tappaas.model import Importance, Resolver, SiteConfig
from tappaas.model.site import MIN_HA_NODES
from tappaas.policy.findings import Code, Finding, Severity
from tappaas.policy.report import ProtectionReport


def _fails_with_its_node(site: SiteConfig, resolver: Resolver) -> str | None:
    """The node whose failure stops ``resolver``, or ``None`` when it survives one (HA on a
    high-importance service, or a resolver outside the cluster)."""
    service = site.services.get(resolver.service) if resolver.service is not None else None
    if service is None:
        return None
    if service.ha.enabled and service.importance is Importance.HIGH:
        return None
    return service.node


def resolver_availability(site: SiteConfig, _: ProtectionReport) -> Iterator[Finding]:
    """On a 3+ node site, one node's failure must not take every resolver with it."""
    network = site.network
    if network is None or len(site.nodes) < MIN_HA_NODES:
        return
    nodes = [_fails_with_its_node(site, resolver) for resolver in network.resolvers]
    for resolver, node in zip(network.resolvers, nodes, strict=True):
        if node is None or any(other != node for other in nodes):
            continue
        assert resolver.service is not None
        service = site.services[resolver.service]
        low = service.importance is Importance.LOW
        yield Finding(
            code=Code.RESOLVER_NOT_HA,
            severity=Severity.ERROR,
            path=f"services.{resolver.service}.{'importance' if low else 'ha.enabled'}",
            message=f"the resolver {resolver.address} runs in {resolver.service}, which "
            f"{'is of low importance' if low else 'has no HA'}: when {node} fails, no name "
            "resolves anywhere on the site and every service reached by name stops",
            fix=f"keep {resolver.service} at importance: high with HA (the default on 3+ "
            "nodes), or add a second resolver on another node (network.resolvers)",
        )


def resolver_redundancy(site: SiteConfig, _: ProtectionReport) -> Iterator[Finding]:
    """With HA, a failover takes minutes; one resolver means no names meanwhile."""
    network = site.network
    if network is None or len(network.resolvers) > 1:
        return
    if not any(service.ha.enabled for service in site.services.values()):
        return
    [resolver] = network.resolvers
    runs_in = f" ({resolver.service})" if resolver.service is not None else ""
    yield Finding(
        code=Code.SINGLE_RESOLVER,
        severity=Severity.WARNING,
        path="network.resolvers",
        message=f"one resolver, {resolver.address}{runs_in}: while it restarts or fails "
        "over (HA takes 2-3 minutes), no name resolves on the site",
        fix="run a second resolver on another node with the same local data, and hand out "
        "both by DHCP",
    )


def offline_names(site: SiteConfig, _: ProtectionReport) -> Iterator[Finding]:
    """A name that must work offline needs local data: the local domain or a host override."""
    network = site.network
    if network is None:
        return
    for service, entry in network.services.items():
        if not entry.offline:
            continue
        local = [name for name in entry.names if network.is_local(name)]
        for name in entry.names:
            if network.is_local(name):
                continue
            instead = f", or reach {service} as {local[0]}" if local else ""
            yield Finding(
                code=Code.NAME_NEEDS_UPLINK,
                severity=Severity.WARNING,
                path=f"network.services.{service}.names",
                message=f"{name} is outside {network.local_domain} and has no host override: "
                f"only an outside resolver knows it, so during an internet outage {service} "
                "cannot be reached by this name",
                fix=f"add a host override for {name} in OPNsense (Services > Unbound DNS > "
                f"Overrides) and list it in network.host_overrides{instead}",
            )
