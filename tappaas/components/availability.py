"""``Availability``: PVE HA and storage replication for each service, and cluster HA options.

Per HA service: an upstream ``Haresource`` and a PVE 9 node-affinity ``Harule`` (home node
above the failover node; HA groups are gone in PVE 9). Per replicated service: a
``PveReplicationJob`` to the failover node. PVE swaps a job's ``target`` when the guest
migrates to it and HA moves change a VM's node, so those are drift we ignore, not changes to
undo.
"""

from __future__ import annotations

import pulumi
import pulumi_proxmoxve as proxmoxve

from providers import PveReplicationJob
from tappaas.components.pve_side import PveSide
from tappaas.model import SiteConfig

FIRST_REPLICATION_JOB = 0
"""PVE job ids are ``<vmid>-<n>``; one job per guest and target."""


class Availability(pulumi.ComponentResource):
    """HA resources and rules, replication jobs, and the cluster's HA options."""

    def __init__(
        self,
        name: str,
        site: SiteConfig,
        pve: PveSide,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("tappaas:index:Availability", name, None, opts)
        ours = pulumi.ResourceOptions(parent=self)
        child = pulumi.ResourceOptions(parent=self, provider=pve.provider)
        proxmoxve.cluster.Options(
            "cluster-options",
            ha_shutdown_policy=site.cluster.ha_shutdown_policy.value,
            crs_ha=site.cluster.crs_mode.value,
            opts=child,
        )
        self.ha_services: list[str] = []
        for service_name, service in site.services.items():
            sid = f"vm:{service.vmid}"
            ha, failover = service.ha, service.ha.failover_node
            if ha.enabled and failover is not None:
                resource = proxmoxve.Haresource(
                    f"{service_name}-ha",
                    resource_id=sid,
                    state=ha.state.value,
                    max_restart=ha.max_restart,
                    max_relocate=ha.max_relocate,
                    failback=ha.failback,
                    comment=f"tappaas: {service_name}",
                    opts=pulumi.ResourceOptions.merge(
                        child,
                        pulumi.ResourceOptions(import_=pve.existing.ha_resource_import_id(sid)),
                    ),
                )
                proxmoxve.Harule(
                    f"{service_name}-affinity",
                    rule=ha.rule_id(service_name),
                    type="node-affinity",
                    resources=[sid],
                    nodes={service.node: ha.home_priority, failover: ha.failover_priority},
                    strict=ha.strict,
                    comment=f"tappaas: {service_name} prefers {service.node}, then {failover}",
                    opts=pulumi.ResourceOptions.merge(
                        child,
                        pulumi.ResourceOptions(
                            depends_on=[resource],
                            import_=pve.existing.ha_rule_import_id(ha.rule_id(service_name)),
                        ),
                    ),
                )
                self.ha_services.append(service_name)
            if service.replication.enabled and failover is not None:
                PveReplicationJob(
                    f"{service_name}-replication",
                    {
                        "endpoint": pve.endpoint,
                        "id": f"{service.vmid}-{FIRST_REPLICATION_JOB}",
                        "target": failover,
                        "schedule": service.replication.schedule,
                        "rate": service.replication.rate_limit_mbps,
                        "comment": f"tappaas: {service_name} to its failover node",
                    },
                    ours,
                )
        self.register_outputs({"ha_services": self.ha_services})
