"""``/etc/wireguard/wg0.conf`` of the recovery host: a tunnel it dials out to the peer.

The peer publishes one UDP port and lets in this host's public key only; nothing listens on
the recovery host (no ``ListenPort``), so its firewall stays closed. The keepalive holds
the NAT mapping open on the provider's side. ``MTU`` is the cloud NIC's minus WireGuard's
80 bytes (e.g. 1380 on GCE's 1460), so PBS traffic is never fragmented. Format:
``wg-quick(8)`` (an INI file: ``[Interface]`` and one ``[Peer]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Interface

from pydantic import SecretStr


def render_wireguard(
    *,
    private_key: SecretStr,
    address: IPv4Interface,
    mtu: int,
    peer_public_key: str,
    endpoint: str,
    allowed_ips: Sequence[str],
    keepalive_seconds: int,
) -> str:
    """The whole file; it holds the private key (mode 0600 on the host)."""
    lines = [
        "[Interface]",
        f"PrivateKey = {private_key.get_secret_value()}",
        f"Address = {address}",
        f"MTU = {mtu}",
        "",
        "[Peer]",
        f"PublicKey = {peer_public_key}",
        f"Endpoint = {endpoint}",
        f"AllowedIPs = {', '.join(allowed_ips)}",
    ]
    if keepalive_seconds:
        lines.append(f"PersistentKeepalive = {keepalive_seconds}")
    return "\n".join(lines) + "\n"
