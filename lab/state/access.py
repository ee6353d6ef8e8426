"""Users, API tokens and ACLs of one instance, and the privileges they add up to.

ACL evaluation follows both products: walking the path from ``/`` down, a level with entries
for the auth id replaces what was found above; above the target only ``propagate`` entries
count; ``NoAccess`` wins at its level. A token's privileges are the intersection with its
user's (PBS always; PVE when the token has ``privsep=1``). ``root@pam`` is the superuser;
on PBS its tokens are not, which is why the lab's boot token gets an Admin ACL on ``/``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from lab.endpoint import Product

SUPERUSER = "root@pam"
NO_ACCESS = "NoAccess"

_PBS_DATASTORE = (
    "Datastore.Audit",
    "Datastore.Modify",
    "Datastore.Read",
    "Datastore.Verify",
    "Datastore.Backup",
    "Datastore.Prune",
)
PBS_PRIVILEGES = frozenset(
    {
        "Sys.Audit",
        "Sys.Modify",
        "Sys.PowerManagement",
        "Datastore.Allocate",
        "Permissions.Modify",
        "Remote.Audit",
        "Remote.Modify",
        "Remote.Read",
        "Remote.DatastoreBackup",
        "Remote.DatastoreModify",
        "Remote.DatastorePrune",
        "Sys.Console",
        "Tape.Audit",
        "Tape.Modify",
        "Tape.Write",
        "Tape.Read",
        "Realm.Allocate",
        *_PBS_DATASTORE,
    }
)
PBS_ROLES: Mapping[str, frozenset[str]] = {
    "Admin": PBS_PRIVILEGES,
    "Audit": frozenset({"Sys.Audit", "Datastore.Audit"}),
    NO_ACCESS: frozenset(),
    "DatastoreAdmin": frozenset(_PBS_DATASTORE),
    "DatastoreReader": frozenset({"Datastore.Audit", "Datastore.Verify", "Datastore.Read"}),
    "DatastoreBackup": frozenset({"Datastore.Backup"}),
    "DatastorePowerUser": frozenset({"Datastore.Prune", "Datastore.Backup"}),
    "DatastoreAudit": frozenset({"Datastore.Audit"}),
    "RemoteAudit": frozenset({"Remote.Audit"}),
    "RemoteAdmin": frozenset({"Remote.Audit", "Remote.Modify", "Remote.Read"}),
    "RemoteSyncOperator": frozenset({"Remote.Audit", "Remote.Read"}),
    "RemoteSyncPushOperator": frozenset({"Remote.Audit", "Remote.DatastoreBackup"}),
    "RemoteDatastorePowerUser": frozenset(
        {"Remote.Audit", "Remote.DatastoreBackup", "Remote.DatastorePrune"}
    ),
    "RemoteDatastoreAdmin": frozenset(
        {
            "Remote.Audit",
            "Remote.DatastoreBackup",
            "Remote.DatastoreModify",
            "Remote.DatastorePrune",
        }
    ),
    "TapeAudit": frozenset({"Tape.Audit"}),
    "TapeAdmin": frozenset({"Tape.Audit", "Tape.Modify", "Tape.Read", "Tape.Write"}),
    "TapeOperator": frozenset({"Tape.Audit", "Tape.Read", "Tape.Write"}),
    "TapeReader": frozenset({"Tape.Audit", "Tape.Read"}),
}

_PVE_VM = frozenset(
    {
        "VM.Allocate",
        "VM.Audit",
        "VM.Backup",
        "VM.Clone",
        "VM.Config.CDROM",
        "VM.Config.CPU",
        "VM.Config.Cloudinit",
        "VM.Config.Disk",
        "VM.Config.HWType",
        "VM.Config.Memory",
        "VM.Config.Network",
        "VM.Config.Options",
        "VM.Console",
        "VM.Migrate",
        "VM.PowerMgmt",
        "VM.Snapshot",
        "VM.Snapshot.Rollback",
        "VM.Replicate",
        "VM.GuestAgent.Audit",
        "VM.GuestAgent.Unrestricted",
    }
)
_PVE_DATASTORE = frozenset(
    {
        "Datastore.Allocate",
        "Datastore.AllocateSpace",
        "Datastore.AllocateTemplate",
        "Datastore.Audit",
    }
)
_PVE_SYS = frozenset(
    {
        "Sys.Audit",
        "Sys.Console",
        "Sys.Incoming",
        "Sys.Modify",
        "Sys.PowerMgmt",
        "Sys.Syslog",
        "Sys.AccessNetwork",
    }
)
_PVE_OTHER = frozenset(
    {
        "Permissions.Modify",
        "Pool.Allocate",
        "Pool.Audit",
        "Realm.Allocate",
        "Realm.AllocateUser",
        "User.Modify",
        "Group.Allocate",
        "SDN.Allocate",
        "SDN.Audit",
        "SDN.Use",
        "Mapping.Audit",
        "Mapping.Modify",
        "Mapping.Use",
    }
)
PVE_PRIVILEGES = _PVE_VM | _PVE_DATASTORE | _PVE_SYS | _PVE_OTHER
PVE_ROLES: Mapping[str, frozenset[str]] = {
    "Administrator": PVE_PRIVILEGES,
    "PVEAdmin": PVE_PRIVILEGES
    - {"Sys.PowerMgmt", "Sys.Modify", "Realm.Allocate", "Permissions.Modify"},
    "PVEAuditor": frozenset(
        {
            "Datastore.Audit",
            "Mapping.Audit",
            "Pool.Audit",
            "SDN.Audit",
            "Sys.Audit",
            "VM.Audit",
            "VM.GuestAgent.Audit",
        }
    ),
    "PVEDatastoreAdmin": _PVE_DATASTORE,
    "PVEDatastoreUser": frozenset({"Datastore.AllocateSpace", "Datastore.Audit"}),
    "PVEVMAdmin": _PVE_VM | {"Datastore.AllocateSpace", "Mapping.Use", "SDN.Use"},
    "PVEVMUser": frozenset(
        {
            "VM.Audit",
            "VM.Backup",
            "VM.Config.CDROM",
            "VM.Config.Cloudinit",
            "VM.Console",
            "VM.PowerMgmt",
            "VM.GuestAgent.Audit",
        }
    ),
    "PVESysAdmin": _PVE_SYS - {"Sys.PowerMgmt"} | {"Pool.Audit", "Mapping.Audit"},
    "PVEUserAdmin": frozenset({"User.Modify", "Group.Allocate", "Realm.AllocateUser", "Sys.Audit"}),
    NO_ACCESS: frozenset(),
}
ROLES: Mapping[Product, Mapping[str, frozenset[str]]] = {"pve": PVE_ROLES, "pbs": PBS_ROLES}


@dataclass
class Token:
    """An API token ``user@realm!name``; the secret is shown once, at creation."""

    name: str
    secret: str
    comment: str = ""
    enable: bool = True
    expire: int = 0
    privsep: bool = True


@dataclass
class User:
    """A user with its tokens (a password only for the lab's own ``@pam``/``@pbs`` realm)."""

    userid: str
    password: str | None = None
    comment: str = ""
    enable: bool = True
    expire: int = 0
    email: str = ""
    firstname: str = ""
    lastname: str = ""
    tokens: dict[str, Token] = field(default_factory=dict)


@dataclass
class AclEntry:
    """One ``path|ugid|role`` line; ``ugid`` is a user or token id."""

    path: str
    ugid: str
    role: str
    propagate: bool = True


def new_token_secret() -> str:
    """A token secret in the UUID shape both products use."""
    return str(uuid.uuid4())


def new_password() -> str:
    """A random password for the boot user."""
    return secrets.token_urlsafe(18)


@dataclass
class AccessControl:
    """Users, tokens and ACLs of one instance."""

    product: Product
    users: dict[str, User] = field(default_factory=dict)
    acl: list[AclEntry] = field(default_factory=list)

    def acl_digest(self) -> str:
        """Digest of ``acl.cfg`` (and ``user.cfg`` on PVE, which holds both)."""
        text = json.dumps([[e.path, e.ugid, e.role, e.propagate] for e in self.acl]).encode()
        kind = "sha1" if self.product == "pve" else "sha256"
        return hashlib.new(kind, text).hexdigest()

    def user_digest(self) -> str:
        """Digest of the user config."""
        text = json.dumps(sorted(self.users), default=str).encode()
        return hashlib.new("sha1" if self.product == "pve" else "sha256", text).hexdigest()

    def token(self, auth_id: str) -> Token | None:
        """The token of ``user@realm!name``, or None."""
        userid, _, name = auth_id.partition("!")
        user = self.users.get(userid)
        return user.tokens.get(name) if user else None

    def is_superuser(self, auth_id: str) -> bool:
        """``root@pam`` itself; on PVE also its tokens without privilege separation."""
        if auth_id == SUPERUSER:
            return True
        if self.product == "pve" and auth_id.startswith(SUPERUSER + "!"):
            token = self.token(auth_id)
            return token is not None and not token.privsep
        return False

    def _roles_at(self, ugid: str, path: str) -> dict[str, bool]:
        """Role → whether its entry propagates (proxmox-backup pbs-config ``acl.rs``
        ``AclTree::roles``: the deepest level with entries wins)."""
        components = [c for c in path.split("/") if c]
        levels = ["/"] + ["/" + "/".join(components[: i + 1]) for i in range(len(components))]
        found: dict[str, bool] = {}
        for depth, level in enumerate(levels):
            leaf = depth == len(levels) - 1
            here = {
                e.role: e.propagate
                for e in self.acl
                if e.path == level and e.ugid == ugid and (leaf or e.propagate)
            }
            if here:
                found = {NO_ACCESS: here[NO_ACCESS]} if NO_ACCESS in here else here
        return found

    def _own_privileges(self, ugid: str, path: str) -> tuple[frozenset[str], frozenset[str]]:
        roles = ROLES[self.product]
        privileges: set[str] = set()
        propagated: set[str] = set()
        for role, propagates in self._roles_at(ugid, path).items():
            privileges |= roles.get(role, frozenset())
            if propagates:
                propagated |= roles.get(role, frozenset())
        return frozenset(privileges), frozenset(propagated)

    def privileges(self, auth_id: str, path: str) -> frozenset[str]:
        """Everything ``auth_id`` may do on ``path``."""
        return self.privilege_details(auth_id, path)[0]

    def privilege_details(self, auth_id: str, path: str) -> tuple[frozenset[str], frozenset[str]]:
        """(privileges on ``path``, those of them that propagate below it), as proxmox-backup
        ``CachedUserInfo::lookup_privs_details`` computes them: a token's are limited to its
        user's, both sets."""
        everything = PVE_PRIVILEGES if self.product == "pve" else PBS_PRIVILEGES
        if self.is_superuser(auth_id):
            return everything, everything
        userid, _, token_name = auth_id.partition("!")
        user = self.users.get(userid)
        if user is None or not user.enable:
            return frozenset(), frozenset()
        user_details = (
            (everything, everything)
            if self.is_superuser(userid)
            else self._own_privileges(userid, path)
        )
        if not token_name:
            return user_details
        token = user.tokens.get(token_name)
        if token is None or not token.enable:
            return frozenset(), frozenset()
        if self.product == "pve" and not token.privsep:
            return user_details
        own, own_propagated = self._own_privileges(auth_id, path)
        return user_details[0] & own, user_details[1] & own_propagated
