"""The client layer: HTTPS to Proxmox VE and PBS (auth, TLS pinning, errors, retries, tasks)."""

from tappaas.client.client import Envelope, ProxmoxClient
from tappaas.client.errors import (
    ApiError,
    AuthError,
    ConflictError,
    FingerprintMismatchError,
    NotFoundError,
    ParameterError,
    ProxmoxError,
    TaskFailedError,
    TaskTimeoutError,
    TransientApiError,
    TransportError,
    UnsupportedVersionError,
)
from tappaas.client.retry import API_CALL, NO_RETRY, TASK_POLL, RetryPolicy
from tappaas.client.settings import ConnectionSettings, Product
from tappaas.client.tasks import TaskResult, Upid
from tappaas.client.version import MINIMUM_VERSIONS, ServerVersion

__all__ = [
    "API_CALL",
    "MINIMUM_VERSIONS",
    "NO_RETRY",
    "TASK_POLL",
    "ApiError",
    "AuthError",
    "ConflictError",
    "ConnectionSettings",
    "Envelope",
    "FingerprintMismatchError",
    "NotFoundError",
    "ParameterError",
    "Product",
    "ProxmoxClient",
    "ProxmoxError",
    "RetryPolicy",
    "ServerVersion",
    "TaskFailedError",
    "TaskResult",
    "TaskTimeoutError",
    "TransientApiError",
    "TransportError",
    "UnsupportedVersionError",
    "Upid",
]
