"""The policy: pure functions from a ``SiteConfig`` to findings and a protection report.

Public API::

    from tappaas.policy import evaluate, protection_report, Finding, Severity

- ``evaluate(site, report=None) -> tuple[Finding, ...]``: every finding, errors first.
  ``Finding(code, severity, path, message, fix)``; ``Severity.ERROR`` blocks deployment
  (``finding.blocks_deployment``); codes (``Code``) are stable.
- ``protection_report(site) -> ProtectionReport``: per service its copies, formats, off-site
  copies and an ``Estimate`` (RPO, RTO class, copy used) per ``Disaster``. Export it with
  ``report.model_dump(mode="json")`` (durations in seconds).
- ``RULES`` is the RPO/RTO table; ``render_rules_table()`` prints it (see README.md here).
- ``summarize(report) -> dict[str, str]``: one readable line per service (stack outputs).
- ``format_duration(timedelta) -> str`` words durations as the findings do (``1d 2h``).
- ``restore_order(site)``, ``restore_tiers(site)``, ``services_to_restore(site)``: what a
  recovery restores, one by one or in tiers (``recovery.restore_order`` first, one tier
  each; then the rest together, by vmid).
- ``unset_secrets(site, is_set)``: errors for the secrets a recovery stack names but whose
  stack config is not set (the program runs it with ``pulumi.Config``).
- ``resolver_findings(UnboundSettings) -> tuple[Finding, ...]``: the live resolver's settings
  (serve-expired, prefetch) as read from OPNsense by ``tappaas drill internet``.
"""

from tappaas.policy.copies import Copy, CopyKind, DataFormat
from tappaas.policy.evaluate import evaluate
from tappaas.policy.findings import Code, Finding, Severity
from tappaas.policy.report import ProtectionReport, ServiceProtection, protection_report
from tappaas.policy.resolver import HostOverride, UnboundSettings, resolver_findings
from tappaas.policy.restore_key import unset_secrets
from tappaas.policy.restore_order import restore_order, restore_tiers, services_to_restore
from tappaas.policy.rpo_rto import RULES, Disaster, Estimate, RtoClass, render_rules_table
from tappaas.policy.summary import summarize
from tappaas.policy.wording import duration as format_duration

__all__ = [
    "RULES",
    "Code",
    "Copy",
    "CopyKind",
    "DataFormat",
    "Disaster",
    "Estimate",
    "Finding",
    "HostOverride",
    "ProtectionReport",
    "RtoClass",
    "ServiceProtection",
    "Severity",
    "UnboundSettings",
    "evaluate",
    "format_duration",
    "protection_report",
    "render_rules_table",
    "resolver_findings",
    "restore_order",
    "restore_tiers",
    "services_to_restore",
    "summarize",
    "unset_secrets",
]
