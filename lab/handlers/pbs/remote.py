"""PBS ``/config/remote``: the password (a token secret) is stored but never returned, and a
remote referenced by a sync job cannot be removed (``src/api2/config/remote.rs``).
"""

from __future__ import annotations

from typing import Any

from lab.api.routes import Call, RouteTable
from lab.errors import ApiError, pbs_bail, pbs_param_bail
from lab.handlers.sections import pbs_check_digest, pbs_named_listing, pbs_update
from lab.state.pbs import PbsServer, Remote

ROUTES = RouteTable()
PbsCall = Call[PbsServer]
REMOTE_SPEC = (
    "host?:string port?:integer auth-id?:string password?:string fingerprint?:string "
    "comment?:string"
)


def _remote(call: PbsCall) -> Remote:
    name = str(call.param("name"))
    entry = call.state.remotes.get(name)
    if entry is None:
        raise pbs_bail(f"no such remote '{name}'")
    return entry


@ROUTES.route("GET", "/config/remote")
def list_remotes(call: PbsCall) -> list[dict[str, Any]]:
    """Remotes the caller may audit, without passwords."""
    return pbs_named_listing(call, call.state.remotes, "/remote", "Remote.Audit")


@ROUTES.route(
    "POST",
    "/config/remote",
    "name:string "
    + REMOTE_SPEC.replace("host?", "host")
    .replace("auth-id?", "auth-id")
    .replace("password?", "password"),
)
def create_remote(call: PbsCall) -> None:
    """Add a remote PBS."""
    name = str(call.param("name"))
    if name in call.state.remotes:
        raise pbs_param_bail("name", f"remote '{name}' already exists.")
    options = {k: v for k, v in call.params.items() if k not in ("name", "password")}
    call.state.remotes.put(Remote(name, "remote", options))
    call.state.remote_passwords[name] = str(call.param("password"))


@ROUTES.route("GET", "/config/remote/{name}", "name:string")
def read_remote(call: PbsCall) -> dict[str, Any]:
    """One remote (no password) with the digest beside ``data``."""
    entry = _remote(call)
    call.attributes["digest"] = call.state.remotes.digest()
    return {"name": entry.id, **entry.options}


@ROUTES.route(
    "PUT", "/config/remote/{name}", "name:string delete?:array digest?:string " + REMOTE_SPEC
)
def update_remote(call: PbsCall) -> None:
    """Change anything but the name."""
    entry = _remote(call)
    pbs_check_digest(call.state.remotes, call.param("digest"))
    pbs_update(entry, call.params, exclude=("name", "password"))
    if call.param("password") is not None:
        call.state.remote_passwords[entry.id] = str(call.param("password"))


@ROUTES.route("DELETE", "/config/remote/{name}", "name:string digest?:string")
def delete_remote(call: PbsCall) -> None:
    """Remove a remote no sync job uses."""
    name = str(call.param("name"))
    for job in call.state.sync_jobs:
        if job.get("remote") == name:
            raise pbs_bail(
                f"remote '{name}' is used by sync job '{job.id}' (datastore '{job.get('store')}')"
            )
    pbs_check_digest(call.state.remotes, call.param("digest"))
    if call.state.remotes.remove(name) is None:
        raise ApiError(404, f"remote '{name}' does not exist.")
    call.state.remote_passwords.pop(name, None)
