"""Who may read, write and remove what in a PBS datastore (proxmox-backup ``api2/admin``).

The same rules the API handlers apply, for work that reaches a datastore without an HTTP
request in the lab (a vzdump upload from PVE, a sync job reading or writing a remote):

- reading a namespace's groups needs ``Datastore.Audit`` or ``Datastore.Read`` for all of
  them, ``Datastore.Backup`` for the caller's own;
- removing a snapshot needs ``Datastore.Modify``, or ``Datastore.Prune`` on an own group;
- backing up needs ``Datastore.Backup``, and an existing group must be the caller's.

A credential is an auth id with its secret: a token's secret, or a user's password.
"""

from __future__ import annotations

from lab.state.access import AccessControl
from lab.state.pbs import BackupGroup, DatastoreContent


def acl_path(store: str, ns: str) -> str:
    """The ACL path of a namespace: ``/datastore/<store>[/a/b]``."""
    return f"/datastore/{store}" + (f"/{ns}" if ns else "")


def is_owner(owner: str, auth_id: str) -> bool:
    """PBS ``check_backup_owner``: the same id, or a user acting for its own token's group."""
    return owner == auth_id or (
        "!" in owner and "!" not in auth_id and owner.split("!", 1)[0] == auth_id
    )


def authenticated(access: AccessControl, auth_id: str, secret: str, now: float) -> bool:
    """Whether ``auth_id`` with ``secret`` logs in (enabled, unexpired, matching secret)."""
    userid, _, token_name = auth_id.partition("!")
    user = access.users.get(userid)
    if user is None or not user.enable or (user.expire and user.expire < now):
        return False
    if not token_name:
        return user.password is not None and user.password == secret
    token = user.tokens.get(token_name)
    return (
        token is not None
        and token.enable
        and not (token.expire and token.expire < now)
        and token.secret == secret
    )


def readable_groups(
    access: AccessControl, auth_id: str, content: DatastoreContent, store: str, ns: str
) -> list[BackupGroup]:
    """The groups of ``ns`` whose snapshots ``auth_id`` may read (e.g. as a sync source)."""
    have = access.privileges(auth_id, acl_path(store, ns))
    if have & {"Datastore.Audit", "Datastore.Read"}:
        return content.groups_in(ns)
    if "Datastore.Backup" in have:
        return [g for g in content.groups_in(ns) if is_owner(g.owner, auth_id)]
    return []


def visible_namespace(access: AccessControl, auth_id: str, store: str, ns: str) -> bool:
    """Whether ``auth_id`` sees namespace ``ns`` at all (any datastore privilege on it)."""
    return bool(
        access.privileges(auth_id, acl_path(store, ns))
        & {"Datastore.Audit", "Datastore.Read", "Datastore.Backup", "Datastore.Modify"}
    )


def may_remove(access: AccessControl, auth_id: str, store: str, ns: str, owner: str) -> bool:
    """Whether ``auth_id`` may remove snapshots of a group owned by ``owner`` in ``ns``."""
    have = access.privileges(auth_id, acl_path(store, ns))
    return "Datastore.Modify" in have or ("Datastore.Prune" in have and is_owner(owner, auth_id))


def may_back_up(access: AccessControl, auth_id: str, store: str, ns: str) -> bool:
    """Whether ``auth_id`` may write new snapshots into ``ns``."""
    return "Datastore.Backup" in access.privileges(auth_id, acl_path(store, ns))


def may_create_namespace(access: AccessControl, auth_id: str, store: str, ns: str) -> bool:
    """Creating ``a/b`` needs ``Datastore.Modify`` on ``a`` (its parent)."""
    parent = ns.rsplit("/", 1)[0] if "/" in ns else ""
    return "Datastore.Modify" in access.privileges(auth_id, acl_path(store, parent))
