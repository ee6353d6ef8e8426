"""Restore drills: where a drilled copy runs, which vmids it may take, and how it proves health.

A drill restores a service's newest backup into an isolated network (``bridge``, optionally
tagged ``vlan``, with no uplink; or, with no bridge, every NIC unplugged), under a vmid from a
reserved range, starts it, waits for its probes and deletes it again. Probes per service:

- ``{agent: true}``: the QEMU guest agent answers ``ping`` (the default probe);
- ``{exec: [systemctl, is-active, nextcloud]}``: a command run through the agent exits 0;
- ``{tcp: 443}`` and ``{http: /status.php, port: 443, https: true, status: 200}``: tried from
  the ``probe_helper``, a small VM on the drill network (``nc`` and ``curl`` run in it through
  its own guest agent), against the address the drilled guest's agent reports (or ``host``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from tappaas.model._types import Duration, NodeName, ServiceName, StorageId, StrictModel, matching
from tappaas.model.recovery import MAX_VLAN, MIN_VLAN, BridgeName

DEFAULT_FIRST_VMID, DEFAULT_LAST_VMID = 9900, 9999
"""Reserved for drills: a drill never takes a vmid outside this range, nor a service's."""
DEFAULT_INTERVAL = timedelta(days=7)
"""``tappaas status`` warns when a service's last passing drill is older than this."""
DEFAULT_TIMEOUT = timedelta(minutes=30)
"""From the restore request to healthy; past it the drill fails (and cleans up)."""
DEFAULT_CONCURRENCY = 1
DEFAULT_PEER_STORAGE = "tappaas-dr"
"""The PVE storage that reads the peer's copy (the recovery stack's ``source`` storage)."""
DEFAULT_HTTP_PORT = 80
DEFAULT_HTTP_STATUS = 200
MAX_PORT = 65535

Port = Annotated[int, Field(ge=1, le=MAX_PORT)]
HostAddress = Annotated[
    str, matching(r"[A-Za-z0-9.:\-\[\]]+", "an IP address or host name (e.g. '10.0.9.20')")
]


class AgentProbe(StrictModel):
    """The guest agent answers ``ping``: the guest booted far enough to run its services."""

    agent: Literal[True]


class ExecProbe(StrictModel):
    """A command inside the guest (through its agent) exits 0, e.g. ``systemctl is-active x``."""

    exec: tuple[Annotated[str, Field(min_length=1)], ...] = Field(min_length=1)


class TcpProbe(StrictModel):
    """A TCP port of the drilled guest accepts a connection from the probe helper."""

    tcp: Port
    host: HostAddress | None = None
    """Default: the first IPv4 address the drilled guest's agent reports."""


class HttpProbe(StrictModel):
    """An HTTP(S) request from the probe helper gets the expected status."""

    http: Annotated[str, matching(r"/\S*", "an HTTP path starting with '/' (e.g. '/status.php')")]
    port: Port = DEFAULT_HTTP_PORT
    https: bool = False
    status: Annotated[int, Field(ge=100, le=599)] = DEFAULT_HTTP_STATUS
    host: HostAddress | None = None


def _tag(kind: str) -> str:
    """The union tag of a probe kind; bracketed, so error paths leave it out (``errors``)."""
    return f"[{kind}]"


def _probe_kind(value: Any) -> str | None:
    """Which probe a YAML mapping is, by its one distinguishing key."""
    if isinstance(value, dict):
        return next((_tag(key) for key in PROBE_MODELS if key in value), None)
    return next((_tag(k) for k, model in PROBE_MODELS.items() if isinstance(value, model)), None)


Probe = Annotated[
    Annotated[AgentProbe, Tag(_tag("agent"))]
    | Annotated[ExecProbe, Tag(_tag("exec"))]
    | Annotated[TcpProbe, Tag(_tag("tcp"))]
    | Annotated[HttpProbe, Tag(_tag("http"))],
    Discriminator(
        _probe_kind,
        custom_error_type="probe",
        custom_error_message=(
            "a probe is one of {agent: true}, {exec: [command, args…]}, {tcp: port} or "
            "{http: /path, port: …}"
        ),
    ),
]
PROBE_MODELS: dict[str, type[StrictModel]] = {
    "agent": AgentProbe,
    "exec": ExecProbe,
    "tcp": TcpProbe,
    "http": HttpProbe,
}
DEFAULT_PROBES: tuple[AgentProbe, ...] = (AgentProbe(agent=True),)


class ProbeHelper(StrictModel):
    """A small VM on the drill network, with the guest agent, ``nc`` and ``curl``, from which
    TCP and HTTP probes run (the drill reaches it through the PVE API, never the network)."""

    vmid: Annotated[int, Field(ge=100, le=999_999_999)]
    node: NodeName


class DrillSettings(StrictModel):
    """The ``drill`` section; every key has a default, so a site can drill out of the box
    with its NICs unplugged and the guest agent as the only probe."""

    bridge: BridgeName | None = None
    """A bridge with no uplink; unset, the drilled VM's NICs are unplugged (``link_down``)."""
    vlan: Annotated[int, Field(ge=MIN_VLAN, le=MAX_VLAN)] | None = None
    first_vmid: Annotated[int, Field(ge=100, le=999_999_999)] = DEFAULT_FIRST_VMID
    last_vmid: Annotated[int, Field(ge=100, le=999_999_999)] = DEFAULT_LAST_VMID
    storage: StorageId | None = None
    """Where drill disks go; default: the service's own pool."""
    live_restore: bool = True
    """Start while the disks stream from PBS (the RTO a live-restore recovery would see)."""
    interval: Duration = DEFAULT_INTERVAL
    concurrency: Annotated[int, Field(ge=1, le=16)] = DEFAULT_CONCURRENCY
    timeout: Duration = DEFAULT_TIMEOUT
    probes: dict[ServiceName, tuple[Probe, ...]] = {}
    """Per service; unset, the guest agent must answer. ``[]`` asks only that it runs."""
    probe_helper: ProbeHelper | None = None
    peer_storage: StorageId = DEFAULT_PEER_STORAGE

    def probes_for(self, service: str) -> tuple[Probe, ...]:
        """The probes a drill of ``service`` waits for."""
        return self.probes.get(service, DEFAULT_PROBES)

    def in_range(self, vmid: int) -> bool:
        """Whether ``vmid`` is one of the drill's reserved vmids."""
        return self.first_vmid <= vmid <= self.last_vmid
