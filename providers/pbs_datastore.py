"""``PbsDatastore``: a PBS datastore whose removal keeps its chunks and its jobs.

Replace on name/path/backing-device (the API cannot change them). Creation and removal are
async tasks. Components protect it; removal only ever drops the config entry.
"""

from __future__ import annotations

from typing import Any

import pulumi

from providers._lifecycle import Props
from providers._resource import ObjectResource
from providers._section import SectionProvider
from tappaas.client import ProxmoxClient
from tappaas.pbs.datastore import Datastore, DatastoreApi, DatastoreIdentity
from tappaas.pbs.section import SectionConfig


class PbsDatastoreProps(Props, Datastore):
    identity = frozenset(DatastoreIdentity.model_fields)
    holds_data = True
    create_only = frozenset({"reuse_datastore"})

    reuse_datastore: bool | None = None
    """Adopt the chunk store already at ``path`` (a rebuilt PBS, or a re-added config entry)."""


class PbsDatastoreProvider(SectionProvider[PbsDatastoreProps]):
    props_type = PbsDatastoreProps
    wire_type = Datastore
    id_field = "name"
    adoption_advice = (
        "It may hold other backups. To adopt it, declare the path it has, e.g. `pulumi config "
        "set --path tappaas:site.backup.path <its path>`; to keep it apart, name ours "
        "differently (`tappaas:site.backup.datastore`)."
    )

    def section(self, client: ProxmoxClient) -> SectionConfig[Any]:
        return DatastoreApi(client).section

    def create_object(self, client: ProxmoxClient, props: PbsDatastoreProps) -> dict[str, Any]:
        DatastoreApi(client).create(props.wire(Datastore), reuse=bool(props.reuse_datastore))
        return {}

    def delete_object(
        self, client: ProxmoxClient, object_id: str, props: PbsDatastoreProps
    ) -> None:
        DatastoreApi(client).remove_config(object_id)


class PbsDatastore(ObjectResource, module="pbs", name="Datastore"):
    """A PBS datastore (config entry); deleting it never destroys backup data."""

    provider_type = PbsDatastoreProvider

    name: pulumi.Output[str]
    path: pulumi.Output[str]
