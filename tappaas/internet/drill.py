"""``run_internet_drill``: ask every resolver for every declared name and judge the answers.

It cannot cut the uplink; it sees what the resolver answers now and whether that answer
would survive an outage: a site name must come from the resolver's own data (AA), an outside
name from the cache, and an unknown outside name should fail fast rather than hang. Run
during a real or staged outage, it reports what clients get then.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from tappaas.internet.probe import QueryOutcome, Transport, ask
from tappaas.internet.report import InternetDrill, NameCheck, NameKind, OpnsenseCheck, ResolverCheck
from tappaas.internet.verdict import (
    Status,
    judge_outside_name,
    judge_resolver,
    judge_service_name,
    judge_uncached_name,
    origin,
    primary,
)
from tappaas.model import Resolver, SiteConfig
from tappaas.opnsense import OpnsenseError
from tappaas.policy import UnboundSettings, resolver_findings

DEFAULT_TIMEOUT = 2.0
"""Seconds per query: Unbound drops what it cannot answer in 1.9 s (``discard-timeout``)."""
READY_NAME = "localhost"
"""Every resolver answers it from its own data (Unbound's default local zone; OPNsense adds
``local-data: "localhost A 127.0.0.1"``)."""
UNCACHED_LABEL = "tappaas-drill"


def uncached_name(probe_domain: str) -> str:
    """A name no cache holds: a random label under the probe domain."""
    return f"{UNCACHED_LABEL}-{secrets.token_hex(4)}.{probe_domain}"


def _both(resolver: Resolver, name: str, timeout: float) -> tuple[QueryOutcome, QueryOutcome]:
    return (
        ask(resolver.host, resolver.port, name, Transport.UDP, timeout),
        ask(resolver.host, resolver.port, name, Transport.TCP, timeout),
    )


def _read_opnsense(
    site: SiteConfig, read_unbound: Callable[[], UnboundSettings] | None
) -> OpnsenseCheck | None:
    network = site.network
    if network is None or network.opnsense is None or read_unbound is None:
        return None
    try:
        settings = read_unbound()
    except OpnsenseError as exc:
        return OpnsenseCheck(
            address=network.opnsense.address, error=str(exc), status=Status.UNKNOWN
        )
    return OpnsenseCheck(address=network.opnsense.address, settings=settings, status=Status.OK)


def _names_on(
    site: SiteConfig, resolver: Resolver, settings: UnboundSettings | None, timeout: float
) -> list[NameCheck]:
    assert site.network is not None
    network = site.network
    checks = []
    for service, entry in network.services.items():
        for name in entry.names:
            udp, tcp = _both(resolver, name, timeout)
            override = settings.override_for(name) if settings is not None else None
            status, why = judge_service_name(
                udp,
                tcp,
                entry.offline,
                override.name if override is not None else None,
                settings is not None,
            )
            checks.append(
                NameCheck(
                    resolver=resolver.address,
                    name=name,
                    kind=NameKind.SERVICE,
                    service=service,
                    offline=entry.offline,
                    udp=udp,
                    tcp=tcp,
                    origin=origin(primary(udp, tcp)),
                    override=override.name if override is not None else None,
                    status=status,
                    why=why,
                )
            )
    serve_expired = settings.serve_expired if settings is not None else None
    for name in network.outside_names:
        udp, tcp = _both(resolver, name, timeout)
        status, why = judge_outside_name(udp, tcp, serve_expired)
        checks.append(
            NameCheck(
                resolver=resolver.address,
                name=name,
                kind=NameKind.OUTSIDE,
                udp=udp,
                tcp=tcp,
                origin=origin(primary(udp, tcp)),
                status=status,
                why=why,
            )
        )
    name = uncached_name(network.probe_domain)
    udp = ask(resolver.host, resolver.port, name, Transport.UDP, timeout)
    status, why = judge_uncached_name(udp)
    checks.append(
        NameCheck(
            resolver=resolver.address,
            name=name,
            kind=NameKind.UNCACHED,
            udp=udp,
            origin=origin(udp),
            status=status,
            why=why,
        )
    )
    return checks


def run_internet_drill(
    site: SiteConfig,
    read_unbound: Callable[[], UnboundSettings] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> InternetDrill:
    """Probe ``site.network``'s resolvers (see the module docstring); ``read_unbound`` reads
    the firewall's Unbound settings when ``network.opnsense`` is configured."""
    network = site.network
    if network is None:
        raise ValueError(f"site {site.name} has no network section")
    started = datetime.now(UTC).isoformat(timespec="seconds")
    opnsense = _read_opnsense(site, read_unbound)
    settings = opnsense.settings if opnsense is not None else None
    resolvers, names = [], []
    for resolver in network.resolvers:
        status, why = judge_resolver(*_both(resolver, READY_NAME, timeout))
        resolvers.append(
            ResolverCheck(
                address=resolver.address, service=resolver.service, status=status, why=why
            )
        )
        if status is Status.OK:
            names += _names_on(site, resolver, settings, timeout)
    return InternetDrill(
        site=site.name,
        started=started,
        resolvers=tuple(resolvers),
        names=tuple(names),
        opnsense=opnsense,
        findings=resolver_findings(settings) if settings is not None else (),
    )
