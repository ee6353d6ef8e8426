"""The off-site copy: which peer holds it, and how backups travel there.

A peer is another TAPPaaS site whose PBS keeps our backups (and we may keep theirs). Pull is
the default and preferred: the peer reads from us with a read-only token, so an attacker who
owns this site holds no credential that can touch the off-site copy. Push gives our PBS a
write-no-delete token on the peer instead.

The peer is named either by its Pulumi stack (``organization/tappaas/peer``; the program reads
its endpoint, fingerprint, datastore and namespace from the stack's outputs) or explicitly.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from tappaas.model._types import (
    MAX_NAMESPACE_DEPTH,
    Address,
    ByteRate,
    Fingerprint,
    Namespace,
    PbsId,
    Schedule,
    SiteName,
    StackName,
    StrictModel,
    TokenId,
)
from tappaas.model.retention import Retention
from tappaas.model.secrets import ApiToken

DEFAULT_SYNC_SCHEDULE = "04:00"
"""TAPPaaS ``pullSchedule``: after the 02:00 backup and 03:00 prune."""
GUEST_NAMESPACE_PREFIX = "remote"
"""A guest's copy lives in ``remote/<site>`` on the peer (TAPPaaS ``remote.json``)."""
DEFAULT_REMOTE_ID = "tappaas-peer"
DEFAULT_READER_TOKEN_ID = "tappaas-peer@pbs!pull"
"""Created on our PBS for a pulling peer: DatastoreReader on our backups, nothing else."""


class Direction(StrEnum):
    """Who starts the sync: the peer pulls (preferred) or we push."""

    PULL = "pull"
    PUSH = "push"


def guest_namespace(site: str) -> str:
    """Default namespace of ``site``'s copy on a peer."""
    return f"{GUEST_NAMESPACE_PREFIX}/{site}"


class SyncSettings(StrictModel):
    """What both ends of a sync agree on: direction, timing, filters and what the copy keeps."""

    direction: Direction = Direction.PULL
    schedule: Schedule = DEFAULT_SYNC_SCHEDULE
    rate_limit: ByteRate | None = None
    encrypted_only: bool = True
    """Sync only client-side encrypted snapshots, so the peer never receives plaintext."""
    remove_vanished: bool = False
    """Off: a snapshot deleted (or pruned, or destroyed) here stays on the peer."""
    accept_deletable_copy: bool = False
    """With push and ``remove_vanished``, the site's writer token holds DatastorePowerUser on
    its copy and can delete all of it through the API at any time: the policy refuses that
    unless this key says the risk is understood."""
    retention: Retention = Retention()
    """What the peer keeps of this copy (its prune job on the namespace)."""
    max_depth: Annotated[int, Field(ge=0, le=MAX_NAMESPACE_DEPTH)] | None = 0
    """How deep below the source namespace the sync reaches: 0 (the site's own groups only;
    a peer's guests' copies live below its root) unless the layout needs more; null = all."""


class Remote(SyncSettings):
    """Where this site's off-site copy lives: a peer stack, or address + fingerprint + datastore.

    ``credential`` is only for push (a token on the peer that may back up but not delete); for
    pull, the program creates ``reader_token_id`` on our PBS for the peer to read with.
    """

    peer_stack: StackName | None = None
    address: Address | None = None
    fingerprint: Fingerprint | None = None
    datastore: PbsId | None = None
    namespace: Namespace
    """Namespace of our copy in the peer's datastore (default ``remote/<site name>``)."""
    remote_id: PbsId = DEFAULT_REMOTE_ID
    """Name of the PBS remote entry on our side (push only)."""
    credential: ApiToken | None = None
    reader_token_id: TokenId = DEFAULT_READER_TOKEN_ID


class GuestSite(SyncSettings):
    """A site whose backups this peer keeps, in ``namespace`` of our datastore.

    Named by address, fingerprint, datastore and ``credential`` (the guest's read-only token,
    as ``tappaas peer accept`` writes them), or by its ``stack`` — which reads the guest's
    outputs and so needs the guest's state and passphrase: for one operator running both
    stacks only. For push, the program creates ``writer_token_id`` here with DatastoreBackup
    on the namespace only (write, no delete).
    """

    stack: StackName | None = None
    address: Address | None = None
    fingerprint: Fingerprint | None = None
    datastore: PbsId | None = None
    remote_namespace: Namespace = ""
    """Namespace to read on the guest's PBS (pull)."""
    namespace: Namespace
    credential: ApiToken | None = None
    writer_token_id: TokenId


class PeerSettings(StrictModel):
    """Role ``peer``: the guest sites whose backups this site's PBS holds."""

    guests: dict[SiteName, GuestSite] = Field(min_length=1)


def restore_token_id(guest: str) -> str:
    """The read-only token a peer mints for ``guest`` on its copy: what a recovery of the
    guest (on a rented host, on the peer) restores with; it may read, never write or delete."""
    return f"{guest}-restore@pbs!dr"
