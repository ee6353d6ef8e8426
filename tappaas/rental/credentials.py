"""The recovery host's secrets, generated once before any disaster (``tappaas cloud credentials``).

Why before: our providers read credentials only from stack config, so the API token's
secret must be in the stack before the host exists; and the stack pins the host's API
certificate, so its fingerprint must be known before the host answers. The host takes
all of them from its user-data: PVE accepts a token secret written into
``/etc/pve/priv/token.cfg`` (pve-access-control ``src/PVE/TokenConfig.pm``: ``<tokenid>
<uuid>`` lines) and a custom API certificate in ``/etc/pve/local/pveproxy-ssl.*``.
WireGuard keys are X25519 keys in base64 (``wg genkey`` / ``wg pubkey``); the public half
goes to the peer's admin, who lets it into the peer's tunnel.
"""

from __future__ import annotations

import base64
import datetime
import secrets
import uuid
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

CERTIFICATE_DAYS = 3650
RSA_BITS = 3072
PASSWORD_BYTES = 24


@dataclass(frozen=True)
class HostCredentials:
    """Everything generated; secrets masked in reprs, the rest printable."""

    root_password: SecretStr
    api_token: SecretStr
    tls_key: SecretStr
    tls_certificate: SecretStr
    wireguard_key: SecretStr
    fingerprint: str
    wireguard_public_key: str


def certificate_fingerprint(pem: str) -> str:
    """``AA:BB:…``: SHA-256 of the certificate, as PVE shows it and the stack pins it."""
    certificate = x509.load_pem_x509_certificate(pem.encode())
    return certificate.fingerprint(hashes.SHA256()).hex(":").upper()


def wireguard_public_key(private_key: str) -> str:
    """The public half of a base64 WireGuard private key (``wg pubkey``)."""
    key = X25519PrivateKey.from_private_bytes(base64.b64decode(private_key))
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def _certificate(node: str, fqdn: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, fqdn)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=CERTIFICATE_DAYS))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(fqdn), x509.DNSName(node)]), False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode()


def generate_credentials(node: str, fqdn: str) -> HostCredentials:
    """Fresh secrets for one recovery host."""
    key_pem, certificate_pem = _certificate(node, fqdn)
    wireguard = base64.b64encode(
        X25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
    ).decode()
    return HostCredentials(
        root_password=SecretStr(secrets.token_urlsafe(PASSWORD_BYTES)),
        api_token=SecretStr(str(uuid.uuid4())),
        tls_key=SecretStr(key_pem),
        tls_certificate=SecretStr(certificate_pem),
        wireguard_key=SecretStr(wireguard),
        fingerprint=certificate_fingerprint(certificate_pem),
        wireguard_public_key=wireguard_public_key(wireguard),
    )
