"""Findings from the live resolver's settings (as read from OPNsense's Unbound), one per rule."""

from __future__ import annotations

from typing import Any

import pytest

from tappaas.policy import Code, HostOverride, Severity, UnboundSettings, resolver_findings

RECOMMENDED: dict[str, Any] = {
    "serve_expired": True,
    "serve_expired_ttl": 259200,
    "serve_expired_ttl_reset": False,
    "serve_expired_reply_ttl": 30,
    "serve_expired_client_timeout": None,
    "prefetch": True,
    "prefetch_key": False,
    "forwarding": True,
    "forwarders": (),
    "local_zone_type": "transparent",
    "host_overrides": (),
}


def settings(**changes: Any) -> UnboundSettings:
    return UnboundSettings(**{**RECOMMENDED, **changes})


def test_recommended_settings_give_no_finding() -> None:
    assert resolver_findings(settings()) == ()


@pytest.mark.parametrize(
    ("changes", "code", "fragment", "setting"),
    [
        (
            {"serve_expired": False},
            Code.SERVE_EXPIRED_OFF,
            "does not serve expired answers",
            "'Serve Expired Responses' (unbound.advanced.serveexpired)",
        ),
        (
            {"serve_expired_ttl": 3600},
            Code.SERVE_EXPIRED_OFF,
            "served for only 3600 s",
            "'TTL for Expired Responses' (unbound.advanced.serveexpiredttl)",
        ),
        (
            {"prefetch": False},
            Code.PREFETCH_OFF,
            "does not prefetch",
            "'Prefetch Support' (unbound.advanced.prefetch)",
        ),
    ],
    ids=["serve-expired-off", "short-window", "prefetch-off"],
)
def test_each_setting_rule(
    changes: dict[str, Any], code: Code, fragment: str, setting: str
) -> None:
    [finding] = resolver_findings(settings(**changes))
    assert (finding.code, finding.severity, finding.path) == (
        code,
        Severity.WARNING,
        "network.opnsense",
    )
    assert fragment in finding.message
    assert "Services > Unbound DNS > Advanced" in finding.fix and setting in finding.fix


def test_a_short_window_with_ttl_reset_or_no_limit_is_fine() -> None:
    assert resolver_findings(settings(serve_expired_ttl=3600, serve_expired_ttl_reset=True)) == ()
    assert resolver_findings(settings(serve_expired_ttl=0)) == ()
    assert resolver_findings(settings(serve_expired_ttl=None)) == ()


def test_host_overrides_answer_exact_names_and_wildcards() -> None:
    exact = HostOverride(hostname="nextcloud", domain="srv.internal", rr="A", server="10.2.0.4")
    wildcard = HostOverride(hostname="*", domain="example.org", rr="A", server="10.0.0.1")
    off = HostOverride(hostname="vault", domain="srv.internal", rr="A", enabled=False)
    mail = HostOverride(hostname="mx", domain="srv.internal", rr="MX")
    live = settings(host_overrides=(exact, wildcard, off, mail))
    assert live.override_for("nextcloud.srv.internal") is exact
    assert live.override_for("cloud.example.org") is wildcard
    assert live.override_for("example.org") is wildcard
    assert live.override_for("vault.srv.internal") is None
    assert live.override_for("mx.srv.internal") is None
    assert (exact.name, wildcard.name) == ("nextcloud.srv.internal", "*.example.org")
