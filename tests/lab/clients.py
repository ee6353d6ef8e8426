"""proxmoxer clients for lab endpoints, pinned to the served certificate's fingerprint."""

from __future__ import annotations

from typing import Any

import requests
from proxmoxer import ProxmoxAPI
from requests.adapters import HTTPAdapter

from lab import Endpoint


class _PinnedAdapter(HTTPAdapter):
    def __init__(self, fingerprint: str) -> None:
        self._fingerprint = fingerprint.replace(":", "").lower()
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["assert_fingerprint"] = self._fingerprint
        super().init_poolmanager(*args, **kwargs)


def client(
    endpoint: Endpoint,
    *,
    password: bool = False,
    token_secret: str | None = None,
    token_id: str | None = None,
) -> Any:
    """A proxmoxer API for ``endpoint`` (token auth unless ``password``)."""
    service = endpoint.product.upper()
    if password:
        api = ProxmoxAPI(
            endpoint.host,
            port=endpoint.port,
            user=endpoint.root_userid,
            password=endpoint.root_password,
            verify_ssl=False,
            service=service,
            timeout=30,
        )
    else:
        user, _, name = (token_id or endpoint.token_id).partition("!")
        api = ProxmoxAPI(
            endpoint.host,
            port=endpoint.port,
            user=user,
            token_name=name,
            token_value=token_secret or endpoint.token_secret,
            verify_ssl=False,
            service=service,
            timeout=30,
        )
    api._store["session"].mount("https://", _PinnedAdapter(endpoint.fingerprint))
    return api


def raw(
    endpoint: Endpoint, method: str, path: str, *, auth: bool = True, **kwargs: Any
) -> requests.Response:
    """A plain HTTPS request to ``/api2/json<path>`` with the boot token."""
    session = requests.Session()
    session.mount("https://", _PinnedAdapter(endpoint.fingerprint))
    headers = dict(kwargs.pop("headers", {}))
    if auth:
        separator = "=" if endpoint.product == "pve" else ":"
        prefix = "PVEAPIToken" if endpoint.product == "pve" else "PBSAPIToken"
        headers["Authorization"] = f"{prefix}={endpoint.token_id}{separator}{endpoint.token_secret}"
    return session.request(
        method,
        f"{endpoint.url}/api2/json{path}",
        headers=headers,
        verify=False,
        timeout=30,
        **kwargs,
    )
