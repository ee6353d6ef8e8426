"""PBS ``/admin/datastore/{store}/…``: snapshots, groups, protection, notes, status, GC.

Listing needs ``Datastore.Audit`` for everything, or ``Datastore.Backup`` for the groups the
caller owns (a token's groups are owned by the token). Protected snapshots cannot be
removed. Snapshot entries carry ``verification`` and ``protected`` as PBS reports them.
``change-owner`` hands a group to another user or token. Removing snapshots frees nothing
at once: their chunks stay (``used`` unchanged) until a garbage collection more than the
atime cutoff later (``sim.pbs.gc``).
"""

from __future__ import annotations

from typing import Any

from lab.api.routes import Call, RouteTable
from lab.errors import ApiError, pbs_bail
from lab.handlers.pbs.datastore import content, datastore, ns_path
from lab.sim.pbs.jobs import next_run, run_gc_now
from lab.state.pbs import BackupGroup, DatastoreContent, PbsServer, Snapshot

ROUTES = RouteTable()
PbsCall = Call[PbsServer]
DATASTORE_TOTAL_BYTES = 8 * 1024**4
GROUP_SPEC = "store:string ns?:string backup-type:string backup-id:string"
SNAPSHOT_SPEC = GROUP_SPEC + " backup-time:integer"


def _visible_groups(call: PbsCall, store: str, ns: str) -> list[BackupGroup]:
    stored = content(call.state, store)
    if ns not in stored.namespaces:
        raise pbs_bail(f"namespace '{ns}' does not exist")
    path = ns_path(store, ns)
    if call.has(path, "Datastore.Audit"):
        return stored.groups_in(ns)
    if call.has(path, "Datastore.Backup"):
        return [g for g in stored.groups_in(ns) if g.owner == call.auth_id]
    raise ApiError(403, "permission check failed")


def _files(snapshot: Snapshot) -> list[dict[str, Any]]:
    mode = "encrypt" if snapshot.encrypted else "none"
    return [
        {
            "filename": "index.json.blob",
            "size": 512,
            "crypt-mode": "sign-only" if snapshot.encrypted else "none",
        },
        {"filename": "drive-scsi0.img.fidx", "size": snapshot.size, "crypt-mode": mode},
        {"filename": "client.log.blob", "size": 1024, "crypt-mode": mode},
    ]


def snapshot_item(group: BackupGroup, snapshot: Snapshot) -> dict[str, Any]:
    """One entry of ``GET …/snapshots``; one still being written (no manifest yet) has no
    size, notes or verification, and its files no size or crypt mode (proxmox-backup
    ``src/tools/mod.rs`` ``backup_info_to_snapshot_list_item``)."""
    if not snapshot.finished:
        return {
            "backup-type": snapshot.backup_type,
            "backup-id": snapshot.backup_id,
            "backup-time": snapshot.time,
            "files": [{"filename": "drive-scsi0.img.fidx"}],
            "owner": group.owner,
            "protected": snapshot.protected,
        }
    item: dict[str, Any] = {
        "backup-type": snapshot.backup_type,
        "backup-id": snapshot.backup_id,
        "backup-time": snapshot.time,
        "files": _files(snapshot),
        "size": snapshot.size,
        "owner": group.owner,
        "protected": snapshot.protected,
    }
    if snapshot.notes:
        item["comment"] = snapshot.notes.split("\n", 1)[0]
    if snapshot.verify_state is not None:
        item["verification"] = {"state": snapshot.verify_state, "upid": snapshot.verify_upid or ""}
    return item


@ROUTES.route(
    "GET",
    "/admin/datastore/{store}/snapshots",
    "store:string ns?:string backup-type?:string backup-id?:string",
)
def list_snapshots(call: PbsCall) -> list[dict[str, Any]]:
    """Snapshots of the namespace, optionally of one type or group."""
    store, ns = str(call.param("store")), str(call.param("ns") or "")
    out: list[dict[str, Any]] = []
    for group in _visible_groups(call, store, ns):
        if call.param("backup-type") not in (None, group.backup_type):
            continue
        if call.param("backup-id") not in (None, group.backup_id):
            continue
        out.extend(
            snapshot_item(group, s) for s in sorted(group.snapshots.values(), key=lambda s: s.time)
        )
    return out


def _group(call: PbsCall) -> tuple[DatastoreContent, str, BackupGroup]:
    store, ns = str(call.param("store")), str(call.param("ns") or "")
    stored = content(call.state, store)
    key = DatastoreContent.group_key(
        ns, str(call.param("backup-type")), str(call.param("backup-id"))
    )
    group = stored.groups.get(key)
    if group is None:
        raise pbs_bail(
            f"group '{call.param('backup-type')}/{call.param('backup-id')}' does not exist"
        )
    path = ns_path(store, ns)
    owner_ok = group.owner == call.auth_id and call.has_any(path, "Datastore.Backup")
    if not owner_ok and not call.has_any(path, "Datastore.Audit", "Datastore.Modify"):
        raise ApiError(403, "permission check failed")
    return stored, key, group


