"""How handlers are declared: a verb, a schema path template, and a built-in parameter spec.

Handlers are thin: they read validated parameters from a ``Call``, change or read the state,
and return the ``data`` part of the answer. Templates are spelled exactly as in the official
schema (``/cluster/replication/{id}``), so the schema tree routes to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from lab.api.tickets import TicketAuthority
from lab.sim.world import World
from lab.state.access import AccessControl
from lab.state.tasks import TaskRegistry

S = TypeVar("S")


class Services(Protocol):
    """What an instance offers its handlers besides the state."""

    instance: str
    access: AccessControl
    tasks: TaskRegistry
    tickets: TicketAuthority
    clock: Callable[[], float]
    world: World


@dataclass
class Call(Generic[S]):
    """One validated API call as a handler sees it."""

    state: S
    services: Services
    params: dict[str, Any]
    auth_id: str
    method: str
    template: str
    attributes: dict[str, Any] = field(default_factory=dict)

    def param(self, name: str, default: Any = None) -> Any:
        """A parameter, or ``default`` when absent."""
        return self.params.get(name, default)

    @property
    def access(self) -> AccessControl:
        """Users, tokens and ACLs of the instance."""
        return self.services.access

    def has(self, path: str, *privileges: str) -> bool:
        """Whether the caller holds all ``privileges`` on ``path``."""
        return set(privileges) <= self.access.privileges(self.auth_id, path)

    def has_any(self, path: str, *privileges: str) -> bool:
        """Whether the caller holds one of ``privileges`` on ``path``."""
        return bool(set(privileges) & self.access.privileges(self.auth_id, path))

    @property
    def userid(self) -> str:
        """The user behind the auth id (a token's owner)."""
        return self.auth_id.split("!", 1)[0]


Handler = Callable[[Call[Any]], Any]


@dataclass(frozen=True)
class Route:
    """A handler bound to one verb and template; ``spec`` is used without a schema file."""

    method: str
    template: str
    handler: Handler
    spec: str = ""


class RouteTable:
    """The routes of one API area; decorate handlers with :meth:`route`."""

    def __init__(self) -> None:
        self._routes: list[Route] = []

    def route(self, method: str, template: str, spec: str = "") -> Callable[[Handler], Handler]:
        """Register the decorated function for ``method template``."""

        def register(handler: Handler) -> Handler:
            self._routes.append(Route(method.upper(), template, handler, spec))
            return handler

        return register

    def __iter__(self) -> Iterator[Route]:
        return iter(self._routes)
