"""PBS ``/config/datastore`` and ``/admin/datastore/{store}/namespace``.

Create and delete are tasks (UPIDs). Create turns ``prune-schedule`` (with any ``keep-*``)
into a prune job ``default-<store>-<uuid>`` cut to 32 characters; an update carrying them
fails "datastore prune settings have been replaced by prune jobs". A removable store
(``backing-device``) takes a path relative to its device. Delete defaults to
``destroy-data=0`` (chunks stay and are found again by ``reuse-datastore``) and
``keep-job-configs=0`` (its sync/prune/verify jobs and the ACLs under ``/datastore/<name>``
go too). Namespaces nest at most 7 deep; the root cannot be
created or deleted; deleting one with groups needs ``delete-groups``. ``maintenance-mode`` is
stored re-printed (``read-only``, not ``type=read-only``) and a datastore being deleted
keeps its mode (``behaviour.maintenance``).
"""

from __future__ import annotations

import uuid
from typing import Any

from lab.api.routes import Call, RouteTable
from lab.behaviour.maintenance import MaintenanceError, stored_maintenance_mode
from lab.errors import ApiError, pbs_bail, pbs_param_bail
from lab.handlers.sections import pbs_check_digest, pbs_named_listing, pbs_update
from lab.state.pbs import DatastoreConfig, DatastoreContent, PbsServer, PruneJob

ROUTES = RouteTable()
PbsCall = Call[PbsServer]
KEEP_OPTIONS = (
    "keep-last",
    "keep-hourly",
    "keep-daily",
    "keep-weekly",
    "keep-monthly",
    "keep-yearly",
)
MAX_NAMESPACE_DEPTH = 7
JOB_ID_MAX = 32
DATASTORE_PRIVS = ("Datastore.Audit", "Datastore.Allocate")


def datastore(state: PbsServer, name: str) -> DatastoreConfig:
    """The datastore config, or PBS's lookup error."""
    entry = state.datastores.get(name)
    if entry is None:
        raise pbs_bail(f"no such datastore '{name}'")
    return entry


def content(state: PbsServer, name: str) -> DatastoreContent:
    """What a (mounted) datastore holds."""
    datastore(state, name)
    store = state.contents.setdefault(name, DatastoreContent())
    if not store.mounted:
        raise pbs_bail(f"datastore '{name}' is not mounted")
    return store


def ns_path(store: str, ns: str) -> str:
    """The ACL path of a namespace: ``/datastore/<store>[/a/b]``."""
    return f"/datastore/{store}" + (f"/{ns}" if ns else "")


@ROUTES.route("GET", "/config/datastore")
def list_datastores(call: PbsCall) -> list[dict[str, Any]]:
    """Stores the caller may audit or allocate."""
    return pbs_named_listing(call, call.state.datastores, "/datastore", *DATASTORE_PRIVS)


@ROUTES.route(
    "POST",
    "/config/datastore",
    "name:string path:string backing-device?:string comment?:string gc-schedule?:string "
    "prune-schedule?:string verify-new?:boolean reuse-datastore?:boolean "
    + " ".join(f"{k}?:integer" for k in KEEP_OPTIONS),
)
def create_datastore(call: PbsCall) -> str:
    """Add a datastore (a ``create-datastore`` task)."""
    name, path = str(call.param("name")), str(call.param("path"))
    state = call.state
    if name in state.datastores:
        raise pbs_param_bail("name", f"datastore '{name}' already exists.")
    removable = call.param("backing-device") is not None
    if not removable and not path.startswith("/"):
        raise pbs_param_bail("path", f"expected an absolute path, '{path}' is not")
    if removable and path.startswith("/"):
        raise pbs_param_bail("path", f"expected a relative on-device path, '{path}' is not")
    for other in state.datastores:
        if other.get("path") == path and other.get("backing-device") == call.param(
            "backing-device"
        ):
            raise pbs_bail(f"Path '{path}' already in use by datastore '{other.id}'")
    keep = {k: call.params[k] for k in KEEP_OPTIONS if k in call.params}
    prune_schedule = call.param("prune-schedule")
    options = {
        k: v
        for k, v in call.params.items()
        if k not in ("name", "reuse-datastore", "prune-schedule", *KEEP_OPTIONS)
    }
    state.datastores.put(DatastoreConfig(name, "datastore", options))
    kept = state.contents.pop(f"orphan:{path}", None) if call.param("reuse-datastore") else None
    state.contents[name] = kept or DatastoreContent()
    if prune_schedule:
        job_id = f"default-{name}-{uuid.uuid4()}"[:JOB_ID_MAX]
        state.prune_jobs.put(
            PruneJob(job_id, "prune", {"store": name, "schedule": prune_schedule, **keep})
        )
    task = call.services.tasks.start(state.hostname, "create-datastore", name, call.auth_id)
    return task.upid


