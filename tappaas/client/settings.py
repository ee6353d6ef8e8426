"""How to reach one Proxmox VE cluster or Proxmox Backup Server, and with which credential."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator

from tappaas.client.tls import normalize_fingerprint
from tappaas.model._types import join_address
from tappaas.model.secrets import clean_token_secret

DEFAULT_PORTS = {"pve": 8006, "pbs": 8007}
DEFAULT_TIMEOUT_SECONDS = 30.0
"""Per request; proxmoxer's 5 s default is too short for a busy PVE answering a config write."""
DEFAULT_TASK_TIMEOUT_SECONDS = 1800.0
"""How long we poll an async task (a VM restore or datastore creation can take minutes)."""
DEFAULT_TASK_POLL_SECONDS = 1.0


class Product(StrEnum):
    """The two Proxmox products we talk to; they differ in auth headers, errors and UPIDs."""

    PVE = "pve"
    PBS = "pbs"


class ConnectionSettings(BaseModel):
    """Endpoint, TLS trust and API token for one product instance.

    TLS: a pinned ``fingerprint`` (the usual case for self-signed Proxmox certificates), or a
    ``ca_file``, or neither (the system trust store). Verification is never switched off.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    product: Product
    host: str
    port: int | None = None
    fingerprint: str | None = None
    ca_file: Path | None = None
    token_id: str = Field(pattern=r"^[^!@\s]+@[^!\s]+![A-Za-z0-9._-]+$")
    token_secret: SecretStr
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    task_timeout: float = DEFAULT_TASK_TIMEOUT_SECONDS
    task_poll_interval: float = DEFAULT_TASK_POLL_SECONDS

    @field_validator("fingerprint")
    @classmethod
    def _fingerprint_shape(cls, value: str | None) -> str | None:
        if value is not None:
            normalize_fingerprint(value)
        return value

    @field_validator("token_secret")
    @classmethod
    def _token_secret_shape(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        """Stripped, and refused (without echoing it) if it could not be a token secret."""
        owner = info.data.get("token_id", "the API token")
        return SecretStr(clean_token_secret(value.get_secret_value(), f"the secret of {owner}"))

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.product]

    @property
    def base_url(self) -> str:
        return f"https://{join_address(self.host, self.effective_port)}"

    @property
    def user(self) -> str:
        return self.token_id.split("!", 1)[0]

    @property
    def token_name(self) -> str:
        return self.token_id.split("!", 1)[1]
