"""The control surface over HTTP, under ``/_lab/`` on every instance's port.

No real Proxmox has this prefix. Calls carry ``X-Lab-Token: <secret>`` (the PVE boot token's
secret, listed in the ``--detach`` state file) and a JSON object of keyword arguments;
answers are ``{"data": …}`` or ``{"error": …}`` with status 400.

``POST /_lab/seed-vm``, ``/_lab/seed-snapshot``, ``/_lab/corrupt-snapshot``,
``/_lab/create-namespace``, ``/_lab/node-down``, ``/_lab/node-up``, ``/_lab/shutdown-node``,
``/_lab/maintenance``,
``/_lab/fail-disk``, ``/_lab/disconnect``, ``/_lab/reconnect``, ``/_lab/inject-fault``,
``/_lab/clear-faults``, ``/_lab/clear-requests``, ``/_lab/advance``, ``/_lab/run-until``,
``/_lab/run-job``, ``/_lab/ransomware``; ``GET /_lab/now``, ``/_lab/journal?since=``,
``/_lab/recoveries``, ``/_lab/snapshots?pbs=&store=&ns=``, ``/_lab/requests``.
Dataclass results come back as JSON objects; ``ransomware`` takes credentials as
``[auth_id, secret]`` pairs.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
from collections.abc import Callable
from typing import Any

from lab.control.surface import Control, LabError
from lab.http.messages import Request, Response

TOKEN_HEADER = "x-lab-token"


def _plain(value: Any) -> Any:
    """Dataclasses (and lists of them) as JSON-ready dicts."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def _answer(status: int, payload: dict[str, Any]) -> Response:
    return Response(status, json.dumps(payload, default=str).encode())


class ControlEndpoint:
    """Dispatches ``/_lab/<operation>`` to a ``Control``."""

    def __init__(self, control: Control, secret: str) -> None:
        self._secret = secret
        operations: dict[tuple[str, str], Callable[..., Any]] = {
            ("POST", "seed-vm"): control.seed_vm,
            ("POST", "seed-snapshot"): control.seed_snapshot,
            ("POST", "corrupt-snapshot"): control.corrupt_snapshot,
            ("POST", "create-namespace"): control.create_namespace,
            ("POST", "node-down"): control.node_down,
            ("POST", "node-up"): control.node_up,
            ("POST", "inject-fault"): control.inject_fault,
            ("POST", "clear-faults"): control.clear_faults,
            ("POST", "clear-requests"): control.clear_requests,
            ("POST", "shutdown-node"): control.shutdown_node,
            ("POST", "maintenance"): control.maintenance,
            ("POST", "fail-disk"): control.fail_disk,
            ("POST", "disconnect"): control.disconnect,
            ("POST", "reconnect"): control.reconnect,
            ("POST", "advance"): control.advance,
            ("POST", "run-until"): control.run_until,
            ("POST", "run-job"): control.run_job,
            ("POST", "ransomware"): lambda pve=None, pbs=None: control.ransomware(
                pve=tuple(pve) if pve else None,
                pbs={name: tuple(pair) for name, pair in (pbs or {}).items()},
            ),
            ("GET", "now"): control.now,
            ("GET", "journal"): control.journal,
            ("GET", "recoveries"): control.recoveries,
            ("GET", "snapshots"): control.snapshots,
            ("GET", "requests"): control.requests,
        }
        self._operations = operations

    def __call__(self, request: Request) -> Response:
        """Run one control operation."""
        if not hmac.compare_digest(request.headers.get(TOKEN_HEADER, ""), self._secret):
            return _answer(401, {"error": "missing or wrong X-Lab-Token"})
        name = request.path.rstrip("/").rsplit("/", 1)[-1]
        operation = self._operations.get((request.method, name))
        if operation is None:
            return _answer(404, {"error": f"no control operation {request.method} {name}"})
        try:
            kwargs: dict[str, Any] = dict(request.query)
            if request.method == "POST":
                body = request.json_body()
                if not isinstance(body, dict):
                    raise LabError("the body must be a JSON object")
                kwargs.update(body)
            return _answer(200, {"data": _plain(operation(**kwargs))})
        except (LabError, TypeError, ValueError) as exc:
            return _answer(400, {"error": str(exc)})