def _snapshot(call: PbsCall) -> tuple[BackupGroup, Snapshot]:
    _, _, group = _group(call)
    snapshot = group.snapshots.get(int(call.param("backup-time")))
    if snapshot is None:
        raise pbs_bail("snapshot does not exist")
    return group, snapshot


def _require_prune_right(call: PbsCall, group: BackupGroup) -> None:
    path = ns_path(str(call.param("store")), str(call.param("ns") or ""))
    if call.has(path, "Datastore.Modify"):
        return
    if group.owner == call.auth_id and call.has(path, "Datastore.Prune"):
        return
    raise ApiError(403, "permission check failed")


@ROUTES.route("DELETE", "/admin/datastore/{store}/snapshots", SNAPSHOT_SPEC)
def delete_snapshot(call: PbsCall) -> None:
    """Forget one snapshot (never a protected one)."""
    group, snapshot = _snapshot(call)
    _require_prune_right(call, group)
    if snapshot.protected:
        raise pbs_bail(f'cannot remove protected snapshot "{snapshot.name}"')
    del group.snapshots[snapshot.time]


@ROUTES.route(
    "GET", "/admin/datastore/{store}/groups", "store:string ns?:string backup-type?:string"
)
def list_groups(call: PbsCall) -> list[dict[str, Any]]:
    """Groups with their newest backup and count."""
    store, ns = str(call.param("store")), str(call.param("ns") or "")
    out = []
    for group in _visible_groups(call, store, ns):
        if call.param("backup-type") not in (None, group.backup_type) or not group.snapshots:
            continue
        newest = max(group.snapshots.values(), key=lambda s: s.time)
        item: dict[str, Any] = {
            "backup-type": group.backup_type,
            "backup-id": group.backup_id,
            "last-backup": newest.time,
            "backup-count": len(group.snapshots),
            "files": [f["filename"] for f in _files(newest)],
            "owner": group.owner,
        }
        if group.comment:
            item["comment"] = group.comment
        out.append(item)
    return out


def _may_hand_over(auth_id: str, owner: str, new_owner: str) -> bool:
    """``set_backup_owner`` without Datastore.Modify: only between a user and its tokens."""
    owner_user, new_user = owner.split("!", maxsplit=1)[0], new_owner.split("!", maxsplit=1)[0]
    match ("!" in owner, "!" in new_owner):
        case (True, True):
            return owner_user == new_user and auth_id == owner_user
        case (True, False):
            return auth_id == owner_user and new_owner == auth_id
        case (False, True):
            return owner == auth_id and new_user == auth_id
    return False


def _active(call: PbsCall, auth_id: str) -> bool:
    user = call.access.users.get(auth_id.split("!", maxsplit=1)[0])
    if user is None or not user.enable:
        return False
    if "!" not in auth_id:
        return True
    token = call.access.token(auth_id)
    return token is not None and token.enable


@ROUTES.route("POST", "/admin/datastore/{store}/change-owner", GROUP_SPEC + " new-owner:string")
def change_owner(call: PbsCall) -> None:
    """``set_backup_owner`` (proxmox-backup ``src/api2/admin/datastore.rs``): with
    Datastore.Modify on the namespace any group; with Datastore.Backup only between a user and
    its own tokens (401 otherwise); the new owner must be an active user or token."""
    store, ns = str(call.param("store")), str(call.param("ns") or "")
    path = ns_path(store, ns)
    new_owner = str(call.param("new-owner"))
    if call.has_any(path, "Datastore.Modify"):
        owner_check = False
    elif call.has_any(path, "Datastore.Backup"):
        owner_check = True
    else:
        raise ApiError(
            403, f"permission check failed - missing Datastore.Modify|Datastore.Backup on {path}"
        )
    stored = content(call.state, store)
    key = DatastoreContent.group_key(
        ns, str(call.param("backup-type")), str(call.param("backup-id"))
    )
    group = stored.groups.get(key)
    if group is None:
        raise pbs_bail(
            f"group '{call.param('backup-type')}/{call.param('backup-id')}' does not exist"
        )
    if owner_check and not _may_hand_over(call.auth_id, group.owner, new_owner):
        raise ApiError(
            401,
            f"{call.auth_id} does not have permission to change owner of backup group "
            f"'{group.backup_type}/{group.backup_id}' to {new_owner}",
        )
    if not _active(call, new_owner):
        kind = "API token" if "!" in new_owner else "user"
        raise pbs_bail(f"{kind} '{new_owner}' is inactive or non-existent")
    group.owner = new_owner


