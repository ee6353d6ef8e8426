"""Cross-field checks of the ``drill`` and ``monitoring`` sections.

A drill deletes what it restored; these checks make sure nothing it may touch can ever be a
production VM: the reserved vmid range holds no service and not the probe helper.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tappaas.model.drill import HttpProbe, TcpProbe
from tappaas.model.errors import ConfigIssue

if TYPE_CHECKING:
    from tappaas.model.checks import Declared
    from tappaas.model.site import SiteConfig


def drill_is_isolated(site: SiteConfig, declared: Declared) -> Iterator[ConfigIssue]:
    """The vmid range is a range and holds no production vmid; probes name declared services."""
    drill = site.drill
    if drill.first_vmid > drill.last_vmid:
        yield ConfigIssue(
            "drill.last_vmid",
            f"{drill.last_vmid} is below drill.first_vmid {drill.first_vmid}",
        )
    for name, service in site.services.items():
        if drill.in_range(service.vmid):
            yield ConfigIssue(
                "drill.first_vmid",
                f"the drill range {drill.first_vmid}-{drill.last_vmid} holds "
                f"services.{name}.vmid {service.vmid}: a drill never uses a production vmid",
            )
    helper = drill.probe_helper
    if helper is not None:
        if drill.in_range(helper.vmid):
            yield ConfigIssue(
                "drill.probe_helper.vmid",
                f"{helper.vmid} is inside the drill range (drills delete what they find there)",
            )
        if helper.node not in site.nodes:
            yield ConfigIssue("drill.probe_helper.node", f"{helper.node!r} is not a declared node")
    if drill.vlan is not None and drill.bridge is None:
        yield ConfigIssue("drill.vlan", "a VLAN tag needs drill.bridge (the bridge it tags on)")
    for name, probes in drill.probes.items():
        if name not in declared.services:
            yield ConfigIssue(f"drill.probes.{name}", f"{name!r} is not a declared service")
        for index, probe in enumerate(probes):
            if isinstance(probe, TcpProbe | HttpProbe) and helper is None:
                yield ConfigIssue(
                    f"drill.probes.{name}[{index}]",
                    "TCP and HTTP probes run from drill.probe_helper: declare it "
                    "(a VM with the guest agent, nc and curl on the drill network)",
                )
            if isinstance(probe, TcpProbe | HttpProbe) and drill.bridge is None:
                yield ConfigIssue(
                    f"drill.probes.{name}[{index}]",
                    "TCP and HTTP probes need a drill network: set drill.bridge "
                    "(without it the drilled VM's NICs are unplugged)",
                )


def monitoring_thresholds_are_ordered(site: SiteConfig, _: Declared) -> Iterator[ConfigIssue]:
    """Usage turns WARN before it turns CRIT."""
    monitoring = site.monitoring
    if monitoring.usage_warn_percent >= monitoring.usage_crit_percent:
        yield ConfigIssue(
            "monitoring.usage_warn_percent",
            f"{monitoring.usage_warn_percent} is not below usage_crit_percent "
            f"{monitoring.usage_crit_percent}",
        )
