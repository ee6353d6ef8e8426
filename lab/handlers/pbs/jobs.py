"""PBS sync, prune and verify jobs: ``/config/{sync,prune,verify}`` and ``/admin/…/run``.

Sync jobs follow ``src/api2/config/sync.rs``: ``GET /config/sync`` lists pull jobs only
unless ``sync-direction=all``; create/update/delete check the least privileges the notes
list (pull: Datastore.Audit+Backup on the local store/ns, +Prune for ``remove-vanished``,
+Modify for a foreign ``owner``, Remote.Read on the remote store; push: Remote.DatastoreBackup
on the remote store, +Remote.DatastorePrune for ``remove-vanished``, and Datastore.Audit plus
Read or Backup on the local source) and fail with a 400 "permission check failed". Lookups
of a missing job fail "no such <type> 'x'" (400); deleting one is a 404.

Running a job now (``/admin/{kind}/{id}/run``) does what its schedule would
(``sim.pbs.jobs``): a pull or push sync between the lab's PBS instances, a prune, a verify.
``GET /admin/{kind}`` adds each job's last run and next run, as PBS's job status does.

Rate limits (``rate-in``, ``burst-in``, ``rate-out``, ``burst-out``) are parsed as a HumanByte
and stored in its display form (pbs-api-types ``traffic_control.rs`` ``RateLimitConfig``,
proxmox-human-byte ``Display``): ``50MiB`` reads back as ``50 MiB``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lab.api.routes import Call, RouteTable
from lab.behaviour.human_byte import HumanByteError, display_human_byte
from lab.errors import ApiError, pbs_bail, pbs_param_bail
from lab.handlers.pbs.datastore import ns_path
from lab.handlers.sections import listing, pbs_check_digest, pbs_update
from lab.sim.pbs import jobs as runs
from lab.state.pbs import PbsServer, PruneJob, SyncJob, VerifyJob
from lab.state.sections import ConfigEntry, SectionConfig

ROUTES = RouteTable()
PbsCall = Call[PbsServer]
RATE_LIMITS = ("rate-in", "burst-in", "rate-out", "burst-out")


@dataclass(frozen=True)
class JobKind:
    """One job family: its URL name, section type, the runner's kind and entry class."""

    url: str
    section: str
    run: runs.PbsJobKind
    entry: type[ConfigEntry]
    configs: Callable[[PbsServer], SectionConfig[Any]]


SYNC = JobKind("sync", "sync", runs.SYNC, SyncJob, lambda s: s.sync_jobs)
PRUNE = JobKind("prune", "prune", runs.PRUNE, PruneJob, lambda s: s.prune_jobs)
VERIFY = JobKind("verify", "verification", runs.VERIFY, VerifyJob, lambda s: s.verify_jobs)


def _sync_allowed(call: PbsCall, job: dict[str, Any]) -> bool:
    store, ns = str(job.get("store")), str(job.get("ns") or "")
    local = ns_path(store, ns)
    remote, remote_store = job.get("remote"), job.get("remote-store")
    if job.get("sync-direction", "pull") == "push":
        remote_path = f"/remote/{remote}/{remote_store}" + (
            f"/{job['remote-ns']}" if job.get("remote-ns") else ""
        )
        needed = ["Remote.DatastoreBackup"]
        if job.get("remove-vanished"):
            needed.append("Remote.DatastorePrune")
        return (
            call.has(remote_path, *needed)
            and call.has(local, "Datastore.Audit")
            and call.has_any(local, "Datastore.Read", "Datastore.Backup")
        )
    needed = ["Datastore.Audit", "Datastore.Backup"]
    if job.get("remove-vanished"):
        needed.append("Datastore.Prune")
    owner = job.get("owner")
    if owner is not None and owner != call.auth_id:
        needed.append("Datastore.Modify")
    if not call.has(local, *needed):
        return False
    if remote is None:
        return call.has(f"/datastore/{remote_store}", "Datastore.Read")
    return call.has(f"/remote/{remote}/{remote_store}", "Remote.Read")


def _job_readable(call: PbsCall, kind: JobKind, job: dict[str, Any]) -> bool:
    store = str(job.get("store"))
    if kind is SYNC:
        return call.has_any(ns_path(store, str(job.get("ns") or "")), "Datastore.Audit") or (
            job.get("remote") is not None
            and call.has_any(f"/remote/{job['remote']}", "Remote.Audit")
        )
    return call.has_any(
        ns_path(store, str(job.get("ns") or "")), "Datastore.Audit", "Datastore.Verify"
    )


def _job_modifiable(call: PbsCall, kind: JobKind, job: dict[str, Any]) -> bool:
    ns = ns_path(str(job.get("store")), str(job.get("ns") or ""))
    if kind is SYNC:
        return _sync_allowed(call, job)
    if kind is PRUNE:
        return call.has(ns, "Datastore.Modify") or call.has(ns, "Datastore.Prune")
    return call.has(ns, "Datastore.Verify")


