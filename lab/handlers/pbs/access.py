"""PBS ``/access``: tickets, users, API tokens (secret shown once), ACLs, permissions.

Texts from proxmox-backup ``src/api2/access/{user,acl}.rs``. ACL updates by users without
``Permissions.Modify`` are limited to their own tokens; tokens never may.
"""

from __future__ import annotations

from typing import Any

from lab.api.routes import Call, RouteTable
from lab.errors import ApiError, pbs_bail
from lab.handlers.login import login
from lab.state.access import AclEntry, Token, User, new_token_secret
from lab.state.pbs import PbsServer

ROUTES = RouteTable()
PbsCall = Call[PbsServer]
ACL_ROOTS = ("access", "datastore", "remote", "system", "tape")


def _user(call: PbsCall, userid: str) -> User:
    user = call.access.users.get(userid)
    if user is None:
        raise pbs_bail(f"no such user '{userid}'")
    return user


def _user_item(user: User, with_tokens: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"userid": user.userid, "enable": user.enable, "expire": user.expire}
    for key in ("comment", "email", "firstname", "lastname"):
        if getattr(user, key):
            item[key] = getattr(user, key)
    if with_tokens:
        item["tokens"] = [_token_item(user, t) for t in user.tokens.values()]
    return item


def _token_item(user: User, token: Token) -> dict[str, Any]:
    item: dict[str, Any] = {
        "tokenid": f"{user.userid}!{token.name}",
        "enable": token.enable,
        "expire": token.expire,
    }
    if token.comment:
        item["comment"] = token.comment
    return item


@ROUTES.route("POST", "/access/ticket", "username:string password:string")
def create_ticket(call: PbsCall) -> dict[str, Any]:
    """Password login; a valid ticket as password renews it (as proxmoxer does)."""
    return login(call, "permission check failed.")


@ROUTES.route("GET", "/access/users", "include_tokens?:boolean")
def list_users(call: PbsCall) -> list[dict[str, Any]]:
    """All users for auditors, else only the caller."""
    audit = call.has("/access/users", "Sys.Audit")
    return [
        _user_item(u, bool(call.param("include_tokens")))
        for u in call.access.users.values()
        if audit or u.userid == call.userid
    ]


@ROUTES.route(
    "POST",
    "/access/users",
    "userid:string password?:string comment?:string enable?:boolean expire?:integer "
    "email?:string firstname?:string lastname?:string",
)
def create_user(call: PbsCall) -> None:
    """Add a user (``name@pbs``)."""
    userid = str(call.param("userid"))
    if userid in call.access.users:
        raise pbs_bail(f"user '{userid}' already exists.")
    call.access.users[userid] = User(
        userid=userid,
        password=call.param("password"),
        comment=call.param("comment", ""),
        enable=call.param("enable", True),
        expire=call.param("expire", 0),
        email=call.param("email", ""),
        firstname=call.param("firstname", ""),
        lastname=call.param("lastname", ""),
    )


@ROUTES.route("GET", "/access/users/{userid}", "userid:string")
def read_user(call: PbsCall) -> dict[str, Any]:
    """One user; the digest sits beside ``data``."""
    call.attributes["digest"] = call.access.user_digest()
    return _user_item(_user(call, str(call.param("userid"))), with_tokens=False)


@ROUTES.route(
    "PUT",
    "/access/users/{userid}",
    "userid:string password?:string comment?:string enable?:boolean expire?:integer "
    "email?:string firstname?:string lastname?:string delete?:array digest?:string",
)
def update_user(call: PbsCall) -> None:
    """Change user fields."""
    if call.param("digest") and call.param("digest") != call.access.user_digest():
        raise pbs_bail("detected modified configuration - file changed by other user? Try again.")
    user = _user(call, str(call.param("userid")))
    for key in call.param("delete") or []:
        if key in ("comment", "email", "firstname", "lastname"):
            setattr(user, key, "")
        elif key == "expire":
            user.expire = 0
        elif key == "enable":
            user.enable = True
    for key in ("password", "comment", "enable", "expire", "email", "firstname", "lastname"):
        if key in call.params:
            setattr(user, key, call.params[key])


