"""An HTTPS session to one OPNsense API that can only read.

OPNsense authenticates API calls by HTTP basic auth with the key as user name and the secret
as password, and answers 401 ``{"status": 401, "message": "Authentication Failed"}`` for a
bad pair and 403 ``{"status": 403, "message": "Forbidden"}`` when the key's user lacks the
page's privilege (opnsense/core ``src/opnsense/mvc/app/controllers/OPNsense/Base/
ApiControllerBase.php``, ``beforeExecuteRoute``). Its GUI certificate is usually
self-signed: pin its fingerprint (System > Trust > Certificates), or make it trusted.
"""

from __future__ import annotations

from typing import Any

import requests
from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from tappaas.client.tls import FingerprintPinningAdapter, normalize_fingerprint
from tappaas.model._types import join_address

DEFAULT_TIMEOUT_SECONDS = 10.0


class OpnsenseError(Exception):
    """Reading the OPNsense API failed; the message says what and where."""


class OpnsenseUnreachableError(OpnsenseError):
    """No usable HTTPS answer: connection refused, timeout, or a certificate we refuse."""


class OpnsenseAuthError(OpnsenseError):
    """401 (wrong key or secret) or 403 (the key's user lacks the privilege)."""


class OpnsenseApiError(OpnsenseError):
    """An answer we cannot use: an unexpected status, or a body that is not the API's."""


class OpnsenseConnection(BaseModel):
    """Where the API answers, which certificate it must present, and the key pair."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str
    port: int = 443
    fingerprint: str | None = None
    """SHA-256 of the certificate (``AA:BB:…``); without it the trust store decides."""
    api_key: SecretStr
    api_secret: SecretStr
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    @field_validator("fingerprint")
    @classmethod
    def _fingerprint_shape(cls, value: str | None) -> str | None:
        if value is not None:
            normalize_fingerprint(value)
        return value

    @property
    def base_url(self) -> str:
        return f"https://{join_address(self.host, self.port)}"


class OpnsenseClient:
    """GET requests to ``/api/...`` with the key pair; JSON bodies out."""

    def __init__(self, connection: OpnsenseConnection) -> None:
        self.connection = connection
        self._session = requests.Session()
        self._session.auth = (
            connection.api_key.get_secret_value(),
            connection.api_secret.get_secret_value(),
        )
        self._session.headers["Accept"] = "application/json"
        # Pinned: the adapter asserts the exact certificate, and chain checks (which would
        # refuse a self-signed one) are off. Passed per request, because requests lets
        # REQUESTS_CA_BUNDLE override a session-wide ``verify``.
        self._verify = not connection.fingerprint
        if connection.fingerprint:
            self._session.mount("https://", FingerprintPinningAdapter(connection.fingerprint))

    def __repr__(self) -> str:
        return f"OpnsenseClient({self.connection.base_url})"

    def close(self) -> None:
        self._session.close()

    def get(self, path: str, /, **params: str) -> Any:
        """``GET <base>/api/<path>``: the decoded JSON body of a 200 answer."""
        url = f"{self.connection.base_url}{path}"
        try:
            response = self._session.get(
                url, params=params, timeout=self.connection.timeout, verify=self._verify
            )
        except requests.exceptions.SSLError as exc:
            if "fingerprint" in str(exc).lower():
                raise OpnsenseUnreachableError(
                    f"{self.connection.base_url} presented a certificate whose SHA-256 "
                    f"fingerprint is not the pinned {self.connection.fingerprint}: refusing "
                    "to talk to it"
                ) from None
            raise OpnsenseUnreachableError(
                f"{self.connection.base_url}: the certificate is not trusted ({exc}); pin its "
                "fingerprint (network.opnsense.fingerprint) or add its CA to the trust store"
            ) from None
        except requests.exceptions.RequestException as exc:
            raise OpnsenseUnreachableError(
                f"{self.connection.base_url}: {type(exc).__name__}: {exc}"
            ) from None
        return _body(response, path)


def _body(response: requests.Response, path: str) -> Any:
    """The JSON body of a 200, or the error OPNsense's status and message describe."""
    try:
        body = response.json()
    except ValueError:
        body = None
    message = (body.get("message") or body.get("errorMessage")) if isinstance(body, dict) else None
    where = f"GET {path}"
    if response.status_code == 401:
        raise OpnsenseAuthError(
            f"{where}: 401 {message or 'Unauthorized'}: check the API key and secret"
        )
    if response.status_code == 403:
        raise OpnsenseAuthError(
            f"{where}: 403 {message or 'Forbidden'}: the key's user needs the privilege "
            "'Services: Unbound' (System > Access > Users)"
        )
    if response.status_code != 200 or body is None:
        detail = message or response.reason or "not JSON"
        raise OpnsenseApiError(f"{where}: {response.status_code} {detail}")
    return body
