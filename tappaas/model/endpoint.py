"""Where a Proxmox API answers, and which certificate it must present."""

from __future__ import annotations

from tappaas.model._types import Address, Fingerprint, StrictModel, split_address


class Endpoint(StrictModel):
    """An API address (``host`` or ``host:port``) pinned to a SHA-256 certificate fingerprint.

    Proxmox serves self-signed certificates, so the fingerprint is the trust anchor; it is
    required rather than falling back to "trust anything".
    """

    address: Address
    fingerprint: Fingerprint

    @property
    def host(self) -> str:
        """The host part, without brackets for IPv6."""
        return split_address(self.address)[0]

    @property
    def port(self) -> int | None:
        """The explicit port, or ``None`` for the product default (PVE 8006, PBS 8007)."""
        return split_address(self.address)[1]
