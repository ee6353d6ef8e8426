"""The uplink dies: real Unbounds, configured as OPNsense configures them, lose their upstream.

One timeline for the module (``outage``): three firewalls' Unbounds forward to one upstream
(a dnspython server on another loopback address) — ``recommended`` (serve-expired with a 3-day
window, prefetch), ``no_serve_expired`` and ``short_window`` (serve-expired for 4 s only) —
each with its OPNsense API stand-in. The drill runs with the upstream up; then the upstream
is killed, the cached outside name's TTL (1 s) runs out, and the drill runs again at once and
after the resolvers have marked the upstream down. Tests assert on the recorded reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from tappaas.internet import (
    InternetDrill,
    NameCheck,
    NameKind,
    Origin,
    Status,
    Transport,
    run_internet_drill,
)
from tappaas.internet.probe import ask
from tappaas.internet.verdict import FAST_FAILURE
from tappaas.policy import Code
from tests.model.sites import load
from tests.resolver import sites
from tests.resolver.conftest import StartUnbound, loopback_pair
from tests.resolver.opnsense_api import OpnsenseApi
from tests.resolver.unbound import FirewallUnbound, UnboundProcess
from tests.resolver.upstream import Upstream

SHORT_WINDOW = 4
"""Seconds the ``short_window`` firewall serves an expired answer."""
FAIL_FAST_LIMIT = 120.0
"""Seconds we wait for a resolver to mark the dead upstream down (measured: about 20)."""
POLL_TIMEOUT = 0.5
MISSING = {"hass": 210, "jellyfin": 420}
"""Services whose local names have no host override; jellyfin's is asked only offline."""
FIREWALLS: dict[str, Callable[[], FirewallUnbound]] = {
    "recommended": sites.firewall,
    "no_serve_expired": lambda: sites.firewall(serveexpired="0"),
    "short_window": lambda: sites.firewall(serveexpiredttl=str(SHORT_WINDOW)),
}


@dataclass
class Firewall:
    unbound: UnboundProcess
    api: OpnsenseApi

    @property
    def resolver(self) -> str:
        return f"{self.unbound.address}:{self.unbound.port}"

    def drill(self, *missing: str) -> InternetDrill:
        """The drill of the example site, plus services ``missing`` from the local zone."""
        raw = sites.site_raw(self.resolver, self.api)
        for service in missing:
            raw["services"][service] = {"vmid": MISSING[service], "node": "tappaas3"}
            raw["network"]["services"][service] = {"zone": "srvHome"}
        return run_internet_drill(load(raw), sites.reader(self.api))


@dataclass
class Timeline:
    before: dict[str, InternetDrill] = field(default_factory=dict)
    right_after: dict[str, InternetDrill] = field(default_factory=dict)
    later: dict[str, InternetDrill] = field(default_factory=dict)
    fail_fast_after: dict[str, float] = field(default_factory=dict)
    """Seconds from the upstream's death until the resolver answered SERVFAIL at once."""


def wait_for_fail_fast(firewalls: dict[str, Firewall], killed: float) -> dict[str, float]:
    """Ask each resolver fresh names until it fails them fast (bounded by FAIL_FAST_LIMIT)."""
    found: dict[str, float] = {}
    attempt = 0
    while len(found) < len(firewalls) and time.monotonic() - killed < FAIL_FAST_LIMIT:
        for key, firewall in firewalls.items():
            if key in found:
                continue
            attempt += 1
            name = f"poll-{attempt}.{sites.PROBE_DOMAIN}"
            answer = ask(
                firewall.unbound.address, firewall.unbound.port, name, Transport.UDP, POLL_TIMEOUT
            )
            if answer.rcode == "SERVFAIL" and answer.seconds < FAST_FAILURE:
                found[key] = time.monotonic() - killed
        time.sleep(0.2)
    missing = set(firewalls) - set(found)
    assert not missing, f"{missing} still hang {FAIL_FAST_LIMIT} s after the upstream died"
    return found


@pytest.fixture(scope="module")
def outage(
    start_unbound: StartUnbound,
    start_upstream: Callable[[str, dict[str, tuple[str, int]]], Upstream],
    start_opnsense: Callable[[FirewallUnbound], OpnsenseApi],
) -> Timeline:
    resolver_ip, upstream_ip = loopback_pair()
    upstream = start_upstream(upstream_ip, sites.UPSTREAM_RECORDS)
    firewalls = {}
    for key, settings in FIREWALLS.items():
        unbound = settings()
        firewalls[key] = Firewall(
            start_unbound(unbound, resolver_ip, upstream), start_opnsense(unbound)
        )
    timeline = Timeline()
    for key, firewall in firewalls.items():
        timeline.before[key] = firewall.drill()
    timeline.before["missing"] = firewalls["recommended"].drill("hass")
    warmed = time.monotonic()  # every resolver now holds the outside name (TTL 1 s)

    upstream.stop()
    killed = time.monotonic()
    time.sleep(max(0.0, warmed + sites.OUTSIDE_TTL + 0.5 - time.monotonic()))
    for key in ("short_window", "recommended", "no_serve_expired"):  # the short window first
        timeline.right_after[key] = firewalls[key].drill()

    timeline.fail_fast_after = wait_for_fail_fast(firewalls, killed)
    window_closed = warmed + sites.OUTSIDE_TTL + SHORT_WINDOW + 1
    time.sleep(max(0.0, window_closed - time.monotonic()))
    for key, firewall in firewalls.items():
        timeline.later[key] = firewall.drill()
    timeline.later["missing"] = firewalls["recommended"].drill("hass", "jellyfin")
    return timeline


