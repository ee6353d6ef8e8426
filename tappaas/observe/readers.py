"""Reading a site's live state into an ``Observation`` (``tappaas status``): GETs only.

Each area is read on its own; an area whose source fails (refused, wrong fingerprint,
permission) is left ``None`` and the source's error is recorded once, so the report says
which source was unreachable instead of failing as a whole.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from tappaas.client import ApiError, AuthError, ProxmoxError, TransientApiError
from tappaas.health import (
    DatastoreUsage,
    DrillOutcome,
    HaService,
    JobRun,
    Observation,
    OffsiteCopy,
    PeerView,
    PersonalCopies,
    Replication,
    Snapshot,
    SourceError,
)
from tappaas.model import SiteConfig
from tappaas.observe.sources import LOCAL_PBS, PEER, PVE, PeerAccess, Sources
from tappaas.pbs.monitoring import JOB_KINDS, PbsMonitor
from tappaas.pbs.snapshots import SnapshotApi, SnapshotItem
from tappaas.pve.cluster_state import ClusterStateApi
from tappaas.pve.nodes import NodesApi

T = TypeVar("T")
READS_LOOKBACK_SECONDS = 90 * 86400
"""How far back the peer's reads are looked for (PBS keeps its task log for longer)."""
NOT_MOUNTED = "is not mounted"


