"""PVE cluster-wide endpoints: version, status, nextid, options, replication and backup jobs.

Replication (``ReplicationConfig.pm``): one job per guest and target, disks must sit on a
storage with the ``replicate`` feature (zfspool); ``DELETE`` only marks the job
``remove_job=full`` (``local`` with ``keep=1``) for pvesr to clean up, unless ``force=1``.
Backup jobs (``Backup.pm``): lookups of a missing job are 400 parameter errors.
"""

from __future__ import annotations

import uuid
from typing import Any

from lab.api.routes import Call, RouteTable
from lab.behaviour.datacenter_config import read_options
from lab.errors import ParameterError, pve_die
from lab.handlers.sections import listing, pve_check_digest, pve_update
from lab.state.pve import BackupJob, PveCluster, ReplicationJob

ROUTES = RouteTable()
PveCall = Call[PveCluster]
PVE_VERSION = "9.1.2"
PVE_RELEASE = "9.1"
PVE_REPOID = "7b3a1f2c9d4e5b6a"
FIRST_VMID = 100
REPLICATION_OPTIONS = ("target", "schedule", "rate", "comment", "disable", "remove_job", "source")
BACKUP_SELECTION = ("vmid", "all", "pool")


@ROUTES.route("GET", "/version")
def version(call: PveCall) -> dict[str, str]:
    """Package version, release and repository id."""
    return {"version": PVE_VERSION, "release": PVE_RELEASE, "repoid": PVE_REPOID}


@ROUTES.route("GET", "/cluster/status")
def cluster_status(call: PveCall) -> list[dict[str, Any]]:
    """The cluster entry and one entry per node."""
    state = call.state
    out: list[dict[str, Any]] = [
        {
            "type": "cluster",
            "id": "cluster",
            "name": state.name,
            "nodes": len(state.nodes),
            "quorate": int(state.quorate()),
            "version": len(state.nodes) + 1,
        }
    ]
    for index, node in enumerate(state.nodes.values()):
        out.append(
            {
                "type": "node",
                "id": f"node/{node.name}",
                "name": node.name,
                "nodeid": node.nodeid,
                "online": int(node.online),
                "local": int(index == 0),
                "ip": f"127.0.1.{node.nodeid}",
                "level": "",
            }
        )
    return out


@ROUTES.route("GET", "/cluster/nextid", "vmid?:integer")
def next_id(call: PveCall) -> str:
    """The lowest free VMID (or check a given one)."""
    used = set(call.state.vms)
    wanted = call.param("vmid")
    if wanted is not None:
        if wanted in used:
            raise ParameterError({"vmid": f"VM {wanted} already exists"})
        return str(wanted)
    vmid = FIRST_VMID
    while vmid in used:
        vmid += 1
    return str(vmid)


@ROUTES.route("GET", "/cluster/options")
def get_options(call: PveCall) -> dict[str, Any]:
    """``datacenter.cfg`` as PVE parses it (property strings as objects)."""
    return read_options(call.state.options)


@ROUTES.route("PUT", "/cluster/options", "delete?:string")
def set_options(call: PveCall) -> None:
    """Change ``datacenter.cfg`` options."""
    for key in str(call.param("delete", "")).replace(";", ",").split(","):
        call.state.options.pop(key.strip(), None)
    call.state.options.update(
        {k: v for k, v in call.params.items() if k not in ("delete", "digest")}
    )


def _replication(call: PveCall) -> ReplicationJob:
    job_id = str(call.param("id"))
    job = call.state.replication.get(job_id)
    if job is None:
        raise pve_die(f"replication job '{job_id}' does not exist")
    return job


def _check_replicable(call: PveCall, guest: int, target: str) -> str:
    vm = call.state.vms.get(guest)
    if vm is None:
        raise pve_die(f"guest '{guest}' does not exist")
    if target not in call.state.nodes:
        raise pve_die(f"unknown node '{target}'")
    if target == vm.node:
        raise pve_die(f"target node is the same as source node ({target})")
    for volume in vm.volumes():
        storage = call.state.storage.get(volume.split(":", 1)[0])
        if storage is None or storage.type != "zfspool":
            raise pve_die(f"missing replicate feature on volume '{volume}'")
    return vm.node


@ROUTES.route("GET", "/cluster/replication")
def list_replication(call: PveCall) -> list[dict[str, Any]]:
    """All jobs with ``guest`` and ``jobnum`` split out."""
    return [
        {
            "id": job.id,
            "type": job.type,
            "guest": job.guest,
            "jobnum": int(job.id.split("-")[1]),
            **job.options,
        }
        for job in call.state.replication
    ]


