"""Self-signed TLS material for one lab instance, minted at start.

Every instance gets its own key and certificate so that clients pin a real, distinct
fingerprint, exactly as they must against a real PVE/PBS with its self-signed certificate.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CERT_VALIDITY = datetime.timedelta(days=3650)
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class TlsMaterial:
    """A PEM certificate and key, and the fingerprint Proxmox would print for it."""

    cert_pem: bytes
    key_pem: bytes
    fingerprint: str

    def server_context(self) -> ssl.SSLContext:
        """A server-side context; ``load_cert_chain`` only reads files, hence the temp dir."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        with tempfile.TemporaryDirectory(prefix="tappaas-lab-tls-") as tmp:
            cert_file, key_file = Path(tmp, "cert.pem"), Path(tmp, "key.pem")
            cert_file.write_bytes(self.cert_pem)
            key_file.write_bytes(self.key_pem)
            context.load_cert_chain(cert_file, key_file)
        return context


def proxmox_fingerprint(der: bytes) -> str:
    """SHA-256 of the DER certificate as 32 colon-separated upper-case hex pairs."""
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    return digest.finalize().hex(":").upper()


def mint(common_name: str) -> TlsMaterial:
    """A fresh P-256 key and a self-signed certificate valid for 127.0.0.1 and localhost."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + CERT_VALIDITY)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(LOOPBACK))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return TlsMaterial(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        fingerprint=proxmox_fingerprint(cert.public_bytes(serialization.Encoding.DER)),
    )
