"""High-availability findings: quorum, disk redundancy, failover readiness, RPO targets."""

from __future__ import annotations

from collections.abc import Iterator

from tappaas.model import PoolRole, Redundancy, Service, SiteConfig
from tappaas.model.site import MIN_HA_NODES
from tappaas.policy.copies import CopyKind
from tappaas.policy.findings import Code, Finding, Severity
from tappaas.policy.report import ProtectionReport
from tappaas.policy.rpo_rto import Disaster
from tappaas.policy.wording import duration
from tappaas.schedule.interval import longest_gap

HARDWARE_DISASTERS = (Disaster.DISK_FAILURE, Disaster.NODE_FAILURE)
"""The disasters a service's ``rpo_target`` is about."""


def quorum(site: SiteConfig, _: ProtectionReport) -> Iterator[Finding]:
    """HA with fewer than 3 votes: losing one node loses quorum, so nothing fails over."""
    with_ha = [name for name, service in site.services.items() if service.ha.enabled]
    if with_ha and site.quorum_votes < MIN_HA_NODES:
        yield Finding(
            code=Code.NO_QUORUM,
            severity=Severity.ERROR,
            path="nodes",
            message=f"HA is on for {', '.join(with_ha)} but the cluster has "
            f"{site.quorum_votes} quorum vote(s): when a node fails the rest lose quorum, "
            "so HA cannot recover anything (and fences the survivors)",
            fix="add a node, or a QDevice (cluster.qdevice), or turn HA off (ha.enabled: false)",
        )


def pool_redundancy(site: SiteConfig, _: ProtectionReport) -> Iterator[Finding]:
    """An important pool without redundancy turns one failed disk into an outage."""
    for name, pool in site.datapools.items():
        if pool.role is PoolRole.IMPORTANT and pool.redundancy is Redundancy.NONE:
            yield Finding(
                code=Code.POOL_NOT_REDUNDANT,
                severity=Severity.WARNING,
                path=f"datapools.{name}.redundancy",
                message=f"important pool {name} has no redundancy: one failed disk stops "
                "its services and loses the changes since the last copy",
                fix="redundancy: mirror (two disks per node)",
            )


def failover_readiness(site: SiteConfig, _: ProtectionReport) -> Iterator[Finding]:
    """HA needs the VM's disks on the failover node (ZFS replicas), often enough for the RPO."""
    for name, service in site.services.items():
        path = f"services.{name}"
        failover = service.ha.failover_node
        if service.ha.enabled and not service.replication.enabled:
            yield Finding(
                code=Code.HA_WITHOUT_REPLICATION,
                severity=Severity.ERROR,
                path=f"{path}.replication.enabled",
                message=f"HA is on for {name} but its disks are not replicated: the failover "
                f"node {failover} has nothing to start",
                fix="replication.enabled: true",
            )
            pool = site.pool_of(service)
            if failover is not None and failover not in pool.devices:
                yield Finding(
                    code=Code.FAILOVER_LACKS_POOL,
                    severity=Severity.ERROR,
                    path=f"{path}.ha.failover_node",
                    message=f"failover node {failover} has no datapool {service.pool}",
                    fix=f"add devices for {failover} to datapools.{service.pool}, or pick a "
                    "failover node that has it",
                )
        if service.replication.enabled:
            gap = longest_gap(service.replication.schedule)
            if gap > service.rpo_target:
                yield Finding(
                    code=Code.REPLICATION_ABOVE_RPO,
                    severity=Severity.WARNING,
                    path=f"{path}.replication.schedule",
                    message=f"replication runs up to {duration(gap)} apart, more than {name}'s "
                    f"RPO target of {duration(service.rpo_target)}",
                    fix="replicate more often, or raise rpo_target",
                )


def _rpo_fix(site: SiteConfig, service: Service) -> str:
    """What would bring the loss under the target, for this site's shape."""
    if len(site.nodes) < 2:
        first = "add a second node and replicate to it"
    elif not service.replication.enabled:
        first = "replicate it to a second node (replication.enabled: true)"
    else:
        first = "replicate it more often"
    return f"{first}, back up more often, or raise rpo_target"


def rpo_targets(site: SiteConfig, report: ProtectionReport) -> Iterator[Finding]:
    """A disk or node failure that loses more than the service's ``rpo_target``.

    Replication gaps are reported by ``failover_readiness``; this covers the rest.
    """
    for protection in report.services:
        service = site.services[protection.name]
        for disaster in HARDWARE_DISASTERS:
            found = protection.estimate_for(disaster)
            if found.via is CopyKind.REPLICA:
                continue
            if found.rpo is not None and found.rpo <= service.rpo_target:
                continue
            loss = (
                f"loses up to {duration(found.rpo)} (restored from the {found.via})"
                if found.rpo is not None
                else f"loses an unknown amount (only the {found.via} survives)"
                if found.via is not None
                else "loses everything (no copy survives)"
            )
            yield Finding(
                code=Code.RPO_TARGET_MISSED,
                severity=Severity.WARNING,
                path=f"services.{protection.name}.rpo_target",
                message=f"a {disaster} {loss}; {protection.name}'s RPO target is "
                f"{duration(service.rpo_target)}",
                fix=_rpo_fix(site, service),
            )