@ROUTES.route("DELETE", "/access/users/{userid}", "userid:string digest?:string")
def delete_user(call: PbsCall) -> None:
    """Remove a user and its tokens with the tokens' ACL entries; the user's own entries
    stay (proxmox-backup ``src/api2/access/user.rs`` ``delete_user`` calls
    ``do_delete_token`` per token and never touches the user's ACLs)."""
    userid = str(call.param("userid"))
    if call.access.users.pop(userid, None) is None:
        raise pbs_bail(f"user '{userid}' does not exist.")
    call.access.acl[:] = [e for e in call.access.acl if not e.ugid.startswith(userid + "!")]


@ROUTES.route("GET", "/access/users/{userid}/token", "userid:string")
def list_tokens(call: PbsCall) -> list[dict[str, Any]]:
    """A user's tokens (never their secrets)."""
    user = _user(call, str(call.param("userid")))
    call.attributes["digest"] = call.access.user_digest()
    return [_token_item(user, t) for t in user.tokens.values()]


def _token(call: PbsCall) -> tuple[User, Token]:
    user = _user(call, str(call.param("userid")))
    name = str(call.param("token-name"))
    token = user.tokens.get(name)
    if token is None:
        raise pbs_bail(f"no such token '{user.userid}!{name}'")
    return user, token


@ROUTES.route("GET", "/access/users/{userid}/token/{token-name}", "userid:string token-name:string")
def read_token(call: PbsCall) -> dict[str, Any]:
    """One token's metadata."""
    user, token = _token(call)
    call.attributes["digest"] = call.access.user_digest()
    return _token_item(user, token)


@ROUTES.route(
    "POST",
    "/access/users/{userid}/token/{token-name}",
    "userid:string token-name:string comment?:string enable?:boolean expire?:integer",
)
def create_token(call: PbsCall) -> dict[str, str]:
    """Mint a token; the only answer that ever contains its secret."""
    user = _user(call, str(call.param("userid")))
    name = str(call.param("token-name"))
    if name in user.tokens:
        raise pbs_bail(f"token '{name}' for user '{user.userid}' already exists.")
    token = Token(
        name=name,
        secret=new_token_secret(),
        comment=call.param("comment", ""),
        enable=call.param("enable", True),
        expire=call.param("expire", 0),
    )
    user.tokens[name] = token
    return {"tokenid": f"{user.userid}!{name}", "value": token.secret}


@ROUTES.route(
    "PUT",
    "/access/users/{userid}/token/{token-name}",
    "userid:string token-name:string comment?:string enable?:boolean expire?:integer "
    "regenerate?:boolean delete?:array digest?:string",
)
def update_token(call: PbsCall) -> dict[str, str] | None:
    """Change a token; ``regenerate=1`` returns the new secret once."""
    user, token = _token(call)
    for key in call.param("delete") or []:
        if key == "comment":
            token.comment = ""
    for key in ("comment", "enable", "expire"):
        if key in call.params:
            setattr(token, key, call.params[key])
    if call.param("regenerate"):
        token.secret = new_token_secret()
        return {"tokenid": f"{user.userid}!{token.name}", "secret": token.secret}
    return None


@ROUTES.route(
    "DELETE", "/access/users/{userid}/token/{token-name}", "userid:string token-name:string"
)
def delete_token(call: PbsCall) -> None:
    """Remove a token and its ACL entries."""
    user, token = _token(call)
    del user.tokens[token.name]
    token_id = f"{user.userid}!{token.name}"
    call.access.acl[:] = [e for e in call.access.acl if e.ugid != token_id]


def _acl_item(entry: AclEntry) -> dict[str, Any]:
    return {
        "path": entry.path,
        "ugid": entry.ugid,
        "ugid_type": "user",
        "roleid": entry.role,
        "propagate": entry.propagate,
    }


@ROUTES.route("GET", "/access/acl", "path?:string exact?:boolean")
def read_acl(call: PbsCall) -> list[dict[str, Any]]:
    """ACL entries on paths where the caller may audit; ``digest`` beside ``data``."""
    path, exact = call.param("path"), bool(call.param("exact"))
    call.attributes["digest"] = call.access.acl_digest()
    return [
        _acl_item(e)
        for e in call.access.acl
        if (
            path is None
            or e.path == path
            or (not exact and e.path.startswith(path.rstrip("/") + "/"))
        )
        and (
            call.has_any(e.path, "Sys.Audit", "Permissions.Modify")
            or e.ugid.split("!")[0] == call.userid
        )
    ]


