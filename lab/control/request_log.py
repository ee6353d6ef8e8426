"""The log of every API request the lab answered (control-surface calls excluded).

Tests use it to prove, for instance, that a no-change ``pulumi up`` sends no write.
Secret parameters are masked before they are stored.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

MASK = "**********"
SECRET_PARAMS = frozenset(
    {"password", "encryption-key", "master-pubkey", "keyring", "secret", "new-password"}
)
MAX_RECORDS = 100_000


@dataclass(frozen=True)
class RequestRecord:
    """One answered request: ``path`` is the API path after ``/api2/json``."""

    instance: str
    method: str
    path: str
    params: dict[str, Any]
    status: int
    time: float

    @property
    def is_write(self) -> bool:
        """POST, PUT and DELETE change state (a ticket request excepted)."""
        return self.method != "GET" and self.path != "/access/ticket"


def mask(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with secret values replaced by a mask."""
    return {k: (MASK if k in SECRET_PARAMS else v) for k, v in params.items()}


class RequestLog:
    """A bounded, thread-safe list of records."""

    def __init__(self) -> None:
        self._records: list[RequestRecord] = []
        self._lock = threading.Lock()

    def add(self, record: RequestRecord) -> None:
        """Append ``record`` (the oldest are dropped past ``MAX_RECORDS``)."""
        with self._lock:
            self._records.append(record)
            if len(self._records) > MAX_RECORDS:
                del self._records[: len(self._records) - MAX_RECORDS]

    def records(self, instance: str | None = None) -> list[RequestRecord]:
        """All records, or those of one instance."""
        with self._lock:
            return [r for r in self._records if instance is None or r.instance == instance]

    def clear(self) -> None:
        """Forget every record."""
        with self._lock:
            self._records.clear()
