"""The request pipeline shared by both products, with product hooks for the differences.

Order as in both products: faults (the lab's own) → authentication (skipped for "world"
methods) → routing by the schema tree (unknown path: PVE 501, PBS 404) → router-level
permission → parameter verification → handler → envelope. Every answered API request is
logged; control-surface calls under ``/_lab/`` never are. An instance cut off from the
network (``control.disconnect``) drops every connection.

Before a handler runs, the lab catches up with everything scheduled up to now (so the
answer reflects it); after a write, the schedule is rebuilt and caught up again (a job
created now may be due now).
"""

from __future__ import annotations

import sys
import time
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from lab.api.routes import Call, Route
from lab.api.tickets import TicketAuthority
from lab.control.faults import DEFAULT_LATENCY_SECONDS, Fault, FaultSet
from lab.control.request_log import RequestLog, RequestRecord, mask
from lab.endpoint import Product
from lab.errors import ApiError
from lab.http.messages import Request, Response
from lab.schema import builtin
from lab.schema.tree import MethodSchema, RouteTree
from lab.sim.world import World
from lab.state.access import AccessControl
from lab.state.tasks import TaskRegistry

API_PREFIX = "/api2/json"
CONTROL_PREFIX = "/_lab"
WORLD = {"user": "world"}
ANYBODY = {"user": "all"}

S = TypeVar("S")


@dataclass(frozen=True)
class Identity:
    """Who is calling: ``auth_id`` is a userid or token id; ``ticket`` if ticket-based."""

    auth_id: str
    ticket: bool