@ROUTES.route(
    "POST",
    "/cluster/replication",
    "id:pve-replication-job-id target:pve-node type:string schedule?:pve-calendar-event "
    "rate?:number comment?:string disable?:boolean remove_job?:string source?:pve-node",
)
def create_replication(call: PveCall) -> None:
    """Add a job ``<guest>-<jobnum>``."""
    job_id = str(call.param("id"))
    guest = int(job_id.split("-", maxsplit=1)[0])
    target = str(call.param("target"))
    if job_id in call.state.replication:
        raise pve_die(f"replication job '{job_id}' already exists")
    for job in call.state.replication:
        if job.guest == guest and job.target == target:
            raise pve_die(
                f"replication job for guest '{guest}' to target '{target}' already exists"
            )
    source = _check_replicable(call, guest, target)
    options = {k: call.params[k] for k in REPLICATION_OPTIONS if k in call.params}
    options.setdefault("source", source)
    call.state.replication.put(ReplicationJob(job_id, "local", options))


@ROUTES.route("GET", "/cluster/replication/{id}", "id:pve-replication-job-id")
def read_replication(call: PveCall) -> dict[str, Any]:
    """One job with the file digest."""
    job = _replication(call)
    return {
        "id": job.id,
        "type": job.type,
        "guest": job.guest,
        "jobnum": int(job.id.split("-")[1]),
        **job.options,
        "digest": call.state.replication.digest(),
    }


@ROUTES.route(
    "PUT",
    "/cluster/replication/{id}",
    "id:pve-replication-job-id delete?:pve-configid-list digest?:string",
)
def update_replication(call: PveCall) -> None:
    """Change a job (``target`` and ``type`` are fixed)."""
    job = _replication(call)
    pve_check_digest(call.state.replication, call.param("digest"))
    pve_update(
        job,
        call.params,
        exclude=("id", "type"),
        required=("target",),
        fixed=("target",),
        known=REPLICATION_OPTIONS,
    )


@ROUTES.route(
    "DELETE", "/cluster/replication/{id}", "id:pve-replication-job-id keep?:boolean force?:boolean"
)
def delete_replication(call: PveCall) -> None:
    """Mark for removal (pvesr removes it), or remove at once with ``force``."""
    job = _replication(call)
    if call.param("force"):
        call.state.replication.remove(job.id)
    else:
        job.options["remove_job"] = "local" if call.param("keep") else "full"


def _backup_job(call: PveCall) -> BackupJob:
    job_id = str(call.param("id"))
    job = call.state.backup_jobs.get(job_id)
    if job is None:
        raise ParameterError({"id": f"No such job '{job_id}'"})
    return job


def _check_selection(options: dict[str, Any]) -> None:
    if not any(options.get(k) for k in BACKUP_SELECTION):
        raise ParameterError({"vmid": "one of 'vmid', 'all' or 'pool' must be set"})
    if options.get("all") and options.get("vmid"):
        raise ParameterError({"vmid": "option conflicts with option 'all'"})
    if options.get("notes-template") and not options.get("storage"):
        raise ParameterError({"notes-template": "missing property required by 'notes-template'"})


@ROUTES.route("GET", "/cluster/backup")
def list_backup_jobs(call: PveCall) -> list[dict[str, Any]]:
    """vzdump jobs of ``jobs.cfg``."""
    return listing(call.state.backup_jobs, with_digest=False, id_key="id")


@ROUTES.route(
    "POST",
    "/cluster/backup",
    "id?:string schedule?:pve-calendar-event storage?:pve-storage-id vmid?:string all?:boolean "
    "exclude?:string pool?:string mode?:string enabled?:boolean comment?:string "
    "notes-template?:string prune-backups?:prune-backups",
)
def create_backup_job(call: PveCall) -> None:
    """Add a vzdump job (``backup-<uuid>`` when no id is given)."""
    job_id = str(call.param("id") or f"backup-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:4]}")
    if job_id in call.state.backup_jobs:
        raise pve_die(f"Job '{job_id}' already exists")
    options = {k: v for k, v in call.params.items() if k != "id"}
    options.setdefault("enabled", 1)
    _check_selection(options)
    call.state.backup_jobs.put(BackupJob(job_id, "vzdump", options))


@ROUTES.route("GET", "/cluster/backup/{id}", "id:string")
def read_backup_job(call: PveCall) -> dict[str, Any]:
    """One vzdump job."""
    job = _backup_job(call)
    return {"id": job.id, "type": job.type, **job.options}


@ROUTES.route("PUT", "/cluster/backup/{id}", "id:string delete?:pve-configid-list")
def update_backup_job(call: PveCall) -> None:
    """Change a vzdump job (no digest: ``jobs.cfg`` updates are not guarded)."""
    job = _backup_job(call)
    updated = BackupJob(job.id, job.type, dict(job.options))
    pve_update(updated, call.params, exclude=("id",))
    _check_selection(updated.options)
    job.options = updated.options


@ROUTES.route("DELETE", "/cluster/backup/{id}", "id:string")
def delete_backup_job(call: PveCall) -> None:
    """Remove a vzdump job."""
    call.state.backup_jobs.remove(_backup_job(call).id)
