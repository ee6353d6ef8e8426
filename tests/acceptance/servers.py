"""Real servers for the acceptance tier, as ``TAPPAAS_ACCEPTANCE_*`` variables describe them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import SecretStr

from tappaas.client import ConnectionSettings, Product, ProxmoxClient

PREFIX = "TAPPAAS_ACCEPTANCE_"
NAME = "tappaas-acceptance"
"""The name (or name prefix) of everything the tier creates."""
PBS_VARIABLES = ("PBS", "PBS_FINGERPRINT", "PBS_TOKEN_ID", "PBS_TOKEN_SECRET", "PBS_DATASTORE")
PVE_VARIABLES = (
    "PVE",
    "PVE_FINGERPRINT",
    "PVE_TOKEN_ID",
    "PVE_TOKEN_SECRET",
    "PVE_NODE",
    "PVE_VMID",
    "PVE_RESTORE_VMID",
    "PVE_TARGET_STORAGE",
)


@dataclass(frozen=True)
class Server:
    """One real server: where it answers, its pinned certificate, the token we use."""

    product: Product
    host: str
    port: int | None
    fingerprint: str
    token_id: str
    token_secret: str
    config_key: str

    @property
    def endpoint(self) -> dict[str, Any]:
        """The ``endpoint`` input of our resources on this server."""
        return {
            "product": self.product.value,
            "host": self.host,
            "port": self.port,
            "fingerprint": self.fingerprint,
            "token_id": self.token_id,
            "token_secret_config": self.config_key,
        }

    def client(self, fingerprint: str | None = None) -> ProxmoxClient:
        """A plain client (set-up, checks, clean-up), pinned like the providers."""
        return ProxmoxClient(
            ConnectionSettings(
                product=self.product,
                host=self.host,
                port=self.port,
                fingerprint=fingerprint or self.fingerprint,
                token_id=self.token_id,
                token_secret=SecretStr(self.token_secret),
            )
        )


def variables(names: tuple[str, ...]) -> dict[str, str]:
    """The named ``TAPPAAS_ACCEPTANCE_*`` values, or a skip naming the missing ones."""
    missing = [PREFIX + name for name in names if not os.environ.get(PREFIX + name)]
    if missing:
        pytest.skip(f"no real server: set {', '.join(missing)} (README: acceptance tier)")
    return {name: os.environ[PREFIX + name] for name in names}


def _address(text: str) -> tuple[str, int | None]:
    """``host``, ``host:port`` or ``[v6]:port``."""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":")
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, ""
    return host, int(port) if port else None


def server(product: Product, values: dict[str, str], config_key: str) -> Server:
    prefix = product.value.upper()
    host, port = _address(values[prefix])
    return Server(
        product=product,
        host=host,
        port=port,
        fingerprint=values[f"{prefix}_FINGERPRINT"],
        token_id=values[f"{prefix}_TOKEN_ID"],
        token_secret=values[f"{prefix}_TOKEN_SECRET"],
        config_key=config_key,
    )


def stack_config(*servers: Server) -> dict[str, Any]:
    """The stack config a user would set with ``pulumi config set --secret`` (project test)."""
    return {f"test:{s.config_key}": s.token_secret for s in servers}
