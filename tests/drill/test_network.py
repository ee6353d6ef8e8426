"""A drilled VM's NICs: onto the drill bridge and VLAN, or unplugged; never its MAC."""

from __future__ import annotations

from tappaas.drill.network import drill_nic, nic_overrides
from tappaas.model import DrillSettings

PRODUCTION = "virtio=BC:24:11:00:01:54,bridge=vmbr0,firewall=1,tag=20"


def test_onto_the_drill_bridge_and_vlan_without_the_mac() -> None:
    settings = DrillSettings(bridge="vmbr99", vlan=999)
    assert drill_nic(PRODUCTION, settings) == "virtio,bridge=vmbr99,tag=999,firewall=1"


def test_without_a_drill_bridge_every_nic_is_unplugged() -> None:
    assert drill_nic(PRODUCTION, DrillSettings()) == "virtio,bridge=vmbr0,link_down=1,firewall=1"


def test_every_nic_of_the_backup_is_overridden_and_nothing_else() -> None:
    config = {"net0": PRODUCTION, "net1": "e1000=AA:BB:CC:DD:EE:FF,bridge=vmbr1", "name": "x"}
    assert nic_overrides(config, DrillSettings(bridge="vmbr99")) == {
        "net0": "virtio,bridge=vmbr99,firewall=1",
        "net1": "e1000,bridge=vmbr99",
    }
