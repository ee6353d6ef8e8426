"""3-2-1 per service: 3 copies, 2 formats, 1 off-site; short of it, say what would fix it.

A shortfall blocks deployment for a high-importance service and is a warning otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator

from tappaas.model import Importance, PersonalExport, Role, Service, SiteConfig
from tappaas.policy.copies import CopyKind, remote_copy_arrives
from tappaas.policy.findings import Code, Finding, Severity
from tappaas.policy.report import (
    MIN_COPIES,
    MIN_FORMATS,
    MIN_OFFSITE,
    ProtectionReport,
    ServiceProtection,
)


def _missing_copies(site: SiteConfig, service: Service, have: set[CopyKind]) -> list[str]:
    """What the admin can add, in order of usefulness."""
    ways = []
    if CopyKind.LOCAL_PBS not in have:
        ways.append(
            "configure the local PBS (backup.pbs)"
            if site.backup is None
            else "include it in the backup (backup.enabled: true)"
        )
    if CopyKind.REMOTE_PBS not in have:
        ways.append(
            "let the remote receive encrypted backups (backup.encryption.enabled: true)"
            if site.remote is not None and not remote_copy_arrives(site)
            else "add an off-site peer (remote)"
        )
    if CopyKind.REPLICA not in have and len(site.nodes) > 1:
        ways.append("replicate it to a second node (replication.enabled: true)")
    if service.personal_export is PersonalExport.NONE:
        ways.append("export it to the personal disk (personal_export: pbs)")
    return ways


def _offsite_ways(site: SiteConfig, service: Service) -> list[str]:
    """What would put a copy off site, given what this config already has."""
    ways = []
    if site.remote is None:
        ways.append("add an off-site peer (remote)")
    elif not remote_copy_arrives(site):
        ways.append("let the remote receive encrypted backups (backup.encryption.enabled: true)")
    elif not service.backup.enabled:
        ways.append("include it in the backup, which the peer copies (backup.enabled: true)")
    exported = service.personal_export is not PersonalExport.NONE
    personal = site.personal
    if personal is None:
        ways.append("copy it to a personal disk kept off-site (personal, personal_export: pbs)")
    elif not personal.offsite:
        ways.append(
            "keep the personal disk off-site (personal.offsite: true)"
            if exported
            else "export it to the personal disk (personal_export: pbs) and keep the disk "
            "off-site (personal.offsite: true)"
        )
    elif not exported:
        ways.append("export it to the personal disk, which is kept off-site (personal_export: pbs)")
    return ways


def _service_findings(
    site: SiteConfig, service: Service, protection: ServiceProtection
) -> Iterator[Finding]:
    path = f"services.{protection.name}"
    severity = Severity.ERROR if service.importance is Importance.HIGH else Severity.WARNING
    kinds = {copy.kind for copy in protection.copies}
    copies = ", ".join(copy.kind.value for copy in protection.copies)
    if not service.backup.enabled:
        yield Finding(
            code=Code.NOT_BACKED_UP,
            severity=Severity.WARNING,
            path=f"{path}.backup.enabled",
            message=f"{protection.name} is excluded from backup; its only copies: {copies}",
            fix="remove backup.enabled: false",
        )
    if len(protection.copies) < MIN_COPIES:
        yield Finding(
            code=Code.TOO_FEW_COPIES,
            severity=severity,
            path=path,
            message=f"{protection.name} has {len(protection.copies)} of {MIN_COPIES} copies "
            f"({copies})",
            fix="; or ".join(_missing_copies(site, service, kinds)),
        )
    if len(protection.formats) < MIN_FORMATS:
        yield Finding(
            code=Code.ONE_FORMAT,
            severity=severity,
            path=path,
            message=f"{protection.name} exists in one format only "
            f"({protection.formats[0].value}): a format bug or corruption hits every copy",
            fix="back it up to PBS, or export it in the application's format",
        )
    if protection.offsite_copies < MIN_OFFSITE:
        yield Finding(
            code=Code.NO_OFFSITE_COPY,
            severity=severity,
            path=path,
            message=f"{protection.name} has no off-site copy: a fire or theft loses it",
            fix="; or ".join(_offsite_ways(site, service)),
        )


def three_two_one(site: SiteConfig, report: ProtectionReport) -> Iterator[Finding]:
    """3-2-1 findings for every service of a site or peer (a cloud-recovery stack only restores)."""
    if site.role is Role.CLOUD_RECOVERY:
        return
    for protection in report.services:
        yield from _service_findings(site, site.services[protection.name], protection)
