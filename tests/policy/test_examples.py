"""The example stacks yield the findings they are documented to yield."""

from __future__ import annotations

from tappaas.model import load_stack_file
from tappaas.policy import Code, Severity, evaluate, protection_report
from tests.model.sites import REPO


def findings_of(stack: str) -> list[tuple[Severity, Code, str]]:
    site = load_stack_file(REPO / f"Pulumi.{stack}.yaml")
    return [(f.severity, f.code, f.path) for f in evaluate(site)]


def test_prod_meets_the_design() -> None:
    # one resolver, the firewall VM: its HA failover leaves the site without names for minutes
    assert findings_of("prod") == [
        (Severity.WARNING, Code.SINGLE_RESOLVER, "network.resolvers"),
    ]
    report = protection_report(load_stack_file(REPO / "Pulumi.prod.yaml"))
    assert all(service.meets_321 for service in report.services)


def test_peer_has_no_findings() -> None:
    assert findings_of("peer") == []


def test_single_node_site_gets_warnings_only() -> None:
    assert findings_of("single") == [
        (Severity.WARNING, Code.PUSH_DIRECTION, "remote.direction"),
        (Severity.WARNING, Code.RPO_TARGET_MISSED, "services.firewall.rpo_target"),
        (Severity.WARNING, Code.RPO_TARGET_MISSED, "services.hass.rpo_target"),
        (Severity.WARNING, Code.RPO_TARGET_MISSED, "services.nextcloud.rpo_target"),
        (Severity.WARNING, Code.RPO_TARGET_MISSED, "services.tappaas-cicd.rpo_target"),
    ]
