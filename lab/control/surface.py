"""The control surface: what tests and demos do to the lab that no Proxmox API offers.

Seeding VMs and backup snapshots; the clock (``now``, ``advance``, ``run_until``, and
``run_job`` to run a scheduled job at once); nodes crashing, shutting down, rebooting and
in maintenance; faults (API errors, a PBS cut off the network, a failing disk); a
ransomware attack with given credentials; and what happened (``journal``, ``recoveries``,
the request log). The same operations are served over HTTP under ``/_lab/`` (see
``control.http``) so that a detached lab can be driven too.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping
from typing import Any

from lab.api.app import ApiApp
from lab.control.faults import Fault, FaultSet, parse_kind
from lab.control.ransomware import AttackReport, Credential, ransomware
from lab.control.request_log import RequestLog, RequestRecord
from lab.handlers.pbs.snapshots import snapshot_item
from lab.sim.clock import epoch, iso
from lab.sim.content import seeded_index
from lab.sim.journal import JournalEntry
from lab.sim.pbs.jobs import KINDS, configs_of, run_gc_now, run_job
from lab.sim.pve import power, replication
from lab.sim.pve.disks import fail_disk
from lab.sim.pve.vzdump import run_vzdump
from lab.sim.world import World
from lab.state.access import SUPERUSER
from lab.state.ha import Recovery
from lab.state.pbs import (
    DEFAULT_SNAPSHOT_BYTES,
    BackupGroup,
    DatastoreContent,
    PbsServer,
    Snapshot,
)
from lab.state.pve import PveCluster, Vm

DEFAULT_DISKS: Mapping[str, str] = {"scsi0": "tanka:vm-{vmid}-disk-0,size=32G"}
GIB = 1024**3


class LabError(ValueError):
    """A control-surface call that cannot be carried out (unknown node, store, …)."""


MINUTE, HOUR, DAY = 60, 3600, 86400
JOB_KINDS = ("vzdump", "replication", *KINDS)


class Control:
    """Python control surface of one running lab."""

    def __init__(
        self,
        pve: ApiApp[PveCluster],
        pbs: Mapping[str, ApiApp[PbsServer]],
        faults: FaultSet,
        log: RequestLog,
        world: World,
    ) -> None:
        self._pve = pve
        self._pbs = dict(pbs)
        self._faults = faults
        self._log = log
        self._world = world

    # -- clock ---------------------------------------------------------------------------
    def now(self) -> int:
        """The lab's time (Unix seconds, UTC)."""
        return self._world.now()

    def _moved(self, runs: int) -> dict[str, Any]:
        now = self._world.now()
        return {"time": now, "iso": iso(now), "runs": runs}

    def advance(
        self, *, seconds: float = 0, minutes: float = 0, hours: float = 0, days: float = 0
    ) -> dict[str, Any]:
        """Move the clock ahead, running everything that falls due on the way.

        Returns the new time (``time``, ``iso``) and how many scheduled runs happened.
        """
        total = seconds + minutes * MINUTE + hours * HOUR + days * DAY
        return self._moved(self._world.engine.advance(total))

    def run_until(self, time: datetime.datetime | float | str) -> dict[str, Any]:
        """Move the clock to ``time`` (datetime, Unix seconds or ISO text), running what is due."""
        target = epoch(time)
        if target < self._world.clock.now():
            raise LabError(f"{iso(target)} is in the lab's past ({iso(self._world.now())})")
        return self._moved(self._world.engine.run_until(target))

    def run_job(
        self, kind: str, name: str, *, pbs: str | None = None, node: str | None = None
    ) -> list[str]:
        """Run a scheduled job now, as its scheduler would; returns the task UPIDs.

        ``vzdump``: a ``/cluster/backup`` job on ``node`` (default: every online node);
        ``replication``: a replication job (pvesr has no task: returns ``[]``);
        ``sync``/``prune``/``verify``: a job of PBS ``pbs``; ``gc``: datastore ``name``.
        """
        if kind not in JOB_KINDS:
            raise LabError(f"unknown job kind {kind!r} (known: {', '.join(JOB_KINDS)})")
        world = self._world
        with world.lock:
            world.engine.catch_up()
            if kind == "vzdump":
                return self._run_backup(name, node)
            if kind == "replication":
                entry = world.pve.replication.get(name)
                if entry is None:
                    raise LabError(f"no replication job {name!r}")
                replication.run(world, entry, world.now())
                return []
            server = self._server(pbs or "").state
            if kind == "gc":
                self._content(self._server(pbs or ""), name)
                return [run_gc_now(world, server, name, SUPERUSER).upid]
            entry = configs_of(server, KINDS[kind]).get(name)
            if entry is None:
                raise LabError(f"no {kind} job {name!r} on PBS {pbs!r}")
            return [run_job(world, server, KINDS[kind], entry, SUPERUSER).upid]

    def _run_backup(self, job_id: str, node: str | None) -> list[str]:
        pve = self._world.pve
        job = pve.backup_jobs.get(job_id)
        if job is None:
            raise LabError(f"no backup job {job_id!r}")
        nodes = [node] if node else pve.online_nodes()
        tasks = [run_vzdump(self._world, job.options, n, SUPERUSER, job_id) for n in nodes]
        return [t.upid for t in tasks if t is not None]

    def journal(
        self,
        since: datetime.datetime | float | str | None = None,
        kinds: Collection[str] | None = None,
    ) -> list[JournalEntry]:
        """What happened (backups, prunes, syncs, HA, faults …), oldest first."""
        return self._world.journal.entries(None if since is None else epoch(since), kinds)

    def recoveries(self) -> list[Recovery]:
        """Every HA recovery so far, with the data each guest lost."""
        return list(self._world.pve.ha.recoveries)

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

    def _node(self, node: str) -> str:
        if node not in self._pve.state.nodes:
            raise LabError(f"unknown node {node!r}")
        return node

    def node_down(self, node: str) -> None:
        """The node fails now (a crash): its API calls fail, its guests die, quorum may be
        lost, and HA fences it and recovers its services elsewhere."""
        with self._world.lock:
            power.crash(self._world, self._node(node))

    def node_up(self, node: str) -> None:
        """The node boots again (its schedulers start; HA brings services back)."""
        with self._world.lock:
            power.power_on(self._world, self._node(node))

    def shutdown_node(self, node: str, *, reboot: bool = False) -> str:
        """A clean shutdown or reboot, as ``POST /nodes/{node}/status`` does; returns what
        HA does with the node's services under the cluster's shutdown policy."""
        with self._world.lock:
            return str(power.shutdown(self._world, self._node(node), reboot=reboot))

    def maintenance(self, node: str, enable: bool = True) -> None:
        """HA maintenance mode on or off (``ha-manager crm-command node-maintenance``)."""
        with self._world.lock:
            power.set_maintenance(self._world, self._node(node), enable)

    def fail_disk(self, node: str, devpath: str) -> str:
        """A disk of ``node`` fails; returns its pool's health (a mirror is ``DEGRADED`` and
        keeps serving; a pool past its redundancy is ``FAULTED`` and its data is gone)."""
        with self._world.lock:
            if devpath not in self._pve.state.nodes[self._node(node)].disks:
                raise LabError(f"node {node!r} has no disk {devpath!r}")
            return fail_disk(self._world, node, devpath)

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
        finished: bool = True,
    ) -> dict[str, Any]:
        """Add a snapshot (its namespace must exist; ``finished=False``: still being written,
        no manifest yet); returns its list entry."""
        app = self._server(pbs)
        when = int(epoch(time if time is not None else app.clock()))
        with app.lock:
            content = self._content(app, store)
            if ns not in content.namespaces:
                raise LabError(f"namespace {ns!r} does not exist in {store!r}")
            key = content.group_key(ns, backup_type, backup_id)
            group = content.groups.setdefault(key, BackupGroup(backup_type, backup_id, owner))
            index = seeded_index(f"{pbs}/{store}/{ns}/{backup_type}/{backup_id}/{when}", size_bytes)
            content.chunks.insert(index, when)
            snapshot = Snapshot(
                backup_type=backup_type,
                backup_id=backup_id,
                time=when,
                protected=protected,
                encrypted=encrypted,
                verify_state=verify_state,
                notes=notes,
                size=size_bytes,
                config=dict(config or {}),
                index=index,
                finished=finished,
            )
            group.snapshots[when] = snapshot
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
    def disconnect(self, instance: str) -> None:
        """Cut ``instance`` (a PBS name, or "pve") off the network: connections to it fail,
        backups to it and syncs with it fail with Proxmox's connection errors."""
        self._instance(instance)
        self._world.disconnected.add(instance)
        self._world.note(instance, "fault", f"{instance} unreachable")

    def reconnect(self, instance: str) -> None:
        """Undo ``disconnect``."""
        self._instance(instance)
        self._world.disconnected.discard(instance)
        self._world.note(instance, "fault", f"{instance} reachable again")

    def ransomware(
        self,
        *,
        pve: Credential | None = None,
        pbs: Mapping[str, Credential] | None = None,
    ) -> AttackReport:
        """An attacker holding these credentials deletes everything they allow, through the
        API (so the instances' permission models decide what survives); see
        ``control.ransomware``. A credential is ``(auth id, secret)``: a token and its
        secret, or a user and its password."""
        apps = {name: self._server(name) for name in (pbs or {})}
        return ransomware(self._pve if pve else None, pve, apps, dict(pbs or {}))

    def _instance(self, instance: str) -> None:
        if instance != "pve" and instance not in self._pbs:
            raise LabError(f"unknown instance {instance!r}")

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
        self._instance(instance)
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
