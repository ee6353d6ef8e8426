"""A restore drill: restore, start, probe, measure, delete — always delete.

For each chosen service: its newest complete snapshot in the chosen copy (a PVE storage:
the site's PBS storage, or the one reading the peer's copy) is restored under a reserved
vmid, tagged ``tappaas-drill`` (in place of the backup's tags and description, so no
other tool's mark comes along), onto the drill network (``network``), without HA, without
``onboot`` and without ``protection`` (a backup of a protected VM carries it); started (or
live-restored); its probes are retried until they pass or the deadline; then the VM is
stopped and destroyed — also on failure, timeout or interruption (``keep_on_failure`` keeps a
failed one for inspection; the next run removes it). A run first removes what an earlier,
killed run left behind (``cleanup``).

Every time is read from the node's clock (``/nodes/{node}/time``), so RPO and RTO are in the
cluster's time; the waiting between polls is ``sleep`` (injected: a lab on a simulated clock
moves its clock there). The deadline is ``drill.timeout`` on the node's clock and, as a
safety net for a clock that does not move, on this process's monotonic clock too.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from tappaas.client import NotFoundError, ProxmoxClient, ProxmoxError, TaskFailedError
from tappaas.drill.cleanup import DRILL_TAG, all_vms, find_leftovers, remove
from tappaas.drill.network import nic_overrides
from tappaas.drill.placement import NoRoomError, Placement, config_memory_bytes
from tappaas.drill.probes import ProbeRunner, describe
from tappaas.health import DrillRun, ProbeResult, Refusal, ServiceDrill, Source, targets
from tappaas.model import Probe, SiteConfig
from tappaas.pve.agent import AgentApi
from tappaas.pve.nodes import NodesApi
from tappaas.pve.qemu import QemuApi, RestoreRequest
from tappaas.pve.storage import StorageApi

DEFAULT_POLL_SECONDS = 2.0
PEER_STORAGE_HINT = (
    "a drill from the peer restores through a PVE storage reading the copy there: "
    "`pulumi up` a cloud-recovery stack on this cluster (it creates {storage} with the "
    "peer's read-only restore token and the site's key), or add one and name it in "
    "drill.peer_storage"
)
RUNNING = "running"


class DrillInterruptedError(Exception):
    """The run was asked to stop (Ctrl-C, SIGTERM): drills clean up and end."""


@dataclass(frozen=True)
class DrillOptions:
    """What one ``tappaas drill`` run does."""

    source: Source = Source.LOCAL
    node: str | None = None
    """Where drill VMs run; default: each service's home node."""
    keep_on_failure: bool = False
    poll_seconds: float = DEFAULT_POLL_SECONDS


@dataclass(frozen=True)
class Plan:
    """One service's drill, decided before it starts."""

    service: str
    vmid: int
    node: str
    volid: str
    snapshot_time: int
    size: int | None
    config: dict[str, str]
    memory: int


@dataclass
class _Progress:
    """What one service's drill measured so far (seconds from its start)."""

    restored: float | None = None
    running: float | None = None
    healthy: float | None = None
    probes: list[ProbeResult] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    """Probes not passed yet (described), the first with ``detail``: why not."""
    detail: str = ""

    def failed_probes(self) -> list[ProbeResult]:
        """The probes still pending when the drill ended, as failed results."""
        return [
            ProbeResult(probe=probe, passed=False, detail=self.detail if i == 0 else "not reached")
            for i, probe in enumerate(self.pending)
        ]


def source_storage(site: SiteConfig, source: Source) -> str:
    """The PVE storage a drill restores from: the site's PBS, or the peer's copy."""
    if source is Source.PEER:
        return site.drill.peer_storage
    assert site.backup is not None
    return site.backup.pbs.storage_id


def new_drill_id(now: int) -> str:
    """``20250116T020004Z-1a2b`` (sortable, unique enough for one site)."""
    stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{uuid.uuid4().hex[:4]}"


