"""Read-only access to an OPNsense firewall's API (the TAPPaaS firewall VM runs OPNsense).

Public API::

    from tappaas.opnsense import OpnsenseClient, OpnsenseConnection, read_unbound, OpnsenseError

- ``OpnsenseClient(OpnsenseConnection(...))`` sends authenticated GETs (API key and secret
  as HTTP basic auth, as OPNsense expects); TLS is pinned to a SHA-256 fingerprint or
  verified against the trust store, never switched off. It has no method that writes.
- ``read_unbound(client) -> UnboundSettings`` reads Unbound's settings and host overrides.
- Errors: ``OpnsenseError`` → ``OpnsenseUnreachableError`` (connection, TLS, timeout),
  ``OpnsenseAuthError`` (401 bad key/secret, 403 missing privilege), ``OpnsenseApiError``
  (any other answer we cannot use).
"""

from tappaas.opnsense.client import (
    OpnsenseApiError,
    OpnsenseAuthError,
    OpnsenseClient,
    OpnsenseConnection,
    OpnsenseError,
    OpnsenseUnreachableError,
)
from tappaas.opnsense.unbound import read_unbound

__all__ = [
    "OpnsenseApiError",
    "OpnsenseAuthError",
    "OpnsenseClient",
    "OpnsenseConnection",
    "OpnsenseError",
    "OpnsenseUnreachableError",
    "read_unbound",
]
