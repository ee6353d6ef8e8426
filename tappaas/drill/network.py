"""Putting a drilled VM's NICs on the drill network, never on the production one.

Each ``netN`` of the backup's config is overridden at restore time (qemu-server ``create_vm``
``override_conf``): the NIC model stays, the MAC is dropped (PVE draws a new random one,
``add_random_macs``), and the NIC goes onto the drill bridge (with its VLAN tag) or, with no
drill bridge, keeps its bridge but is unplugged (``link_down=1``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from tappaas.model import DrillSettings

NIC_KEY = re.compile(r"^net\d+$")
MAC = re.compile(r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")
REPLACED_OPTIONS = ("macaddr", "bridge", "tag", "link_down", "trunks")


def drill_nic(value: str, settings: DrillSettings) -> str:
    """One NIC's property string for the drill network."""
    first, *rest = value.split(",")
    model = first.split("=", 1)[0]
    kept = [part for part in rest if part.split("=", 1)[0] not in REPLACED_OPTIONS]
    original_bridge = next((p.split("=", 1)[1] for p in rest if p.startswith("bridge=")), None)
    if settings.bridge is not None:
        placed = [f"bridge={settings.bridge}"]
        if settings.vlan is not None:
            placed.append(f"tag={settings.vlan}")
    else:
        placed = [f"bridge={original_bridge}"] if original_bridge else []
        placed.append("link_down=1")
    return ",".join([model, *placed, *kept])


def nic_overrides(config: Mapping[str, str], settings: DrillSettings) -> dict[str, str]:
    """``netN`` → its drill-network form, for every NIC of the backup's config."""
    return {key: drill_nic(value, settings) for key, value in config.items() if NIC_KEY.match(key)}