class Drill:
    """One drill run over some services of ``site``."""

    def __init__(
        self,
        site: SiteConfig,
        connect: Callable[[], ProxmoxClient],
        options: DrillOptions,
        *,
        sleep: Callable[[float], None] = time.sleep,
        on_event: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.site = site
        self.connect = connect
        self.options = options
        self.sleep = sleep
        self.say = on_event
        self.storage = source_storage(site, options.source)
        self.stopping = threading.Event()
        self.created: dict[int, str] = {}
        """vmid → node of every drill VM this run asked for (until it is removed)."""
        self.lock = threading.Lock()

    # -- the run -----------------------------------------------------------------------
    def run(self, services: Sequence[str]) -> DrillRun:
        """Drill ``services``; on ``KeyboardInterrupt`` every drill cleans up, then it re-raises."""
        client = self.connect()
        client.require_supported()  # before the first write (a leftover's removal)
        vms = all_vms(client)
        cleaned = self._remove_leftovers(client, vms)
        started = self._now(client, self._any_node(client))
        drill_id = new_drill_id(started)
        placement = Placement(self.site, [vm.vmid for vm in vms if vm.vmid not in cleaned])
        plans, refused = self._plans(client, services)
        results: list[ServiceDrill] = []
        with ThreadPoolExecutor(max_workers=self.site.drill.concurrency) as pool:
            futures = {
                plan.service: pool.submit(self._guarded, drill_id, plan, placement)
                for plan in plans
            }
            try:
                for service, future in futures.items():
                    outcome = future.result()
                    if isinstance(outcome, Refusal):
                        refused.append(outcome)
                    else:
                        results.append(outcome)
                        self.say(f"{service}: {outcome.verdict.value}")
            except KeyboardInterrupt:
                self.stopping.set()
                pool.shutdown(wait=True, cancel_futures=True)
                self._remove_created(client)
                raise
        return DrillRun(
            drill_id=drill_id,
            site=self.site.name,
            source=self.options.source,
            started=started,
            results=tuple(results),
            refused=tuple(refused),
            cleaned_leftovers=tuple(cleaned),
        )

    def _any_node(self, client: ProxmoxClient) -> str:
        online = [n.name for n in NodesApi(client).nodes() if n.online]
        if not online:
            raise ProxmoxError("no node of the cluster is online")
        return self.options.node or online[0]

    def _now(self, client: ProxmoxClient, node: str) -> int:
        return NodesApi(client).time(node)

    def _remove_leftovers(self, client: ProxmoxClient, vms: list[Any]) -> list[int]:
        removed = []
        for leftover in find_leftovers(self.site, vms):
            error = remove(client, self.site, leftover.node, leftover.vmid)
            if error is None:
                removed.append(leftover.vmid)
                self.say(f"removed drill VM {leftover.vmid} left by an interrupted run")
            else:
                self.say(f"could not remove leftover drill VM {leftover.vmid}: {error}")
        return removed

    def _remove_created(self, client: ProxmoxClient) -> None:
        with self.lock:
            created = dict(self.created)
        for vmid, node in created.items():
            if remove(client, self.site, node, vmid) is None:
                with self.lock:
                    self.created.pop(vmid, None)

    # -- planning ----------------------------------------------------------------------
    def _plans(
        self, client: ProxmoxClient, services: Sequence[str]
    ) -> tuple[list[Plan], list[Refusal]]:
        plans, refused = [], []
        for name in services:
            try:
                plans.append(self._plan(client, name))
            except (NoRoomError, ProxmoxError) as error:
                refused.append(Refusal(service=name, reason=str(error)))
        return plans, refused

    def _plan(self, client: ProxmoxClient, name: str) -> Plan:
        service = self.site.services[name]
        node = self.options.node or service.node
        try:
            complete = StorageApi(client).vm_backups(node, self.storage, service.vmid)
        except NotFoundError as error:
            if self.options.source is not Source.PEER:
                raise
            raise NoRoomError(
                f"{error}: {PEER_STORAGE_HINT.format(storage=self.storage)}"
            ) from None
        if not complete:
            raise NoRoomError(f"no complete backup of vm {service.vmid} in storage {self.storage}")
        newest = complete[-1]
        volid = str(newest["volid"])
        config = QemuApi(client).extract_config(node, volid)
        return Plan(
            service=name,
            vmid=0,
            node=node,
            volid=volid,
            snapshot_time=int(newest["ctime"]),
            size=int(newest["size"]),
            config=config,
            memory=config_memory_bytes(config),
        )

    # -- one service -------------------------------------------------------------------
    def _guarded(self, drill_id: str, plan: Plan, placement: Placement) -> ServiceDrill | Refusal:
        client = self.connect()
        try:
            free = NodesApi(client).memory(plan.node).free
            vmid = placement.take(plan.node, free, plan.memory)
        except (NoRoomError, ProxmoxError) as error:
            return Refusal(service=plan.service, reason=str(error))
        try:
            return self._drill(client, drill_id, replace(plan, vmid=vmid))
        finally:
            placement.release(plan.node, plan.memory)

    def _drill(self, client: ProxmoxClient, drill_id: str, plan: Plan) -> ServiceDrill:
        service = self.site.services[plan.service]
        started = self._now(client, plan.node)
        progress = _Progress()
        passed, reason = False, ""
        snapshot = plan.volid.split(":backup/", 1)[-1]
        self.say(f"{plan.service}: restore {snapshot} to vm {plan.vmid} on {plan.node}")
        try:
            self._restore_and_probe(client, drill_id, plan, started, progress)
            passed = True
        except DrillInterruptedError:
            reason = "interrupted"
        except _DrillFailedError as failure:
            reason = str(failure)
        except ProxmoxError as error:
            reason = str(error)
        except BaseException:  # a defect or a signal in this thread: still delete the VM
            remove(client, self.site, plan.node, plan.vmid)
            raise
        kept = not passed and self.options.keep_on_failure
        cleaned = True
        if kept:
            self.say(f"{plan.service}: kept vm {plan.vmid} for inspection (--keep-on-failure)")
        else:
            problem = remove(client, self.site, plan.node, plan.vmid)
            cleaned = problem is None
            if cleaned:
                with self.lock:
                    self.created.pop(plan.vmid, None)
            else:
                reason = (reason + "; " if reason else "") + f"cleanup failed: {problem}"
        return ServiceDrill(
            drill_id=drill_id,
            service=plan.service,
            vmid=service.vmid,
            source=self.options.source,
            started=started,
            node=plan.node,
            drill_vmid=plan.vmid,
            snapshot=plan.volid,
            snapshot_time=plan.snapshot_time,
            rpo_seconds=float(started - plan.snapshot_time),
            restored_seconds=progress.restored,
            running_seconds=progress.running,
            healthy_seconds=progress.healthy,
            bytes_restored=plan.size,
            live_restore=self.site.drill.live_restore,
            probes=(*progress.probes, *([] if passed else progress.failed_probes())),
            passed=passed and cleaned,
            reason=reason,
            targets=targets(self.site, plan.service, self.options.source),
            cleaned_up=cleaned and not kept,
        )

    def _restore_and_probe(
        self,
        client: ProxmoxClient,
        drill_id: str,
        plan: Plan,
        started: int,
        progress: _Progress,
    ) -> None:
        drill = self.site.drill
        service = self.site.services[plan.service]
        qemu = QemuApi(client)
        live = drill.live_restore
        request = RestoreRequest(
            vmid=plan.vmid,
            archive=plan.volid,
            storage=drill.storage or self.site.pool_of(service).storage_id,
            unique=True,
            live_restore=live or None,
            tags=DRILL_TAG,
            description=(
                f"tappaas drill {drill_id} of {plan.service} (vm {service.vmid}) from "
                f"{plan.volid}; deleted when the drill ends"
            ),
            onboot=False,
            protection=False,  # a backup of a protected VM would make a VM no one can delete
        )
        overrides = {"name": f"drill-{plan.service}", **nic_overrides(plan.config, drill)}
        with self.lock:
            self.created[plan.vmid] = plan.node
        upid = qemu.start_restore(plan.node, request, overrides)
        clock = _Deadline(self, client, plan.node, started, drill.timeout.total_seconds())
        restore_done = False
        start_upid: str | None = None
        probes = list(drill.probes_for(plan.service))
        runner = ProbeRunner(AgentApi(client), plan.node, plan.vmid, drill.probe_helper, self.sleep)
        pending: list[Probe] = probes
        last_detail = "waiting for the restore"
        progress.pending = [describe(p) for p in pending]
        while True:
            clock.tick()
            if not restore_done:
                restore_done = self._restore_finished(client, upid, plan, clock, progress)
            if progress.running is None and (restore_done or live):
                if restore_done and not live and start_upid is None:
                    start_upid = qemu.start(plan.node, plan.vmid)
                if qemu.current(plan.node, plan.vmid).get("status") == RUNNING:
                    progress.running = clock.elapsed()
                    self.say(f"{plan.service}: running after {progress.running:.0f} s")
            if progress.running is not None and pending:
                pending, last_detail = self._try_probes(runner, pending, clock, progress)
                progress.pending, progress.detail = [describe(p) for p in pending], last_detail
            if progress.running is not None and not pending and progress.healthy is None:
                progress.healthy = clock.elapsed()
                self.say(f"{plan.service}: healthy after {progress.healthy:.0f} s")
            if restore_done and progress.healthy is not None:
                return
            clock.check(last_detail, pending)
            self.sleep(self.options.poll_seconds)

    def _restore_finished(
        self, client: ProxmoxClient, upid: str, plan: Plan, clock: _Deadline, progress: _Progress
    ) -> bool:
        try:
            result = client.poll_task(upid)
        except TaskFailedError as error:
            raise _DrillFailedError(f"restore failed: {error.exitstatus}") from None
        if result is None:
            return False
        progress.restored = clock.elapsed()
        self.say(f"{plan.service}: restored after {progress.restored:.0f} s")
        return True

    def _try_probes(
        self, runner: ProbeRunner, pending: list[Probe], clock: _Deadline, progress: _Progress
    ) -> tuple[list[Probe], str]:
        """Probes pass in order: the first one not passing yet stops this round."""
        while pending:
            probe = pending[0]
            attempt = runner.attempt(probe)
            if not attempt.passed:
                return pending, f"{describe(probe)}: {attempt.detail}"
            result = ProbeResult(
                probe=describe(probe), passed=True, detail=attempt.detail, seconds=clock.elapsed()
            )
            progress.probes.append(result)
            pending = pending[1:]
        return pending, ""


class _DrillFailedError(Exception):
    """A drill that ran and failed (restore error, probe never passed, timeout)."""


class _Deadline:
    """The drill's clock: elapsed seconds on the node's clock (read once per poll, ``tick``),
    and the deadline on both that clock and this process's."""

    def __init__(
        self, drill: Drill, client: ProxmoxClient, node: str, started: int, timeout: float
    ) -> None:
        self.drill = drill
        self.nodes = NodesApi(client)
        self.node = node
        self.started = started
        self.timeout = timeout
        self.wall_started = time.monotonic()
        self.now = started

    def tick(self) -> None:
        """Read the node's clock (once per poll: every milestone of the poll shares it)."""
        self.now = self.nodes.time(self.node)

    def elapsed(self) -> float:
        return float(self.now - self.started)

    def check(self, detail: str, pending: Sequence[Probe]) -> None:
        """Raise when interrupted or past the deadline (naming what was still awaited)."""
        if self.drill.stopping.is_set():
            raise DrillInterruptedError
        over_wall = time.monotonic() - self.wall_started > self.timeout
        if self.elapsed() > self.timeout or over_wall:
            what = f"probe {describe(pending[0])}" if pending else "the restore"
            raise _DrillFailedError(
                f"timeout after {self.timeout:.0f} s waiting for {what}"
                + (f" ({detail})" if detail else "")
            )
