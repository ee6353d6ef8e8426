"""One line per service saying what protects it: the stack outputs' readable summary."""

from __future__ import annotations

from tappaas.policy.report import ProtectionReport, ServiceProtection
from tappaas.policy.rpo_rto import Disaster
from tappaas.policy.wording import duration

SUMMARY_DISASTERS = (Disaster.NODE_FAILURE, Disaster.SITE_LOSS, Disaster.RANSOMWARE)


def service_line(service: ServiceProtection) -> str:
    """``3 copies (live disk, zfs replica, local pbs), 1 off-site, 3-2-1 met; RPO node
    failure 15min, site loss 1d 2h, ransomware 1d 2h``."""
    kinds = ", ".join(copy.kind.value for copy in service.copies)
    rule = "3-2-1 met" if service.meets_321 else "3-2-1 NOT met"
    rpos = []
    for disaster in SUMMARY_DISASTERS:
        estimate = service.estimate_for(disaster)
        if not estimate.recoverable:
            rpos.append(f"{disaster.value} unrecoverable")
        elif estimate.rpo is None:
            rpos.append(f"{disaster.value} unbounded")
        else:
            rpos.append(f"{disaster.value} {duration(estimate.rpo)}")
    return (
        f"{len(service.copies)} copies ({kinds}), {service.offsite_copies} off-site, {rule}; "
        f"RPO {', '.join(rpos)}"
    )


def summarize(report: ProtectionReport) -> dict[str, str]:
    """Service name → its protection line."""
    return {service.name: service_line(service) for service in report.services}