def rows(report: InternetDrill, kind: NameKind) -> list[NameCheck]:
    return [check for check in report.names if check.kind is kind]


def test_with_the_uplink_up_every_name_resolves(outage: Timeline) -> None:
    report = outage.before["recommended"]
    assert report.status is Status.OK, [(c.name, c.why) for c in report.names]
    assert {c.origin for c in rows(report, NameKind.SERVICE)} == {Origin.LOCAL}
    [outside] = rows(report, NameKind.OUTSIDE)
    assert (outside.origin, outside.udp.addresses) == (Origin.CACHE_OR_UPSTREAM, ("192.0.2.80",))
    [uncached] = rows(report, NameKind.UNCACHED)
    assert uncached.why.startswith("the upstream answers (NXDOMAIN")


def test_without_serve_expired_the_settings_warn_before_any_outage(outage: Timeline) -> None:
    report = outage.before["no_serve_expired"]
    assert {c.status for c in report.names} == {Status.OK}
    assert [f.code for f in report.findings] == [Code.SERVE_EXPIRED_OFF]
    assert "'Serve Expired Responses' (unbound.advanced.serveexpired)" in report.findings[0].fix
    assert report.status is Status.WARN


def test_local_names_keep_resolving_after_the_upstream_dies(outage: Timeline) -> None:
    for moment in (outage.right_after, outage.later):
        for key in FIREWALLS:
            services = rows(moment[key], NameKind.SERVICE)
            assert len(services) == 6
            assert {(c.status, c.origin) for c in services} == {(Status.OK, Origin.LOCAL)}
            assert all(c.tcp is not None and c.tcp.authoritative for c in services)


def test_cached_outside_names_resolve_within_the_serve_expired_window(outage: Timeline) -> None:
    for moment in (outage.right_after, outage.later):
        [outside] = rows(moment["recommended"], NameKind.OUTSIDE)
        # expired (TTL 1 s, upstream dead): Unbound answers with serve-expired-reply-ttl, 30 s
        assert (outside.status, outside.udp.rcode, outside.udp.ttl) == (Status.OK, "NOERROR", 30)
    [within] = rows(outage.right_after["short_window"], NameKind.OUTSIDE)
    assert (within.status, within.udp.addresses) == (Status.OK, ("192.0.2.80",))
    [beyond] = rows(outage.later["short_window"], NameKind.OUTSIDE)
    assert beyond.status is Status.WARN
    assert beyond.why.startswith("does not resolve (SERVFAIL")


def test_uncached_outside_names_fail_fast_once_the_upstream_is_marked_down(
    outage: Timeline,
) -> None:
    [first] = rows(outage.right_after["recommended"], NameKind.UNCACHED)
    [then] = rows(outage.later["recommended"], NameKind.UNCACHED)
    print(
        f"\nuncached outside name right after the upstream died: {first.why}; "
        f"resolvers failing fast after: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in outage.fail_fast_after.items())
        + f"; then: {then.why}"
    )
    # right after the death, Unbound usually still retries the forwarder and drops the query
    # (clients hang); if it already marked it down, it fails fast: either is reported as such
    if first.status is Status.WARN:
        assert first.udp.rcode is None and "get no answer within 2 s" in first.why
    else:
        assert (first.status, first.udp.rcode) == (Status.OK, "SERVFAIL")
    assert then.status is Status.OK and then.udp.rcode == "SERVFAIL"
    assert then.udp.seconds < FAST_FAILURE and "fail fast" in then.why


def test_the_drill_passes_on_the_well_configured_unbound(outage: Timeline) -> None:
    report = outage.later["recommended"]
    assert report.status is Status.OK, [(c.name, c.why) for c in report.names]
    assert report.findings == ()


def test_without_serve_expired_cached_names_vanish_and_the_drill_names_them(
    outage: Timeline,
) -> None:
    report = outage.later["no_serve_expired"]
    [outside] = rows(report, NameKind.OUTSIDE)
    assert outside.name == sites.OUTSIDE_NAME and outside.status is Status.WARN
    assert "serve-expired is off, so cached names vanish" in outside.why
    assert report.status is Status.WARN
    # the difference, side by side: the same name, the same moment, the other firewall
    [kept] = rows(outage.later["recommended"], NameKind.OUTSIDE)
    assert (kept.status, outside.status) == (Status.OK, Status.WARN)


def test_a_site_name_missing_from_the_local_zone_fails_naming_it_and_why(
    outage: Timeline,
) -> None:
    cases = (
        # with the uplink up, the upstream denies the name
        (outage.before, "hass", "the upstream says no such name (NXDOMAIN)"),
        # offline, the denial asked before is served from the expired cache (serve-expired
        # keeps negative answers too); a name never asked gets SERVFAIL
        (outage.later, "hass", "the upstream says no such name (NXDOMAIN)"),
        (outage.later, "jellyfin", "the upstream does not answer (SERVFAIL"),
    )
    for moment, service, reason in cases:
        report = moment["missing"]
        assert report.status is Status.CRIT
        [missing] = [c for c in report.names if c.service == service and c.status is Status.CRIT]
        assert missing.name == f"{service}.srvhome.internal"
        assert "not in the resolver's local data" in missing.why and reason in missing.why
        assert "OPNsense has no host override for it" in missing.why
        public = [c for c in report.names if c.name == f"{service}.mytappaas.dev"]
        assert [c.status for c in public] == [Status.OK]  # the wildcard override answers it
