"""The copies of a service's data that the site config produces, for 3-2-1 and RPO/RTO.

A copy counts only if the config really produces it: no remote copy when the sync would
filter everything out (``encrypted_only`` with encryption off), no removable copy without the
personal disk.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from tappaas.model import PersonalExport, Service, SiteConfig


class CopyKind(StrEnum):
    """Where a copy lives."""

    LIVE = "live disk"
    REPLICA = "zfs replica"
    LOCAL_PBS = "local pbs"
    REMOTE_PBS = "remote pbs"
    REMOVABLE = "removable disk"
    NATIVE_EXPORT = "native export"


class DataFormat(StrEnum):
    """The three formats of the seed design's "2 different formats"."""

    BLOCK = "block/zfs"
    PBS = "pbs chunks"
    NATIVE = "application export"


class Copy(BaseModel):
    """One copy: its kind, format, where it is, whether off-site, what refreshes it."""

    model_config = ConfigDict(frozen=True)

    kind: CopyKind
    format: DataFormat
    location: str
    offsite: bool
    schedule: str | None = None
    """Calendar event that refreshes it; ``None`` for the live disk and on-mount copies."""


def remote_copy_arrives(site: SiteConfig) -> bool:
    """Whether the sync to the peer transfers anything (an encrypted-only sync of unencrypted
    backups skips every snapshot)."""
    if site.remote is None or site.backup is None:
        return False
    return site.backup.encryption.enabled or not site.remote.encrypted_only


def copies_of(site: SiteConfig, service: Service) -> tuple[Copy, ...]:
    """Every copy ``service``'s data has under ``site``'s config, live disk first."""
    copies = [
        Copy(kind=CopyKind.LIVE, format=DataFormat.BLOCK, location=service.node, offsite=False)
    ]
    if service.replication.enabled and service.ha.failover_node is not None:
        copies.append(
            Copy(
                kind=CopyKind.REPLICA,
                format=DataFormat.BLOCK,
                location=service.ha.failover_node,
                offsite=False,
                schedule=service.replication.schedule,
            )
        )
    backup = site.backup if service.backup.enabled else None
    if backup is not None:
        copies.append(
            Copy(
                kind=CopyKind.LOCAL_PBS,
                format=DataFormat.PBS,
                location=f"{backup.pbs.node}:{backup.pbs.datastore}",
                offsite=False,
                schedule=backup.schedule,
            )
        )
        if site.remote is not None and remote_copy_arrives(site):
            peer = site.remote.peer_stack or site.remote.address
            copies.append(
                Copy(
                    kind=CopyKind.REMOTE_PBS,
                    format=DataFormat.PBS,
                    location=f"{peer}:{site.remote.namespace}",
                    offsite=True,
                    schedule=site.remote.schedule,
                )
            )
    personal = site.personal
    if personal is not None:
        if service.personal_export is PersonalExport.PBS and backup is not None:
            copies.append(
                Copy(
                    kind=CopyKind.REMOVABLE,
                    format=DataFormat.PBS,
                    location=personal.datastore,
                    offsite=personal.offsite,
                )
            )
        if service.personal_export is PersonalExport.NATIVE:
            copies.append(
                Copy(
                    kind=CopyKind.NATIVE_EXPORT,
                    format=DataFormat.NATIVE,
                    location=personal.datastore,
                    offsite=personal.offsite,
                )
            )
    return tuple(copies)
