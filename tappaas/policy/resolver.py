"""Findings about the resolver's own settings, as read from OPNsense's Unbound (pure).

The drill reads the settings (``tappaas.opnsense``) and passes them here. What decides how a
site lives through an outage is the cache: with *serve-expired*, Unbound keeps answering
names it has seen, after their TTL, while the upstream is gone; with *prefetch*, popular
names are refreshed before they expire, so the cache is fresh when the outage starts.
The OPNsense names of each setting (GUI label and API field) are in the fix texts.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from tappaas.policy.findings import Code, Finding, Severity

RECOMMENDED_EXPIRED_WINDOW = 259_200
"""3 days: RFC 8767's upper suggestion for serving expired answers (a long weekend offline)."""
MIN_EXPIRED_WINDOW = 86_400
"""Shorter than a day, an ordinary outage outlasts the stale answers."""
SETTINGS_PATH = "network.opnsense"
"""Where live-settings findings point: the settings were read through this API."""
ADVANCED = "Services > Unbound DNS > Advanced"


class HostOverride(BaseModel):
    """One Unbound host override (or an alias of one): ``hostname.domain`` answered locally.

    ``hostname`` ``""`` is the domain itself; ``*`` makes it a wildcard (OPNsense renders
    ``local-zone: "<domain>" redirect``, so every name below the domain gets the answer).
    """

    model_config = ConfigDict(frozen=True)

    hostname: str
    domain: str
    rr: str
    server: str = ""
    enabled: bool = True

    @property
    def name(self) -> str:
        """``nextcloud.srv.internal``, ``*.example.org`` or ``example.org``."""
        return f"{self.hostname}.{self.domain}" if self.hostname else self.domain

    def answers(self, name: str) -> bool:
        """Whether Unbound answers ``name`` from this override (addresses only)."""
        if not self.enabled or self.rr not in ("A", "AAAA"):
            return False
        domain = self.domain.lower()
        if self.hostname == "*":
            return name == domain or name.endswith("." + domain)
        return name == self.name.lower()


class UnboundSettings(BaseModel):
    """The Unbound settings that matter offline, as OPNsense stores them.

    A numeric setting left empty in OPNsense is ``None``: it is not written to
    ``unbound.conf``, so Unbound's built-in default applies (it differs between versions).
    """

    model_config = ConfigDict(frozen=True)

    serve_expired: bool
    serve_expired_ttl: int | None
    serve_expired_ttl_reset: bool
    serve_expired_reply_ttl: int | None
    serve_expired_client_timeout: int | None
    prefetch: bool
    prefetch_key: bool
    forwarding: bool
    """Query Forwarding: use the system's nameservers (the ISP's) as upstream."""
    forwarders: tuple[str, ...]
    """Enabled forwarders (DNS over TLS or plain) configured in Unbound itself."""
    local_zone_type: str
    host_overrides: tuple[HostOverride, ...]

    def override_for(self, name: str) -> HostOverride | None:
        """The enabled address override that answers ``name``, if any."""
        return next((o for o in self.host_overrides if o.answers(name)), None)


def resolver_findings(settings: UnboundSettings) -> tuple[Finding, ...]:
    """Warnings for settings that let cached names vanish during an outage."""
    findings = []
    if not settings.serve_expired:
        findings.append(
            Finding(
                code=Code.SERVE_EXPIRED_OFF,
                severity=Severity.WARNING,
                path=SETTINGS_PATH,
                message="Unbound does not serve expired answers: during an outage every "
                "outside name fails as soon as its TTL runs out (often minutes)",
                fix=f"{ADVANCED}: turn on 'Serve Expired Responses' (unbound.advanced."
                f"serveexpired), set 'TTL for Expired Responses' (serveexpiredttl) to "
                f"{RECOMMENDED_EXPIRED_WINDOW}",
            )
        )
    elif (
        settings.serve_expired_ttl is not None
        and 0 < settings.serve_expired_ttl < MIN_EXPIRED_WINDOW
        and not settings.serve_expired_ttl_reset
    ):
        findings.append(
            Finding(
                code=Code.SERVE_EXPIRED_OFF,
                severity=Severity.WARNING,
                path=SETTINGS_PATH,
                message=f"expired answers are served for only {settings.serve_expired_ttl} s "
                "after they expire: a longer outage loses every outside name",
                fix=f"{ADVANCED}: set 'TTL for Expired Responses' (unbound.advanced."
                f"serveexpiredttl) to {RECOMMENDED_EXPIRED_WINDOW}, or turn on 'Reset "
                "Expired Record TTL' (serveexpiredttlreset)",
            )
        )
    if not settings.prefetch:
        findings.append(
            Finding(
                code=Code.PREFETCH_OFF,
                severity=Severity.WARNING,
                path=SETTINGS_PATH,
                message="Unbound does not prefetch: popular names expire before they are "
                "refreshed, so an outage finds more of them stale or missing",
                fix=f"{ADVANCED}: turn on 'Prefetch Support' (unbound.advanced.prefetch)",
            )
        )
    return tuple(findings)
