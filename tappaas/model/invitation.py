"""What one site hands another to pair, and nothing more: an invitation (pure).

A pulling peer needs the site's PBS endpoint, its certificate fingerprint, the datastore and
namespace of the site's backups, and the read-only token the site minted for it. A site that
restores from its peer's copy needs the same of the peer's PBS (the restore token). The
invitation carries exactly those fields, validated with the site model's types, so that no
state file, passphrase or other secret of the granting site ever reaches the other side.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict, SecretStr, field_validator

from tappaas.model._types import (
    Address,
    Fingerprint,
    Namespace,
    PbsId,
    SiteName,
    StrictModel,
    TokenId,
)
from tappaas.model.secrets import clean_token_secret


class InvitationKind(StrEnum):
    """What the token may read."""

    SOURCE = "source"
    """The site's own backups, for a peer to pull (``peer.guests.<site>``)."""
    RESTORE = "restore"
    """The site's copy on a peer, for the site's recovery (``remote`` of a recovery stack)."""


class Invitation(StrictModel):
    """Read-only access to one namespace of one PBS, for one other site."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    kind: InvitationKind
    site: SiteName
    """The site whose backups the token reads."""
    address: Address
    fingerprint: Fingerprint
    datastore: PbsId
    namespace: Namespace
    token_id: TokenId
    token_secret: SecretStr

    @field_validator("token_secret")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        return SecretStr(clean_token_secret(value.get_secret_value(), "the invitation's token"))
