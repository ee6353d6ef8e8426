"""``HostPlan``: everything a host backend needs to rent the recovery host, known from config.

A backend (``tappaas/components/hosts/<provider>.py``) turns a plan plus the rendered
user-data into cloud resources: a network that admits ``admin_cidrs`` only (and nothing
else inbound: WireGuard dials out), a static public address, a protected data disk, and an
instance that can run KVM guests. The plan is pure data, so what every backend is asked for
is tested without any cloud SDK.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from tappaas.model import CloudProvider, ForwardProtocol, SiteConfig
from tappaas.model._types import split_address
from tappaas.model.checks import aws_nests

PVE_API_PORT = 8006
SSH_PORT = 22


@dataclass(frozen=True)
class HostPlan:
    """What to rent, where, and who may reach it."""

    name: str
    """Prefix of every cloud resource name (the site's name)."""
    provider: CloudProvider
    project: str | None
    region: str | None
    zone: str | None
    size: str | None
    disk_gb: int
    admin_cidrs: tuple[str, ...]
    tcp_ports: tuple[int, ...]
    """Inbound TCP ports, from ``admin_cidrs`` only: SSH, the PVE API, forwarded ports."""
    udp_ports: tuple[int, ...]
    subnet: str
    """The subnet the stack creates for the host (``cloud.host_network``)."""
    host_address: str
    nested_virtualization: bool
    """Ask the provider to expose VT-x to the guest (not needed on bare metal)."""
    protect_data: bool
    """The data disk holds the restored site: protected until ``failback_confirmed``."""
    address: str | None = None
    """``existing`` only: the host's PVE API address."""

    @property
    def labels(self) -> dict[str, str]:
        """Labels/tags on every resource, so the rented set is easy to find and delete."""
        return {"tappaas-site": self.name, "tappaas-role": "cloud-recovery"}


def host_plan(site: SiteConfig) -> HostPlan:
    """The plan for ``site.cloud`` (a cloud-recovery stack with a ``cloud:`` section)."""
    cloud = site.cloud
    assert cloud is not None, "host_plan needs a cloud: section"
    forwards = cloud.forwards
    nested = cloud.provider is CloudProvider.GCP or (
        cloud.provider is CloudProvider.AWS and cloud.size is not None and aws_nests(cloud.size)
    )
    return HostPlan(
        name=site.name,
        provider=cloud.provider,
        project=cloud.project,
        region=cloud.region,
        zone=cloud.zone,
        size=cloud.size,
        disk_gb=cloud.disk_gb,
        admin_cidrs=tuple(str(cidr) for cidr in cloud.admin_cidrs),
        tcp_ports=(
            SSH_PORT,
            PVE_API_PORT,
            *(f.port for f in forwards if f.protocol is ForwardProtocol.TCP),
        ),
        udp_ports=tuple(f.port for f in forwards if f.protocol is ForwardProtocol.UDP),
        subnet=str(cloud.host_network.network),
        host_address=str(cloud.host_network.ip),
        nested_virtualization=nested,
        protect_data=not cloud.failback_confirmed,
        address=cloud.address,
    )


def tunnel_routes(site: SiteConfig) -> tuple[str, ...]:
    """What the WireGuard tunnel reaches: ``allowed_ips``, else the peer PBS host's /32."""
    cloud, remote = site.cloud, site.remote
    assert cloud is not None and cloud.wireguard is not None
    if cloud.wireguard.allowed_ips:
        return tuple(str(network) for network in cloud.wireguard.allowed_ips)
    assert remote is not None and remote.address is not None
    host = split_address(remote.address)[0]
    return (str(ipaddress.IPv4Network(f"{host}/32")),)
