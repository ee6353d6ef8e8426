"""Which Proxmox instance a resource lives on, and how the provider gets its credential.

The endpoint travels as an ordinary (non-secret) input: host, port, pinned fingerprint and
API token id. The token *secret* never does: ``token_secret_config`` names a stack config key
(``pulumi config set --secret <key> …``) that the dynamic provider reads in ``configure()``.
So no secret is pickled with the provider or stored in the resource's inputs.
"""

from __future__ import annotations

from pulumi.dynamic import Config
from pydantic import BaseModel, ConfigDict, SecretStr

from tappaas.client import ConnectionSettings, Product, ProxmoxClient, RetryPolicy
from tappaas.client.retry import API_CALL
from tappaas.model.secrets import clean_token_secret


class Endpoint(BaseModel):
    """Address, TLS pin and token id of one PVE cluster or PBS (no secret inside)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    product: Product
    host: str
    port: int | None = None
    fingerprint: str | None = None
    token_id: str
    token_secret_config: str
    """Name of the stack config key holding the token secret, e.g. ``localPbsToken``."""


class MissingCredentialError(RuntimeError):
    """The stack config lacks the secret an endpoint refers to."""


class Credentials:
    """Token secrets by config key, as handed to the provider by ``configure()``."""

    def __init__(self, config: Config) -> None:
        self._config = config

    def secret(self, key: str) -> SecretStr:
        value = self._config.get(key)
        if value in (None, ""):
            raise MissingCredentialError(
                f"stack config key '{key}' is not set: run "
                f"`pulumi config set --secret {key} <token secret>`"
            )
        return SecretStr(clean_token_secret(str(value), f"stack config key '{key}'"))

    def client(self, endpoint: Endpoint, retry: RetryPolicy = API_CALL) -> ProxmoxClient:
        settings = ConnectionSettings(
            product=endpoint.product,
            host=endpoint.host,
            port=endpoint.port,
            fingerprint=endpoint.fingerprint,
            token_id=endpoint.token_id,
            token_secret=self.secret(endpoint.token_secret_config),
        )
        return ProxmoxClient(settings, retry=retry)
