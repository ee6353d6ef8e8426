"""Name resolution at the site: its resolvers, its local domain and the names of its services.

When a small site loses its uplink, what breaks first is name resolution: a service reached
by a name only an outside resolver knows, or a resolver that forwards everything and answers
SERVFAIL once its cache expires. TAPPaaS names a service ``<vmname>.<zone0>.internal`` (a
host override in the firewall's Unbound, made by ``firewall:dns``) and publishes it as
``<vmname>.<domain>`` (``proxyDomain``, served by Caddy on the firewall); those are the
default names here. The firewall VM (OPNsense) is the resolver.
"""

from __future__ import annotations

from pydantic import Field

from tappaas.model._types import (
    Address,
    DnsName,
    Fingerprint,
    OverrideName,
    ServiceName,
    StrictModel,
    ZoneName,
    split_address,
)
from tappaas.model.secrets import SecretRef

DEFAULT_LOCAL_DOMAIN = "internal"
"""TAPPaaS's local domain: a module is ``<vmname>.<zone0>.internal``."""
DEFAULT_ZONE = "mgmt"
"""TAPPaaS ``zone0`` default (the untagged management zone)."""
DNS_PORT = 53
HTTPS_PORT = 443
DEFAULT_PROBE_DOMAIN = "example.com"
"""Where the drill asks a random, never-cached name to see how uncached outside names fail."""


class Resolver(StrictModel):
    """A DNS resolver the site's clients use, and the service (VM) that runs it.

    ``service`` is ``None`` for a resolver outside the cluster (e.g. an appliance); its
    availability is then not checked.
    """

    address: Address
    """``host`` or ``host:port`` (port 53 by default)."""
    service: ServiceName | None = None

    @property
    def host(self) -> str:
        return split_address(self.address)[0]

    @property
    def port(self) -> int:
        return split_address(self.address)[1] or DNS_PORT


class ServiceNames(StrictModel):
    """The names clients reach one service by, and whether they must resolve offline."""

    zone: ZoneName = DEFAULT_ZONE
    """TAPPaaS ``zone0``: the zone of the service's first NIC, part of its local name."""
    names: tuple[DnsName, ...]
    """Default: ``<service>.<zone>.<local_domain>`` and, with ``domain``, ``<service>.<domain>``."""
    offline: bool
    """The names must resolve during an internet outage (default: high importance)."""


class OpnsenseApi(StrictModel):
    """The firewall's OPNsense API, read (never written) for its Unbound settings.

    TLS is verified: pinned to ``fingerprint`` when given, else against the system's trust
    store (or ``REQUESTS_CA_BUNDLE``). The key and secret are config secrets.
    """

    address: Address
    """``host`` or ``host:port`` of the web GUI/API (port 443 by default)."""
    fingerprint: Fingerprint | None = None
    api_key: SecretRef
    api_secret: SecretRef

    @property
    def host(self) -> str:
        return split_address(self.address)[0]

    @property
    def port(self) -> int:
        return split_address(self.address)[1] or HTTPS_PORT


class NetworkSettings(StrictModel):
    """The site's resolvers and the names that must keep working when the uplink is down."""

    local_domain: DnsName = DEFAULT_LOCAL_DOMAIN
    domain: DnsName | None = None
    """TAPPaaS ``domain``: the public domain services are published under (``proxyDomain``)."""
    resolvers: tuple[Resolver, ...] = Field(min_length=1)
    host_overrides: tuple[OverrideName, ...] = ()
    """Names outside ``local_domain`` the resolver answers from its own data (OPNsense:
    Services > Unbound DNS > Overrides); ``*.domain`` is a wildcard override."""
    services: dict[ServiceName, ServiceNames] = {}
    """Every declared service has an entry (filled with defaults when not written)."""
    outside_names: tuple[DnsName, ...] = ()
    """Outside names services depend on, expected from the cache during an outage."""
    probe_domain: DnsName = DEFAULT_PROBE_DOMAIN
    opnsense: OpnsenseApi | None = None

    def is_local(self, name: str) -> bool:
        """Whether the resolver answers ``name`` from its own data (config's view)."""
        return _under(name, self.local_domain) or any(
            _matches_override(name, override) for override in self.host_overrides
        )


def _under(name: str, domain: str) -> bool:
    """``name`` is ``domain`` or a name below it."""
    return name == domain or name.endswith("." + domain)


def _matches_override(name: str, override: str) -> bool:
    """An exact override, or a wildcard ``*.d`` (OPNsense answers ``d`` and every name below)."""
    if override.startswith("*."):
        return _under(name, override[2:])
    return name == override


def default_names(service: str, zone: str, local_domain: str, domain: str | None) -> list[str]:
    """TAPPaaS's names for a module: ``<vmname>.<zone0>.internal`` and ``<vmname>.<domain>``."""
    names = [f"{service}.{zone}.{local_domain}"]
    if domain is not None:
        names.append(f"{service}.{domain}")
    return names
