"""References to secrets: the stack file names a secret, it never holds one.

``{secret: pbsEncryptionKey}`` means "the value of ``pulumi config set --secret
pbsEncryptionKey …``". The program resolves it with ``pulumi.Config().require_secret(key)``, so
secrets stay encrypted in the stack file and marked secret in state and outputs.
"""

from __future__ import annotations

import re
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


TOKEN_SECRET = re.compile(r"[\x21-\x7e]+")
"""An API token secret: printable ASCII, no spaces (PVE and PBS mint UUIDs)."""


class SecretValueError(ValueError):
    """A secret's value is unusable; the message names where it came from, never the value."""


def clean_secret(value: str, source: str) -> str:
    """``value`` without surrounding whitespace (a newline pasted with it, or left by
    ``echo``); empty is an error naming ``source`` (e.g. the config key)."""
    cleaned = value.strip()
    if not cleaned:
        raise SecretValueError(f"{source} is empty")
    return cleaned


def clean_token_secret(value: str, source: str) -> str:
    """A token secret, stripped; spaces or control characters inside it are an error (it goes
    into an HTTP header, whose library would print it in its own error)."""
    cleaned = clean_secret(value, source)
    if not TOKEN_SECRET.fullmatch(cleaned):
        raise SecretValueError(
            f"{source} holds spaces or control characters inside: not an API token secret "
            "(the value is not shown)"
        )
    return cleaned


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
