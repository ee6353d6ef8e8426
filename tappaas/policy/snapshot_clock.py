"""Snapshots dated in the future: the one rule, for any check that lists snapshots (pure).

PBS prune keeps by timestamp, and the writer of a backup chooses its timestamp. A site taken
over can write encrypted snapshots dated months ahead; the peer pulls them (they are
encrypted, so encrypted-only lets them through) and its own prune then counts them as the
newest daily, weekly, monthly and yearly backups and deletes the genuine history. No
honest backup is dated after "now" by more than clock skew, so any such snapshot is CRIT,
on the site's PBS as on the peer's: ``future_snapshots`` finds them, ``clock_state`` judges.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum

DEFAULT_CLOCK_SKEW = timedelta(minutes=15)
"""How far ahead of the checker's clock an honest snapshot may be dated (NTP-less nodes)."""


class Health(IntEnum):
    """Monitoring-plugin states (the exit codes of ``status``-like commands)."""

    OK = 0
    WARN = 1
    CRIT = 2
    UNKNOWN = 3


@dataclass(frozen=True)
class SnapshotRef:
    """One snapshot as a check sees it (``GET /admin/datastore/{store}/snapshots``)."""

    store: str
    namespace: str
    backup_type: str
    backup_id: str
    time: int
    """``backup-time``: Unix seconds, chosen by whoever wrote the backup."""
    protected: bool = False
    verified: bool = False
    """``verification.state == "ok"``."""

    @property
    def group(self) -> str:
        return f"{self.backup_type}/{self.backup_id}"

    @property
    def when(self) -> datetime:
        return datetime.fromtimestamp(self.time, UTC)

    @property
    def name(self) -> str:
        """``[ns/]vm/110/2025-01-16T02:00:04Z``, as PBS names it."""
        stamp = self.when.strftime("%Y-%m-%dT%H:%M:%SZ")
        return "/".join(part for part in (self.namespace, self.group, stamp) if part)


def future_snapshots(
    snapshots: Iterable[SnapshotRef], now: datetime, skew: timedelta = DEFAULT_CLOCK_SKEW
) -> list[SnapshotRef]:
    """The snapshots dated after ``now + skew``, oldest first."""
    limit = (now + skew).timestamp()
    return sorted((s for s in snapshots if s.time > limit), key=lambda s: s.time)


def clock_state(future: list[SnapshotRef]) -> Health:
    """CRIT for any snapshot from the future: prune would trust its date over the history."""
    return Health.CRIT if future else Health.OK
