"""The one error hierarchy for everything that talks to Proxmox VE and PBS.

Errors are classified once, here and in ``classify``, from what the products really send:

    ProxmoxError
    ├── TransportError            connection refused/reset, timeouts (transient)
    ├── FingerprintMismatchError  the server's certificate is not the pinned one (never retried)
    ├── UnsupportedVersionError   the server is older than the program or an option needs
    ├── ApiError                  the server answered with an error status
    │   ├── ParameterError        400 with per-parameter errors ("Parameter verification failed.")
    │   ├── AuthError             401/403 ("Permission check failed", bad token)
    │   ├── NotFoundError         404, and PVE/PBS "does not exist"/"no such …" (PVE sends 500)
    │   ├── ConflictError         "already exists"/"already defined", stale digest
    │   └── TransientApiError     lock timeouts, 502/503/504 (retried with a bound)
    ├── TaskFailedError           an async task ended with an exit status other than OK
    └── TaskTimeoutError          an async task did not stop before our deadline

Why so many kinds: providers must treat "gone" as empty (``read``/``delete``), retry only what is
transient, and surface the real Proxmox message in every other case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


class ProxmoxError(Exception):
    """Base of every error raised by the client layer."""

    transient: bool = False


class TransportError(ProxmoxError):
    """The request did not get an HTTP answer (refused, reset, timed out)."""

    transient = True


class FingerprintMismatchError(ProxmoxError):
    """The server presented a certificate other than the pinned one: fail closed."""


class UnsupportedVersionError(ProxmoxError):
    """The server's release (``/version``) is older than the program or an option needs."""


@dataclass
class ApiError(ProxmoxError):
    """The server answered with an error status; ``message`` is Proxmox's own text."""

    product: str
    method: str
    path: str
    status: int
    message: str
    param_errors: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.product.upper()} {self.method} {self.path}: {self.status} {self.message}"
        if self.param_errors:
            details = "; ".join(f"{k}: {v}" for k, v in sorted(self.param_errors.items()))
            text += f" ({details})"
        return text


class ParameterError(ApiError):
    """PVE/PBS rejected a parameter; ``param_errors`` says which and why."""


class AuthError(ApiError):
    """Authentication failed or the credential lacks a privilege."""


class NotFoundError(ApiError):
    """The object does not exist (PVE reports most of these as a 500)."""


class ConflictError(ApiError):
    """The object already exists, or the config changed under us (stale digest)."""

    @property
    def stale_digest(self) -> bool:
        return "detected modified configuration" in self.message


class TransientApiError(ApiError):
    """A lock timeout or a gateway error: the same request may succeed a moment later."""

    transient = True


@dataclass
class TaskFailedError(ProxmoxError):
    """An async task (UPID) stopped with an error exit status."""

    upid: str
    exitstatus: str
    log_tail: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        tail = (" | " + " / ".join(self.log_tail)) if self.log_tail else ""
        return f"task {self.upid} failed: {self.exitstatus}{tail}"


@dataclass
class TaskTimeoutError(ProxmoxError):
    """A task was still running when our polling deadline passed (it may still finish)."""

    upid: str
    seconds: float

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"task {self.upid} still running after {self.seconds:.0f}s"
