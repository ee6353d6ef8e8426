"""Where a drill VM may go: a free vmid of the reserved range, a node with memory to spare.

Both are decided under one lock, so drills running at once never pick the same vmid nor
count the same free memory twice. A vmid is free when no VM of any node has it; a service's
vmid and the probe helper's are never candidates (the config checks forbid them in the
range, and this refuses them again).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping

from tappaas.model import SiteConfig

HOST_HEADROOM_BYTES = 1024**3
"""Memory a node keeps for itself beyond the drill VM (PVE, ZFS ARC growth, the other VMs)."""
DEFAULT_VM_MEMORY_MIB = 512
"""PVE's ``memory`` default when a config has none (qemu-server ``memory`` option)."""
_MEMORY = re.compile(r"(?:^|,)(?:current=)?(\d+)(?:,|$)")


class NoRoomError(Exception):
    """No vmid left in the range, or not enough memory on the node: the drill refuses."""


def config_memory_bytes(config: Mapping[str, str]) -> int:
    """The VM's memory from its config (``memory: 4096`` or ``memory: current=4096``)."""
    match = _MEMORY.search(str(config.get("memory", "")))
    mib = int(match.group(1)) if match else DEFAULT_VM_MEMORY_MIB
    return mib * 1024**2


class Placement:
    """Reserves vmids and node memory for the drills of one run."""

    def __init__(self, site: SiteConfig, taken: Iterable[int]) -> None:
        self.site = site
        self.taken = set(taken) | {s.vmid for s in site.services.values()}
        helper = site.drill.probe_helper
        if helper is not None:
            self.taken.add(helper.vmid)
        self.reserved_memory: dict[str, int] = {}
        self.lock = threading.Lock()

    def take(self, node: str, free_memory: int, memory: int) -> int:
        """A vmid for a drill VM needing ``memory`` bytes on ``node`` (free: ``free_memory``)."""
        with self.lock:
            in_flight = self.reserved_memory.get(node, 0)
            available = free_memory - in_flight - HOST_HEADROOM_BYTES
            if memory > available:
                raise NoRoomError(
                    f"node {node} has {max(available, 0) // 1024**2} MiB to spare for drills, "
                    f"the VM needs {memory // 1024**2} MiB"
                )
            drill = self.site.drill
            vmid = next(
                (v for v in range(drill.first_vmid, drill.last_vmid + 1) if v not in self.taken),
                None,
            )
            if vmid is None:
                raise NoRoomError(
                    f"no free vmid in drill range {drill.first_vmid}-{drill.last_vmid}"
                )
            self.taken.add(vmid)
            self.reserved_memory[node] = in_flight + memory
            return vmid

    def release(self, node: str, memory: int) -> None:
        """The drill VM is gone: its memory is free again (its vmid stays used this run)."""
        with self.lock:
            self.reserved_memory[node] = max(0, self.reserved_memory.get(node, 0) - memory)
