"""What guests' disks hold, as chunks: the bridge from VMs and seeded snapshots to the chunk model.

Each VM gets a ``DiskContent`` the first time a backup or replication reads it: its disks'
total size, about ``DAILY_CHANGE_SHARE`` of it rewritten per day, keyed by VMID and creation
time so that a VM restored or re-created later shares no chunk with its predecessor (a
simplification: a real restore would share the restored chunks). A seeded snapshot gets chunks
of its own, sized to its ``size``.
"""

from __future__ import annotations

import re

from lab.behaviour.disk_content import ChunkIndex, DiskContent
from lab.state.pve import Vm

DAILY_CHANGE_SHARE = 0.02
"""Share of a guest's disks rewritten per day (2 %: databases, logs, updates)."""
DEFAULT_DISK_BYTES = 32 * 1024**3
_SIZE = re.compile(r"(?:^|,)size=(\d+(?:\.\d+)?)([KMGT]?)(?:,|$)")
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def disk_bytes(vm: Vm) -> int:
    """The sum of the VM's disk sizes (``size=32G`` in each disk's property string)."""
    total = 0
    for value in vm.disks().values():
        if "media=cdrom" in value:
            continue
        match = _SIZE.search(value)
        total += int(float(match[1]) * _UNITS[match[2]]) if match else DEFAULT_DISK_BYTES
    return total or DEFAULT_DISK_BYTES


def guest_content(vm: Vm, now: int) -> DiskContent:
    """The VM's disk content, created (with day 0 = ``now``) on first use."""
    if vm.content is None:
        vm.content = DiskContent.sized(
            f"vm/{vm.vmid}@{now}", disk_bytes(vm), DAILY_CHANGE_SHARE, origin=now
        )
    return vm.content


def seeded_index(name: str, size: int) -> ChunkIndex:
    """Chunks of their own for a snapshot seeded through the control surface."""
    return DiskContent.sized(f"seed/{name}", max(size, 1), 0.0).chunks_at(0)
