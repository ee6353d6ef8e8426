"""``PbsGroupOwner``: every VM/CT backup group of a namespace is owned by the given token.

PBS lets only a group's owner (or the user owning that token) add backups to it
(proxmox-backup ``src/api2/backup/mod.rs``: "backup owner check failed"). PVE's backups are
owned by the token it writes with, so renaming that token (``backup.pbs.pve_token_id``) would
lock PVE out of every group it wrote before: each VM's next backup would fail. This resource
hands the namespace's groups to the current token (``change-owner``, which needs
Datastore.Modify: the admin token has it); it never deletes anything. Only the groups
directly in the namespace (the site's own backups) are concerned, not guests' namespaces
below it.
"""

from __future__ import annotations

from typing import Any

from providers._lifecycle import ObjectProvider, Props
from providers._resource import ObjectResource
from tappaas.client import NotFoundError, ProxmoxClient
from tappaas.model._types import AuthId, Namespace, PbsId
from tappaas.pbs.groups import GroupsApi


class PbsGroupOwnerProps(Props):
    identity = frozenset({"store", "ns"})

    store: PbsId
    ns: Namespace = ""
    owner: AuthId
    """The auth id (``user@realm!token``) that must own every group, e.g. PVE's token."""


class PbsGroupOwnerProvider(ObjectProvider[PbsGroupOwnerProps]):
    props_type = PbsGroupOwnerProps
    makes_an_object = False  # it hands existing groups over; there is nothing to adopt

    def object_id(self, props: PbsGroupOwnerProps) -> str:
        return f"{props.store}:{props.ns}"

    def observe(
        self, client: ProxmoxClient, object_id: str, props: PbsGroupOwnerProps
    ) -> PbsGroupOwnerProps | None:
        """The live owner: ``owner`` when it owns every group (or there are none), else the
        first other owner found, so the next ``up`` hands those groups over."""
        try:
            groups = GroupsApi(client, props.store, props.ns).guests()
        except NotFoundError:
            return None
        others = sorted({g.owner for g in groups if g.owner != props.owner})
        return props.model_copy(update={"owner": others[0]}) if others else props

    def create_object(self, client: ProxmoxClient, props: PbsGroupOwnerProps) -> dict[str, Any]:
        self._hand_over(client, props)
        return {}

    def update_object(
        self,
        client: ProxmoxClient,
        object_id: str,
        old: PbsGroupOwnerProps,
        new: PbsGroupOwnerProps,
    ) -> None:
        self._hand_over(client, new)

    def delete_object(
        self, client: ProxmoxClient, object_id: str, props: PbsGroupOwnerProps
    ) -> None:
        """Nothing to undo: the groups keep their owner and every snapshot."""

    def _hand_over(self, client: ProxmoxClient, props: PbsGroupOwnerProps) -> None:
        api = GroupsApi(client, props.store, props.ns)
        for group in api.guests():
            if group.owner != props.owner:
                api.change_owner(group, props.owner)


class PbsGroupOwner(ObjectResource, module="pbs", name="GroupOwner"):
    """Hands a namespace's backup groups to ``owner`` (PVE's current token)."""

    provider_type = PbsGroupOwnerProvider