@ROUTES.route(
    "DELETE", "/admin/datastore/{store}/groups", GROUP_SPEC + " error-on-protected?:boolean"
)
def delete_group(call: PbsCall) -> dict[str, Any]:
    """Remove a group's unprotected snapshots (the group too, if none remain)."""
    stored, key, group = _group(call)
    _require_prune_right(call, group)
    kept = {t: s for t, s in group.snapshots.items() if s.protected}
    removed = len(group.snapshots) - len(kept)
    group.snapshots = kept
    if not kept:
        del stored.groups[key]
    elif call.param("error-on-protected", True):
        raise pbs_bail("group only partially deleted due to protected snapshots")
    return {
        "removed-snapshots": removed,
        "protected-snapshots": len(kept),
        "removed-groups": 0 if kept else 1,
    }


@ROUTES.route("GET", "/admin/datastore/{store}/protected", SNAPSHOT_SPEC)
def get_protection(call: PbsCall) -> bool:
    """Whether a snapshot is protected."""
    return _snapshot(call)[1].protected


@ROUTES.route("PUT", "/admin/datastore/{store}/protected", SNAPSHOT_SPEC + " protected:boolean")
def set_protection(call: PbsCall) -> None:
    """Protect or unprotect a snapshot."""
    group, snapshot = _snapshot(call)
    _require_prune_right(call, group)
    snapshot.protected = bool(call.param("protected"))


@ROUTES.route("GET", "/admin/datastore/{store}/notes", SNAPSHOT_SPEC)
def get_notes(call: PbsCall) -> str:
    """A snapshot's notes."""
    return _snapshot(call)[1].notes


@ROUTES.route("PUT", "/admin/datastore/{store}/notes", SNAPSHOT_SPEC + " notes:string")
def set_notes(call: PbsCall) -> None:
    """Replace a snapshot's notes."""
    _, snapshot = _snapshot(call)
    snapshot.notes = str(call.param("notes"))


def _counts(stored: DatastoreContent) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for group in stored.groups.values():
        entry = counts.setdefault(group.backup_type, {"groups": 0, "snapshots": 0})
        entry["groups"] += 1
        entry["snapshots"] += len(group.snapshots)
    return counts


def _gc_figures(stored: DatastoreContent) -> dict[str, Any]:
    """The last GC's figures (zeros before the first run)."""
    names = (
        *("index-file-count", "index-data-bytes", "disk-bytes", "disk-chunks"),
        *("removed-bytes", "removed-chunks", "pending-bytes", "pending-chunks"),
    )
    figures: dict[str, Any] = dict.fromkeys(names, 0) | {"removed-bad": 0, "still-bad": 0}
    if stored.gc is not None:
        status = stored.gc.status
        figures |= {name: getattr(status, name.replace("-", "_")) for name in names}
        figures["upid"] = stored.gc.upid
    return figures


@ROUTES.route("GET", "/admin/datastore/{store}/status", "store:string verbose?:boolean")
def status(call: PbsCall) -> dict[str, Any]:
    """Usage: the bytes of the chunks on disk (freed only by GC) against a fixed capacity."""
    store = str(call.param("store"))
    stored = content(call.state, store)
    used = stored.chunks.used_bytes
    out: dict[str, Any] = {
        "total": DATASTORE_TOTAL_BYTES,
        "used": used,
        "avail": DATASTORE_TOTAL_BYTES - used,
    }
    if call.param("verbose"):
        out |= {"counts": _counts(stored), "gc-status": _gc_figures(stored)}
    return out


@ROUTES.route("POST", "/admin/datastore/{store}/gc", "store:string")
def start_gc(call: PbsCall) -> str:
    """Run garbage collection now (a ``garbage_collection`` task)."""
    store = str(call.param("store"))
    content(call.state, store)
    return run_gc_now(call.services.world, call.state, store, call.auth_id).upid


@ROUTES.route("GET", "/admin/datastore/{store}/gc", "store:string")
def gc_status(call: PbsCall) -> dict[str, Any]:
    """The last GC's figures and task, its schedule and next run."""
    store = str(call.param("store"))
    stored = content(call.state, store)
    out = {"store": store, **_gc_figures(stored)}
    if stored.gc is not None:
        out |= {"last-run-endtime": stored.gc.endtime, "last-run-state": stored.gc.state}
    schedule = datastore(call.state, store).get("gc-schedule")
    if schedule:
        out["schedule"] = schedule
    due = next_run(call.state.job_records.get(f"gc:{store}"), schedule)
    if due is not None:
        out["next-run"] = due
    return out
