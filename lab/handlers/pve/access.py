"""PVE ``/access``: ticket, users, API tokens (``privsep``), ACLs (``PUT /access/acl``)."""

from __future__ import annotations

from typing import Any

from lab.api.routes import Call, RouteTable
from lab.errors import pve_die
from lab.handlers.login import login
from lab.schema.pve_check import split_list
from lab.state.access import AclEntry, Token, User, new_token_secret
from lab.state.pve import PveCluster

ROUTES = RouteTable()
PveCall = Call[PveCluster]


@ROUTES.route("POST", "/access/ticket", "username:string password:string")
def create_ticket(call: PveCall) -> dict[str, Any]:
    """Password login (a valid ticket as password renews it)."""
    return {**login(call, "authentication failure\n"), "cap": {}}


def _user(call: PveCall) -> User:
    userid = str(call.param("userid"))
    user = call.access.users.get(userid)
    if user is None:
        raise pve_die(f"no such user ('{userid}')")
    return user


@ROUTES.route("GET", "/access/users", "enabled?:boolean full?:boolean")
def list_users(call: PveCall) -> list[dict[str, Any]]:
    """Users (with tokens when ``full=1``)."""
    out = []
    for user in call.access.users.values():
        item: dict[str, Any] = {
            "userid": user.userid,
            "enable": int(user.enable),
            "expire": user.expire,
        }
        if user.comment:
            item["comment"] = user.comment
        if call.param("full"):
            item["tokens"] = [
                {"tokenid": t.name, "privsep": int(t.privsep), "expire": t.expire}
                for t in user.tokens.values()
            ]
        out.append(item)
    return out


@ROUTES.route(
    "POST",
    "/access/users",
    "userid:pve-userid password?:string comment?:string enable?:boolean expire?:integer",
)
def create_user(call: PveCall) -> None:
    """Add a user."""
    userid = str(call.param("userid"))
    if userid in call.access.users:
        raise pve_die(f"create user failed: user '{userid}' already exists")
    call.access.users[userid] = User(
        userid=userid,
        password=call.param("password"),
        comment=call.param("comment", ""),
        enable=bool(call.param("enable", 1)),
        expire=call.param("expire", 0),
    )


@ROUTES.route("GET", "/access/users/{userid}", "userid:pve-userid")
def read_user(call: PveCall) -> dict[str, Any]:
    """One user with its tokens."""
    user = _user(call)
    return {
        "enable": int(user.enable),
        "expire": user.expire,
        "comment": user.comment,
        "tokens": {
            n: {"privsep": int(t.privsep), "expire": t.expire} for n, t in user.tokens.items()
        },
    }


@ROUTES.route("DELETE", "/access/users/{userid}", "userid:pve-userid")
def delete_user(call: PveCall) -> None:
    """Remove a user, its tokens and their ACLs."""
    user = _user(call)
    del call.access.users[user.userid]
    call.access.acl[:] = [e for e in call.access.acl if e.ugid.split("!")[0] != user.userid]


def _token_body(token: Token) -> dict[str, Any]:
    body: dict[str, Any] = {"privsep": int(token.privsep), "expire": token.expire}
    if token.comment:
        body["comment"] = token.comment
    return body


@ROUTES.route("GET", "/access/users/{userid}/token", "userid:pve-userid")
def list_tokens(call: PveCall) -> list[dict[str, Any]]:
    """A user's tokens."""
    return [{"tokenid": n, **_token_body(t)} for n, t in _user(call).tokens.items()]


@ROUTES.route("GET", "/access/users/{userid}/token/{tokenid}", "userid:pve-userid tokenid:string")
def read_token(call: PveCall) -> dict[str, Any]:
    """One token."""
    user = _user(call)
    token = user.tokens.get(str(call.param("tokenid")))
    if token is None:
        raise pve_die(f"no such token '{call.param('tokenid')}' for user '{user.userid}'")
    return _token_body(token)


@ROUTES.route(
    "POST",
    "/access/users/{userid}/token/{tokenid}",
    "userid:pve-userid tokenid:string comment?:string expire?:integer privsep?:boolean",
)
def create_token(call: PveCall) -> dict[str, Any]:
    """Mint a token; the secret is in this answer only."""
    user = _user(call)
    name = str(call.param("tokenid"))
    if name in user.tokens:
        raise pve_die("Token already exists.")
    token = Token(
        name=name,
        secret=new_token_secret(),
        comment=call.param("comment", ""),
        expire=call.param("expire", 0),
        privsep=bool(call.param("privsep", 1)),
    )
    user.tokens[name] = token
    return {
        "full-tokenid": f"{user.userid}!{name}",
        "value": token.secret,
        "info": _token_body(token),
    }


@ROUTES.route(
    "DELETE", "/access/users/{userid}/token/{tokenid}", "userid:pve-userid tokenid:string"
)
def delete_token(call: PveCall) -> None:
    """Remove a token and its ACLs."""
    user = _user(call)
    name = str(call.param("tokenid"))
    if user.tokens.pop(name, None) is None:
        raise pve_die(f"no such token '{name}' for user '{user.userid}'")
    token_id = f"{user.userid}!{name}"
    call.access.acl[:] = [e for e in call.access.acl if e.ugid != token_id]


@ROUTES.route("GET", "/access/acl")
def read_acl(call: PveCall) -> list[dict[str, Any]]:
    """ACL entries."""
    return [
        {
            "path": e.path,
            "ugid": e.ugid,
            "type": "token" if "!" in e.ugid else "user",
            "roleid": e.role,
            "propagate": int(e.propagate),
        }
        for e in call.access.acl
    ]


@ROUTES.route(
    "PUT",
    "/access/acl",
    "path:string roles:string users?:string tokens?:string groups?:string propagate?:boolean "
    "delete?:boolean digest?:string",
)
def update_acl(call: PveCall) -> None:
    """Add or remove entries for every user or token and role given."""
    if call.param("digest") and call.param("digest") != call.access.acl_digest():
        raise pve_die("detected modified configuration - file changed by other user? Try again.")
    path = str(call.param("path"))
    roles = split_list(str(call.param("roles")))
    ugids = split_list(str(call.param("users", ""))) + split_list(str(call.param("tokens", "")))
    if not ugids and not call.param("groups"):
        raise pve_die("either 'users', 'groups' or 'tokens' is required")
    for ugid in ugids:
        userid = ugid.split("!")[0]
        if userid not in call.access.users or ("!" in ugid and call.access.token(ugid) is None):
            kind = "token" if "!" in ugid else "user"
            raise pve_die(f"unable to add ACL entry: {kind} '{ugid}' does not exist")
        for role in roles:
            existing = [
                e for e in call.access.acl if (e.path, e.ugid, e.role) == (path, ugid, role)
            ]
            for entry in existing:
                call.access.acl.remove(entry)
            if not call.param("delete"):
                call.access.acl.append(AclEntry(path, ugid, role, bool(call.param("propagate", 1))))
