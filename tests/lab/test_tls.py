"""Each instance serves its own certificate, and the reported fingerprint is its SHA-256."""

from __future__ import annotations

import hashlib
import ssl

import pytest
import requests

from tests.lab.clients import _PinnedAdapter, client


def _served_fingerprint(host: str, port: int) -> str:
    pem = ssl.get_server_certificate((host, port))
    der = ssl.PEM_cert_to_DER_cert(pem)
    return hashlib.sha256(der).digest().hex(":").upper()


def test_fingerprints_match_the_served_certificates(lab):
    seen = set()
    for endpoint in lab.endpoints():
        assert _served_fingerprint(endpoint.host, endpoint.port) == endpoint.fingerprint
        assert len(endpoint.fingerprint.split(":")) == 32
        seen.add(endpoint.fingerprint)
    assert len(seen) == len(lab.endpoints())


def test_pbs_node_status_reports_the_fingerprint(lab):
    endpoint = lab.pbs["local"]
    status = client(endpoint).nodes("localhost").status.get()
    assert status["info"]["fingerprint"] == endpoint.fingerprint


def test_a_wrong_pin_is_refused(lab):
    endpoint = lab.pbs["peer"]
    wrong = lab.pbs["local"]
    api = client(endpoint)
    api._store["session"].adapters.clear()
    api._store["session"].mount("https://", _PinnedAdapter(wrong.fingerprint))
    with pytest.raises(requests.exceptions.SSLError):
        api.version.get()
