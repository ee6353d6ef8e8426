"""Our OPNsense client and Unbound reader against the API stand-in, over HTTPS on loopback.

The stand-in answers in opnsense/core's shapes and auth rules (see ``opnsense_api.py``); the
client must pin or verify TLS, read only, and turn every failure into a named error.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import SecretStr

from tappaas.internet import Status, run_internet_drill
from tappaas.opnsense import (
    OpnsenseApiError,
    OpnsenseAuthError,
    OpnsenseClient,
    OpnsenseUnreachableError,
    read_unbound,
)
from tests.resolver import sites
from tests.resolver.conftest import StartUnbound, loopback_pair
from tests.resolver.opnsense_api import API_KEY, ApiKey, OpnsenseApi, url_match
from tests.resolver.unbound import FirewallUnbound, HostOverride
from tests.resolver.upstream import Upstream

StartApi = Callable[[FirewallUnbound], OpnsenseApi]
OTHER_FINGERPRINT = ":".join(["AB"] * 32)


def firewall_with_aliases() -> FirewallUnbound:
    unbound = sites.firewall(serveexpiredreplyttl="30", serveexpiredclienttimeout="1800")
    unbound.overrides += [
        HostOverride("cloud", "srv.internal", "10.2.0.40", aliases=[("files", ""), ("", "lan")]),
        HostOverride("old", "srv.internal", "10.2.0.9", enabled=False, aliases=[("older", "")]),
        HostOverride("mail", "srv.internal", "", rr="MX"),
    ]
    unbound.local_zone_type = "static"
    return unbound


def test_reads_the_settings_and_overrides_with_a_pinned_certificate(
    start_opnsense: StartApi,
) -> None:
    api = start_opnsense(firewall_with_aliases())
    settings = sites.reader(api)()
    assert (settings.serve_expired, settings.serve_expired_ttl, settings.prefetch) == (
        True,
        259200,
        True,
    )
    assert (settings.serve_expired_reply_ttl, settings.serve_expired_client_timeout) == (30, 1800)
    assert settings.serve_expired_ttl_reset is False
    assert (settings.forwarding, settings.local_zone_type) == (True, "static")
    names = {o.name: o.enabled for o in settings.host_overrides}
    assert names["nextcloud.srv.internal"] and names["*.mytappaas.dev"]
    # aliases inherit what they leave empty; a disabled parent disables its aliases
    assert names["files.srv.internal"] and names["cloud.lan"]
    assert not names["old.srv.internal"] and not names["older.srv.internal"]
    assert settings.override_for("files.srv.internal") is not None
    assert settings.override_for("mail.srv.internal") is None  # MX, not an address
    assert api.requests == [
        ("GET", "/api/unbound/settings/get"),
        ("GET", "/api/unbound/settings/search_host_override"),
    ]


def test_numbers_left_empty_mean_unbounds_default(start_opnsense: StartApi) -> None:
    api = start_opnsense(FirewallUnbound(advanced={}, overrides=[]))
    settings = sites.reader(api)()
    assert settings.serve_expired is False and settings.serve_expired_ttl is None
    assert settings.host_overrides == ()


def test_a_wrong_pin_is_refused(start_opnsense: StartApi) -> None:
    api = start_opnsense(sites.firewall())
    with pytest.raises(OpnsenseUnreachableError, match="not the pinned"):
        sites.reader(api, fingerprint=OTHER_FINGERPRINT)()
    assert api.requests == []


def test_without_a_pin_the_certificate_must_be_trusted(
    start_opnsense: StartApi, ca_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = start_opnsense(sites.firewall())
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with pytest.raises(OpnsenseUnreachableError, match="not trusted"):
        sites.reader(api, fingerprint=None)()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(api.write_ca_file(ca_file)))
    assert sites.reader(api, fingerprint=None)().serve_expired is True


def test_a_pin_is_used_even_when_a_ca_bundle_is_set(
    start_opnsense: StartApi, ca_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """requests lets REQUESTS_CA_BUNDLE override a session's ``verify``; the pin still wins."""
    api = start_opnsense(sites.firewall())
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    assert sites.reader(api)().prefetch is True


def test_a_wrong_secret_is_401_and_a_missing_privilege_403(start_opnsense: StartApi) -> None:
    api = start_opnsense(sites.firewall())
    with pytest.raises(OpnsenseAuthError, match="401 Authentication Failed: check the API key"):
        sites.reader(api, api_secret=SecretStr("wrong"))()
    api.keys["overrides-only"] = ApiKey("s3cret", ("page-services-dnsresolver-overrides",))
    with pytest.raises(OpnsenseAuthError, match=r"403 Forbidden: .*'Services: Unbound'"):
        sites.reader(api, api_key=SecretStr("overrides-only"), api_secret=SecretStr("s3cret"))()


def test_acl_patterns_match_like_opnsense() -> None:
    assert url_match("/api/unbound/settings/get", "api/unbound/*")
    assert url_match(
        "/api/unbound/settings/search_host_override", "api/unbound/settings/search_host_override/*"
    )
    # the URI keeps its query string, which the anchored pattern does not allow: a narrow
    # privilege refuses ``?searchPhrase=…`` (our reads send no query string)
    assert not url_match(
        "/api/unbound/settings/search_host_override?x=1",
        "api/unbound/settings/search_host_override/*",
    )
    assert not url_match("/api/unbound/settings/get", "api/unbound/settings/search_host_override/*")


def test_an_unknown_endpoint_or_a_foreign_body_is_an_api_error(start_opnsense: StartApi) -> None:
    api = start_opnsense(sites.firewall())
    client = OpnsenseClient(sites.connection(api))
    with pytest.raises(OpnsenseApiError, match="404 Endpoint not found"):
        client.get("/api/unbound/settings/nothing_here")
    api.routes = lambda: {  # type: ignore[method-assign]
        "/api/unbound/settings/get": lambda: {"unbound": {"advanced": []}},
        "/api/unbound/settings/search_host_override": lambda: {"rows": []},
    }
    with pytest.raises(OpnsenseApiError, match="not in the shape"):
        read_unbound(client)


def test_a_stopped_api_is_unreachable(start_opnsense: StartApi) -> None:
    api = start_opnsense(sites.firewall())
    api.stop()
    with pytest.raises(OpnsenseUnreachableError, match="ConnectionError"):
        sites.reader(api, timeout=2.0)()


def test_the_drill_runs_its_dns_checks_when_the_api_fails(
    start_unbound: StartUnbound,
    start_upstream: Callable[[str, dict[str, tuple[str, int]]], Upstream],
    start_opnsense: StartApi,
) -> None:
    resolver_ip, upstream_ip = loopback_pair()
    unbound = sites.firewall()
    process = start_unbound(
        unbound, resolver_ip, start_upstream(upstream_ip, sites.UPSTREAM_RECORDS)
    )
    api = start_opnsense(unbound)
    site = sites.site(f"{process.address}:{process.port}", api)
    report = run_internet_drill(site, sites.reader(api, api_key=SecretStr(API_KEY + "x")))
    assert report.opnsense is not None and report.opnsense.status is Status.UNKNOWN
    assert "401" in (report.opnsense.error or "")
    assert {c.status for c in report.names} == {Status.OK}
    assert report.status is Status.UNKNOWN
