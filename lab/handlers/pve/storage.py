"""PVE ``/storage`` (pve-storage ``API2/Storage/Config.pm``, ``PBSPlugin.pm``) and content.

A PBS entry keeps its password, encryption key and master public key apart (PVE's
``/etc/pve/priv``); ``storage.cfg`` records only ``encryption-key: <the key file's
fingerprint, or 1>`` and ``master-pubkey: 1`` (``on_add_hook``/``on_update_hook``), which GET
shows. A key that is not a JSON key file is refused; ``master-pubkey`` needs an
``encryption-key`` on creation. ``encryption-key=autogen`` mints a key and returns it once in
``config``. ``ZFSPoolPlugin`` fixes ``pool``; ``PBSPlugin`` fixes ``server`` and
``datastore`` (``port`` and ``namespace`` change in place). Errors raised while the config
is locked carry the lock's message (pve-storage ``Storage.pm`` ``lock_storage_config``:
"create storage failed: …", "update storage failed: …"); nothing is written then. Content of
a PBS storage is read from the lab's PBS instance at ``server:port``, so restores and listings
see real snapshots; a snapshot still being written lists without its details.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from lab.api.routes import Call, RouteTable
from lab.errors import ParameterError, pve_die
from lab.handlers.pve.nodes import node_of
from lab.handlers.sections import pve_check_digest, pve_update
from lab.sim.world import World
from lab.state.pbs import DatastoreContent, PbsServer, backup_time_text
from lab.state.pve import PveCluster, StorageEntry, StorageSecrets

ROUTES = RouteTable()
PveCall = Call[PveCluster]
SECRET_OPTIONS = ("password", "encryption-key", "master-pubkey")
REQUIRED_BY_TYPE = {"zfspool": ("pool",), "pbs": ("server", "datastore", "username")}
FIXED_BY_TYPE = {"zfspool": ("pool",), "pbs": ("server", "datastore")}
NOT_A_KEY = "Value does not seems like a valid, JSON formatted encryption key!"
"""``PBSPlugin.pm``, word for word."""


def _valid_key(key: str) -> bool:
    try:
        decoded = json.loads(key)
    except json.JSONDecodeError:
        return False
    return isinstance(decoded, dict) and "data" in decoded


def _new_key() -> str:
    return json.dumps(
        {
            "kdf": None,
            "created": "2025-01-01T00:00:00Z",
            "modified": "2025-01-01T00:00:00Z",
            "data": secrets.token_hex(32),
            "fingerprint": secrets.token_bytes(32).hex(":"),
        }
    )


def _entry(call: PveCall) -> StorageEntry:
    storage_id = str(call.param("storage"))
    entry = call.state.storage.get(storage_id)
    if entry is None:
        raise pve_die(f"storage '{storage_id}' does not exist")
    return entry


def _item(call: PveCall, entry: StorageEntry) -> dict[str, Any]:
    item = {
        "storage": entry.id,
        "type": entry.type,
        **entry.options,
        "digest": call.state.storage.digest(),
    }
    secrets_of = call.state.storage_secrets.get(entry.id)
    if secrets_of is not None and secrets_of.encryption_key:
        item["encryption-key"] = secrets_of.key_marker()
    if secrets_of is not None and secrets_of.master_pubkey:
        item["master-pubkey"] = 1  # PBSPlugin.pm on_add/on_update_hook: ``$scfg->{…} = 1``
    return item


def _apply_secrets(call: PveCall, storage_id: str, *, creating: bool) -> dict[str, Any]:
    """The hooks' work (``on_add_hook``/``on_update_hook``); their errors carry the lock's
    prefix, as PVE raises them inside ``lock_storage_config``."""
    failed = "create storage failed" if creating else "update storage failed"
    stored = call.state.storage_secrets.setdefault(storage_id, StorageSecrets())
    config: dict[str, Any] = {}
    if call.param("password") is not None:
        stored.password = str(call.param("password"))
    key = call.param("encryption-key")
    if key is not None:
        if key != "autogen" and not _valid_key(str(key)):
            raise pve_die(f"{failed}: {NOT_A_KEY}")
        stored.encryption_key = _new_key() if key == "autogen" else str(key)
        config["encryption-key"] = stored.encryption_key
    if call.param("master-pubkey") is not None:
        if stored.encryption_key is None and creating:  # on_add_hook only
            raise pve_die(
                f"{failed}: 'master-pubkey' can only be used together with 'encryption-key'"
            )
        stored.master_pubkey = str(call.param("master-pubkey"))
    return config


@ROUTES.route("GET", "/storage", "type?:string")
def list_storage(call: PveCall) -> list[dict[str, Any]]:
    """Every storage entry (optionally of one type)."""
    return [_item(call, e) for e in call.state.storage if call.param("type") in (None, e.type)]


@ROUTES.route(
    "POST",
    "/storage",
    "storage:pve-storage-id type:string content?:string nodes?:string pool?:string server?:string "
    "datastore?:string username?:string password?:string fingerprint?:string namespace?:string "
    "port?:integer encryption-key?:string master-pubkey?:string prune-backups?:prune-backups "
    "disable?:boolean",
)
def create_storage(call: PveCall) -> dict[str, Any]:
    """Add a storage entry (synchronous)."""
    storage_id, kind = str(call.param("storage")), str(call.param("type"))
    if storage_id in call.state.storage:
        raise pve_die(f"create storage failed: storage ID '{storage_id}' already defined")
    missing = [k for k in REQUIRED_BY_TYPE.get(kind, ()) if call.param(k) is None]
    if missing:
        raise ParameterError({k: "property is missing and it is not optional" for k in missing})
    options = {
        k: v for k, v in call.params.items() if k not in ("storage", "type", *SECRET_OPTIONS)
    }
    if kind == "pbs":
        options.setdefault("content", "backup")
    call.state.storage.put(StorageEntry(storage_id, kind, options))
    try:
        config = _apply_secrets(call, storage_id, creating=True)
    except Exception:
        call.state.storage.remove(storage_id)
        call.state.storage_secrets.pop(storage_id, None)
        raise
    answer: dict[str, Any] = {"storage": storage_id, "type": kind}
    if config:
        answer["config"] = config
    return answer


@ROUTES.route("GET", "/storage/{storage}", "storage:pve-storage-id")
def read_storage(call: PveCall) -> dict[str, Any]:
    """One entry with the digest (secrets never shown)."""
    return _item(call, _entry(call))


@ROUTES.route(
    "PUT", "/storage/{storage}", "storage:pve-storage-id delete?:pve-configid-list digest?:string"
)
def update_storage(call: PveCall) -> dict[str, Any]:
    """Change an entry; ``delete`` may name secrets too."""
    entry = _entry(call)
    pve_check_digest(call.state.storage, call.param("digest"))
    pve_update(
        entry,
        {k: v for k, v in call.params.items() if k not in SECRET_OPTIONS},
        exclude=("storage", "type"),
        required=REQUIRED_BY_TYPE.get(entry.type, ()),
        fixed=FIXED_BY_TYPE.get(entry.type, ()),
    )
    stored = call.state.storage_secrets.setdefault(entry.id, StorageSecrets())
    for key in str(call.param("delete", "")).replace(";", ",").split(","):
        if key.strip() in SECRET_OPTIONS:
            setattr(stored, key.strip().replace("-", "_"), None)
    config = _apply_secrets(call, entry.id, creating=False)
    answer: dict[str, Any] = {"storage": entry.id, "type": entry.type}
    if config:
        answer["config"] = config
    return answer


@ROUTES.route("DELETE", "/storage/{storage}", "storage:pve-storage-id")
def delete_storage(call: PveCall) -> None:
    """Remove an entry and its secrets (data on the storage stays)."""
    entry = _entry(call)
    call.state.storage.remove(entry.id)
    call.state.storage_secrets.pop(entry.id, None)


def pbs_target(world: World, entry: StorageEntry) -> tuple[PbsServer, DatastoreContent] | None:
    """The lab PBS instance and datastore a PBS storage entry points at, if reachable."""
    server = world.pbs_at(str(entry.get("server")), entry.get("port"))
    if server is None or not world.reachable(server.name):
        return None
    store = server.contents.get(str(entry.get("datastore")))
    return (server, store) if store is not None and store.mounted else None


def _pbs_content(call: PveCall, entry: StorageEntry) -> list[dict[str, Any]]:
    target = pbs_target(call.services.world, entry)
    if target is None:
        raise pve_die(f"{entry.id}: error fetching datastores - connection refused")
    _, store = target
    ns = str(entry.get("namespace", ""))
    out = []
    for group in store.groups_in(ns):
        for snapshot in group.snapshots.values():
            name = f"{group.backup_type}/{group.backup_id}/{backup_time_text(snapshot.time)}"
            # PBSPlugin.pm list_volumes: ``size => $item->{size} // 1`` (PBS gives none while
            # a backup is being written), ``subtype`` qemu/lxc.
            item: dict[str, Any] = {
                "volid": f"{entry.id}:backup/{name}",
                "content": "backup",
                "format": f"pbs-{group.backup_type}",
                "subtype": "qemu" if group.backup_type == "vm" else "lxc",
                "size": snapshot.size if snapshot.finished else 1,
                "ctime": snapshot.time,
                "vmid": int(group.backup_id) if group.backup_id.isdigit() else group.backup_id,
                "protected": int(snapshot.protected),
            }
            if not snapshot.finished:
                out.append(item)
                continue
            if snapshot.notes:
                item["notes"] = snapshot.notes
            if snapshot.encrypted:  # PBSPlugin.pm list_volumes: the manifest's key fingerprint
                item["encrypted"] = snapshot.key_fingerprint or "1"
            if snapshot.verify_state:
                item["verification"] = {
                    "state": snapshot.verify_state,
                    "upid": snapshot.verify_upid or "",
                }
            out.append(item)
    return out


@ROUTES.route(
    "GET",
    "/nodes/{node}/storage/{storage}/content",
    "node:pve-node storage:pve-storage-id content?:string vmid?:integer",
)
def list_content(call: PveCall) -> list[dict[str, Any]]:
    """Volumes on a storage as seen from one node."""
    node = node_of(call)
    entry = _entry(call)
    if entry.nodes is not None and node.name not in entry.nodes:
        raise pve_die(f"storage '{entry.id}' is not available on node '{node.name}'")
    items = (
        _pbs_content(call, entry)
        if entry.type == "pbs"
        else [
            {
                "volid": volid,
                "content": "images",
                "format": "raw",
                "size": size,
                "vmid": int(volid.split("-")[1]) if volid.count("-") >= 2 else 0,
            }
            for volid, size in call.state.volumes.items()
            if volid.startswith(entry.id + ":")
            and _volume_node(call.state, volid) in (None, node.name)
        ]
    )
    vmid = call.param("vmid")
    return [i for i in items if vmid is None or i.get("vmid") == vmid]


def _volume_node(state: PveCluster, volid: str) -> str | None:
    for vm in state.vms.values():
        if volid in vm.volumes():
            return vm.node
    return None