class _Errors:
    """The first error of each source."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}

    def read(self, source: str, action: Callable[[], T]) -> T | None:
        try:
            return action()
        except ProxmoxError as error:
            self.found.setdefault(source, str(error))
            return None

    def as_tuple(self) -> tuple[SourceError, ...]:
        return tuple(SourceError(source, message) for source, message in self.found.items())


def _newest_by_vmid(items: list[SnapshotItem]) -> dict[int, SnapshotItem]:
    out: dict[int, SnapshotItem] = {}
    for item in items:
        if item.backup_type == "vm" and item.backup_id.isdigit() and item.complete:
            out[int(item.backup_id)] = item  # oldest first, so the newest wins
    return out


class SiteReader:
    """Reads one site through ``sources``."""

    def __init__(self, site: SiteConfig, sources: Sources) -> None:
        self.site = site
        self.sources = sources
        self.errors = _Errors()
        self.nodes = NodesApi(sources.pve)
        self.pbs = PbsMonitor(sources.local)

    def now(self) -> int:
        """The cluster's clock (the site PBS's if the cluster cannot be read)."""
        online = self.errors.read(PVE, lambda: [n.name for n in self.nodes.nodes() if n.online])
        for node in online or []:
            value = self.errors.read(PVE, partial(self.nodes.time, node))
            if value is not None:
                return value
        pbs_time = self.errors.read(
            LOCAL_PBS, lambda: int(self.sources.local.get("/nodes/localhost/time")["time"])
        )
        return pbs_time if pbs_time is not None else int(time.time())

    def local(self) -> dict[int, tuple[Snapshot, ...]] | None:
        if self.site.backup is None:
            return {}
        pbs = self.site.backup.pbs
        items = self.errors.read(
            LOCAL_PBS, lambda: SnapshotApi(self.sources.local, pbs.datastore).items(pbs.namespace)
        )
        if items is None:
            return None
        out: dict[int, list[Snapshot]] = {}
        for item in items:
            if item.backup_type != "vm" or not item.backup_id.isdigit() or not item.complete:
                continue
            out.setdefault(int(item.backup_id), []).append(
                Snapshot(
                    time=item.backup_time,
                    verify_state=item.verify_state,
                    verified_at=item.verified_at,
                    size=item.size,
                    encrypted=item.encrypted,
                )
            )
        return {vmid: tuple(snapshots) for vmid, snapshots in out.items()}

    def offsite(self, now: int) -> dict[int, OffsiteCopy] | None:
        peer = self.sources.peer
        if peer is None or self.site.backup is None:
            return {}
        if peer.view is PeerView.PULL_READS:
            return self._pulled(peer, now)
        return self._listed(peer, now)

    def _pulled(self, peer: PeerAccess, now: int) -> dict[int, OffsiteCopy] | None:
        assert peer.reader_token_id is not None and self.site.backup is not None
        store, token = self.site.backup.pbs.datastore, peer.reader_token_id
        since = now - READS_LOOKBACK_SECONDS
        reads = self.errors.read(LOCAL_PBS, lambda: self.pbs.reads_by(token, store, since))
        if reads is None:
            return None
        out: dict[int, OffsiteCopy] = {}
        for read in reads:
            if not (read.ok and read.backup_type == "vm" and read.backup_id.isdigit()):
                continue
            vmid = int(read.backup_id)
            known = out.get(vmid)
            if known is None or read.backup_time > known.time:
                out[vmid] = OffsiteCopy(time=read.backup_time, seen_at=read.starttime)
        return out

    def _listed(self, peer: PeerAccess, now: int) -> dict[int, OffsiteCopy] | None:
        assert peer.client is not None and peer.store is not None
        client, store = peer.client, peer.store
        items = self.errors.read(PEER, lambda: SnapshotApi(client, store).items(peer.namespace))
        if items is None:
            return None
        newest = _newest_by_vmid(items)
        return {vmid: OffsiteCopy(item.backup_time, now) for vmid, item in newest.items()}

    def personal(self) -> PersonalCopies | None:
        if self.site.personal is None:
            return PersonalCopies(mounted=False)
        return self.errors.read(LOCAL_PBS, self._personal)

    def _personal(self) -> PersonalCopies | None:
        """The disk's snapshots; unmounted, its sync job's last run; missing: why."""
        assert self.site.personal is not None
        store = self.site.personal.datastore
        try:
            items = SnapshotApi(self.sources.local, store).items()
        except ApiError as error:
            if isinstance(error, AuthError | TransientApiError):
                raise
            if NOT_MOUNTED not in error.message:
                return PersonalCopies(mounted=False, problem=f"datastore {store}: {error.message}")
            syncs = self.errors.read(LOCAL_PBS, lambda: self.pbs.jobs("sync"))
            if syncs is None:
                return None
            ends = [
                job.last_run_endtime
                for job in syncs
                if job.store == store and job.last_run_endtime and job.last_run_state == "ok"
            ]
            return PersonalCopies(mounted=False, last_sync=max(ends) if ends else None)
        newest = _newest_by_vmid(items)
        return PersonalCopies(
            mounted=True, newest={vmid: item.backup_time for vmid, item in newest.items()}
        )

    def replication(self) -> dict[int, Replication] | None:
        api = ClusterStateApi(self.sources.pve)
        online = self.errors.read(PVE, lambda: [n.name for n in self.nodes.nodes() if n.online])
        if online is None:
            return None
        out: dict[int, Replication] = {}
        for node in online:
            entries = self.errors.read(PVE, partial(api.replication, node))
            if entries is None:
                return None
            for entry in entries:
                out[entry.vmid] = Replication(
                    job_id=entry.job_id,
                    vmid=entry.vmid,
                    target=entry.target,
                    last_sync=entry.last_sync,
                    last_try=entry.last_try,
                    duration=entry.duration,
                    fail_count=entry.fail_count,
                    error=entry.error,
                )
        return out

    def ha(self) -> dict[int, HaService] | None:
        entries = self.errors.read(PVE, ClusterStateApi(self.sources.pve).ha_services)
        if entries is None:
            return None
        return {e.vmid: HaService(e.vmid, e.node, e.state, e.request_state) for e in entries}

    def datastores(self) -> tuple[DatastoreUsage, ...] | None:
        if self.site.backup is None:
            return ()
        store = self.site.backup.pbs.datastore
        usage = self.errors.read(LOCAL_PBS, lambda: self.pbs.usage(store))
        gc = self.errors.read(LOCAL_PBS, lambda: self.pbs.gc(store))
        if usage is None or gc is None:
            return None
        return (
            DatastoreUsage(
                name=store,
                total=usage.total,
                used=usage.used,
                gc_endtime=gc.last_run_endtime,
                gc_state=gc.last_run_state,
                gc_schedule=gc.schedule,
            ),
        )

    def jobs(self) -> tuple[JobRun, ...] | None:
        runs: list[JobRun] = []
        for kind in JOB_KINDS:
            states = self.errors.read(LOCAL_PBS, partial(self.pbs.jobs, kind))
            if states is None:
                return None
            runs += [
                JobRun(
                    kind=state.kind,
                    job_id=state.job_id,
                    schedule=state.schedule,
                    last_run_endtime=state.last_run_endtime,
                    last_run_state=state.last_run_state,
                    next_run=state.next_run,
                )
                for state in states
            ]
        vzdump = self._vzdump_runs()
        return None if vzdump is None else tuple(runs + vzdump)

    def _vzdump_runs(self) -> list[JobRun] | None:
        """The newest vzdump task of each node that is home to a backed-up service."""
        if self.site.backup is None:
            return []
        homes = sorted({s.node for s in self.site.services.values() if s.backup.enabled})
        out = []
        for node in homes:
            tasks = self.errors.read(
                PVE, partial(self.nodes.tasks, node, typefilter="vzdump", limit=20)
            )
            if tasks is None:
                return None
            finished = [t for t in tasks if t.endtime is not None]
            newest = max(finished, key=lambda t: t.starttime, default=None)
            out.append(
                JobRun(
                    kind="vzdump",
                    job_id=node,
                    schedule=self.site.backup.schedule,
                    last_run_endtime=newest.endtime if newest else None,
                    last_run_state=(newest.status if newest else None),
                )
            )
        return out


def observe(
    site: SiteConfig,
    sources: Sources,
    drills: dict[str, DrillOutcome] | SourceError,
) -> Observation:
    """Everything ``tappaas status`` judges, read now; ``drills`` come from the history file."""
    reader = SiteReader(site, sources)
    now = reader.now()
    local = reader.local()
    observation = Observation(
        now=now,
        local=local,
        offsite=reader.offsite(now),
        peer_view=sources.peer.view if sources.peer is not None else None,
        personal=reader.personal(),
        replication=reader.replication(),
        ha=reader.ha(),
        datastores=reader.datastores(),
        jobs=reader.jobs(),
        drills=drills if isinstance(drills, dict) else None,
    )
    unreachable = reader.errors.as_tuple()
    if isinstance(drills, SourceError):
        unreachable += (drills,)
    return Observation(**{**observation.__dict__, "unreachable": unreachable})
