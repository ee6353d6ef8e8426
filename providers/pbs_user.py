"""``PbsUser``: a PBS user (e.g. ``tappaas-pve@pbs``, whose token PVE backs up with).

Deleting a user also deletes its tokens and the tokens' ACL entries (PBS does that itself),
but not the user's own ACL entries (proxmox-backup ``src/api2/access/user.rs``
``delete_user``): those are ``PbsAcl`` resources of their own and go with them.
"""

from __future__ import annotations

from typing import Any

import pulumi

from providers._lifecycle import ObjectProvider, Props
from providers._resource import ObjectResource
from providers._section import update_fresh
from tappaas.client import ProxmoxClient
from tappaas.pbs.access import AccessApi, User


class PbsUserProps(Props, User):
    identity = frozenset({"userid"})


class PbsUserProvider(ObjectProvider[PbsUserProps]):
    props_type = PbsUserProps

    def object_id(self, props: PbsUserProps) -> str:
        return props.userid

    def observe(
        self, client: ProxmoxClient, object_id: str, props: PbsUserProps
    ) -> PbsUserProps | None:
        current = AccessApi(client).get_user(object_id)
        return None if current is None else props.model_copy(update=dict(current.value))

    def create_object(self, client: ProxmoxClient, props: PbsUserProps) -> dict[str, Any]:
        AccessApi(client).create_user(props.wire(User))
        return {}

    def update_object(
        self, client: ProxmoxClient, object_id: str, old: PbsUserProps, new: PbsUserProps
    ) -> None:
        api = AccessApi(client)

        update_fresh(
            lambda: api.get_user(object_id),
            lambda current: api.update_user(current, new.wire(User)),
            new,
            object_id,
        )

    def delete_object(self, client: ProxmoxClient, object_id: str, props: PbsUserProps) -> None:
        AccessApi(client).delete_user(object_id)


class PbsUser(ObjectResource, module="pbs", name="User"):
    """A PBS user; give it rights with ``PbsAcl`` and credentials with ``PbsToken``."""

    provider_type = PbsUserProvider

    userid: pulumi.Output[str]