@ROUTES.route("GET", "/config/datastore/{name}", "name:string")
def read_datastore(call: PbsCall) -> dict[str, Any]:
    """One datastore config with the file digest beside ``data``."""
    entry = datastore(call.state, str(call.param("name")))
    call.attributes["digest"] = call.state.datastores.digest()
    return {"name": entry.id, **entry.options}


@ROUTES.route("PUT", "/config/datastore/{name}", "name:string delete?:array digest?:string")
def update_datastore(call: PbsCall) -> None:
    """Change mutable options (the schema rejects ``keep-*``, ``path`` and the like)."""
    entry = datastore(call.state, str(call.param("name")))
    pbs_check_digest(call.state.datastores, call.param("digest"))
    for key in (*KEEP_OPTIONS, "prune-schedule"):
        if key in call.params:
            raise pbs_param_bail(key, "datastore prune settings have been replaced by prune jobs")
    touched = "maintenance-mode" in call.params or "maintenance-mode" in (
        call.param("delete") or []
    )
    mode = _maintenance_after(entry, call.params) if touched else None
    pbs_update(entry, call.params, exclude=("name", "maintenance-mode"))
    if touched:
        entry.options.pop("maintenance-mode", None)
        if mode is not None:
            entry.options["maintenance-mode"] = mode
    if "comment" in call.params:
        comment = str(call.params["comment"]).strip()
        entry.options["comment"] = comment
        if not comment:
            del entry.options["comment"]


def _maintenance_after(entry: DatastoreConfig, params: dict[str, Any]) -> str | None:
    """``set_maintenance_mode``: the stored form of the requested mode (None: deleted)."""
    try:
        return stored_maintenance_mode(
            entry.get("maintenance-mode"), params.get("maintenance-mode")
        )
    except MaintenanceError as exc:
        if str(exc) == "datastore is being deleted":
            raise pbs_bail(str(exc)) from None
        raise pbs_param_bail("maintenance-mode", str(exc)) from None


@ROUTES.route(
    "DELETE",
    "/config/datastore/{name}",
    "name:string keep-job-configs?:boolean destroy-data?:boolean digest?:string",
)
def delete_datastore(call: PbsCall) -> str:
    """Remove a datastore (a ``delete-datastore`` task); data stays unless ``destroy-data``."""
    name = str(call.param("name"))
    state = call.state
    pbs_check_digest(state.datastores, call.param("digest"))
    entry = state.datastores.get(name)
    if entry is None:
        raise ApiError(404, f"datastore '{name}' does not exist.")
    stored = state.contents.pop(name, None)
    if call.param("destroy-data"):
        if entry.removable and stored is not None and not stored.mounted:
            raise pbs_bail(f"cannot destroy data on unmounted removable datastore '{name}'")
    elif stored is not None:
        state.contents[f"orphan:{entry.get('path')}"] = stored
    state.datastores.remove(name)
    if not call.param("keep-job-configs"):
        for jobs in (state.sync_jobs, state.prune_jobs, state.verify_jobs):
            for job in jobs:
                if job.get("store") == name:
                    jobs.remove(job.id)
        prefix = f"/datastore/{name}"
        call.access.acl[:] = [
            e for e in call.access.acl if e.path != prefix and not e.path.startswith(prefix + "/")
        ]
    return call.services.tasks.start(state.hostname, "delete-datastore", name, call.auth_id).upid


