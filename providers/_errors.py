"""Every failure of our providers reaches the user as one line; the traceback goes to debug.

The Python dynamic-provider host turns an exception into the resource's error with
``context.abort(grpc.StatusCode.UNKNOWN, traceback.format_exc())`` (pulumi
``dynamic/__main__.py``, ``_abort_with_traceback``), and the engine prints that text: a
Python traceback for anything that goes wrong. Within what that host allows, ``reported``
does three things for each provider entry point:

1. it catches the exception and writes its traceback to the engine's debug output
   (``_engine_log.debug``: ``pulumi up --debug``);
2. it raises ``ProviderError`` with one line instead — the object, the API call, Proxmox's
   own message and what to do — with its cause detached (``from None``);
3. in the dynamic host only, it sets ``sys.tracebacklimit = 0``, the standard library's own
   switch, so ``format_exc`` prints no frames: the host then sends ``tappaas: <line>``.

Elsewhere (tests, the Automation API's inline program) nothing global changes.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from typing import TypeVar

from pydantic import ValidationError

from providers import _engine_log
from providers._endpoint import Endpoint, MissingCredentialError
from tappaas.client import (
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

T = TypeVar("T")
ALL_FRAMES = 1_000


class ProviderError(Exception):
    """What the user reads when a provider fails: one line, complete in itself.

    ``original`` is the exception it stands for (not chained, so the host prints only the
    line); callers in-process (tests, the Automation API) can still inspect it.
    """

    def __init__(self, line: str, original: BaseException) -> None:
        super().__init__(line)
        self.original = original


# The host prints ``<module>.<class>: <message>``; these make that ``tappaas: <message>``.
ProviderError.__module__ = "builtins"
ProviderError.__qualname__ = "tappaas"


class AdoptionRefusedError(Exception):
    """An object of the declared name exists but is not the one a create would have made.

    Its message says what exists, why it was not taken over, and the command to adopt or
    rename it; it reaches the user unchanged.
    """


class GuidedError(Exception):
    """A failure whose message already says what to do (it is passed on as it is)."""


def _where(endpoint: Endpoint | None) -> str:
    if endpoint is None:
        return "the server"
    port = f":{endpoint.port}" if endpoint.port else ""
    return f"{endpoint.product.value.upper()} {endpoint.host}{port}"


def _advice(exc: BaseException, endpoint: Endpoint | None) -> str:
    """What to do about ``exc``, in one sentence."""
    if isinstance(exc, AuthError) and endpoint is not None:
        return (
            f"check that token '{endpoint.token_id}' (stack secret "
            f"'{endpoint.token_secret_config}') is valid and holds the privilege named"
        )
    if isinstance(exc, AuthError):
        return "check the endpoint's token and its privileges"
    if isinstance(exc, TransientApiError | TransportError):
        return f"check that {_where(endpoint)} is up and reachable, then run `pulumi up` again"
    if isinstance(exc, ConflictError) and exc.stale_digest:
        return "someone changed it at the same moment: run `pulumi up` again"
    if isinstance(exc, NotFoundError):
        return "run `pulumi refresh` so the stack sees what exists, then `pulumi up`"
    if isinstance(exc, ParameterError | ConflictError | ApiError):
        return "fix the stack config as Proxmox says, then run `pulumi up` again"
    if isinstance(exc, TaskTimeoutError):
        return (
            "it may still finish on the server: run `pulumi up` again later "
            "(an object it made is adopted)"
        )
    if isinstance(exc, TaskFailedError):
        return "read the task's log on the server for the cause"
    if isinstance(exc, FingerprintMismatchError):
        return "if the certificate changed on purpose, update 'fingerprint' in the stack config"
    if isinstance(exc, ValidationError):
        return "fix the stack config"
    return "an internal error: `pulumi up --debug` shows its traceback"


def _cause(exc: BaseException) -> str:
    if isinstance(exc, ApiError):
        return f"{exc.method} {exc.path} answered {exc.status}: {_api_message(exc)}"
    if isinstance(exc, TaskFailedError):
        tail = f" ({' / '.join(exc.log_tail)})" if exc.log_tail else ""
        return f"task {exc.upid} failed: {exc.exitstatus}{tail}"
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(input)'}: {e['msg']}" for e in exc.errors()
        )
    if isinstance(exc, ProxmoxError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _api_message(exc: ApiError) -> str:
    text = exc.message.strip().rstrip(".")
    if exc.param_errors:
        text += " (" + "; ".join(f"{k}: {v}" for k, v in sorted(exc.param_errors.items())) + ")"
    return text


def one_line(
    kind: str, object_id: str, operation: str, exc: BaseException, endpoint: Endpoint | None
) -> str:
    """``<kind> '<id>' on <product host>: <operation> failed: <cause>; <what to do>``."""
    if isinstance(
        exc, AdoptionRefusedError | GuidedError | MissingCredentialError | UnsupportedVersionError
    ):
        text = f"{kind} '{object_id}' on {_where(endpoint)}: {exc}"
    else:
        text = (
            f"{kind} '{object_id}' on {_where(endpoint)}: {operation} failed: "
            f"{_cause(exc)}; {_advice(exc, endpoint)}"
        )
    return " ".join(text.split())


def reported(
    kind: str, object_id: str, operation: str, endpoint: Endpoint | None, action: Callable[[], T]
) -> T:
    """Run one provider operation; any failure becomes a one-line ``ProviderError``."""
    try:
        return action()
    except ProviderError:
        raise
    except Exception as exc:
        line = one_line(kind, object_id, operation, exc, endpoint)
        # An explicit limit: once set below, ``sys.tracebacklimit`` would empty this one too.
        frames = "".join(traceback.format_exception(exc, limit=ALL_FRAMES))
        _engine_log.debug(f"{line}\n{frames}")
        if _engine_log.in_dynamic_host():
            sys.tracebacklimit = 0
        raise ProviderError(line, exc) from None
