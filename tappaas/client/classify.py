"""Turning an HTTP error answer from PVE or PBS into the right ``ApiError`` subclass.

Why a table of texts: Proxmox signals most conditions only in the message. PVE reports a
missing object as ``500 … does not exist`` and puts the first line of the message in the HTTP
reason phrase; PBS answers ``400 no such sync 'x'`` with the text as a plain body. Lock
timeouts arrive as 500s that are worth retrying; a stale digest is a conflict.
"""

from __future__ import annotations

from collections.abc import Mapping

from tappaas.client.errors import (
    ApiError,
    AuthError,
    ConflictError,
    NotFoundError,
    ParameterError,
    TransientApiError,
)

NOT_FOUND_TEXTS = ("does not exist", "no such ", "not found", "doesn't exist")
CONFLICT_TEXTS = ("already exists", "already defined", "detected modified configuration")
TRANSIENT_TEXTS = (
    "got lock request timeout",
    "can't lock file",
    "unable to acquire lock",
    "timeout - unable to lock",
    "got timeout",
)
TRANSIENT_STATUSES = frozenset({502, 503, 504})
AUTH_STATUSES = frozenset({401, 403})


def classify(
    *,
    product: str,
    method: str,
    path: str,
    status: int,
    message: str,
    param_errors: Mapping[str, str] | None = None,
) -> ApiError:
    """The most specific error for this answer; the message is kept verbatim.

    Per-parameter texts count too: PVE answers a read of a missing backup job with ``400
    Parameter verification failed`` and ``id: No such job '…'`` (pve-manager
    ``PVE/API2/Backup.pm``, ``raise_param_exc``), which is "gone", not bad input. A write
    refused for another parameter ("storage: storage 'x' does not exist") names bad input,
    which the user fixes in the config: there only the object's own ``id`` counts.
    """
    lowered = " ".join([message, *(param_errors or {}).values()]).lower()
    reads = method.upper() in {"GET", "DELETE"}
    gone_texts = " ".join(
        [message, *(text for name, text in (param_errors or {}).items() if reads or name == "id")]
    ).lower()
    kind: type[ApiError] = ApiError
    if status in TRANSIENT_STATUSES or any(t in lowered for t in TRANSIENT_TEXTS):
        kind = TransientApiError
    elif status in AUTH_STATUSES:
        kind = AuthError
    elif status == 404 or any(t in gone_texts for t in NOT_FOUND_TEXTS):
        kind = NotFoundError
    elif any(t in lowered for t in CONFLICT_TEXTS):
        kind = ConflictError
    elif status == 400 and (param_errors or "parameter verification failed" in lowered):
        kind = ParameterError
    return kind(
        product=product,
        method=method,
        path=path,
        status=status,
        message=message,
        param_errors=dict(param_errors or {}),
    )
