"""The PBS dialect of the pipeline (proxmox-rest-server ``rest.rs`` and ``formatter.rs``).

- Success: ``{"data": …}`` with result attributes (the config ``digest``) beside ``data``.
- Errors: the plain-text message as body under the standard reason phrase; anyhow errors
  are 400, ``http_bail!`` keeps its status; unknown paths are 404 "Path '…' not found.".
- Auth: ``PBSAuthCookie`` ticket (+ ``CSRFPreventionToken`` on non-GET) or
  ``Authorization: PBSAPIToken=user@realm!name:secret``; every failure is 401
  "authentication failed"; a failed router permission is 403 "permission check failed".
- Parameters: form body, query (minus ``_dc``) and path parameters as separate pairs, or a
  JSON body.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from lab.api.app import ApiApp, Identity
from lab.api.pbs_versions import unknown_to
from lab.api.permissions import pbs_allowed
from lab.errors import ApiError
from lab.http.messages import JSON_CONTENT_TYPE, Request, Response
from lab.schema.pbs_check import PbsParameterError, PbsSchemaChecker
from lab.schema.tree import MethodSchema
from lab.state.pbs import PbsServer

COOKIE = "PBSAuthCookie"
TOKEN_PREFIX = "PBSAPIToken="
AUTH_FAILED = "authentication failed"


class PbsApp(ApiApp[PbsServer]):
    """One Proxmox Backup Server API endpoint."""

    product = "pbs"
    ticket_cookie = COOKIE
    checker = PbsSchemaChecker()

    def authenticate(self, request: Request) -> Identity:
        """Ticket or API token; any failure is the same 401."""
        ticket = self.ticket(request)
        if ticket:
            userid = self.tickets.verify_ticket(ticket)
            user = self.access.users.get(userid or "")
            if userid is None or user is None or not user.enable:
                raise ApiError(401, AUTH_FAILED)
            if not self.csrf_valid(request, userid):
                raise ApiError(401, AUTH_FAILED)
            return Identity(userid, ticket=True)
        authorization = request.headers.get("authorization", "")
        if authorization.startswith(TOKEN_PREFIX):
            token_id, sep, secret = authorization[len(TOKEN_PREFIX) :].partition(":")
            token = self.access.token(token_id) if sep else None
            user = self.access.users.get(token_id.split("!")[0])
            if (
                token is None
                or user is None
                or not (user.enable and token.enable)
                or (token.expire and token.expire < self.clock())
                or token.secret != secret
            ):
                raise ApiError(401, AUTH_FAILED)
            return Identity(token_id, ticket=False)
        raise ApiError(401, AUTH_FAILED)

    def check_permission(
        self, method: MethodSchema, identity: Identity, raw: dict[str, Any]
    ) -> None:
        """proxmox-router ``check_api_permission``."""
        if identity.auth_id and not pbs_allowed(
            method.permissions, identity.auth_id, raw, self.access
        ):
            raise ApiError(HTTPStatus.FORBIDDEN, "permission check failed")

    def _pairs(self, request: Request) -> list[tuple[str, str]]:
        return [*request.form(), *((k, v) for k, v in request.query if k != "_dc")]

    def raw_parameters(self, request: Request, uri: dict[str, str]) -> dict[str, Any]:
        """Pairs as a dict (repeated keys become lists) plus path parameters."""
        merged = request.json_members()
        for key, value in self._pairs(request):
            if key in merged:
                old = merged[key]
                merged[key] = [*old, value] if isinstance(old, list) else [old, value]
            else:
                merged[key] = value
        merged.update(uri)
        return merged

    def parameters(
        self, request: Request, method: MethodSchema, uri: dict[str, str]
    ) -> dict[str, Any]:
        """``parse_parameter_strings`` on all pairs, or ``verify_json`` on a JSON body; an
        option newer than this PBS's release is refused (``pbs_versions``)."""
        if request.content_type == "application/json":
            try:
                body = request.json_body()
            except ValueError as exc:
                raise ApiError(HTTPStatus.BAD_REQUEST, str(exc)) from None
            params = self.checker.check_json(body, uri, method.parameters)
        elif request.content_type not in ("", "application/x-www-form-urlencoded"):
            raise ApiError(
                HTTPStatus.BAD_REQUEST, f"unsupported content type {request.content_type!r}"
            )
        else:
            params = self.checker.check([*self._pairs(request), *uri.items()], method.parameters)
        errors = unknown_to(self.state.version, method.template, params)
        if errors:
            raise PbsParameterError(errors)
        return params

    def success(self, data: Any, attributes: dict[str, Any]) -> Response:
        """``{"data": …, "digest": …}``."""
        return Response(
            200, json.dumps({"data": data, **attributes}, separators=(",", ":")).encode()
        )

    def failure(self, error: ApiError) -> Response:
        """Plain-text message under the standard reason phrase."""
        content_type = "text/plain;charset=UTF-8" if error.status == 401 else JSON_CONTENT_TYPE
        return Response(error.status, error.message.encode(), content_type=content_type)

    def not_found(self, method: str, api_path: str) -> ApiError:
        """PBS: 404 "Path '/api2/json/x' not found."."""
        return ApiError(HTTPStatus.NOT_FOUND, f"Path '/api2/json{api_path}' not found.")

    def lock_timeout_error(self) -> ApiError:
        """What a stuck config lock yields on PBS."""
        return ApiError(HTTPStatus.BAD_REQUEST, "unable to acquire lock - got timeout")
