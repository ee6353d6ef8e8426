"""``Lab``: one process serving a PVE cluster and PBS instances over loopback HTTPS.

``Lab.start(config)`` loads the official schema files if present (else the lab's built-in
checks, and ``notes`` says so), builds or restores the state, mints a certificate per
instance, and serves each on its own port. Its clock (``config.clock``) drives the scheduled
behaviours (``sim``): in real time from a background thread, or when ``lab.control.advance``
says so. ``stop()`` (or leaving the ``with`` block) shuts the servers and, with
``state_file``, saves the state (and the simulated time) so a demo survives restarts.

The state file is a pickle written by the lab itself with mode 0600; load only your own.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from lab.api.app import ApiApp
from lab.api.pbs_app import PbsApp
from lab.api.pve_app import PveApp
from lab.config import DEFAULT_DISK_BYTES, LabConfig
from lab.control.faults import FaultSet
from lab.control.http import ControlEndpoint
from lab.control.request_log import RequestLog
from lab.control.surface import Control
from lab.endpoint import Endpoint, Product
from lab.handlers import pbs as pbs_handlers
from lab.handlers import pve as pve_handlers
from lab.http.server import LabHttpServer
from lab.schema.files import find_schema_file, load_apidoc
from lab.schema.tree import RouteTree
from lab.sim.activities import collect
from lab.sim.clock import LabClock
from lab.sim.world import PVE_INSTANCE, World
from lab.state.access import (
    SUPERUSER,
    AccessControl,
    AclEntry,
    Token,
    User,
    new_password,
    new_token_secret,
)
from lab.state.pbs import PbsServer
from lab.state.pve import PhysicalDisk, PveCluster, PveNode
from lab.state.tasks import TaskRegistry
from lab.tls import TlsMaterial, mint, mint_ca

BOOT_TOKEN = "tappaas"
CLUSTER_NAME = "tappaas"
STATE_FILE_MODE = 0o600
BUILTIN_ONLY = "built-in checks of the implemented endpoints only"


@dataclass
class _Saved:
    """What ``state_file`` holds."""

    pve: PveCluster
    pbs: dict[str, PbsServer]
    tls: dict[str, TlsMaterial]
    ports: dict[str, int]
    ca: TlsMaterial
    passwords: dict[str, str] = field(default_factory=dict)
    clusters: dict[str, PveCluster] = field(default_factory=dict)
    """Secondary PVE clusters by name (a peer's own cluster, a rented recovery host)."""
    clock_now: float | None = None
    """The lab time when it was saved (a simulated clock continues from there)."""


def _access(product: Product, password: str) -> tuple[AccessControl, str]:
    secret = new_token_secret()
    access = AccessControl(product)
    root = User(SUPERUSER, password=password, comment="lab superuser")
    root.tokens[BOOT_TOKEN] = Token(BOOT_TOKEN, secret, comment="lab boot token", privsep=False)
    access.users[SUPERUSER] = root
    if product == "pbs":
        access.acl.append(AclEntry("/", f"{SUPERUSER}!{BOOT_TOKEN}", "Admin"))
    return access, secret


def _cluster(
    name: str, node_names: tuple[str, ...], config: LabConfig, password: str
) -> PveCluster:
    nodes = {}
    for index, node in enumerate(node_names, start=1):
        disks = {
            dev: PhysicalDisk(dev, DEFAULT_DISK_BYTES, serial=f"LAB{index:02d}{dev[-1].upper()}")
            for dev in config.disks_of(node)
        }
        nodes[node] = PveNode(node, nodeid=index, disks=disks)
    return PveCluster(name, nodes, _access("pve", password)[0])


def _fresh(config: LabConfig) -> _Saved:
    password = new_password()
    cluster = _cluster(CLUSTER_NAME, config.nodes, config, password)
    secondary = {
        name: _cluster(name, nodes, config, password) for name, nodes in config.clusters.items()
    }
    servers = {name: PbsServer(name, name, _access("pbs", password)[0]) for name in config.pbs}
    ca = mint_ca(f"{CLUSTER_NAME} lab CA")
    tls = (
        {PVE_INSTANCE: mint(f"{config.nodes[0]}.lab", ca)}
        | {n: mint(f"pbs-{n}.lab", ca) for n in config.pbs}
        | {n: mint(f"{n}.lab", ca) for n in secondary}
    )
    return _Saved(
        cluster,
        servers,
        tls,
        {},
        ca,
        {PVE_INSTANCE: password, **dict.fromkeys([*config.pbs, *secondary], password)},
        secondary,
    )


def _load(path: Path) -> _Saved:
    with path.open("rb") as handle:
        saved = pickle.load(handle)
    if not isinstance(saved, _Saved):
        raise ValueError(f"{path} is not a lab state file")
    return saved


def _schema(directory: Path | None, product: Product) -> tuple[RouteTree | None, str]:
    path = find_schema_file(directory, product) if directory is not None else None
    if path is None:
        where = f"in {directory}" if directory is not None else "directory"
        return None, f"{product.upper()}: no schema file {where} - {BUILTIN_ONLY}"
    tree = RouteTree.from_apidoc(load_apidoc(path))
    return tree, f"{product.upper()}: schema {path} ({tree.size} methods)"


class Lab:
    """A running lab; use ``Lab.start(config)``, then ``stop()`` or a ``with`` block."""

    def __init__(self, config: LabConfig) -> None:
        self.config = config
        self.notes: list[str] = []
        self._faults = FaultSet()
        self._log = RequestLog()
        self._servers: list[LabHttpServer] = []
        self._saved = self._restore_or_create()
        self._apps: dict[str, ApiApp[Any]] = {}
        self.pve: Endpoint
        self.pbs: dict[str, Endpoint] = {}
        self.clusters: dict[str, Endpoint] = {}
        self.control: Control
        self.world: World

    @classmethod
    def start(cls, config: LabConfig | None = None) -> Lab:
        """Build and serve a lab."""
        lab = cls(config or LabConfig())
        try:
            lab._serve()
        except BaseException:
            lab.stop()
            raise
        return lab

    def _restore_or_create(self) -> _Saved:
        path = self.config.state_file
        if path is not None and path.exists():
            saved = _load(path)
            self.notes.append(f"state restored from {path}")
            return saved
        return _fresh(self.config)

    def _serve(self) -> None:
        saved, config = self._saved, self.config
        directory = config.resolved_schema_dir()
        pve_tree, pve_note = _schema(directory, "pve")
        pbs_tree, pbs_note = _schema(directory, "pbs")
        self.notes += [pve_note, pbs_note]
        start = config.start_time
        if config.clock == "simulated" and saved.clock_now is not None:
            start = saved.clock_now
        clock = LabClock(config.clock, start)
        tasks = (
            {PVE_INSTANCE: TaskRegistry("pve", clock.now, config.task_seconds)}
            | {name: TaskRegistry("pbs", clock.now, config.task_seconds) for name in saved.pbs}
            | {name: TaskRegistry("pve", clock.now, config.task_seconds) for name in saved.clusters}
        )
        self.world = world = World(saved.pve, saved.pbs, clock, tasks, collect)
        pve_app = PveApp(
            PVE_INSTANCE,
            saved.pve,
            access=saved.pve.access,
            tasks=tasks[PVE_INSTANCE],
            routes=pve_handlers.ROUTES,
            schema=pve_tree,
            faults=self._faults,
            log=self._log,
            world=world,
        )
        pbs_apps = {
            name: PbsApp(
                name,
                server,
                access=server.access,
                tasks=tasks[name],
                routes=pbs_handlers.ROUTES,
                schema=pbs_tree,
                faults=self._faults,
                log=self._log,
                world=world,
            )
            for name, server in saved.pbs.items()
        }
        cluster_apps = {
            name: PveApp(
                name,
                cluster,
                access=cluster.access,
                tasks=tasks[name],
                routes=pve_handlers.ROUTES,
                schema=pve_tree,
                faults=self._faults,
                log=self._log,
                world=world,
            )
            for name, cluster in saved.clusters.items()
        }
        self.control = Control(pve_app, pbs_apps, self._faults, self._log, world)
        boot_secret = saved.pve.access.users[SUPERUSER].tokens[BOOT_TOKEN].secret
        endpoint = ControlEndpoint(self.control, boot_secret)
        saved.pve.backup_servers = {}
        pve_port = config.pve_port or saved.ports.get(PVE_INSTANCE, 0)
        self.pve = self._bind(PVE_INSTANCE, "pve", pve_app, pve_port, endpoint)
        for name, cluster_app in cluster_apps.items():
            port = saved.ports.get(name, 0)
            self.clusters[name] = self._bind(name, "pve", cluster_app, port, endpoint)
        for name, app in pbs_apps.items():
            port = config.pbs_ports.get(name) or saved.ports.get(name, 0)
            self.pbs[name] = self._bind(name, "pbs", app, port, endpoint)
            app.state.fingerprint = saved.tls[name].fingerprint
            app.state.version = config.pbs_version
            for host in (config.host, "localhost"):
                saved.pve.backup_servers[f"{host}:{self.pbs[name].port}"] = app.state
        for cluster in saved.clusters.values():
            cluster.backup_servers = saved.pve.backup_servers
        if clock.mode == "real":
            world.engine.start_realtime()

    def _bind(
        self, name: str, product: Product, app: ApiApp[Any], port: int, control: ControlEndpoint
    ) -> Endpoint:
        tls = self._saved.tls[name]
        try:
            server = LabHttpServer(self.config.host, port, tls.server_context(), app)
        except OSError:
            if not port:
                raise
            server = LabHttpServer(self.config.host, 0, tls.server_context(), app)
        app.control = control
        server.start()
        self._servers.append(server)
        self._apps[name] = app
        self._saved.ports[name] = server.port
        access = app.access
        root = access.users[SUPERUSER]
        return Endpoint(
            name=name,
            product=product,
            host=self.config.host,
            port=server.port,
            fingerprint=tls.fingerprint,
            root_userid=SUPERUSER,
            root_password=root.password or "",
            token_id=f"{SUPERUSER}!{BOOT_TOKEN}",
            token_secret=root.tokens[BOOT_TOKEN].secret,
        )

    def clusters_state(self) -> dict[str, PveCluster]:
        """Every PVE cluster's state by endpoint name (the primary is ``pve``)."""
        return {PVE_INSTANCE: self._saved.pve, **self._saved.clusters}

    @property
    def ca_pem(self) -> bytes:
        """The lab CA's certificate: every endpoint's certificate is signed by it."""
        return self._saved.ca.cert_pem

    def endpoints(self) -> list[Endpoint]:
        """PVE first, then every PBS, then the secondary clusters."""
        return [self.pve, *self.pbs.values(), *self.clusters.values()]

    def save(self, path: Path | None = None) -> None:
        """Write the state to ``path`` (default ``config.state_file``), mode 0600."""
        target = path or self.config.state_file
        if target is None:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        servers, self._saved.pve.backup_servers = self._saved.pve.backup_servers, {}
        for cluster in self._saved.clusters.values():
            cluster.backup_servers = {}
        try:
            for app in self._apps.values():
                app.lock.acquire()
            self._saved.clock_now = self.world.clock.now()
            tmp = target.with_name(target.name + f".{secrets.token_hex(4)}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, STATE_FILE_MODE)
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(self._saved, handle)
            tmp.replace(target)
        finally:
            for app in self._apps.values():
                app.lock.release()
            self._saved.pve.backup_servers = servers
            for cluster in self._saved.clusters.values():
                cluster.backup_servers = servers

    def stop(self) -> None:
        """Stop every server, then save the state when ``state_file`` is set.

        In that order, as a Proxmox that persists a change before answering: every write a
        client was answered for is in the saved state, and nothing is answered after it.
        """
        if hasattr(self, "world"):
            self.world.engine.stop()
        for app in self._apps.values():
            app.stop()
        serving = bool(self._servers)
        for server in self._servers:
            with contextlib.suppress(OSError):
                server.stop()
        self._servers.clear()
        if serving and self.config.state_file is not None:
            self.save()

    def __enter__(self) -> Lab:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
