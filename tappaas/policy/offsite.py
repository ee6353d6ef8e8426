"""Findings about the off-site copy's safety: encryption, direction, deletions."""

from __future__ import annotations

from collections.abc import Iterator

from tappaas.model import Direction, SiteConfig, SyncSettings
from tappaas.policy.findings import Code, Finding, Severity
from tappaas.policy.report import ProtectionReport


def offsite_safety(site: SiteConfig, _: ProtectionReport) -> Iterator[Finding]:
    """The peer must get ciphertext, hold no deletable copy, and not mirror our deletions."""
    remote, backup = site.remote, site.backup
    if remote is not None and backup is not None and not backup.encryption.enabled:
        if remote.encrypted_only:
            yield Finding(
                code=Code.NOTHING_TO_SYNC,
                severity=Severity.ERROR,
                path="remote.encrypted_only",
                message="the sync takes only encrypted snapshots but encryption is off: the "
                "peer would receive nothing",
                fix="turn encryption on (backup.encryption.enabled: true) with a key",
            )
        else:
            yield Finding(
                code=Code.OFFSITE_UNENCRYPTED,
                severity=Severity.WARNING,
                path="backup.encryption.enabled",
                message="backups leave the site unencrypted: the peer's operator can read them",
                fix="backup.encryption.enabled: true with a key",
            )
    if remote is not None and remote.direction is Direction.PUSH:
        yield Finding(
            code=Code.PUSH_DIRECTION,
            severity=Severity.WARNING,
            path="remote.direction",
            message="this site pushes to the peer, so it holds a credential for the off-site "
            "copy that an attacker who owns the site can use",
            fix="direction: pull (the peer reads with a read-only token)",
        )
    places: list[tuple[str, SyncSettings]] = [("remote", remote)] if remote is not None else []
    if site.peer is not None:
        places += [(f"peer.guests.{name}", guest) for name, guest in site.peer.guests.items()]
    for path, sync in places:
        if not sync.remove_vanished:
            continue
        if sync.direction is Direction.PUSH:
            yield _push_can_delete(path, sync)
            continue
        yield Finding(
            code=Code.REMOVE_VANISHED,
            severity=Severity.WARNING,
            path=f"{path}.remove_vanished",
            message="snapshots deleted at the source (by mistake or by an attacker) are "
            "deleted from the off-site copy at the next sync",
            fix="remove_vanished: false (retention on the peer prunes old snapshots)",
        )


def _push_can_delete(path: str, sync: SyncSettings) -> Finding:
    """Push with ``remove_vanished``: the writer token needs prune rights on the copy
    (DatastorePowerUser, propagated), so whoever holds it can delete the whole copy through
    the API at any moment, not only by a sync. An error until ``accept_deletable_copy``."""
    accepted = sync.accept_deletable_copy
    return Finding(
        code=Code.PUSH_CAN_DELETE,
        severity=Severity.WARNING if accepted else Severity.ERROR,
        path=f"{path}.remove_vanished",
        message="push with remove_vanished gives the site's writer token DatastorePowerUser on "
        "its off-site copy: anyone who owns the site can delete every snapshot of the copy "
        "through the PBS API at any time, not only by a sync"
        + (" (accepted by accept_deletable_copy)" if accepted else ""),
        fix="remove_vanished: false (the peer's retention prunes), or direction: pull; to "
        "keep it, set accept_deletable_copy: true",
    )
