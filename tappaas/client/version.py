"""Which Proxmox release answers, and whether it is new enough for what we are about to send.

``GET /version`` answers on both products, but not alike: PVE's ``version`` is the whole
package version (``9.1.2``, pve-manager ``PVE/pvecfg.pm.in``); PBS's is major.minor with the
patch level in ``release`` (``4.2`` + ``3``, proxmox-backup ``pbs-buildcfg/src/lib.rs``).
An option newer than the server is refused by its schema with a bare "schema does not allow
additional properties"; we check first and name the option and the release that added it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tappaas.client.errors import UnsupportedVersionError
from tappaas.client.settings import Product

VersionTuple = tuple[int, int, int]
MINIMUM_VERSIONS: dict[Product, VersionTuple] = {Product.PVE: (9, 0, 0), Product.PBS: (4, 0, 0)}
"""The oldest releases this program supports (PVE 9: HA rules replace groups; PBS 4)."""


def show(version: VersionTuple) -> str:
    return ".".join(str(part) for part in version)


@dataclass(frozen=True)
class ServerVersion:
    """A server's release as a comparable triple."""

    product: Product
    number: VersionTuple

    @classmethod
    def from_api(cls, product: Product, data: Any) -> ServerVersion:
        """From a ``/version`` answer of ``product``."""
        if not isinstance(data, dict):
            raise UnsupportedVersionError(f"{product.upper()} /version answered {data!r}")
        parts = re.findall(r"\d+", str(data.get("version", "")).split("-", 1)[0])
        release = str(data.get("release", ""))
        if product is Product.PBS and len(parts) == 2 and release.isdigit():
            parts.append(release)
        if not parts:
            raise UnsupportedVersionError(f"{product.upper()} /version answered {data!r}")
        numbers = [int(part) for part in parts[:3]] + [0] * (3 - len(parts[:3]))
        return cls(product, (numbers[0], numbers[1], numbers[2]))

    def __str__(self) -> str:
        return f"{self.product.upper()} {show(self.number)}"
