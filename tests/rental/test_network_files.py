"""``/etc/network/interfaces`` and ``wg0.conf`` of the recovery host, as text and parsed.

The interfaces file is parsed with the grammar of interfaces(5) (ifupdown2 reads the same):
``auto``/``iface`` stanzas, option lines indented under an ``iface``; ``wg0.conf`` is the
INI file ``wg-quick(8)`` reads.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import pytest

from tappaas.model import PortForward
from tappaas.rental import FACTS, render_interfaces, tunnel_routes
from tappaas.rental.facts import WIREGUARD_OVERHEAD
from tests.rental.hosts import CREDENTIALS, files, ini, site, user_data


@dataclass
class Iface:
    name: str
    family: str
    method: str
    options: list[tuple[str, str]] = field(default_factory=list)

    def values(self, key: str) -> list[str]:
        return [value for option, value in self.options if option == key]


def parse_interfaces(text: str) -> tuple[set[str], dict[str, Iface]]:
    """``auto`` names and ``iface`` stanzas; anything else is a syntax error."""
    auto: set[str] = set()
    stanzas: dict[str, Iface] = {}
    current: Iface | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].rstrip() if raw.lstrip().startswith("#") else raw.rstrip()
        if not line.strip():
            continue
        if not raw[0].isspace():
            keyword, *rest = line.split()
            if keyword == "auto":
                auto.update(rest)
                current = None
            elif keyword == "iface":
                name, family, method = rest
                assert name not in stanzas, f"line {number}: {name} defined twice"
                current = stanzas[name] = Iface(name, family, method)
            else:
                raise AssertionError(f"line {number}: unknown stanza {keyword!r}")
        else:
            assert current is not None, f"line {number}: option outside an iface stanza"
            option, _, value = line.strip().partition(" ")
            current.options.append((option, value.strip()))
    return auto, stanzas


FORWARDS = (PortForward(port=443, to="10.10.10.2"), PortForward(port=51000, to="10.10.10.3",
            to_port=5100, protocol="udp"))  # fmt: skip


def test_guests_are_masqueraded_behind_the_cloud_nic_never_bridged_to_it() -> None:
    guest = ipaddress.IPv4Interface("10.10.10.1/24")
    auto, stanzas = parse_interfaces(render_interfaces("ens4", 1460, "vmbr0", guest, FORWARDS))
    assert auto == {"lo", "ens4", "vmbr0"}
    assert (stanzas["lo"].method, stanzas["ens4"].method) == ("loopback", "dhcp")
    assert stanzas["ens4"].values("mtu") == ["1460"]
    bridge = stanzas["vmbr0"]
    assert (bridge.family, bridge.method) == ("inet", "static")
    assert bridge.values("address") == ["10.10.10.1/24"]
    assert bridge.values("bridge-ports") == ["none"]  # the cloud NIC is never a bridge port
    post_up = bridge.values("post-up")
    assert post_up[0] == "echo 1 > /proc/sys/net/ipv4/ip_forward"
    assert "iptables -t nat -A POSTROUTING -s '10.10.10.0/24' -o ens4 -j MASQUERADE" in post_up
    assert (
        "iptables -t nat -A PREROUTING -i ens4 -p tcp --dport 443 -j DNAT --to 10.10.10.2:443"
        in post_up
    )
    assert (
        "iptables -t nat -A PREROUTING -i ens4 -p udp --dport 51000 -j DNAT --to 10.10.10.3:5100"
        in post_up
    )
    # guests never reach the cloud's metadata service (the host's user-data, secrets included)
    assert "iptables -I FORWARD -s '10.10.10.0/24' -d 169.254.169.254 -j DROP" in post_up
    post_down = bridge.values("post-down")
    undone = [rule.replace(" -A ", " -D ").replace(" -I ", " -D ") for rule in post_up[1:]]
    assert undone == post_down  # undone on down


def test_the_rendered_host_uses_its_providers_nic_and_mtu() -> None:
    for provider in ("gcp", "aws"):
        _, document = user_data(site(provider))
        _, stanzas = parse_interfaces(files(document)["/etc/tappaas/interfaces"]["content"])
        facts = FACTS[site(provider).cloud.provider]  # type: ignore[union-attr]
        assert stanzas[facts.nic].values("mtu") == [str(facts.mtu)]


def test_the_tunnel_dials_out_to_the_peer_and_reaches_its_pbs_only() -> None:
    _, document = user_data(site())
    entry = files(document)["/etc/tappaas/wg0.conf"]
    config = ini(entry["content"])
    assert config.sections() == ["Interface", "Peer"]
    interface, peer = config["Interface"], config["Peer"]
    assert interface["PrivateKey"] == CREDENTIALS.wireguard_key.get_secret_value()
    assert interface["Address"] == "10.99.0.2/32"
    assert interface["MTU"] == str(1460 - WIREGUARD_OVERHEAD)  # GCE: 1460
    assert "ListenPort" not in interface  # nothing listens on the recovery host
    assert peer["Endpoint"] == "peer.example.org:51820"
    assert peer["AllowedIPs"] == "10.20.0.11/32"  # the peer's PBS (remote.address)
    assert peer["PersistentKeepalive"] == "25"


def test_listed_tunnel_routes_win_over_the_pbs_address() -> None:
    wireguard = {
        "endpoint": "peer.example.org:51820",
        "peer_public_key": CREDENTIALS.wireguard_public_key,
        "address": "10.99.0.2/32",
        "allowed_ips": ["10.20.0.0/24", "10.30.0.0/24"],
    }
    assert tunnel_routes(site(wireguard=wireguard)) == ("10.20.0.0/24", "10.30.0.0/24")


@pytest.mark.parametrize("provider", ["gcp", "aws"])
def test_the_tunnel_mtu_leaves_room_for_wireguard(provider: str) -> None:
    _, document = user_data(site(provider))
    mtu = int(ini(files(document)["/etc/tappaas/wg0.conf"]["content"])["Interface"]["MTU"])
    assert mtu + WIREGUARD_OVERHEAD <= {"gcp": 1460, "aws": 1500}[provider]
