"""The control surface over HTTP, under ``/_lab/`` on every instance's port.

No real Proxmox has this prefix. Calls carry ``X-Lab-Token: <secret>`` (the PVE boot token's
secret, listed in the ``--detach`` state file) and a JSON object of keyword arguments;
answers are ``{"data": …}`` or ``{"error": …}`` with status 400.

``POST /_lab/seed-vm``, ``/_lab/seed-snapshot``, ``/_lab/create-namespace``,
``/_lab/node-down``, ``/_lab/node-up``, ``/_lab/inject-fault``, ``/_lab/clear-faults``,
``/_lab/clear-requests``; ``GET /_lab/snapshots?pbs=&store=&ns=``, ``GET /_lab/requests``.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
from collections.abc import Callable
from typing import Any

from tappaas.lab.control.surface import Control, LabError
from tappaas.lab.http.messages import Request, Response

TOKEN_HEADER = "x-lab-token"


def _answer(status: int, payload: dict[str, Any]) -> Response:
    return Response(status, json.dumps(payload, default=str).encode())


class ControlEndpoint:
    """Dispatches ``/_lab/<operation>`` to a ``Control``."""

    def __init__(self, control: Control, secret: str) -> None:
        self._secret = secret
        operations: dict[tuple[str, str], Callable[..., Any]] = {
            ("POST", "seed-vm"): control.seed_vm,
            ("POST", "seed-snapshot"): control.seed_snapshot,
            ("POST", "create-namespace"): control.create_namespace,
            ("POST", "node-down"): control.node_down,
            ("POST", "node-up"): control.node_up,
            ("POST", "inject-fault"): control.inject_fault,
            ("POST", "clear-faults"): control.clear_faults,
            ("POST", "clear-requests"): control.clear_requests,
            ("GET", "snapshots"): control.snapshots,
            ("GET", "requests"): lambda instance=None: [
                dataclasses.asdict(r) for r in control.requests(instance)
            ],
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
            return _answer(200, {"data": operation(**kwargs)})
        except (LabError, TypeError, ValueError) as exc:
            return _answer(400, {"error": str(exc)})
