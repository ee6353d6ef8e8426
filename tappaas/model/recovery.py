"""Disaster recovery: which recovery methods are prepared, and in which order services return."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from tappaas.model._types import ServiceName, StrictModel, matching
from tappaas.model.secrets import SecretRef

MIN_VLAN, MAX_VLAN = 1, 4094
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


DEFAULT_METHODS = (RecoveryMethod.LOCAL_REBUILD, RecoveryMethod.REMOTE_REBUILD)


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
    encryption_key: SecretRef | None = None
    """The site's backup encryption key (a ``cloud-recovery`` stack restores with it; a key
    minted on the recovery cluster could never decrypt the site's backups)."""
