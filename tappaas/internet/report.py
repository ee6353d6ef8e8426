"""The drill's result: one row per resolver and per (resolver, name), each with a status."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, computed_field

from tappaas.health.state import worst
from tappaas.internet.probe import QueryOutcome
from tappaas.internet.verdict import Origin, Status, finding_status
from tappaas.policy import Finding, UnboundSettings


class NameKind(StrEnum):
    SERVICE = "service"
    """A name of a site service (``network.services``)."""
    OUTSIDE = "outside"
    """An outside name a service depends on (``network.outside_names``)."""
    UNCACHED = "uncached"
    """A random name under ``network.probe_domain``: never in any cache."""


class ResolverCheck(BaseModel):
    """Whether one resolver answers at all."""

    model_config = ConfigDict(frozen=True)

    address: str
    service: str | None
    status: Status
    why: str


class NameCheck(BaseModel):
    """One name asked of one resolver, and the verdict."""

    model_config = ConfigDict(frozen=True)

    resolver: str
    name: str
    kind: NameKind
    service: str | None = None
    offline: bool = False
    udp: QueryOutcome
    tcp: QueryOutcome | None = None
    origin: Origin
    override: str | None = None
    """The OPNsense host override answering the name, when the settings were read."""
    status: Status
    why: str


class OpnsenseCheck(BaseModel):
    """The firewall's Unbound settings as read through the OPNsense API (or why not)."""

    model_config = ConfigDict(frozen=True)

    address: str
    settings: UnboundSettings | None = None
    error: str | None = None
    status: Status


class InternetDrill(BaseModel):
    """Everything one run of ``tappaas drill internet`` found."""

    model_config = ConfigDict(frozen=True)

    site: str
    started: str
    """ISO 8601 UTC."""
    resolvers: tuple[ResolverCheck, ...]
    names: tuple[NameCheck, ...]
    opnsense: OpnsenseCheck | None = None
    findings: tuple[Finding, ...] = ()
    """From the live Unbound settings (serve-expired, prefetch)."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> Status:
        """The worst state of every row: the command's exit code."""
        return worst(
            [
                *(r.status for r in self.resolvers),
                *(n.status for n in self.names),
                *([self.opnsense.status] if self.opnsense is not None else []),
                *(finding_status(f) for f in self.findings),
            ]
        )
