"""The example site of the resolver tests: an OPNsense firewall resolving for three services.

TAPPaaS names (``<vmname>.<zone0>.internal`` host overrides, made by ``firewall:dns``) and a
wildcard override for the public domain, so ``<vmname>.mytappaas.dev`` reaches Caddy on the
firewall from inside even when the uplink is down.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import SecretStr

from tappaas.model import SiteConfig
from tappaas.opnsense import OpnsenseClient, OpnsenseConnection, read_unbound
from tappaas.policy import UnboundSettings
from tests.model.sites import load, small_site
from tests.resolver.opnsense_api import API_KEY, API_SECRET, OpnsenseApi
from tests.resolver.unbound import FirewallUnbound, HostOverride

DOMAIN = "mytappaas.dev"
FIREWALL_LAN = "10.0.0.1"
OUTSIDE_NAME = "updates.example.net"
PROBE_DOMAIN = "example.net"
OUTSIDE_TTL = 1
"""Seconds: the upstream's answers expire at once, so the tests see the cache run out."""
UPSTREAM_RECORDS = {OUTSIDE_NAME: ("192.0.2.80", OUTSIDE_TTL)}
RECOMMENDED = {"serveexpired": "1", "serveexpiredttl": "259200", "prefetch": "1"}


def overrides() -> list[HostOverride]:
    return [
        HostOverride("firewall", "mgmt.internal", FIREWALL_LAN),
        HostOverride("nextcloud", "srv.internal", "10.2.0.40"),
        HostOverride("vaultwarden", "srv.internal", "10.2.0.61"),
        HostOverride("*", DOMAIN, FIREWALL_LAN),
    ]


def firewall(**advanced: str) -> FirewallUnbound:
    """The firewall's Unbound with the recommended settings, changed by ``advanced``."""
    return FirewallUnbound(advanced={**RECOMMENDED, **advanced}, overrides=overrides())


def site_raw(resolver: str, opnsense: OpnsenseApi | None = None) -> dict[str, Any]:
    raw = small_site()
    raw["services"] = {
        "firewall": {"vmid": 110, "node": "tappaas1"},
        "nextcloud": {"vmid": 340, "node": "tappaas1"},
        "vaultwarden": {"vmid": 610, "node": "tappaas2"},
    }
    raw["network"] = {
        "domain": DOMAIN,
        "resolvers": [{"address": resolver, "service": "firewall"}],
        "host_overrides": [f"*.{DOMAIN}"],
        "services": {"nextcloud": {"zone": "srv"}, "vaultwarden": {"zone": "srv"}},
        "outside_names": [OUTSIDE_NAME],
        "probe_domain": PROBE_DOMAIN,
    }
    if opnsense is not None:
        raw["network"]["opnsense"] = {
            "address": opnsense.address,
            "fingerprint": opnsense.fingerprint,
            "api_key": {"secret": "opnsenseApiKey"},
            "api_secret": {"secret": "opnsenseApiSecret"},
        }
    return raw


def site(resolver: str, opnsense: OpnsenseApi | None = None) -> SiteConfig:
    return load(site_raw(resolver, opnsense))


def connection(api: OpnsenseApi, **changes: Any) -> OpnsenseConnection:
    settings: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": api.port,
        "fingerprint": api.fingerprint,
        "api_key": SecretStr(API_KEY),
        "api_secret": SecretStr(API_SECRET),
    }
    settings.update(changes)
    return OpnsenseConnection(**settings)


def reader(api: OpnsenseApi, **changes: Any) -> Callable[[], UnboundSettings]:
    """What the CLI passes to the drill: read the stand-in's Unbound through our client."""
    return lambda: read_unbound(OpnsenseClient(connection(api, **changes)))
