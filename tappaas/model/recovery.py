"""Disaster recovery: which recovery methods are prepared, and in which order services return."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from tappaas.model._types import ServiceName, StrictModel, matching
from tappaas.model.secrets import SecretRef

MIN_VLAN, MAX_VLAN = 1, 4094
MIN_VMID, MAX_VMID = 100, 999_999_999
GENERATION_VMID_STRIDE = 100_000
"""Generation ``g`` of a service restores as VM ``g * 100000 + vmid`` unless ``vmid`` says
otherwise: a new VM beside the one it replaces."""
SnapshotTime = Annotated[
    str,
    matching(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "a snapshot time like '2025-01-16T02:00:04Z'"),
]
BridgeName = Annotated[str, matching(r"[A-Za-z][A-Za-z0-9_.\-]{0,14}", "a Linux bridge name")]


class RecoveryMethod(StrEnum):
    """The seed design's three recovery kinds, with "rebuild" split by where the backup is."""

    LOCAL_REBUILD = "local-rebuild"
    """Restore from the local PBS onto this cluster."""
    REMOTE_REBUILD = "remote-rebuild"
    """Restore onto this (rebuilt) cluster from the peer's copy."""
    PEER_RESTORE = "peer-restore"
    """Run the services on the peer, in an isolated VLAN, until the site is back."""
    CLOUD = "cloud"
    """Rent cloud VMs (a ``cloud-recovery`` stack) and restore there."""


SOURCE_STORAGE = "tappaas-dr"
"""PVE storage ID, on the cluster restoring, of the copy being restored from."""
DEFAULT_METHODS = (RecoveryMethod.LOCAL_REBUILD, RecoveryMethod.REMOTE_REBUILD)


class RestorePoint(StrictModel):
    """An explicit restore of one service: which snapshot, and which generation.

    A restored VM is production data, so it is restored once and then left alone: changing
    other recovery settings later changes nothing. To restore again (e.g. from an older,
    clean snapshot), raise ``generation``: a new VM is restored beside the old one, which is
    kept (protected) until an admin removes it.
    """

    generation: Annotated[int, Field(ge=0)] = 0
    snapshot: SnapshotTime | None = None
    """The backup time to restore (default: the newest when the restore runs)."""
    vmid: Annotated[int, Field(ge=MIN_VMID, le=MAX_VMID)] | None = None
    """Where this generation lands (default: the service's vmid, plus generation x 100000)."""

    def vmid_for(self, service_vmid: int) -> int:
        return self.vmid or self.generation * GENERATION_VMID_STRIDE + service_vmid


class RecoverySettings(StrictModel):
    """Prepared recovery methods, restore target network and order."""

    methods: tuple[RecoveryMethod, ...] = DEFAULT_METHODS
    vlan: Annotated[int, Field(ge=MIN_VLAN, le=MAX_VLAN)] | None = None
    """VLAN tag for restored services on a peer, isolated from the peer's own network."""
    bridge: BridgeName | None = None
    restore_order: tuple[ServiceName, ...] = ()
    """Services restored first, in this order; the rest follow by vmid."""
    live_restore: bool = True
    """Start a VM while its disks stream from PBS (PVE ``live-restore``): minutes, not hours."""
    restore: dict[ServiceName, RestorePoint] = {}
    """Per service: restore a named snapshot, or restore again (``generation``)."""
    encryption_key: SecretRef | None = None
    """The site's backup encryption key (a ``cloud-recovery`` stack restores with it; a key
    minted on the recovery cluster could never decrypt the site's backups)."""
