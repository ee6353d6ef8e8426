"""What differs between the providers' hosts, as plain data the renderers and backends share.

- ``nic``: the primary interface name on their Debian 13 images (``ens4`` on GCE's virtio
  NIC, ``ens5`` on EC2's ENA). The setup script checks it exists before it takes networking
  over from cloud-init, and stops with a clear log line otherwise.
- ``mtu``: GCE VPC networks default to 1460 bytes; EC2 sends 1500 to the internet (9001
  only inside a VPC). WireGuard adds 80 bytes (IPv6 outer header), so the tunnel gets
  ``mtu - 80``.
- ``data_device``: where the attached data disk shows up (``google-<device name>`` on GCE;
  on EC2 Nitro an NVMe device named after the volume id without its dash).
- ``image``: Debian 13 from the distribution's own publisher (GCE ``debian-cloud``, EC2
  account 136693071363, the Debian cloud team's, name ``debian-13-amd64-*``).
"""

from __future__ import annotations

from dataclasses import dataclass

from tappaas.model import CloudProvider

WIREGUARD_OVERHEAD = 80
DATA_DEVICE_NAME = "tappaas-data"
"""GCE attached-disk ``device_name`` (the disk appears as ``google-tappaas-data``)."""
DEBIAN_AMI_OWNER = "136693071363"
DEBIAN_AMI_NAME = "debian-13-amd64-*"
GCE_DEBIAN_IMAGE = "debian-cloud/debian-13"
BOOT_DISK_GB = 50


@dataclass(frozen=True)
class HostFacts:
    """One provider's Debian 13 host, as the setup script sees it."""

    nic: str
    mtu: int
    data_device_template: str
    """``{volume}`` stands for the provider's volume id (without dashes)."""

    def data_device(self, volume_id: str = "") -> str:
        return self.data_device_template.format(volume=volume_id.replace("-", ""))

    @property
    def tunnel_mtu(self) -> int:
        return self.mtu - WIREGUARD_OVERHEAD


FACTS: dict[CloudProvider, HostFacts] = {
    CloudProvider.GCP: HostFacts("ens4", 1460, f"/dev/disk/by-id/google-{DATA_DEVICE_NAME}"),
    CloudProvider.AWS: HostFacts(
        "ens5", 1500, "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_{volume}"
    ),
}
