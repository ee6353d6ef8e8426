"""``PbsAcl``: one PBS ACL entry (path, auth-id, role); its id is ``path|auth-id|role``.

A change of path, auth-id or role is a replace. ``propagate`` changes in place: setting the
entry again replaces it for the same role (proxmox-backup ``pbs-config/src/acl.rs``, the
role map of a path's user or group), so the grant is never absent in between.
"""

from __future__ import annotations

from typing import Any

from providers._lifecycle import ObjectProvider, Props
from providers._resource import ObjectResource
from tappaas.client import ProxmoxClient
from tappaas.model._types import AclPath, AuthId, RoleId
from tappaas.pbs.access import AccessApi, AclEntry


class PbsAclProps(Props):
    identity = frozenset({"path", "auth_id", "role"})

    path: AclPath
    auth_id: AuthId
    role: RoleId
    propagate: bool = True

    def entry(self) -> AclEntry:
        return AclEntry(self.path, self.auth_id, self.role, self.propagate)


class PbsAclProvider(ObjectProvider[PbsAclProps]):
    props_type = PbsAclProps

    def object_id(self, props: PbsAclProps) -> str:
        return props.entry().resource_id

    def observe(
        self, client: ProxmoxClient, object_id: str, props: PbsAclProps
    ) -> PbsAclProps | None:
        found = AccessApi(client).find_acl(props.entry())
        return None if found is None else props.model_copy(update={"propagate": found.propagate})

    def create_object(self, client: ProxmoxClient, props: PbsAclProps) -> dict[str, Any]:
        AccessApi(client).add_acl(props.entry())
        return {}

    def adoption_refusal(
        self, client: ProxmoxClient, object_id: str, wanted: PbsAclProps, found: PbsAclProps
    ) -> str | None:
        """An entry for the same (path, auth-id, role) is ours whatever its ``propagate``."""
        return None

    def update_object(
        self, client: ProxmoxClient, object_id: str, old: PbsAclProps, new: PbsAclProps
    ) -> None:
        """Only ``propagate`` or the endpoint can differ here. The live entry, not ``old``,
        says whether ``propagate`` drifted: set the entry again only then (a moved endpoint
        writes nothing)."""
        api = AccessApi(client)
        live = api.find_acl(new.entry())
        if live is None or live.propagate != new.propagate:
            api.add_acl(new.entry())

    def delete_object(self, client: ProxmoxClient, object_id: str, props: PbsAclProps) -> None:
        AccessApi(client).remove_acl(props.entry())


class PbsAcl(ObjectResource, module="pbs", name="Acl"):
    """Grants ``role`` on ``path`` to a user or token."""

    provider_type = PbsAclProvider
