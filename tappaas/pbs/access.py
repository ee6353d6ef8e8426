"""PBS users, API tokens and ACLs (``/access/…``): least privilege for every party.

A token's secret is shown once, at creation (or on ``regenerate``); PBS never returns it
again. ACL entries have no update: an entry is (path, auth-id, role) plus ``propagate``, and
changing it means removing and re-adding. Tokens have the intersection of their own ACLs and
their user's, so a token with DatastoreBackup cannot prune even if its user could.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from tappaas.client import NotFoundError, ProxmoxClient
from tappaas.model._types import PbsUserId
from tappaas.pbs.section import Current
from tappaas.wire import WireModel, settings_delta


class UserSettings(WireModel):
    # proxmox-backup src/api2/access/user.rs ``DeletableProperty``: ``enable`` and ``expire``
    # cannot be deleted, so left unset they are not managed (a user disabled on purpose, say
    # during an incident, is not re-enabled by the next ``up``).
    deletable = frozenset({"comment", "email"})

    comment: str | None = None
    enable: bool | None = None
    expire: int | None = None
    email: str | None = None


class User(UserSettings):
    userid: PbsUserId


class TokenSettings(WireModel):
    # proxmox-backup src/api2/access/user.rs token ``DeletableProperty``: only ``comment``.
    deletable = frozenset({"comment"})

    comment: str | None = None
    enable: bool | None = None
    expire: int | None = None


@dataclass(frozen=True)
class AclEntry:
    """One ACL entry; its identity is the whole tuple."""

    path: str
    auth_id: str
    role: str
    propagate: bool = True

    @property
    def resource_id(self) -> str:
        return f"{self.path}|{self.auth_id}|{self.role}"


class AccessApi:
    """Typed operations on PBS users, tokens and ACLs."""

    def __init__(self, client: ProxmoxClient) -> None:
        self.client = client

    # users
    def get_user(self, userid: str) -> Current[User] | None:
        try:
            envelope = self.client.get_with_digest(f"/access/users/{userid}")
        except NotFoundError:
            return None
        return Current(User.from_api({**envelope.data, "userid": userid}), envelope.digest)

    def create_user(self, user: User) -> None:
        self.client.post("/access/users", **user.to_api())

    def update_user(self, current: Current[User], desired: User) -> bool:
        values, delete = settings_delta(current.value, desired, set(UserSettings.model_fields))
        if not values and not delete:
            return False
        self.client.put(
            f"/access/users/{desired.userid}",
            **values,
            delete=delete or None,
            digest=current.digest,
        )
        return True

    def delete_user(self, userid: str) -> None:
        """Also removes the user's tokens and the tokens' ACL entries (PBS does that itself),
        not the user's own ACL entries (proxmox-backup ``src/api2/access/user.rs``)."""
        self.client.delete(f"/access/users/{userid}")

    # tokens
    def _token_path(self, userid: str, name: str) -> str:
        return f"/access/users/{userid}/token/{name}"

    def get_token(self, userid: str, name: str) -> Current[TokenSettings] | None:
        try:
            envelope = self.client.get_with_digest(self._token_path(userid, name))
        except NotFoundError:
            return None
        return Current(TokenSettings.from_api(envelope.data), envelope.digest)

    def create_token(self, userid: str, name: str, settings: TokenSettings) -> SecretStr:
        """Create the token; its secret is returned here and never again."""
        data = self.client.post(self._token_path(userid, name), **settings.to_api())
        return SecretStr(str(data["value"]))

    def update_token(
        self, userid: str, name: str, current: Current[TokenSettings], desired: TokenSettings
    ) -> bool:
        values, delete = settings_delta(current.value, desired, set(TokenSettings.model_fields))
        if not values and not delete:
            return False
        self.client.put(
            self._token_path(userid, name),
            **values,
            delete=delete or None,
            digest=current.digest,
        )
        return True

    def regenerate_token(self, userid: str, name: str) -> SecretStr:
        """A new secret for an existing token (its ACLs stay); the old one stops working.

        PBS ``update_token`` with ``regenerate`` answers ``{tokenid, secret}`` (proxmox-backup
        ``src/api2/access/user.rs``), the only time it shows that secret.
        """
        data = self.client.put(self._token_path(userid, name), regenerate=True)
        return SecretStr(str(data["secret"]))

    def delete_token(self, userid: str, name: str) -> None:
        self.client.delete(self._token_path(userid, name))

    # ACLs
    def find_acl(self, entry: AclEntry) -> AclEntry | None:
        """The entry for (path, auth-id, role) as PBS has it, with its propagate flag."""
        items = self.client.get("/access/acl", path=entry.path, exact=True) or []
        for item in items:
            if (
                item.get("path") == entry.path
                and item.get("ugid") == entry.auth_id
                and item.get("roleid") == entry.role
            ):
                return AclEntry(entry.path, entry.auth_id, entry.role, bool(item.get("propagate")))
        return None

    def add_acl(self, entry: AclEntry) -> None:
        self.client.put(
            "/access/acl",
            path=entry.path,
            role=entry.role,
            propagate=entry.propagate,
            **{"auth-id": entry.auth_id},
        )

    def remove_acl(self, entry: AclEntry) -> None:
        self.client.put(
            "/access/acl",
            path=entry.path,
            role=entry.role,
            delete=True,
            **{"auth-id": entry.auth_id},
        )