def _stored_rates(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with each rate limit in the form PBS stores (``HumanByte`` display)."""
    stored = dict(params)
    for key in RATE_LIMITS:
        if key in stored:
            try:
                stored[key] = display_human_byte(str(stored[key]))
            except HumanByteError as exc:
                raise pbs_param_bail(key, str(exc)) from None
    return stored


def _lookup(call: PbsCall, kind: JobKind) -> ConfigEntry:
    job_id = str(call.param("id"))
    entry: ConfigEntry | None = kind.configs(call.state).get(job_id)
    if entry is None:
        raise pbs_bail(f"no such {kind.section} '{job_id}'")
    return entry


def _register(kind: JobKind, create_spec: str) -> None:
    base, item = f"/config/{kind.url}", f"/config/{kind.url}/{{id}}"

    def list_jobs(call: PbsCall) -> list[dict[str, Any]]:
        configs = kind.configs(call.state)
        call.attributes["digest"] = configs.digest()
        items = listing(configs, with_digest=False, id_key="id")
        if kind is SYNC and call.param("sync-direction") != "all":
            wanted = call.param("sync-direction") or "pull"
            items = [i for i in items if i.get("sync-direction", "pull") == wanted]
        return [i for i in items if _job_readable(call, kind, i)]

    def create_job(call: PbsCall) -> None:
        job_id = str(call.param("id"))
        options = _stored_rates({k: v for k, v in call.params.items() if k != "id"})
        if kind is SYNC:
            if options.get("sync-direction") == "push" and options.get("remote") is None:
                raise pbs_bail("push sync requires a remote")
            same_ns = options.get("ns", "") == options.get("remote-ns", "")
            if (
                options.get("remote") is None
                and options.get("store") == options.get("remote-store")
                and same_ns
            ):
                raise pbs_bail("source and target datastore can't be the same")
        if not _job_modifiable(call, kind, options):
            raise pbs_bail("permission check failed")
        configs = kind.configs(call.state)
        if job_id in configs:
            raise pbs_param_bail("id", f"job '{job_id}' already exists.")
        configs.put(kind.entry(job_id, kind.section, options))

    def read_job(call: PbsCall) -> dict[str, Any]:
        entry = _lookup(call, kind)
        if not _job_readable(call, kind, entry.options):
            raise pbs_bail("permission check failed")
        call.attributes["digest"] = kind.configs(call.state).digest()
        return {"id": entry.id, **entry.options}

    def update_job(call: PbsCall) -> None:
        entry = _lookup(call, kind)
        pbs_check_digest(kind.configs(call.state), call.param("digest"))
        updated = kind.entry(entry.id, entry.type, dict(entry.options))
        pbs_update(updated, _stored_rates(call.params), exclude=("id",))
        if not _job_modifiable(call, kind, updated.options):
            raise pbs_bail("permission check failed")
        entry.options = updated.options

    def delete_job(call: PbsCall) -> None:
        configs = kind.configs(call.state)
        pbs_check_digest(configs, call.param("digest"))
        job_id = str(call.param("id"))
        entry = configs.get(job_id)
        if entry is None:
            raise ApiError(404, f"job '{job_id}' does not exist.")
        if not _job_modifiable(call, kind, entry.options):
            raise pbs_bail("permission check failed")
        configs.remove(job_id)

    def run_job(call: PbsCall) -> str:
        entry = _lookup(call, kind)
        if not _job_modifiable(call, kind, entry.options) and not _job_readable(
            call, kind, entry.options
        ):
            raise ApiError(403, "permission check failed")
        world = call.services.world
        return runs.run_job(world, call.state, kind.run, entry, call.auth_id).upid

    def admin_list(call: PbsCall) -> list[dict[str, Any]]:
        return [_with_status(call, kind, item) for item in list_jobs(call)]

    list_spec = "sync-direction?:string" if kind is SYNC else ""
    ROUTES.route("GET", base, list_spec)(list_jobs)
    ROUTES.route("POST", base, create_spec)(create_job)
    ROUTES.route("GET", item, "id:string")(read_job)
    ROUTES.route("PUT", item, "id:string delete?:array digest?:string")(update_job)
    ROUTES.route("DELETE", item, "id:string digest?:string")(delete_job)
    ROUTES.route("POST", f"/admin/{kind.url}/{{id}}/run", "id:string")(run_job)
    ROUTES.route("GET", f"/admin/{kind.url}", list_spec)(admin_list)


def _with_status(call: PbsCall, kind: JobKind, item: dict[str, Any]) -> dict[str, Any]:
    """A job's config plus ``last-run-*`` and ``next-run`` (PBS ``JobState``)."""
    record = call.state.job_records.get(f"{kind.run.name}:{item['id']}")
    if record is None:
        return item
    out = dict(item)
    if record.upid is not None:
        out["last-run-upid"], out["last-run-state"] = record.upid, record.state
        out["last-run-endtime"] = record.endtime
    due = runs.next_run(record, item.get("schedule"))
    if due is not None:
        out["next-run"] = due
    return out


_register(
    SYNC,
    "id:string store:string remote-store:string remote?:string sync-direction?:string "
    "ns?:string remote-ns?:string owner?:string remove-vanished?:boolean "
    "max-depth?:integer schedule?:string group-filter?:array transfer-last?:integer "
    "encrypted-only?:boolean verified-only?:boolean run-on-mount?:boolean "
    "unmount-on-done?:boolean comment?:string",
)
_register(
    PRUNE,
    "id:string store:string schedule:string ns?:string max-depth?:integer "
    "disable?:boolean comment?:string keep-last?:integer keep-hourly?:integer "
    "keep-daily?:integer keep-weekly?:integer keep-monthly?:integer keep-yearly?:integer",
)
_register(
    VERIFY,
    "id:string store:string schedule?:string ignore-verified?:boolean "
    "outdated-after?:integer ns?:string max-depth?:integer comment?:string",
)