def _check_acl_path(path: str) -> None:
    parts = [p for p in path.split("/") if p]
    if path != "/" and (not path.startswith("/") or not parts or parts[0] not in ACL_ROOTS):
        raise pbs_bail(f"invalid acl path '{path}'.")


def _check_acl_rights(call: PbsCall, path: str, auth_id: str | None) -> None:
    if call.has(path, "Permissions.Modify"):
        return
    if "!" in call.auth_id:
        raise pbs_bail("Unprivileged API tokens can't set ACL items.")
    if auth_id is None:
        raise pbs_bail("Unprivileged user needs to provide auth_id to update ACL item.")
    if "!" not in auth_id:
        raise pbs_bail("Unprivileged users can only set ACL items for API tokens.")
    if auth_id.split("!")[0] != call.userid:
        raise pbs_bail("Unprivileged users can only set ACL items for their own API tokens.")


@ROUTES.route(
    "PUT",
    "/access/acl",
    "path:string role:string propagate?:boolean auth-id?:string group?:string "
    "delete?:boolean digest?:string",
)
def update_acl(call: PbsCall) -> None:
    """Add (or with ``delete=1`` remove) one ``path|auth-id|role`` entry."""
    path, role = str(call.param("path")), str(call.param("role"))
    auth_id = call.param("auth-id")
    if call.param("digest") and call.param("digest") != call.access.acl_digest():
        raise pbs_bail("detected modified configuration - file changed by other user? Try again.")
    _check_acl_rights(call, path, auth_id)
    if call.param("group") is not None:
        raise pbs_bail("parameter 'group' - groups are currently not supported.")
    if auth_id is None:
        raise pbs_bail("missing 'userid' or 'group' parameter.")
    _check_acl_path(path)
    entries = call.access.acl
    existing = [e for e in entries if e.path == path and e.ugid == auth_id and e.role == role]
    if call.param("delete"):
        for entry in existing:
            entries.remove(entry)
        return
    owner = call.access.users.get(auth_id.split("!")[0])
    if owner is None or ("!" in auth_id and call.access.token(auth_id) is None):
        raise pbs_bail(f"no such {'token' if '!' in auth_id else 'user'} '{auth_id}'")
    propagate = call.param("propagate", True)
    if existing:
        existing[0].propagate = propagate
    else:
        entries.append(AclEntry(path, auth_id, role, propagate))


DEFAULT_PERMISSION_PATHS = ("/", "/access", "/datastore", "/remote", "/system")
"""Listed even without an ACL (proxmox-backup ``list_permissions``)."""


def _listed_paths(call: PbsCall) -> list[str]:
    """Every node of the ACL tree (each ACL path and its parents) and the default paths."""
    paths = set(DEFAULT_PERMISSION_PATHS)
    for entry in call.access.acl:
        parts = [part for part in entry.path.split("/") if part]
        paths.update("/" + "/".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(paths)


@ROUTES.route("GET", "/access/permissions", "auth-id?:string path?:string")
def permissions(call: PbsCall) -> dict[str, dict[str, bool]]:
    """Effective privileges per path (the caller's, or another's for auditors)."""
    auth_id = str(call.param("auth-id") or call.auth_id)
    foreign = auth_id != call.auth_id and auth_id.split("!", maxsplit=1)[0] != call.userid
    if foreign and not call.has("/access", "Sys.Audit"):
        raise ApiError(403, "permission check failed")
    paths = [call.param("path")] if call.param("path") else _listed_paths(call)
    out: dict[str, dict[str, bool]] = {}
    for path in paths:  # proxmox-backup src/api2/access/mod.rs list_permissions
        privileges, propagated = call.access.privilege_details(auth_id, str(path))
        if privileges:  # privilege → whether it propagates below the path
            out[str(path)] = {p: p in propagated for p in sorted(privileges)}
    return out
