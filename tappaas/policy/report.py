"""The per-service protection report: copies, formats, off-site copies, RPO/RTO per disaster.

``tappaas check`` prints it and the Pulumi program exports it as a stack output
(``report.model_dump(mode="json")``; durations in seconds).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from tappaas.model import Importance, Role, Service, SiteConfig
from tappaas.policy.copies import Copy, DataFormat, copies_of
from tappaas.policy.rpo_rto import Disaster, Estimate, estimate

MIN_COPIES = 3
MIN_FORMATS = 2
MIN_OFFSITE = 1


class ServiceProtection(BaseModel):
    """How well one service is protected."""

    model_config = ConfigDict(frozen=True, ser_json_timedelta="float")

    name: str
    vmid: int
    importance: Importance
    copies: tuple[Copy, ...]
    formats: tuple[DataFormat, ...]
    offsite_copies: int
    estimates: tuple[Estimate, ...]

    @property
    def meets_321(self) -> bool:
        """3 copies, 2 formats, 1 off-site."""
        return (
            len(self.copies) >= MIN_COPIES
            and len(self.formats) >= MIN_FORMATS
            and self.offsite_copies >= MIN_OFFSITE
        )

    def estimate_for(self, disaster: Disaster) -> Estimate:
        """The estimate for one disaster."""
        return next(e for e in self.estimates if e.disaster is disaster)


class ProtectionReport(BaseModel):
    """Protection of every service of a site, in declaration order."""

    model_config = ConfigDict(frozen=True, ser_json_timedelta="float")

    site: str
    role: Role
    services: tuple[ServiceProtection, ...]


def protect(site: SiteConfig, name: str, service: Service) -> ServiceProtection:
    """The protection of one service."""
    copies = copies_of(site, service)
    return ServiceProtection(
        name=name,
        vmid=service.vmid,
        importance=service.importance,
        copies=copies,
        formats=tuple(dict.fromkeys(copy.format for copy in copies)),
        offsite_copies=sum(copy.offsite for copy in copies),
        estimates=tuple(estimate(d, site, service, copies) for d in Disaster),
    )


def protection_report(site: SiteConfig) -> ProtectionReport:
    """The protection report of ``site`` (pure and deterministic)."""
    return ProtectionReport(
        site=site.name,
        role=site.role,
        services=tuple(protect(site, name, service) for name, service in site.services.items()),
    )
