"""Cloud recovery on demand: the KVM host a ``cloud-recovery`` stack rents, and how it is set up.

When the site and its neighbours are gone, the stack rents one KVM-capable host, installs
Proxmox VE on it (Debian 13 + cloud-init), reaches the peer's copy over WireGuard and restores
the site's important services there. Only providers whose hosts expose ``/dev/kvm`` can do
this: GCP with nested virtualization on an Intel machine series, AWS with nested
virtualization on the 8th-generation Intel families or a ``*.metal`` instance, or a host you
rented elsewhere (``existing``: a dedicated server with PVE already on it). Providers known
not to qualify are refused with the reason, so the admin learns it at ``tappaas check``,
not after an hour of installing.

Every secret the host needs is generated once, before the disaster, by ``tappaas cloud
credentials`` and kept as stack secrets: our providers read credentials only from stack
config (``configure()``), and the certificate fingerprint must be known up front to be
pinned (``fingerprint``).
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from tappaas.model._types import (
    MAX_PORT,
    Address,
    Duration,
    Fingerprint,
    NodeName,
    ServiceName,
    StorageId,
    StrictModel,
    TokenId,
    matching,
)
from tappaas.model.recovery import BridgeName
from tappaas.model.secrets import SecretRef


class CloudProvider(StrEnum):
    """Where the recovery host comes from."""

    GCP = "gcp"
    """Google Compute Engine, nested virtualization on an Intel machine series (reference)."""
    AWS = "aws"
    """Amazon EC2: ``cpu_options.nested_virtualization`` on c8i/m8i/r8i, or a ``*.metal``."""
    EXISTING = "existing"
    """A PVE host you rented and installed yourself (e.g. a monthly dedicated server)."""


NO_KVM_HETZNER = (
    "Hetzner Cloud servers expose no /dev/kvm (no nested virtualization), so Proxmox VE "
    "cannot run VMs there; Hetzner's dedicated servers can, but they are billed monthly and "
    "ordered outside Pulumi: order one, install Proxmox VE on it and use provider: existing"
)
REFUSED_PROVIDERS: dict[str, str] = {
    "hetzner": NO_KVM_HETZNER,
    "hetzner-cloud": NO_KVM_HETZNER,
    "hcloud": NO_KVM_HETZNER,
}
"""Providers that cannot host a recovery, with the reason the admin is given."""


def _known_provider(value: Any) -> Any:
    """Refuse providers that cannot run KVM guests with the reason; others fall to the enum."""
    if isinstance(value, str) and value.lower() in REFUSED_PROVIDERS:
        raise ValueError(f"{value!r} cannot host a recovery: {REFUSED_PROVIDERS[value.lower()]}")
    if isinstance(value, str) and value not in {p.value for p in CloudProvider}:
        supported = ", ".join(p.value for p in CloudProvider)
        raise ValueError(f"{value!r} is not a supported provider ({supported})")
    return value


DEFAULT_NODE = "tappaas-cloud"
DEFAULT_DOMAIN = "recovery.internal"
DEFAULT_TOKEN_ID = "tappaas@pve!recovery"
"""The PVE token the host's setup creates (with the pre-generated secret) for this stack."""
DEFAULT_STORAGE_ID = "tappaas-data"
"""The ZFS storage on the host's data disk that restored disks land on."""
DEFAULT_BRIDGE = "vmbr0"
DEFAULT_HOST_NETWORK = "10.77.0.10/24"
"""The host's own address in the subnet the stack creates (fixed, so /etc/hosts is known)."""
DEFAULT_GUEST_NETWORK = "10.10.10.1/24"
"""The internal bridge for guests: the host's address on it, and the NAT range."""
DEFAULT_DISK_GB = 500
MIN_DISK_GB = 20
DEFAULT_SETUP_DEADLINE = timedelta(minutes=45)
"""Installing PVE (packages, a reboot into the PVE kernel, a second boot) takes 10-20 minutes;
the wait gives up after this with the host's last answer."""
DEFAULT_KEEPALIVE_SECONDS = 25
RESERVED_PORTS = (22, 8006)
"""SSH and the PVE API/GUI on the host itself: never forwarded to a guest."""

WireGuardKey = Annotated[
    str,
    matching(r"[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=", "a WireGuard public key (44 base64 chars)"),
]
CloudId = Annotated[
    str,
    matching(
        r"[a-z][a-z0-9\-]*[a-z0-9]",
        "a cloud identifier (lower-case letters, digits and '-', e.g. 'europe-west4-a')",
    ),
]
MachineSize = Annotated[
    str,
    matching(r"[a-z0-9][a-z0-9.\-]*[a-z0-9]", "a machine type like 'n2-standard-8', 'm8i.large'"),
]
SshKey = Annotated[str, matching(r"(ssh|ecdsa)-\S+ \S+.*", "an SSH public key ('ssh-ed25519 …')")]
Interface = ipaddress.IPv4Interface


def _strict_network(value: Any) -> Any:
    """``10.0.0.0/24``; a host address with bits set (``10.0.0.1/24``) is a likely typo."""
    if isinstance(value, str):
        try:
            return ipaddress.IPv4Network(value, strict=True)
        except ValueError as error:
            raise ValueError(
                f"{value!r} is not an IPv4 network like '198.51.100.0/24': {error}"
            ) from None
    return value


