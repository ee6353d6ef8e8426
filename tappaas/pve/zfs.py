"""ZFS pools of a PVE node (``/nodes/{node}/disks/zfs…``), read to see what exists.

The upstream plugin creates and owns pools; the program reads them to decide whether a pool
of the declared name is the one a create would have made (same layout, same disks) before
adopting it. Why it takes three reads (pve-storage ``src/PVE/API2/Disks/ZFS.pm``): the list
says which pools exist; the detail is ``zpool status -P`` as a tree — a vdev such as
``mirror-0`` (none for a single disk) holding the disks — but PVE's create replaced every
device by its udev by-id link, so a disk declared as ``/dev/sdb`` shows up as
``/dev/disk/by-id/ata-<model>_<serial>-part1``; ``/nodes/{node}/disks/list`` gives each
device's serial and WWN, which those links are made of.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tappaas.client import ProxmoxClient

FIRST_PARTITION = re.compile(r"(-part1|p1|1)$")
VDEV = re.compile(r"^(mirror|raidz[123]?|draid[123]?)(:.*)?-\d+$")
RAIDLEVEL_VDEV = {
    "mirror": "mirror",
    "raid10": "mirror",
    "raidz": "raidz1",
    "raidz2": "raidz2",
    "raidz3": "raidz3",
}
UNKNOWN = "unknown"
"""What ``disks/list`` reports for a WWN or serial udev does not know."""


@dataclass(frozen=True)
class DiskInfo:
    """What ``disks/list`` says of one device: enough to recognise its by-id link."""

    devpath: str
    serial: str | None
    wwn: str | None


@dataclass(frozen=True)
class ZfsPool:
    """A pool's name, its top-level vdev kinds (``mirror``, ``raidz1``; ``disk`` for a bare
    disk) and the disks it lives on, as ``zpool status -P`` names them."""

    name: str
    vdevs: tuple[str, ...]
    disks: tuple[str, ...]

    def holds(self, device: str, known: Mapping[str, DiskInfo]) -> bool:
        """Whether declared ``device`` is one of the pool's disks: the same name (a disk's
        first partition counts as the disk), or a by-id link carrying its serial or WWN."""
        wanted = device.rsplit("/", 1)[-1]
        info = known.get(device) or known.get(f"/dev/{wanted}")
        marks = [m for m in (info.serial, info.wwn) if m and m != UNKNOWN] if info else []
        for disk in self.disks:
            name = disk.rsplit("/", 1)[-1]
            if wanted in (name, FIRST_PARTITION.sub("", name)):
                return True
            if "/by-id/" in disk and any(mark in name for mark in marks):
                return True
        return False

    @property
    def layout(self) -> str:
        """``mirror``, ``raidz1``…, ``single`` or ``3 striped disks``."""
        if set(self.vdevs) == {"disk"}:
            return "single" if len(self.vdevs) == 1 else f"{len(self.vdevs)} striped disks"
        return "+".join(self.vdevs)

    def layout_matches(self, raidlevel: str, devices: Sequence[str]) -> bool:
        """Same redundancy and number of disks as a create with these arguments makes."""
        expected = RAIDLEVEL_VDEV.get(raidlevel, "disk")
        return set(self.vdevs) == {expected} and len(self.disks) == len(devices)


def _tree(children: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(top-level vdev kinds, disks) of a ``zpool status`` tree."""
    vdevs: list[str] = []
    disks: list[str] = []
    for child in children:
        below = child.get("children") or []
        match = VDEV.match(str(child["name"]))
        if below and match is not None:
            vdevs.append(match.group(1))
            disks.extend(str(d["name"]) for d in below)
        elif not below:
            vdevs.append("disk")
            disks.append(str(child["name"]))
    return vdevs, disks


def zfs_pool_names(client: ProxmoxClient, node: str) -> frozenset[str]:
    """The pools ``node`` has (``zpool list``: a missing pool is simply absent here, where
    its detail would be a failed ``zpool status``)."""
    return frozenset(str(item["name"]) for item in client.get(f"/nodes/{node}/disks/zfs") or [])


def zfs_pool(client: ProxmoxClient, node: str, name: str) -> ZfsPool:
    """Pool ``name`` on ``node`` with its layout and disks."""
    detail = client.get(f"/nodes/{node}/disks/zfs/{name}") or {}
    vdevs, disks = _tree(detail.get("children") or [])
    return ZfsPool(name, tuple(vdevs), tuple(disks))


def node_disks(client: ProxmoxClient, node: str) -> dict[str, DiskInfo]:
    """The node's block devices by device path."""
    return {
        str(item["devpath"]): DiskInfo(str(item["devpath"]), item.get("serial"), item.get("wwn"))
        for item in client.get(f"/nodes/{node}/disks/list") or []
    }
