"""``/etc/network/interfaces`` of the recovery host: the cloud NIC, and guests behind NAT.

Cloud networks deliver only the NIC's own MAC address, so guests can never be bridged onto
the cloud NIC: they sit on an internal bridge with no ports, and the host masquerades their
traffic out of the NIC and forwards chosen public ports to them. This is the "Masquerading
(NAT) with iptables" setup of the PVE admin guide (pve-docs ``pve-network.adoc``), with the
cloud NIC on DHCP (the provider assigns its address) instead of a static one. Guests are
not forwarded to the cloud's metadata service, which holds the host's user-data.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Interface

from tappaas.model import PortForward

CLOUD_METADATA = "169.254.169.254"
"""The cloud's metadata service (GCE and EC2): it serves the host's user-data, secrets
included, to anything that reaches it, so restored guests are kept from it."""


def _forward_rules(nic: str, forwards: Sequence[PortForward]) -> list[str]:
    lines = []
    for forward in forwards:
        rule = (
            f"-t nat {{}} PREROUTING -i {nic} -p {forward.protocol.value} --dport "
            f"{forward.port} -j DNAT --to {forward.to}:{forward.target_port}"
        )
        lines += [
            f"post-up   iptables {rule.format('-A')}",
            f"post-down iptables {rule.format('-D')}",
        ]
    return lines


def render_interfaces(
    nic: str,
    mtu: int,
    bridge: str,
    guest_network: IPv4Interface,
    forwards: Sequence[PortForward] = (),
) -> str:
    """The whole file (ifupdown2 syntax, as PVE writes it)."""
    network = guest_network.network
    masquerade = f"-t nat {{}} POSTROUTING -s '{network}' -o {nic} -j MASQUERADE"
    no_metadata = f"{{}} FORWARD -s '{network}' -d {CLOUD_METADATA} -j DROP"
    bridge_options = [
        f"address {guest_network}",
        "bridge-ports none",
        "bridge-stp off",
        "bridge-fd 0",
        f"mtu {mtu}",
        "post-up   echo 1 > /proc/sys/net/ipv4/ip_forward",
        f"post-up   iptables {masquerade.format('-A')}",
        f"post-down iptables {masquerade.format('-D')}",
        f"post-up   iptables {no_metadata.format('-I')}",
        f"post-down iptables {no_metadata.format('-D')}",
        *_forward_rules(nic, forwards),
    ]
    stanzas = [
        ["auto lo", "iface lo inet loopback"],
        [
            "# the cloud NIC: its address comes from the provider's DHCP",
            f"auto {nic}",
            f"iface {nic} inet dhcp",
            f"    mtu {mtu}",
        ],
        [
            "# guests: an internal bridge, masqueraded out of the cloud NIC (never bridged to it)",
            f"auto {bridge}",
            f"iface {bridge} inet static",
            *(f"    {option}" for option in bridge_options),
        ],
    ]
    return "\n\n".join("\n".join(stanza) for stanza in stanzas) + "\n"