Network = Annotated[ipaddress.IPv4Network, BeforeValidator(_strict_network)]


class ForwardProtocol(StrEnum):
    """What a forwarded port carries."""

    TCP = "tcp"
    UDP = "udp"


class PortForward(StrictModel):
    """A port of the host's public address forwarded to a guest on the internal bridge."""

    port: Annotated[int, Field(ge=1, le=MAX_PORT)]
    to: ipaddress.IPv4Address
    """The guest's address on the internal bridge."""
    to_port: Annotated[int, Field(ge=1, le=MAX_PORT)] | None = None
    """Default: the same port."""
    protocol: ForwardProtocol = ForwardProtocol.TCP

    @property
    def target_port(self) -> int:
        return self.to_port or self.port


class WireGuardSettings(StrictModel):
    """The tunnel the host dials out to the peer: only the peer publishes a (UDP) port."""

    endpoint: Address
    """The peer's public ``host:port`` (UDP)."""
    peer_public_key: WireGuardKey
    address: Interface
    """This host's address inside the tunnel, e.g. ``10.99.0.2/32``."""
    allowed_ips: tuple[Network, ...] = ()
    """What is reached through the tunnel; default: the peer's PBS address (``remote``)."""
    private_key: SecretRef = SecretRef(secret="cloudWireguardKey")
    keepalive_seconds: Annotated[int, Field(ge=0, le=3600)] = DEFAULT_KEEPALIVE_SECONDS


class CloudCredentials(StrictModel):
    """Secrets the host is set up with (``tappaas cloud credentials`` generates them)."""

    root_password: SecretRef = SecretRef(secret="cloudRootPassword")
    """``root@pam`` on the host: the web GUI and console for the admin."""
    api_token: SecretRef = SecretRef(secret="cloudPveToken")
    """The secret of ``token_id`` (a UUID); this stack talks to the host with it."""
    tls_key: SecretRef = SecretRef(secret="cloudTlsKey")
    tls_certificate: SecretRef = SecretRef(secret="cloudTlsCertificate")
    """The host's API certificate; ``fingerprint`` is its SHA-256."""


class CloudPrice(StrictModel):
    """List prices of what the stack rents (read them off the provider's price page)."""

    instance_per_hour: Annotated[float, Field(ge=0)]
    disk_per_gb_month: Annotated[float, Field(ge=0)] = 0.0
    ip_per_hour: Annotated[float, Field(ge=0)] = 0.0
    currency: Annotated[str, matching(r"[A-Z]{3}", "a currency code like 'USD' or 'EUR'")] = "USD"


class CloudSettings(StrictModel):
    """The rented recovery host (``cloud:`` of a ``cloud-recovery`` stack)."""

    provider: Annotated[CloudProvider, BeforeValidator(_known_provider)]
    project: CloudId | None = None
    """GCP project id (GCP only)."""
    region: CloudId | None = None
    zone: CloudId | None = None
    size: MachineSize | None = None
    disk_gb: Annotated[int, Field(ge=MIN_DISK_GB)] = DEFAULT_DISK_GB
    """The data disk restored VMs live on (protected until ``failback_confirmed``)."""
    admin_cidrs: tuple[Network, ...] = ()
    """The only sources allowed to reach the host (SSH, PVE API/GUI, forwarded ports)."""
    address: Address | None = None
    """``existing`` only: the host's PVE API address."""
    node: NodeName = DEFAULT_NODE
    domain: Annotated[str, matching(r"[a-z0-9.\-]+", "a DNS domain")] = DEFAULT_DOMAIN
    fingerprint: Fingerprint
    """SHA-256 of the host's API certificate (printed by ``tappaas cloud credentials``)."""
    token_id: TokenId = DEFAULT_TOKEN_ID
    credentials: CloudCredentials = CloudCredentials()
    ssh_keys: tuple[SshKey, ...] = ()
    """Public keys allowed to log in as root (the provider's default user gets them too)."""
    host_network: Interface = Interface(DEFAULT_HOST_NETWORK)
    guest_network: Interface = Interface(DEFAULT_GUEST_NETWORK)
    bridge: BridgeName = DEFAULT_BRIDGE
    storage_id: StorageId = DEFAULT_STORAGE_ID
    wireguard: WireGuardSettings | None = None
    """Absent: the peer's PBS is reached directly on its public address."""
    forwards: tuple[PortForward, ...] = ()
    services: tuple[ServiceName, ...] | None = None
    """What to restore; default: every high-importance service, in the restore order."""
    staging: bool = False
    """Pull the needed groups into a PBS on the host first (resumable, deduplicated), then
    restore at disk speed; off: restore straight from the peer (live-restore over the WAN)."""
    peer_uplink_mbps: Annotated[float, Field(gt=0)]
    """The peer's declared upload bandwidth (Mbit/s): it sets the transfer time."""
    price: CloudPrice | None = None
    setup_deadline: Duration = DEFAULT_SETUP_DEADLINE
    failback_confirmed: bool = False
    """Set once the site runs at home again: only then may the data disk be deleted."""
