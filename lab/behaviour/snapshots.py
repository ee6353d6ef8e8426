"""A PBS backup snapshot as the behaviours see it: group, time, and what travels in the manifest.

PBS names a snapshot ``<type>/<id>/<RFC3339 UTC>`` (``vm/100/2025-01-16T02:00:04Z``) inside a
datastore namespace. The manifest carries the encryption mode, the verify state and the notes,
and is copied byte for byte by a sync; the protected flag is a separate file and never syncs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

__all__ = [
    "BackupGroup",
    "BackupType",
    "Snapshot",
    "VerifyResult",
    "VerifyState",
    "snapshot_time_text",
]

_GROUP_RE = re.compile(r"^(vm|ct|host)/([A-Za-z0-9_][A-Za-z0-9._\-]*)$")
"""PBS ``GROUP_PATH_REGEX``: a backup type, a slash and a backup id."""


def snapshot_time_text(backup_time: int) -> str:
    """The RFC3339 UTC form PBS uses in snapshot paths and vzdump volume ids."""
    return datetime.fromtimestamp(backup_time, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class BackupType(StrEnum):
    """What a backup group holds: a VM, a container or a host (file-level) backup."""

    VM = "vm"
    CT = "ct"
    HOST = "host"


@dataclass(frozen=True, slots=True, order=True)
class BackupGroup:
    """A backup group, e.g. ``vm/100``; ``str()`` is the text group filters match against."""

    type: BackupType
    id: str

    @classmethod
    def parse(cls, text: str) -> BackupGroup:
        """Parse ``vm/100``; raises ``ValueError`` like PBS for anything else."""
        match = _GROUP_RE.match(text)
        if match is None:
            raise ValueError(f"unable to parse backup group path '{text}'")
        return cls(BackupType(match[1]), match[2])

    def __str__(self) -> str:
        return f"{self.type}/{self.id}"


class VerifyResult(StrEnum):
    """The outcome a verify task writes into the manifest."""

    OK = "ok"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class VerifyState:
    """``unprotected.verify_state`` of a manifest: the result and when that verify started.

    PBS stores the verify task's whole UPID; its start time is all the behaviours read
    (``outdated-after`` counts days from it).
    """

    state: VerifyResult
    verified_at: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One snapshot of a group. ``finished`` is false while the backup has no manifest yet.

    ``encrypted`` means every archive is encrypted (what ``encrypted-only`` asks for).
    """

    group: BackupGroup
    backup_time: int
    protected: bool = False
    finished: bool = True
    encrypted: bool = False
    verification: VerifyState | None = None
    notes: str = ""

    @property
    def path(self) -> str:
        """``vm/100/2025-01-16T02:00:04Z``, as PBS prints it."""
        return f"{self.group}/{snapshot_time_text(self.backup_time)}"

    def same_manifest(self, other: Snapshot) -> bool:
        """Whether the manifests would be byte-identical: what a pull compares before re-sync."""
        return (self.encrypted, self.verification, self.notes) == (
            other.encrypted,
            other.verification,
            other.notes,
        )
