"""ZFS datapools: which disks, how redundant, and what they are for.

TAPPaaS separates important services (``tanka1``, mirrored) from bulk data (``tankb1``, no
redundancy) and backups (``tankc1``), so disk redundancy is spent where it matters.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, model_validator

from tappaas.model._types import DevicePath, NodeName, StorageId, StrictModel


class PoolRole(StrEnum):
    """What a pool holds: high-importance VMs, everything else, or the local PBS datastore."""

    IMPORTANT = "important"
    BULK = "bulk"
    BACKUP = "backup"


class Redundancy(StrEnum):
    """ZFS layout; PVE's ``raidlevel`` names in ``RAIDLEVEL``."""

    NONE = "none"
    MIRROR = "mirror"
    RAIDZ1 = "raidz1"
    RAIDZ2 = "raidz2"

    @property
    def raidlevel(self) -> str:
        """The value ``POST /nodes/{node}/disks/zfs`` expects."""
        return {"none": "single", "mirror": "mirror", "raidz1": "raidz", "raidz2": "raidz2"}[
            self.value
        ]

    @property
    def min_devices(self) -> int:
        """Fewest disks PVE accepts for this layout."""
        return {"none": 1, "mirror": 2, "raidz1": 3, "raidz2": 4}[self.value]

    @property
    def max_devices(self) -> int | None:
        """PVE's ``single`` takes exactly one disk; the others have no upper bound."""
        return 1 if self is Redundancy.NONE else None

    @property
    def tolerates_disk_failure(self) -> bool:
        """Whether losing one disk keeps the pool online."""
        return self is not Redundancy.NONE


class Compression(StrEnum):
    """ZFS compression algorithms PVE offers."""

    ON = "on"
    OFF = "off"
    GZIP = "gzip"
    LZ4 = "lz4"
    LZJB = "lzjb"
    ZLE = "zle"
    ZSTD = "zstd"


DEFAULT_REDUNDANCY = {
    PoolRole.IMPORTANT: Redundancy.MIRROR,
    PoolRole.BULK: Redundancy.NONE,
    PoolRole.BACKUP: Redundancy.NONE,
}
"""The seed design: mirror the important pool, leave bulk (and by default backup) single."""
DEFAULT_ASHIFT = 12  # 4 KiB sectors, PVE's default
MIN_ASHIFT, MAX_ASHIFT = 9, 16
DEFAULT_COMPRESSION = Compression.ON


class Datapool(StrictModel):
    """One ZFS pool, created on every node listed under ``devices``, with one PVE storage ID.

    Replication needs the same storage ID on both nodes, so a pool has one storage ID
    (default: its name) however many nodes carry it.
    """

    role: PoolRole
    redundancy: Redundancy
    devices: dict[NodeName, Annotated[list[DevicePath], Field(min_length=1)]] = Field(min_length=1)
    storage_id: StorageId
    ashift: Annotated[int, Field(ge=MIN_ASHIFT, le=MAX_ASHIFT)] = DEFAULT_ASHIFT
    compression: Compression = DEFAULT_COMPRESSION

    @model_validator(mode="before")
    @classmethod
    def _redundancy_by_role(cls, data: Any) -> Any:
        """An unset redundancy follows the role (``DEFAULT_REDUNDANCY``)."""
        if isinstance(data, dict) and "redundancy" not in data:
            role = data.get("role")
            if isinstance(role, str) and role in set(PoolRole):
                return {**data, "redundancy": DEFAULT_REDUNDANCY[PoolRole(role)]}
        return data
