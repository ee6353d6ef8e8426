"""Where the readers look, with which credential: the site's own, nothing new.

- ``pve``: the cluster API with the stack's PVE token (``cluster.api.api_token``);
- ``local``: the site's PBS with the stack's PBS token (``backup.pbs.api_token``);
- the off-site copy. With pull (the default) the site holds no credential on the peer — by
  design, so that an attacker on the site cannot reach the copy. What it can see is its own
  PBS's task log: each snapshot the peer fetched with its read-only token (the stack's
  ``offsite_source`` output names it) is a ``reader`` task there. A credential on the
  peer lists the copy itself: with push, the site's write token; or the read-only restore
  token the peer minted for the site, where the operator holds it (a recovery stack).
"""

from __future__ import annotations

from dataclasses import dataclass

from tappaas.client import ProxmoxClient
from tappaas.health import PeerView

PVE = "pve"
LOCAL_PBS = "pbs local"
PEER = "peer"


@dataclass(frozen=True)
class PeerAccess:
    """How to see the off-site copy: the peer's reads in our task log, or the copy itself."""

    view: PeerView
    reader_token_id: str | None = None
    """Pull: the token the peer reads with (its reads are our ``reader`` tasks)."""
    client: ProxmoxClient | None = None
    """Listing: a token on the peer (our push token, or the peer's restore token for us)."""
    store: str | None = None
    namespace: str = ""


@dataclass(frozen=True)
class Sources:
    """The clients the readers use."""

    pve: ProxmoxClient
    local: ProxmoxClient
    peer: PeerAccess | None = None
