"""The lab's clock: real time, or simulated time that moves only when told to.

Everything the lab stamps (UPIDs, snapshot times, task logs, ``last_sync``, HA status) reads
it. Times are Unix seconds and every calendar computation is in UTC, as TAPPaaS pins its
clusters to UTC (no daylight-saving surprises in schedules or prune buckets).

- ``real``: wall time plus an offset, so a lab may start at another date and be moved ahead.
- ``simulated``: stands still between ``move_to`` calls (the engine's ``advance``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal, get_args

ClockMode = Literal["real", "simulated"]
CLOCK_MODES: tuple[str, ...] = get_args(ClockMode)


def iso(t: float) -> str:
    """``2025-01-16T02:00:04Z``: how the lab prints a time."""
    return datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch(value: datetime | float | str) -> float:
    """A time given as datetime (naive = UTC), epoch seconds, or ISO 8601 text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    return float(value)


class LabClock:
    """Current lab time; ``move_to`` only ever moves it forward."""

    def __init__(
        self,
        mode: ClockMode = "real",
        start: float | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if mode not in CLOCK_MODES:
            raise ValueError(f"unknown clock mode {mode!r} (known: {', '.join(CLOCK_MODES)})")
        self.mode = mode
        self._wall = wall
        begin = wall() if start is None else start
        self._offset = begin - wall()
        self._now = begin
        self._lock = threading.Lock()

    def now(self) -> float:
        """The lab's current time."""
        if self.mode == "real":
            return self._wall() + self._offset
        return self._now

    def move_to(self, t: float) -> None:
        """Jump to ``t`` if it lies ahead (real mode: by shifting the offset)."""
        with self._lock:
            ahead = t - self.now()
            if ahead <= 0:
                return
            if self.mode == "real":
                self._offset += ahead
            else:
                self._now = t
