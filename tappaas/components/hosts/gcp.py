"""``GcpHost``: the recovery host on Google Compute Engine (the reference backend).

A VPC of its own with one subnet, a firewall rule admitting only the admin networks (SSH,
the PVE API, forwarded ports; WireGuard dials out, so nothing else comes in), a static
external address, a data disk (protected until failback), and an instance with nested
virtualization (pulumi-gcp ``compute.Instance``
``advanced_machine_features.enable_nested_virtualization``; GCE exposes VT-x only on Intel
series, which the model enforces) booting Debian 13 with the rendered user-data in its
metadata (``user-data``, read by cloud-init's GCE datasource). The explicit provider takes
project, region and zone from ``cloud:``, not from ambient config.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from tappaas.components.hosts import UserData
from tappaas.rental import HostPlan
from tappaas.rental.facts import BOOT_DISK_GB, DATA_DEVICE_NAME, FACTS, GCE_DEBIAN_IMAGE

DISK_TYPE = "pd-balanced"
NETWORK_TAG = "tappaas-recovery"


class GcpHost(pulumi.ComponentResource):
    """Network, firewall, static address, data disk and the nested-virtualization instance."""

    address: pulumi.Output[str]
    port: int | None = None

    def __init__(
        self,
        name: str,
        plan: HostPlan,
        user_data: UserData,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("tappaas:hosts:GcpHost", name, None, opts)
        provider = gcp.Provider(
            f"{name}-gcp",
            project=plan.project,
            region=plan.region,
            zone=plan.zone,
            default_labels=plan.labels,
            opts=pulumi.ResourceOptions(parent=self),
        )
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        facts = FACTS[plan.provider]
        network = gcp.compute.Network(
            f"{name}-network", auto_create_subnetworks=False, mtu=facts.mtu, opts=child
        )
        subnet = gcp.compute.Subnetwork(
            f"{name}-subnet",
            network=network.id,
            region=plan.region,
            ip_cidr_range=plan.subnet,
            opts=child,
        )
        allows: list[gcp.compute.FirewallAllowArgsDict] = [
            {"protocol": protocol, "ports": [str(port) for port in ports]}
            for protocol, ports in (("tcp", plan.tcp_ports), ("udp", plan.udp_ports))
            if ports
        ]
        firewall = gcp.compute.Firewall(
            f"{name}-admin-only",
            network=network.id,
            direction="INGRESS",
            source_ranges=list(plan.admin_cidrs),
            target_tags=[NETWORK_TAG],
            allows=allows,
            opts=child,
        )
        address = gcp.compute.Address(
            f"{name}-address", region=plan.region, address_type="EXTERNAL", opts=child
        )
        self.data_disk = gcp.compute.Disk(
            f"{name}-data",
            zone=plan.zone,
            size=plan.disk_gb,
            type=DISK_TYPE,
            opts=pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(protect=plan.protect_data)
            ),
        )
        self.instance = gcp.compute.Instance(
            f"{name}-host",
            zone=plan.zone,
            machine_type=plan.size,
            advanced_machine_features={"enable_nested_virtualization": plan.nested_virtualization},
            boot_disk={
                "initialize_params": {
                    "image": GCE_DEBIAN_IMAGE,
                    "size": BOOT_DISK_GB,
                    "type": DISK_TYPE,
                }
            },
            attached_disks=[{"source": self.data_disk.self_link, "device_name": DATA_DEVICE_NAME}],
            network_interfaces=[
                {
                    "subnetwork": subnet.id,
                    "network_ip": plan.host_address,
                    "access_configs": [{"nat_ip": address.address}],
                }
            ],
            metadata={"user-data": user_data("")},
            tags=[NETWORK_TAG],
            allow_stopping_for_update=True,
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[firewall])),
        )
        self.address = address.address
        self.waits_for: list[pulumi.Resource] = [self.instance, firewall]
        self.register_outputs({"address": self.address})
