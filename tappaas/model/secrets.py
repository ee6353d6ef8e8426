"""References to secrets: the stack file names a secret, it never holds one.

``{secret: pbsEncryptionKey}`` means "the value of ``pulumi config set --secret
pbsEncryptionKey …``". The program resolves it with ``pulumi.Config().require_secret(key)``, so
secrets stay encrypted in the stack file and marked secret in state and outputs.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import model_validator

from tappaas.model._types import StrictModel, TokenId, matching

ConfigKey = Annotated[
    str,
    matching(
        r"(?:[A-Za-z][A-Za-z0-9_\-]*:)?[A-Za-z][A-Za-z0-9_.\-]*",
        "a Pulumi config key (e.g. 'pbsEncryptionKey' or 'tappaas:pbsEncryptionKey')",
    ),
]


class SecretRef(StrictModel):
    """The name of a secret stack-config key, e.g. ``{secret: pveApiToken}``."""

    secret: ConfigKey

    @model_validator(mode="before")
    @classmethod
    def _no_inline_secrets(cls, data: Any) -> Any:
        """Refuse a value pasted in place of a reference, with the command that fixes it."""
        if isinstance(data, str) or (isinstance(data, dict) and "secure" in data):
            raise ValueError(
                "secrets are not written in the site config: run `pulumi config set --secret "
                "<name> <value>` and write {secret: <name>} here"
            )
        return data

    @property
    def key(self) -> str:
        """The config key without a ``project:`` prefix, for ``Config().require_secret``."""
        return self.secret.rpartition(":")[2]

    @property
    def namespace(self) -> str | None:
        """The ``project:`` prefix of the key, if written (else this project's config)."""
        prefix, _, _ = self.secret.rpartition(":")
        return prefix or None


class ApiToken(StrictModel):
    """A Proxmox API token: its ID in the clear, its secret by reference."""

    token_id: TokenId
    token_secret: SecretRef