class ApiApp(ABC, Generic[S]):
    """One instance's API: state, schema routing, auth, handlers."""

    product: Product
    ticket_cookie: str
    """The login cookie (``PVEAuthCookie``/``PBSAuthCookie``)."""
    lab_unimplemented = "not implemented in the TAPPaaS lab"

    def __init__(
        self,
        instance: str,
        state: S,
        *,
        access: AccessControl,
        tasks: TaskRegistry,
        routes: Iterable[Route],
        schema: RouteTree | None,
        faults: FaultSet,
        log: RequestLog,
        world: World,
    ) -> None:
        self.instance = instance
        self.state = state
        self.access = access
        self.tasks = tasks
        self.faults = faults
        self.log = log
        self.world = world
        self.clock: Callable[[], float] = world.clock.now
        self.lock = world.lock
        self.stopped = False
        self.tickets = TicketAuthority(self.product.upper())
        self.control: Callable[[Request], Response] | None = None
        self.handlers: dict[tuple[str, str], Route] = {}
        builtin_tree = RouteTree()
        for route in routes:
            self.handlers[(route.method, route.template)] = route
            permissions = WORLD if route.template == "/access/ticket" else ANYBODY
            builtin_tree.add(
                MethodSchema(
                    method=route.method,
                    template=route.template,
                    parameters=builtin.parameters(route.spec),
                    permissions=permissions,
                )
            )
        self.schema_loaded = schema is not None
        self.tree = schema if schema is not None else builtin_tree

    # -- product hooks -------------------------------------------------------------------
    @abstractmethod
    def authenticate(self, request: Request) -> Identity:
        """The caller, or ``ApiError`` 401 in the product's words."""

    @abstractmethod
    def check_permission(
        self, method: MethodSchema, identity: Identity, raw: dict[str, Any]
    ) -> None:
        """Raise the product's 403 if the router-level permission fails."""

    @abstractmethod
    def parameters(
        self, request: Request, method: MethodSchema, uri: dict[str, str]
    ) -> dict[str, Any]:
        """Validated, typed parameters (raises the product's verification error)."""

    @abstractmethod
    def raw_parameters(self, request: Request, uri: dict[str, str]) -> dict[str, Any]:
        """Unvalidated parameters as strings, for permission paths and the request log."""

    @abstractmethod
    def success(self, data: Any, attributes: dict[str, Any]) -> Response:
        """The product's success envelope."""

    @abstractmethod
    def failure(self, error: ApiError) -> Response:
        """The product's error answer."""

    @abstractmethod
    def not_found(self, method: str, api_path: str) -> ApiError:
        """The product's answer to a path it does not know."""

    def precheck(self, method: MethodSchema, uri: dict[str, str], request: Request) -> None:
        """Product-specific refusals before the handler (PVE: node down, no quorum)."""

    def after_write(self) -> None:
        """A write went through: what is scheduled may have moved."""
        self.world.changed()

    def fault_response(self, fault: Fault) -> Response | None:
        """The answer an injected fault produces (None: drop the connection)."""
        if fault.kind == "http-502":
            return Response(502, b"", close=True)
        if fault.kind == "http-503":
            return Response(503, b"", close=True)
        if fault.kind == "reset":
            return None
        return self.failure(self.lock_timeout_error())

    @abstractmethod
    def lock_timeout_error(self) -> ApiError:
        """The product's lock-timeout error (fault ``lock-timeout``)."""

    # -- authentication helpers -----------------------------------------------------------
    def ticket(self, request: Request) -> str | None:
        """The login ticket: the cookie, or ``Authorization: <cookie>=<ticket>`` (both products
        accept either)."""
        ticket = request.cookie(self.ticket_cookie)
        authorization = request.headers.get("authorization", "")
        if ticket is None and authorization.startswith(self.ticket_cookie + "="):
            ticket = authorization[len(self.ticket_cookie) + 1 :]
        return ticket

    def stop(self) -> None:
        """Answer no more requests; a call being handled finishes first (it holds the lock)."""
        with self.lock:
            self.stopped = True

    def csrf_valid(self, request: Request, userid: str) -> bool:
        """With ticket auth, every call but a GET must carry the CSRF token issued with it."""
        return request.method == "GET" or self.tickets.verify_csrf(
            userid, request.headers.get("csrfpreventiontoken")
        )

    # -- pipeline ------------------------------------------------------------------------
    def handle(self, request: Request) -> Response | None:
        """Answer one HTTP request (none once the lab stopped: the connection drops)."""
        if self.stopped:
            return None
        if request.path.startswith(CONTROL_PREFIX + "/") and self.control is not None:
            return self.control(request)
        if not self.world.reachable(self.instance):
            return None
        if not request.path.startswith(API_PREFIX + "/") and request.path != API_PREFIX:
            return self.failure(self.not_found(request.method, request.path))
        api_path = request.path[len(API_PREFIX) :] or "/"
        fault = self.faults.draw(self.instance, request.method, api_path)
        if fault is not None and fault.kind == "latency":
            time.sleep(fault.seconds if fault.seconds is not None else DEFAULT_LATENCY_SECONDS)
            fault = None
        if fault is not None:
            response = self.fault_response(fault)
        else:
            response = self.dispatch(request, api_path)
        self.log.add(
            RequestRecord(
                instance=self.instance,
                method=request.method,
                path=api_path,
                params=mask(self.raw_parameters(request, {})),
                status=response.status if response is not None else 0,
                time=self.clock(),
            )
        )
        return response

    def dispatch(self, request: Request, api_path: str) -> Response:
        """Route, authenticate, check and run one API call."""
        segments = request.segments[2:]
        try:
            resolution = self.tree.resolve(request.method, segments)
            method = resolution.method if resolution is not None else None
            if method is not None and method.permissions.get("user") == "world":
                identity = Identity("", ticket=False)
            else:
                identity = self.authenticate(request)
            if resolution is None or method is None:
                raise self.not_found(request.method, api_path)
            uri = resolution.uri_params
            self.check_permission(method, identity, self.raw_parameters(request, uri))
            params = self.parameters(request, method, uri)
            route = self.handlers.get((method.method, method.template))
            if route is None:
                raise ApiError(501, f"Method '{method.method} {api_path}' {self.lab_unimplemented}")
            call: Call[S] = Call(
                self.state, self, params, identity.auth_id, method.method, method.template
            )
            with self.lock:
                self.world.engine.catch_up()
                self.precheck(method, uri, request)
                data = route.handler(call)
                if method.method != "GET":
                    self.after_write()
                    self.world.engine.catch_up()
            return self.success(data, call.attributes)
        except ApiError as error:
            return self.failure(error)
        except Exception as exc:  # a lab bug must surface loudly, not as a fake product error
            traceback.print_exc(file=sys.stderr)
            return self.failure(ApiError(500, f"lab internal error: {exc!r}"))
