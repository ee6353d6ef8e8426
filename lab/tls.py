"""TLS material for the lab: one CA per lab, and a certificate per instance signed by it.

Every instance gets its own key and certificate so that clients pin a real, distinct
fingerprint, exactly as they must against a real PVE/PBS. The certificates are signed by the
lab's own CA, as a PVE cluster signs its nodes' ``pve-ssl.pem`` with ``pve-root-ca.pem``
(pve-cluster ``PVE/Cert.pm``): a client that cannot pin (the upstream Terraform-based
provider) verifies them through the CA file instead (``SSL_CERT_FILE``).
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
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

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


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def mint_ca(common_name: str) -> TlsMaterial:
    """A lab's certificate authority (its PEM is what clients put in ``SSL_CERT_FILE``)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + CERT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    return TlsMaterial(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=_key_pem(key),
        fingerprint=proxmox_fingerprint(der),
    )


def mint(common_name: str, ca: TlsMaterial | None = None) -> TlsMaterial:
    """A fresh P-256 key and a server certificate for 127.0.0.1 and localhost, signed by
    ``ca`` (by a throwaway CA of its own without one); the fingerprint is the leaf's, as
    Proxmox prints it."""
    issuer = ca if ca is not None else mint_ca(common_name)
    ca_cert = x509.load_pem_x509_certificate(issuer.cert_pem)
    ca_key = serialization.load_pem_private_key(issuer.key_pem, password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_cert.subject)
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
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return TlsMaterial(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=_key_pem(key),
        fingerprint=proxmox_fingerprint(cert.public_bytes(serialization.Encoding.DER)),
    )
