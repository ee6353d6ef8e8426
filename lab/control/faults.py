"""Faults a test or demo injects into an instance: errors, dropped connections, latency.

A fault matches by instance, optional HTTP method and optional API path prefix (after
``/api2/json``); it fires with probability ``rate`` and at most ``count`` times. Kinds:
- ``lock-timeout``: PVE's 500 "can't lock file '…' - got timeout" (PBS: its lock error),
- ``http-502`` / ``http-503``: a proxy-style error with the standard reason,
- ``reset``: the connection is closed without a response,
- ``latency``: the request is answered normally after ``seconds``.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Literal, get_args

FaultKind = Literal["lock-timeout", "http-502", "http-503", "reset", "latency"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)
DEFAULT_LATENCY_SECONDS = 1.0


@dataclass
class Fault:
    """One injected fault; ``count`` is how many more times it may fire (None: unlimited)."""

    instance: str
    kind: FaultKind
    rate: float = 1.0
    count: int | None = None
    path: str | None = None
    method: str | None = None
    seconds: float | None = None

    def matches(self, instance: str, method: str, api_path: str) -> bool:
        """Whether this fault applies to the request (ignoring rate and count)."""
        return (
            self.instance == instance
            and (self.method is None or self.method.upper() == method)
            and (self.path is None or api_path.startswith(self.path))
            and (self.count is None or self.count > 0)
        )


def parse_kind(kind: str) -> FaultKind:
    """Validate a fault kind given as text."""
    for known in get_args(FaultKind):
        if kind == known:
            return known  # type: ignore[no-any-return]
    raise ValueError(f"unknown fault kind {kind!r} (known: {', '.join(FAULT_KINDS)})")


class FaultSet:
    """The active faults of a lab (thread-safe)."""

    def __init__(self, seed: int | None = None) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._random = random.Random(seed)

    def add(self, fault: Fault) -> None:
        """Activate ``fault``."""
        if not 0.0 <= fault.rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        """A copy of the active faults."""
        with self._lock:
            return list(self._faults)

    def draw(self, instance: str, method: str, api_path: str) -> Fault | None:
        """The fault that fires for this request, if any (consumes one of its ``count``)."""
        with self._lock:
            for fault in self._faults:
                if not fault.matches(instance, method, api_path):
                    continue
                if self._random.random() >= fault.rate:
                    continue
                if fault.count is not None:
                    fault.count -= 1
                return fault
        return None
