"""Pairing two sites without shared state: invitations sealed to the receiver's key.

The receiving stack (a peer, or a site's recovery stack) holds an X25519 key pair, its
private half in its own secret config (``PAIRING_KEY``). The granting stack seals an
``Invitation`` — endpoint, fingerprint, datastore, namespace, read-only token — to that
public key with a libsodium sealed box (PyNaCl ``SealedBox``: anonymous sender, only the
private key opens it, tampering fails authentication). The text can travel by mail or chat:
without the receiver's private key it reveals nothing, and it carries nothing but that
read-only access. The receiver then keeps the token in its own secret config; neither side
ever reads the other's state or needs the other's passphrase.
"""

from __future__ import annotations

import base64
import binascii
import json

from nacl.bindings import crypto_box_SEALBYTES
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from pydantic import ValidationError

from tappaas.model.invitation import Invitation

PAIRING_KEY = "tappaasPairingKey"
"""Secret config key holding the receiving stack's private key (base64)."""
KEY_PREFIX = "tappaas-key-v1:"
INVITE_PREFIX = "tappaas-invite-v1:"


class PairingError(ValueError):
    """A key or an invitation cannot be used (the message says why, never a secret)."""


def new_private_key() -> str:
    """A fresh X25519 private key, base64 (for the stack's secret config)."""
    return base64.b64encode(bytes(PrivateKey.generate())).decode()


def _private(text: str) -> PrivateKey:
    try:
        return PrivateKey(base64.b64decode(text.strip(), validate=True))
    except (binascii.Error, ValueError, TypeError) as exc:
        raise PairingError(f"config key {PAIRING_KEY} holds no X25519 private key") from exc


def public_key_text(private_key: str) -> str:
    """``tappaas-key-v1:<base64>``: what the receiver sends to the granting side."""
    public = bytes(_private(private_key).public_key)
    return KEY_PREFIX + base64.b64encode(public).decode()


def _decode(text: str, prefix: str, what: str) -> bytes:
    value = text.strip()
    if not value.startswith(prefix):
        raise PairingError(f"not {what} (it must start with {prefix!r})")
    try:
        return base64.b64decode(value.removeprefix(prefix), validate=True)
    except binascii.Error:
        raise PairingError(f"{what} is damaged (not base64)") from None


def read_public_key(text: str) -> PublicKey:
    """The receiver's key from ``tappaas peer key`` output (checked before anything runs)."""
    raw = _decode(text, KEY_PREFIX, "a tappaas public key")
    try:
        return PublicKey(raw)
    except (ValueError, TypeError):
        raise PairingError("the public key has the wrong length") from None


def read_sealed(text: str) -> bytes:
    """The sealed bytes of ``tappaas peer invite`` output (its shape, before any key)."""
    sealed = _decode(text, INVITE_PREFIX, "a tappaas invitation")
    if len(sealed) <= crypto_box_SEALBYTES:
        raise PairingError("the invitation is cut short (too few bytes to hold anything)")
    return sealed


def seal(invitation: Invitation, public_key: str) -> str:
    """``tappaas-invite-v1:<base64>``: the invitation, readable only with the private key."""
    recipient = read_public_key(public_key)
    document = invitation.model_dump(mode="json")
    document["token_secret"] = invitation.token_secret.get_secret_value()
    sealed = SealedBox(recipient).encrypt(json.dumps(document).encode())
    return INVITE_PREFIX + base64.b64encode(sealed).decode()


def open_invitation(text: str, private_key: str) -> Invitation:
    """The invitation sealed to this private key, validated field by field."""
    sealed = read_sealed(text)
    try:
        plain = SealedBox(_private(private_key)).decrypt(sealed)
    except CryptoError:
        raise PairingError(
            "the invitation was not sealed for this stack's key, or was altered"
        ) from None
    try:
        return Invitation.model_validate_json(plain)
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        raise PairingError(f"the invitation is invalid ({fields})") from None
