"""How a client reaches one lab instance: address, pinned fingerprint and credentials."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Product = Literal["pve", "pbs"]


@dataclass(frozen=True)
class Endpoint:
    """One PVE cluster or PBS instance of the lab (secrets hidden from ``repr``)."""

    name: str
    product: Product
    host: str
    port: int
    fingerprint: str
    root_userid: str
    root_password: str = field(repr=False)
    token_id: str
    token_secret: str = field(repr=False)

    @property
    def url(self) -> str:
        """``https://127.0.0.1:<port>``, the base a Proxmox client is given."""
        return f"https://{self.host}:{self.port}"

    @property
    def token_name(self) -> str:
        """The part of ``token_id`` after ``!`` (what proxmoxer calls ``token_name``)."""
        return self.token_id.split("!", 1)[1]

    def to_dict(self) -> dict[str, object]:
        """Plain data for the ``--detach`` state file (contains the secrets)."""
        return {**asdict(self), "url": self.url}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Endpoint:
        """Inverse of :meth:`to_dict` (extra keys such as ``url`` are ignored)."""
        product = str(data["product"])
        if product not in ("pve", "pbs"):
            raise ValueError(f"unknown product {product!r}")
        return cls(
            name=str(data["name"]),
            product="pve" if product == "pve" else "pbs",
            host=str(data["host"]),
            port=int(str(data["port"])),
            fingerprint=str(data["fingerprint"]),
            root_userid=str(data["root_userid"]),
            root_password=str(data["root_password"]),
            token_id=str(data["token_id"]),
            token_secret=str(data["token_secret"]),
        )
