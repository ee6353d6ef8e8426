"""Login tickets and CSRF prevention tokens, shaped as both products issue them.

Ticket: ``PVE:<userid>:<HEX8 time>::<signature>`` (``PBS:`` on PBS), valid two hours.
CSRF token: ``<HEX8 time>:<signature>``, required with ticket auth on every non-GET.
Signatures are HMACs with a per-instance secret, so tickets of one instance are worthless
on another, as with real clusters. Tickets live on wall-clock time even when the lab's clock
is simulated: a client (proxmoxer renews after an hour of its own time) must not be logged
out because the lab jumped a year ahead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field

TICKET_LIFETIME_SECONDS = 2 * 3600
CLOCK_SKEW_SECONDS = 300


def _sign(secret: bytes, text: str) -> str:
    digest = hmac.new(secret, text.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode().rstrip("=")


@dataclass
class TicketAuthority:
    """Issues and checks tickets for one instance (``prefix`` is ``PVE`` or ``PBS``)."""

    prefix: str
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    def issue(self, userid: str, now: float | None = None) -> tuple[str, str]:
        """A fresh ticket and CSRF token for ``userid``."""
        stamp = f"{int(time.time() if now is None else now):08X}"
        plain = f"{self.prefix}:{userid}:{stamp}"
        ticket = f"{plain}::{_sign(self.secret, plain)}"
        csrf = f"{stamp}:{_sign(self.secret, f'{stamp}:{userid}')}"
        return ticket, csrf

    def verify_ticket(self, ticket: str, now: float | None = None) -> str | None:
        """The userid of a valid, unexpired ticket, else None."""
        plain, sep, signature = ticket.partition("::")
        parts = plain.split(":")
        if not sep or len(parts) != 3 or parts[0] != self.prefix:
            return None
        if not hmac.compare_digest(_sign(self.secret, plain), signature):
            return None
        if not self._fresh(parts[2], now):
            return None
        return parts[1]

    def verify_csrf(self, userid: str, token: str | None, now: float | None = None) -> bool:
        """Whether ``token`` is the CSRF token issued with ``userid``'s ticket."""
        if not token or ":" not in token:
            return False
        stamp, _, signature = token.partition(":")
        expected = _sign(self.secret, f"{stamp}:{userid}")
        return hmac.compare_digest(expected, signature) and self._fresh(stamp, now)

    @staticmethod
    def _fresh(stamp: str, now: float | None) -> bool:
        try:
            issued = int(stamp, 16)
        except ValueError:
            return False
        age = (time.time() if now is None else now) - issued
        return -CLOCK_SKEW_SECONDS < age < TICKET_LIFETIME_SECONDS
