"""Bounded retries with backoff, for transient faults only, in one place.

Transient: connection refused/reset, timeouts, 502/503/504 and Proxmox lock timeouts. Never a
4xx, never a "does not exist", never a failed task: re-sending those cannot help and may hurt.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from tappaas.client.errors import ProxmoxError

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """At most ``attempts`` tries; exponential backoff from ``base_delay``, capped, jittered."""

    attempts: int
    base_delay: float
    max_delay: float

    def delays(self) -> Iterator[float]:
        for n in range(self.attempts - 1):
            delay = min(self.max_delay, self.base_delay * 2**n)
            yield delay * random.uniform(0.5, 1.0)


API_CALL = RetryPolicy(attempts=6, base_delay=0.5, max_delay=8.0)
"""One API request: rides out a PVE config lock held by another writer (~10 s)."""
TASK_POLL = RetryPolicy(attempts=8, base_delay=0.5, max_delay=8.0)
"""One status read while waiting on a task; the task itself is never restarted."""
NO_RETRY = RetryPolicy(attempts=1, base_delay=0.0, max_delay=0.0)


def call_with_retry(
    action: Callable[[], T],
    policy: RetryPolicy,
    describe: str,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[T, int]:
    """Run ``action``; on a transient ``ProxmoxError`` wait and retry. Returns (result, retries)."""
    delays = policy.delays()
    retries = 0
    while True:
        try:
            return action(), retries
        except ProxmoxError as exc:
            if not exc.transient:
                raise
            delay = next(delays, None)
            if delay is None:
                raise
            retries += 1
            log.info("%s: transient failure (%s), retry %d in %.1fs", describe, exc, retries, delay)
            sleep(delay)
