"""``AwsHost``: the recovery host on Amazon EC2.

A VPC of its own (subnet, internet gateway, route), a security group admitting only the
admin networks (SSH, the PVE API, forwarded ports; all egress, so WireGuard can dial out),
an Elastic IP, an EBS data volume (protected until failback) attached as the second NVMe
device, and an instance booting the Debian cloud team's Debian 13 AMI. KVM guests need
either a ``*.metal`` type or nested virtualization, which EC2 offers on the 8th-generation
Intel families (pulumi-aws ``ec2.Instance`` ``cpu_options.nested_virtualization =
"enabled"``; EC2 API ``CpuOptions.nestedVirtualization``). EC2 caps user-data at 16 KB, so
it is sent gzip-compressed (cloud-init unpacks it), with a fixed mtime so the same config
compresses to the same bytes and causes no diff.
"""

from __future__ import annotations

import base64
import gzip
from ipaddress import ip_network

import pulumi
import pulumi_aws as aws

from tappaas.components.hosts import UserData
from tappaas.rental import HostPlan
from tappaas.rental.facts import BOOT_DISK_GB, DEBIAN_AMI_NAME, DEBIAN_AMI_OWNER

VPC_PREFIX = 16
VOLUME_TYPE = "gp3"
DATA_DEVICE = "/dev/sdf"
"""The attachment name EC2 wants; on Nitro the disk appears as NVMe, found by volume id."""
ANYWHERE = "0.0.0.0/0"


def gzip_base64(text: str) -> str:
    """``text`` gzip-compressed (mtime 0: the same input gives the same bytes), base64."""
    return base64.b64encode(gzip.compress(text.encode(), mtime=0)).decode()


class AwsHost(pulumi.ComponentResource):
    """VPC, security group, Elastic IP, data volume and the KVM-capable instance."""

    address: pulumi.Output[str]
    port: int | None = None

    def __init__(
        self,
        name: str,
        plan: HostPlan,
        user_data: UserData,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("tappaas:hosts:AwsHost", name, None, opts)
        provider = aws.Provider(
            f"{name}-aws",
            region=plan.region,
            default_tags={"tags": plan.labels},
            opts=pulumi.ResourceOptions(parent=self),
        )
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        subnet_network = ip_network(plan.subnet, strict=False)
        vpc_network = subnet_network.supernet(new_prefix=min(VPC_PREFIX, subnet_network.prefixlen))
        vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block=str(vpc_network), opts=child)
        subnet = aws.ec2.Subnet(
            f"{name}-subnet",
            vpc_id=vpc.id,
            cidr_block=plan.subnet,
            availability_zone=plan.zone,
            opts=child,
        )
        gateway = aws.ec2.InternetGateway(f"{name}-gateway", vpc_id=vpc.id, opts=child)
        routes = aws.ec2.RouteTable(
            f"{name}-routes",
            vpc_id=vpc.id,
            routes=[{"cidr_block": ANYWHERE, "gateway_id": gateway.id}],
            opts=child,
        )
        aws.ec2.RouteTableAssociation(
            f"{name}-subnet-routes", subnet_id=subnet.id, route_table_id=routes.id, opts=child
        )
        ingress: list[aws.ec2.SecurityGroupIngressArgsDict] = [
            {
                "protocol": protocol,
                "from_port": port,
                "to_port": port,
                "cidr_blocks": list(plan.admin_cidrs),
            }
            for protocol, ports in (("tcp", plan.tcp_ports), ("udp", plan.udp_ports))
            for port in ports
        ]
        firewall = aws.ec2.SecurityGroup(
            f"{name}-admin-only",
            vpc_id=vpc.id,
            description="tappaas recovery host: admin networks only",
            ingress=ingress,
            egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": [ANYWHERE]}],
            opts=child,
        )
        address = aws.ec2.Eip(f"{name}-address", domain="vpc", opts=child)
        self.data_disk = aws.ebs.Volume(
            f"{name}-data",
            availability_zone=plan.zone,
            size=plan.disk_gb,
            type=VOLUME_TYPE,
            opts=pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(protect=plan.protect_data)
            ),
        )
        image = aws.ec2.get_ami_output(
            most_recent=True,
            owners=[DEBIAN_AMI_OWNER],
            filters=[
                {"name": "name", "values": [DEBIAN_AMI_NAME]},
                {"name": "architecture", "values": ["x86_64"]},
            ],
            opts=pulumi.InvokeOptions(provider=provider, parent=self),
        )
        self.instance = aws.ec2.Instance(
            f"{name}-host",
            ami=image.id,
            instance_type=plan.size,
            subnet_id=subnet.id,
            private_ip=plan.host_address,
            vpc_security_group_ids=[firewall.id],
            cpu_options={"nested_virtualization": "enabled"}
            if plan.nested_virtualization
            else None,
            root_block_device={"volume_size": BOOT_DISK_GB, "volume_type": VOLUME_TYPE},
            user_data_base64=user_data(self.data_disk.id).apply(gzip_base64),
            # IMDSv2 only, one hop: guests NATed through the host cannot read its user-data
            metadata_options={"http_tokens": "required", "http_put_response_hop_limit": 1},
            opts=pulumi.ResourceOptions.merge(
                child,
                pulumi.ResourceOptions(
                    depends_on=[routes, firewall],
                    # a newer Debian AMI or changed user-data (read at first boot only) must
                    # not replace or restart the host in the middle of a recovery
                    ignore_changes=["ami", "userDataBase64"],
                ),
            ),
        )
        attachment = aws.ec2.VolumeAttachment(
            f"{name}-data-attachment",
            device_name=DATA_DEVICE,
            volume_id=self.data_disk.id,
            instance_id=self.instance.id,
            opts=child,
        )
        association = aws.ec2.EipAssociation(
            f"{name}-address-association",
            instance_id=self.instance.id,
            allocation_id=address.allocation_id,
            opts=child,
        )
        self.address = address.public_ip
        self.waits_for: list[pulumi.Resource] = [self.instance, attachment, association]
        self.register_outputs({"address": self.address})
