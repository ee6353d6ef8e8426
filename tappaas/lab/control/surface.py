"""The control surface: what tests and demos do to the lab that no Proxmox API offers.

Seeding VMs and backup snapshots, taking nodes down and up, injecting faults, and reading
the request log. The same operations are served over HTTP under ``/_lab/`` (see
``control.http``) so that a detached lab can be driven too.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from tappaas.lab.api.app import ApiApp
from tappaas.lab.control.faults import Fault, FaultSet, parse_kind
from tappaas.lab.control.request_log import RequestLog, RequestRecord
from tappaas.lab.handlers.pbs.snapshots import snapshot_item
from tappaas.lab.state.pbs import (
    DEFAULT_SNAPSHOT_BYTES,
    BackupGroup,
    DatastoreContent,
    PbsServer,
    Snapshot,
)
from tappaas.lab.state.pve import PveCluster, Vm

DEFAULT_DISKS: Mapping[str, str] = {"scsi0": "tanka:vm-{vmid}-disk-0,size=32G"}
GIB = 1024**3


class LabError(ValueError):
    """A control-surface call that cannot be carried out (unknown node, store, …)."""


def _epoch(time: datetime.datetime | int | float) -> int:
    if isinstance(time, datetime.datetime):
        if time.tzinfo is None:
            time = time.replace(tzinfo=datetime.UTC)
        return int(time.timestamp())
    return int(time)


class Control:
    """Python control surface of one running lab."""

    def __init__(
        self,
        pve: ApiApp[PveCluster],
        pbs: Mapping[str, ApiApp[PbsServer]],
        faults: FaultSet,
        log: RequestLog,
    ) -> None:
        self._pve = pve
        self._pbs = dict(pbs)
        self._faults = faults
        self._log = log

    # -- PVE -----------------------------------------------------------------------------
    def seed_vm(
        self,
        vmid: int,
        node: str,
        name: str | None = None,
        *,
        disks: Mapping[str, str] | None = None,
        status: str = "running",
        config: Mapping[str, Any] | None = None,
    ) -> None:
        """Place a VM on ``node`` (disks as ``{"scsi0": "tanka:vm-100-disk-0,size=32G"}``)."""
        state = self._pve.state
        if node not in state.nodes:
            raise LabError(f"unknown node {node!r}")
        if status not in ("running", "stopped"):
            raise LabError("status must be 'running' or 'stopped'")
        with self._pve.lock:
            if vmid in state.vms:
                raise LabError(f"VM {vmid} already exists")
            vm_config: dict[str, Any] = {
                "name": name or f"vm{vmid}",
                "memory": "2048",
                "cores": "2",
            }
            vm_config.update(config or {})
            for key, value in (disks if disks is not None else DEFAULT_DISKS).items():
                vm_config[key] = value.format(vmid=vmid)
            vm = Vm(vmid, node, status, vm_config)
            for volid in vm.volumes():
                state.volumes[volid] = 32 * GIB
            state.vms[vmid] = vm

    def vm(self, vmid: int) -> Vm | None:
        """The VM as the lab holds it (for assertions)."""
        return self._pve.state.vms.get(vmid)

    def node_down(self, node: str) -> None:
        """Take a node off the cluster: its API calls fail, quorum may be lost."""
        self._set_node(node, online=False)

    def node_up(self, node: str) -> None:
        """Bring a node back."""
        self._set_node(node, online=True)

    def _set_node(self, node: str, online: bool) -> None:
        state = self._pve.state
        if node not in state.nodes:
            raise LabError(f"unknown node {node!r}")
        with self._pve.lock:
            state.nodes[node].online = online

    # -- PBS -----------------------------------------------------------------------------
    def _server(self, pbs: str) -> ApiApp[PbsServer]:
        if pbs not in self._pbs:
            raise LabError(f"unknown PBS instance {pbs!r}")
        return self._pbs[pbs]

    def _content(self, app: ApiApp[PbsServer], store: str) -> DatastoreContent:
        if store not in app.state.datastores:
            raise LabError(f"no datastore {store!r} on PBS {app.instance!r}")
        return app.state.contents.setdefault(store, DatastoreContent())

    def seed_snapshot(
        self,
        pbs: str,
        store: str,
        *,
        backup_type: str = "vm",
        backup_id: str = "100",
        time: datetime.datetime | int | float | None = None,
        ns: str = "",
        protected: bool = False,
        encrypted: bool = True,
        notes: str = "",
        verify_state: str | None = None,
        owner: str = "root@pam",
        size_bytes: int = DEFAULT_SNAPSHOT_BYTES,
        config: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Add a finished snapshot (its namespace must exist); returns its list entry."""
        app = self._server(pbs)
        epoch = _epoch(time if time is not None else app.clock())
        with app.lock:
            content = self._content(app, store)
            if ns not in content.namespaces:
                raise LabError(f"namespace {ns!r} does not exist in {store!r}")
            key = content.group_key(ns, backup_type, backup_id)
            group = content.groups.setdefault(key, BackupGroup(backup_type, backup_id, owner))
            snapshot = Snapshot(
                backup_type=backup_type,
                backup_id=backup_id,
                time=epoch,
                protected=protected,
                encrypted=encrypted,
                verify_state=verify_state,
                notes=notes,
                size=size_bytes,
                config=dict(config or {}),
            )
            group.snapshots[epoch] = snapshot
            return snapshot_item(group, snapshot)

    def snapshots(self, pbs: str, store: str, ns: str = "") -> list[dict[str, Any]]:
        """Snapshot entries of one namespace, as ``GET …/snapshots`` shows them, oldest first."""
        app = self._server(pbs)
        with app.lock:
            content = self._content(app, store)
            return [
                {**snapshot_item(g, s), "ns": ns}
                for g in content.groups_in(ns)
                for s in sorted(g.snapshots.values(), key=lambda s: s.time)
            ]

    def create_namespace(self, pbs: str, store: str, ns: str) -> None:
        """Create ``ns`` and its parents without the API's checks (for seeding)."""
        app = self._server(pbs)
        with app.lock:
            content = self._content(app, store)
            parts = [p for p in ns.split("/") if p]
            for depth in range(1, len(parts) + 1):
                content.namespaces.add("/".join(parts[:depth]))

    # -- faults and request log ----------------------------------------------------------
    def inject_fault(
        self,
        instance: str,
        kind: str,
        *,
        rate: float = 1.0,
        count: int | None = None,
        path: str | None = None,
        method: str | None = None,
        seconds: float | None = None,
    ) -> None:
        """Make ``instance`` ("pve" or a PBS name) misbehave; see ``control.faults``."""
        if instance != "pve" and instance not in self._pbs:
            raise LabError(f"unknown instance {instance!r}")
        self._faults.add(Fault(instance, parse_kind(kind), rate, count, path, method, seconds))

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        self._faults.clear()

    def requests(self, instance: str | None = None) -> list[RequestRecord]:
        """Every answered API request (control calls excluded), oldest first."""
        return self._log.records(instance)

    def clear_requests(self) -> None:
        """Forget the request log."""
        self._log.clear()
