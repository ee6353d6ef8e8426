"""proxmoxer clients for a lab's endpoints, pinned to each certificate's fingerprint.

Scenarios configure and inspect the lab the way the program and an operator would: over
HTTPS, with API tokens, through proxmoxer (whose request logging stays quiet).
"""

from __future__ import annotations

import logging
from typing import Any

from proxmoxer import ProxmoxAPI
from requests.adapters import HTTPAdapter

from lab.endpoint import Endpoint

TIMEOUT_SECONDS = 30
logging.getLogger("proxmoxer").setLevel(logging.WARNING)


class _Pinned(HTTPAdapter):
    """Accept exactly the certificate with this SHA-256 fingerprint."""

    def __init__(self, fingerprint: str) -> None:
        self._fingerprint = fingerprint.replace(":", "").lower()
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["assert_fingerprint"] = self._fingerprint
        super().init_poolmanager(*args, **kwargs)


def api(endpoint: Endpoint, token_id: str | None = None, token_secret: str | None = None) -> Any:
    """A proxmoxer API for ``endpoint`` with a token (default: the endpoint's boot token)."""
    user, _, name = (token_id or endpoint.token_id).partition("!")
    client = ProxmoxAPI(
        endpoint.host,
        port=endpoint.port,
        user=user,
        token_name=name,
        token_value=token_secret or endpoint.token_secret,
        verify_ssl=False,
        service=endpoint.product.upper(),
        timeout=TIMEOUT_SECONDS,
    )
    client._store["session"].mount("https://", _Pinned(endpoint.fingerprint))
    return client
