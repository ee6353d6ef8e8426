"""How long a cloud recovery takes and what the rented host costs (what the stack prints).

The transfer time is set by the peer's uplink: every byte of every restored disk crosses it
once (50 Mbit/s is about 4.7 h per 100 GB). Without staging, each tier of restores streams
from the peer; with live-restore a service is usable minutes after its tier starts, but the
next tier starts only when the whole tier has arrived (each restore is awaited). With
staging, the host first pulls every needed group into its own PBS (during setup), then
restores at disk speed. The constants below are stated assumptions, not measurements of a
given cloud: the estimate is for planning, and the output says what it assumed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from tappaas.model import CloudPrice
from tappaas.policy import format_duration

TRANSFER_EFFICIENCY = 0.95
"""Share of the uplink's rate left for backup data (TCP, TLS and WireGuard headers)."""
HOST_SETUP = timedelta(minutes=20)
"""Rent, boot, install PVE, reboot into its kernel, install the rest (the wiki's steps)."""
LIVE_START = timedelta(minutes=2)
"""From a live-restore's start until its VM boots (PVE starts it before the data is in)."""
LOCAL_RESTORE_BYTES_PER_SECOND = 200 * 10**6
"""Restore speed from a PBS on the host's own data disk (a cloud SSD volume)."""
HOURS_PER_MONTH = 730
GIB = 1024**3


def transfer_time(data_bytes: int, uplink_mbps: float) -> timedelta:
    """How long ``data_bytes`` take over the peer's uplink."""
    bits_per_second = uplink_mbps * 10**6 * TRANSFER_EFFICIENCY
    return timedelta(seconds=data_bytes * 8 / bits_per_second)


@dataclass(frozen=True)
class ServiceEstimate:
    """When one restored service is usable."""

    name: str
    tier: int
    data_bytes: int
    ready_after: timedelta


@dataclass(frozen=True)
class RecoveryEstimate:
    """Per service and in total, counted from the moment ``pulumi up`` starts."""

    services: tuple[ServiceEstimate, ...]
    complete_after: timedelta
    basis: str

    def as_output(self) -> dict[str, object]:
        """The ``rto_estimate`` stack output."""
        return {
            "services": {
                s.name: {
                    "tier": s.tier,
                    "data_gib": round(s.data_bytes / GIB, 1),
                    "ready_after": format_duration(s.ready_after),
                    "ready_after_hours": round(s.ready_after.total_seconds() / 3600, 2),
                }
                for s in self.services
            },
            "complete_after": format_duration(self.complete_after),
            "complete_after_hours": round(self.complete_after.total_seconds() / 3600, 2),
            "data_gib": round(sum(s.data_bytes for s in self.services) / GIB, 1),
            "basis": self.basis,
        }


def estimate_recovery(
    tiers: Sequence[Sequence[str]],
    sizes: Mapping[str, int],
    uplink_mbps: float,
    *,
    staging: bool,
    live_restore: bool,
) -> RecoveryEstimate:
    """When each service is usable, given the data each restore moves (``sizes``)."""
    clock = HOST_SETUP
    if staging:
        clock += transfer_time(sum(sizes.get(n, 0) for tier in tiers for n in tier), uplink_mbps)
    services = []
    for number, tier in enumerate(tiers, start=1):
        tier_bytes = sum(sizes.get(name, 0) for name in tier)
        if staging:
            tier_time = timedelta(seconds=tier_bytes / LOCAL_RESTORE_BYTES_PER_SECOND)
        else:
            tier_time = transfer_time(tier_bytes, uplink_mbps)
        ready = clock + (min(LIVE_START, tier_time) if live_restore else tier_time)
        services += [ServiceEstimate(name, number, sizes.get(name, 0), ready) for name in tier]
        clock += tier_time
    mode = "staged through a PBS on the host" if staging else "straight from the peer"
    restore = "live-restore" if live_restore else "full restore before start"
    basis = (
        f"peer uplink {uplink_mbps:g} Mbit/s at {TRANSFER_EFFICIENCY:.0%}, {mode}, {restore}, "
        f"host setup {format_duration(HOST_SETUP)}"
    )
    return RecoveryEstimate(tuple(services), clock, basis)


def hourly_cost(price: CloudPrice | None, disk_gb: int) -> dict[str, object]:
    """The ``hourly_cost`` stack output: instance, data disk and address, per hour and day."""
    if price is None:
        return {"estimate": None, "why": "set cloud.price (from the provider's price page)"}
    disk = disk_gb * price.disk_per_gb_month / HOURS_PER_MONTH
    total = price.instance_per_hour + disk + price.ip_per_hour
    return {
        "per_hour": round(total, 4),
        "per_day": round(total * 24, 2),
        "instance": price.instance_per_hour,
        "disk": round(disk, 4),
        "address": price.ip_per_hour,
        "currency": price.currency,
    }
