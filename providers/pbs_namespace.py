"""``PbsNamespace``: a namespace in a PBS datastore (e.g. one per guest site on a peer).

There is no update: any change is a replace. Deleting a namespace that still holds backup
groups is refused by PBS (we never pass ``delete-groups``), so data outlives the resource.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from providers._errors import GuidedError
from providers._lifecycle import ObjectProvider, Props
from providers._resource import ObjectResource
from tappaas.client import ApiError, ProxmoxClient
from tappaas.model._types import PbsId
from tappaas.pbs.namespace import MAX_DEPTH, NamespaceApi


class NamespaceHoldsBackupsError(GuidedError):
    """Deleting the namespace would delete backups: refused."""


class PbsNamespaceProps(Props):
    identity = frozenset({"store", "namespace"})
    holds_data = True

    store: PbsId
    namespace: str = Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$")

    def depth(self) -> int:
        return self.namespace.count("/") + 1


class PbsNamespaceProvider(ObjectProvider[PbsNamespaceProps]):
    props_type = PbsNamespaceProps

    def object_id(self, props: PbsNamespaceProps) -> str:
        return f"{props.store}:{props.namespace}"

    def observe(
        self, client: ProxmoxClient, object_id: str, props: PbsNamespaceProps
    ) -> PbsNamespaceProps | None:
        return props if NamespaceApi(client, props.store).exists(props.namespace) else None

    def create_object(self, client: ProxmoxClient, props: PbsNamespaceProps) -> dict[str, Any]:
        if props.depth() > MAX_DEPTH:
            raise ValueError(f"namespace '{props.namespace}' is deeper than {MAX_DEPTH} levels")
        NamespaceApi(client, props.store).create(props.namespace)
        return {}

    def update_object(
        self,
        client: ProxmoxClient,
        object_id: str,
        old: PbsNamespaceProps,
        new: PbsNamespaceProps,
    ) -> None:
        """Only the endpoint can differ here (everything else is identity): nothing to send."""

    def delete_object(
        self, client: ProxmoxClient, object_id: str, props: PbsNamespaceProps
    ) -> None:
        try:
            NamespaceApi(client, props.store).delete(props.namespace)
        except ApiError as exc:
            if "delete-groups" not in exc.message:  # PBS: "... but `delete-groups` not true"
                raise
            raise NamespaceHoldsBackupsError(
                f"namespace '{props.namespace}' of datastore '{props.store}' still holds "
                "backups, so it is kept (we never delete backups implicitly). Remove them "
                "explicitly first if that is really wanted, or drop the resource from the "
                f"state with `pulumi state delete`. PBS said: {exc.message}"
            ) from exc


class PbsNamespace(ObjectResource, module="pbs", name="Namespace"):
    """A PBS namespace; removing it fails while backups remain in it."""

    provider_type = PbsNamespaceProvider
