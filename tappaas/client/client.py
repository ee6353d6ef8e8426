"""``ProxmoxClient``: proxmoxer underneath, with pinning, token auth, errors, retries, tasks.

Everything above this module (``tappaas.pbs``, ``tappaas.pve``) calls ``get``/``post``/``put``/
``delete`` with a path and plain keyword parameters and receives ``data``; ``get_with_digest``
also returns PBS's top-level ``digest`` (which proxmoxer would drop), so updates can be guarded.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from proxmoxer import ProxmoxAPI, ResourceException
from proxmoxer.backends.https import JsonSerializer

from tappaas.client.classify import classify
from tappaas.client.encoding import encode_form
from tappaas.client.errors import (
    ConflictError,
    FingerprintMismatchError,
    TaskFailedError,
    TaskTimeoutError,
    TransportError,
    UnsupportedVersionError,
)
from tappaas.client.retry import API_CALL, TASK_POLL, RetryPolicy, call_with_retry
from tappaas.client.settings import ConnectionSettings, Product
from tappaas.client.tasks import TaskResult, Upid
from tappaas.client.tls import FingerprintPinningAdapter
from tappaas.client.version import MINIMUM_VERSIONS, ServerVersion, VersionTuple, show

# proxmoxer logs request bodies (passwords, token secrets) at INFO: keep it quiet for good.
logging.getLogger("proxmoxer").setLevel(logging.WARNING)
log = logging.getLogger(__name__)

TASK_LOG_TAIL_LINES = 5
AMBIGUOUS_RETRY_HINT = (
    " (this write was retried after its connection dropped: the first attempt may have"
    " succeeded; check the object and run again)"
)


_VERSIONS: dict[tuple[str, str | None], ServerVersion] = {}
"""``/version`` answers of this process (one run of a provider host), by URL and pin."""
_VERSIONS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Envelope:
    """A successful answer: ``data`` plus PBS's ``digest`` sibling when present."""

    data: Any
    digest: str | None


