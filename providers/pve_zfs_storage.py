"""``PveZfsStorage``: the PVE storage entry of a ZFS pool (guest disks; replication needs it).

Ours rather than upstream's ``storage.Zfspool``: the proxmoxve plugin 8.2.1-8.3.0 panics on
create of every storage type and replication (its ``ComputeID`` override reads an ``id``
property that does not exist: pulumi-proxmoxve ``provider/resources.go``, issue #967).
Removing the entry leaves the pool and its disks untouched (PVE deletes only the config).
"""

from __future__ import annotations

from typing import Any

from providers._lifecycle import Props
from providers._resource import ObjectResource
from providers._section import SectionProvider
from tappaas.client import ProxmoxClient
from tappaas.pve.storage import ZfsStorage, ZfsStorageIdentity, ZfsStorageSettings, storages
from tappaas.section import SectionConfig


class PveZfsStorageProps(Props, ZfsStorage):
    identity = frozenset(ZfsStorageIdentity.model_fields)

    type: str = "zfspool"


class PveZfsStorageProvider(SectionProvider[PveZfsStorageProps]):
    props_type = PveZfsStorageProps
    wire_type = ZfsStorage
    id_field = "storage"
    adoption_advice = (
        "Guests' disks may live on it. Give the datapool another storage ID "
        "(`pulumi config set --path tappaas:site.datapools.<pool>.storage_id <id>`), or "
        "remove that entry (`pvesm remove <id>`) if it is unused."
    )

    def section(self, client: ProxmoxClient) -> SectionConfig[Any]:
        return storages(client, ZfsStorage, ZfsStorageSettings)


class PveZfsStorage(ObjectResource, module="pve", name="ZfsStorage"):
    """A ``zfspool`` storage entry on the cluster."""

    provider_type = PveZfsStorageProvider