def _depth(ns: str) -> int:
    return len([p for p in ns.split("/") if p])


def _check_ns_modify(call: PbsCall, store: str, ns: str) -> None:
    parent = ns.rsplit("/", 1)[0] if "/" in ns else ""
    if not call.has(ns_path(store, parent), "Datastore.Modify"):
        raise ApiError(403, "permission check failed")


@ROUTES.route(
    "GET", "/admin/datastore/{store}/namespace", "store:string parent?:string max-depth?:integer"
)
def list_namespaces(call: PbsCall) -> list[dict[str, str]]:
    """The parent and its descendants the caller can see (root shows as ``""``)."""
    store = str(call.param("store"))
    parent = str(call.param("parent") or "")
    max_depth = call.param("max-depth")
    namespaces = content(call.state, store).namespaces
    if parent not in namespaces:
        raise pbs_bail(f"namespace '{parent}' does not exist")
    out = []
    for ns in sorted(namespaces):
        inside = ns == parent or not parent or ns.startswith(parent + "/")
        if not inside or (max_depth is not None and _depth(ns) - _depth(parent) > max_depth):
            continue
        if call.has_any(
            ns_path(store, ns), "Datastore.Audit", "Datastore.Backup", "Datastore.Modify"
        ):
            out.append({"ns": ns})
    return out


@ROUTES.route(
    "POST", "/admin/datastore/{store}/namespace", "store:string name:string parent?:string"
)
def create_namespace(call: PbsCall) -> str:
    """Add ``parent/name``; returns the new namespace path."""
    store, name = str(call.param("store")), str(call.param("name"))
    parent = str(call.param("parent") or "")
    ns = f"{parent}/{name}" if parent else name
    _check_ns_modify(call, store, ns)
    namespaces = content(call.state, store).namespaces
    if parent not in namespaces:
        raise pbs_bail(f"parent namespace '{parent}' does not exist")
    if _depth(ns) > MAX_NAMESPACE_DEPTH:
        raise pbs_bail(f"namespace '{ns}' exceeds the maximum depth of {MAX_NAMESPACE_DEPTH}")
    if ns in namespaces:
        raise pbs_bail(f"namespace '{ns}' already exists")
    namespaces.add(ns)
    return ns


@ROUTES.route(
    "DELETE",
    "/admin/datastore/{store}/namespace",
    "store:string ns:string delete-groups?:boolean error-on-protected?:boolean",
)
def delete_namespace(call: PbsCall) -> None:
    """Remove a namespace and its children; groups block it unless ``delete-groups``."""
    store, ns = str(call.param("store")), str(call.param("ns"))
    if not ns:
        raise pbs_bail("cannot delete root namespace")
    _check_ns_modify(call, store, ns)
    stored = content(call.state, store)
    if ns not in stored.namespaces:
        raise pbs_bail(f"namespace '{ns}' does not exist")
    inside = {n for n in stored.namespaces if n == ns or n.startswith(ns + "/")}
    groups = {k: g for k, g in stored.groups.items() if k.split("|", 1)[0] in inside}
    if groups and not call.param("delete-groups"):
        raise pbs_bail(
            "only partially deleted due to existing groups but `delete-groups` not true "
        )
    protected = False
    for key, group in groups.items():
        group.snapshots = {t: s for t, s in group.snapshots.items() if s.protected}
        if group.snapshots:
            protected = True
        else:
            del stored.groups[key]
    if protected:
        if call.param("error-on-protected", True):
            raise pbs_bail("group only partially deleted due to protected snapshots")
        return
    stored.namespaces -= inside