class _EnvelopeSerializer(JsonSerializer):  # type: ignore[misc]
    """Keeps the whole JSON answer (proxmoxer's keeps only ``data``) and normalizes errors."""

    def loads(self, response: requests.Response) -> Envelope:
        try:
            body = json.loads(response.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return Envelope(data=response.text, digest=None)
        if not isinstance(body, dict):
            return Envelope(data=body, digest=None)
        digest = body.get("digest")
        return Envelope(data=body.get("data"), digest=digest if isinstance(digest, str) else None)

    def loads_errors(self, response: requests.Response) -> dict[str, Any]:
        """PVE: JSON with ``message``/``errors``; PBS: the message as a plain-text body."""
        try:
            body = json.loads(response.text)
        except ValueError:
            return {"message": response.text.strip(), "errors": {}}
        if not isinstance(body, dict):
            return {"message": str(body), "errors": {}}
        errors = body.get("errors") or {}
        return {
            "message": str(body.get("message") or "").strip(),
            "errors": {str(k): str(v).strip() for k, v in errors.items()}
            if isinstance(errors, dict)
            else {},
        }


def _quote_path(path: str) -> list[str]:
    """Path segments, each percent-encoded (UPIDs carry ``:`` and PBS's ``\\x2d`` escapes).

    ``.`` and ``..`` segments are refused: a name holding them (a datastore called
    ``x/../../access/users/root@pam``) would otherwise reach another API path.
    """
    parts = [part for part in path.strip("/").split("/") if part]
    if any(part in (".", "..") for part in parts):
        raise ValueError(f"refusing API path {path!r}: '.' or '..' would leave the object's path")
    return [urllib.parse.quote(part, safe="") for part in parts]


class ProxmoxClient:
    """One authenticated HTTPS session to one PVE cluster or PBS instance."""

    def __init__(self, settings: ConnectionSettings, retry: RetryPolicy = API_CALL) -> None:
        self.settings = settings
        self.product = settings.product
        self.retry = retry
        verify: bool | str = True
        if settings.fingerprint:
            verify = False  # the pinning adapter checks the exact certificate instead
        elif settings.ca_file:
            verify = str(settings.ca_file)
        self._api = ProxmoxAPI(
            settings.host,
            port=settings.effective_port,
            service=settings.product.value.upper(),
            user=settings.user,
            token_name=settings.token_name,
            token_value=settings.token_secret.get_secret_value(),
            verify_ssl=verify,
            timeout=settings.timeout,
        )
        self._api._store["serializer"] = _EnvelopeSerializer()
        if settings.fingerprint:
            session: requests.Session = self._api._store["session"]
            session.mount("https://", FingerprintPinningAdapter(settings.fingerprint))

    def __repr__(self) -> str:
        return f"ProxmoxClient({self.product.value} {self.settings.base_url})"

    # --- requests ---------------------------------------------------------------------------

    def request(self, method: str, path: str, params: Mapping[str, Any] | None = None) -> Envelope:
        """One API call with retries on transient faults; errors come out classified."""
        form = encode_form(self.product, params or {})
        describe = f"{self.product.upper()} {method} {path}"
        retried_after_ambiguity = False

        def attempt() -> Envelope:
            nonlocal retried_after_ambiguity
            try:
                return self._send(method, path, form)
            except TransportError:
                if method != "GET":
                    retried_after_ambiguity = True
                raise

        try:
            envelope, _ = call_with_retry(attempt, self.retry, describe)
        except ConflictError as exc:
            # A write whose connection dropped may have landed; its retry then "already
            # exists". Say so, rather than leave the user puzzled by their own success.
            if retried_after_ambiguity:
                exc.message += AMBIGUOUS_RETRY_HINT
            raise
        return envelope

    def _send(self, method: str, path: str, form: dict[str, Any]) -> Envelope:
        resource = self._api(_quote_path(path))
        describe = f"{self.product.upper()} {method} {path}"
        try:
            if method in ("GET", "DELETE"):
                result = resource._request(method, params=dict(form))
            else:
                result = resource._request(method, data=dict(form))
        except ResourceException as exc:
            errors = exc.errors if isinstance(exc.errors, dict) else {}
            message = errors.get("message") or ""
            reason = exc.content if isinstance(exc.content, str) else ""
            # PVE: the reason phrase is the message's first line; the body may repeat it.
            if not message or (self.product is Product.PVE and reason and reason not in message):
                message = reason if not message else f"{reason} {message}".strip()
            raise classify(
                product=self.product.value,
                method=method,
                path=path,
                status=exc.status_code,
                message=message or exc.status_message or "",
                param_errors=errors.get("errors") or {},
            ) from None
        except requests.exceptions.SSLError as exc:
            if "fingerprint" in str(exc).lower():
                raise FingerprintMismatchError(
                    f"{self.settings.base_url} presented a certificate whose SHA-256 fingerprint "
                    f"is not the pinned {self.settings.fingerprint}: refusing to talk to it"
                ) from None
            raise TransportError(f"{describe}: TLS failure: {exc}") from None
        except requests.exceptions.RequestException as exc:
            raise TransportError(f"{describe}: {type(exc).__name__}: {exc}") from None
        if not isinstance(result, Envelope):  # 1xx/3xx: proxmoxer returns None
            return Envelope(data=None, digest=None)
        return result

    def get(self, path: str, /, **params: Any) -> Any:
        return self.request("GET", path, params).data

    def get_with_digest(self, path: str, /, **params: Any) -> Envelope:
        return self.request("GET", path, params)

    def post(self, path: str, /, **params: Any) -> Any:
        return self.request("POST", path, params).data

    def put(self, path: str, /, **params: Any) -> Any:
        return self.request("PUT", path, params).data

    def delete(self, path: str, /, **params: Any) -> Any:
        return self.request("DELETE", path, params).data

    # --- versions ---------------------------------------------------------------------------

    def server_version(self) -> ServerVersion:
        """The server's release, read once per process (``GET /version``)."""
        key = (self.settings.base_url, self.settings.fingerprint)
        with _VERSIONS_LOCK:
            known = _VERSIONS.get(key)
        if known is None:
            known = ServerVersion.from_api(self.product, self.get("/version"))
            with _VERSIONS_LOCK:
                _VERSIONS[key] = known
        return known

    def require_version(self, feature: str, minimum: VersionTuple) -> None:
        """Fail, before any write, if the server is older than ``feature`` needs."""
        running = self.server_version()
        if running.number < minimum:
            raise UnsupportedVersionError(
                f"{self.settings.base_url} runs {running}, but {feature} needs "
                f"{self.product.upper()} {show(minimum)} or newer: upgrade the server"
            )

    def require_supported(self) -> None:
        """Fail if the server is older than the oldest release this program supports."""
        self.require_version("this program", MINIMUM_VERSIONS[self.product])

    # --- tasks ------------------------------------------------------------------------------

    def wait_for_task(
        self,
        upid_text: str,
        timeout: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> TaskResult:
        """Poll a task until it stops; a failed exit status raises with the task's own words.

        Only the status read is retried; the request that started the task is never re-sent.
        """
        upid = Upid.parse(upid_text, self.product)
        deadline = time.monotonic() + (timeout or self.settings.task_timeout)
        started = time.monotonic()
        while True:
            status, _ = call_with_retry(
                lambda: self._send("GET", upid.status_path, {}),
                TASK_POLL,
                f"task {upid_text}",
                sleep=sleep,
            )
            data = status.data or {}
            if data.get("status") == "stopped":
                exitstatus = str(data.get("exitstatus", ""))
                if exitstatus == "OK" or exitstatus.startswith("WARNINGS"):
                    return TaskResult(upid, exitstatus, time.monotonic() - started)
                raise TaskFailedError(upid_text, exitstatus, self._log_tail(upid))
            if time.monotonic() >= deadline:
                raise TaskTimeoutError(upid_text, time.monotonic() - started)
            sleep(self.settings.task_poll_interval)

    def run_task(self, method: str, path: str, /, **params: Any) -> TaskResult:
        """Start an async call (its answer is a UPID) and wait for it."""
        upid = self.request(method, path, params).data
        if not isinstance(upid, str):
            raise TaskFailedError(str(upid), f"expected a UPID from {method} {path}", ())
        return self.wait_for_task(upid)

    def _log_tail(self, upid: Upid) -> tuple[str, ...]:
        try:
            lines = self._send("GET", upid.log_path, {"start": 0, "limit": 500}).data or []
        except Exception:  # the log is a courtesy; the task's own exit status is the error
            log.debug("could not read the log of %s", upid.text, exc_info=True)
            return ()
        texts = [str(line.get("t", "")) for line in lines if isinstance(line, dict)]
        return tuple(texts[-TASK_LOG_TAIL_LINES:])
