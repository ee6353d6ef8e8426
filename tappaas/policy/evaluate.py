"""Every policy check over a site: the same list for ``tappaas check`` and ``pulumi preview``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tappaas.model import SiteConfig
from tappaas.policy.availability import failover_readiness, pool_redundancy, quorum, rpo_targets
from tappaas.policy.findings import Finding, Severity
from tappaas.policy.network import offline_names, resolver_availability, resolver_redundancy
from tappaas.policy.offsite import offsite_safety
from tappaas.policy.report import ProtectionReport, protection_report
from tappaas.policy.restore_key import restore_key
from tappaas.policy.schedules import hourly_lookalikes
from tappaas.policy.three_two_one import three_two_one
from tappaas.policy.upkeep import datastore_upkeep, retention_depth

PolicyCheck = Callable[[SiteConfig, ProtectionReport], Iterator[Finding]]

POLICY_CHECKS: tuple[PolicyCheck, ...] = (
    three_two_one,
    quorum,
    pool_redundancy,
    failover_readiness,
    rpo_targets,
    offsite_safety,
    retention_depth,
    datastore_upkeep,
    restore_key,
    resolver_availability,
    resolver_redundancy,
    offline_names,
    hourly_lookalikes,
)


def evaluate(site: SiteConfig, report: ProtectionReport | None = None) -> tuple[Finding, ...]:
    """All findings for ``site``, errors first, then by path and code (deterministic).

    Pass ``report`` when already computed, to avoid computing it twice.
    """
    report = report if report is not None else protection_report(site)
    findings = [finding for check in POLICY_CHECKS for finding in check(site, report)]
    return tuple(sorted(findings, key=lambda f: (f.severity is not Severity.ERROR, f.path, f.code)))
