"""The PVE dialect of the pipeline (pve-http-server ``AnyEvent.pm`` and ``Formatter``).

- Success: ``{"data": …}``. Errors: the message's first line is the HTTP reason phrase and
  the body is ``{"data": null, "message": …}`` (plus ``errors`` per parameter); PVE closes
  the connection after any status >= 400.
- Auth: ``PVEAuthCookie`` ticket (cookie or ``Authorization``) or
  ``Authorization: PVEAPIToken=user@realm!name=secret``; with a ticket, every non-GET needs
  the ``CSRFPreventionToken`` header. 401 answers carry the reason only.
- Parameters: query string and form body merge; a repeated key joins with NUL (PVE's
  ``split_list`` reads that back as a list).
- Calls proxied to a node (``proxyto: node``) fail with 595 when that node is down; writes
  to the cluster filesystem fail without quorum.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from lab.api.app import ApiApp, Identity
from lab.api.permissions import pve_permission_error
from lab.errors import ApiError, ParameterError, pve_die
from lab.http.messages import JSON_CONTENT_TYPE, Request, Response
from lab.schema.pve_check import PveSchemaChecker
from lab.schema.tree import MethodSchema
from lab.sim.pve.ha import HaManager
from lab.state.pve import PveCluster

COOKIE = "PVEAuthCookie"
TOKEN_PREFIX = "PVEAPIToken="
NODE_UNREACHABLE = 595
PMXCFS_PREFIXES = ("/cluster", "/storage", "/access", "/pools")


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _pve_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


class PveApp(ApiApp[PveCluster]):
    """One PVE cluster API endpoint."""

    product = "pve"
    ticket_cookie = COOKIE
    checker = PveSchemaChecker()

    def authenticate(self, request: Request) -> Identity:
        """Ticket or API token, as ``PVE::HTTPServer::auth_handler``."""
        ticket = self.ticket(request)
        if ticket:
            userid = self.tickets.verify_ticket(ticket)
            if userid is None or userid not in self.access.users:
                raise ApiError(401, "permission denied - invalid PVE ticket")
            if not self.csrf_valid(request, userid):
                raise ApiError(401, "Permission denied - invalid csrf token")
            return Identity(userid, ticket=True)
        authorization = request.headers.get("authorization", "")
        if authorization.startswith(TOKEN_PREFIX):
            return Identity(self._verify_token(authorization[len(TOKEN_PREFIX) :]), ticket=False)
        raise ApiError(401, "No ticket")

    def _verify_token(self, value: str) -> str:
        token_id, sep, secret = value.rpartition("=")
        if not sep or "!" not in token_id:
            raise ApiError(401, "no tokenid specified")
        userid, _, name = token_id.partition("!")
        user = self.access.users.get(userid)
        if user is None:
            raise ApiError(401, f"user '{userid}' does not exist")
        if not user.enable:
            raise ApiError(401, f"user '{userid}' is disabled")
        token = user.tokens.get(name)
        if token is None:
            raise ApiError(401, f"no such token '{name}' for user '{userid}'")
        if token.expire and token.expire < self.clock():
            raise ApiError(401, "token expired")
        if token.secret != secret:
            raise ApiError(401, "invalid token value!")
        return token_id

    def check_permission(
        self, method: MethodSchema, identity: Identity, raw: dict[str, Any]
    ) -> None:
        """PVE ``check_api2_permissions``."""
        if not identity.auth_id:
            return
        detail = pve_permission_error(method.permissions, identity.auth_id, raw, self.access)
        if detail is not None:
            raise ApiError(HTTPStatus.FORBIDDEN, f"Permission check failed ({detail})\n")

    def raw_parameters(self, request: Request, uri: dict[str, str]) -> dict[str, Any]:
        """Form body, JSON body and query merged; repeated keys joined with NUL."""
        merged: dict[str, str] = {}
        body = request.json_members()
        pairs = [(str(k), _pve_value(v)) for k, v in body.items() if v is not None]
        for key, value in [*request.form(), *pairs, *request.query]:
            merged[key] = f"{merged[key]}\0{value}" if key in merged else value
        merged.update(uri)
        return merged

    def parameters(
        self, request: Request, method: MethodSchema, uri: dict[str, str]
    ) -> dict[str, Any]:
        """Checked against the method schema (``PVE::JSONSchema::validate``)."""
        raw = self.raw_parameters(request, {})
        clashes = {
            k: "duplicate parameter (already defined in URI)"
            for k in uri
            if k in raw and raw[k] != uri[k]
        }
        if clashes:
            raise ParameterError(clashes)
        raw.update(uri)
        return self.checker.check(raw, method.parameters)

    def precheck(self, method: MethodSchema, uri: dict[str, str], request: Request) -> None:
        """A down node cannot answer; without quorum ``/etc/pve`` is read-only."""
        node = uri.get("node")
        if node is not None and node in self.state.nodes and not self.state.nodes[node].online:
            raise ApiError(NODE_UNREACHABLE, f"No route to host (node '{node}' is down)")
        if (
            method.method != "GET"
            and method.template.startswith(PMXCFS_PREFIXES)
            and method.template != "/access/ticket"
            and not self.state.quorate()
        ):
            raise pve_die("cluster not ready - no quorum?")

    def after_write(self) -> None:
        """Any write may concern HA (resources, rules, guests): the CRM looks at its next round."""
        HaManager(self.world).request_round()

    def success(self, data: Any, attributes: dict[str, Any]) -> Response:
        """``{"data": …}``."""
        return Response(200, _json({"data": data, **attributes}))

    def failure(self, error: ApiError) -> Response:
        """Reason = first line of the message; JSON body with message (and errors)."""
        reason = error.message.split("\n", 1)[0]
        # The auth handler answers 401 with a reason only; a handler's die (the ticket
        # call's "authentication failure\n") goes through the formatter like any error.
        if error.status == HTTPStatus.UNAUTHORIZED and not error.message.endswith("\n"):
            return Response(401, b"", reason=reason, close=True)
        body: dict[str, Any] = {"data": None, "message": error.message}
        if isinstance(error, ParameterError):
            body["errors"] = error.errors
        return Response(
            error.status, _json(body), reason=reason, content_type=JSON_CONTENT_TYPE, close=True
        )

    def not_found(self, method: str, api_path: str) -> ApiError:
        """PVE: 501 "Method 'GET /x' not implemented"."""
        return ApiError(HTTPStatus.NOT_IMPLEMENTED, f"Method '{method} {api_path}' not implemented")

    def lock_timeout_error(self) -> ApiError:
        """What a stuck ``cfs_lock_file`` yields."""
        return pve_die(
            "can't lock file '/var/lock/pve-manager/pve-lab.lck' - got lock request timeout"
        )
