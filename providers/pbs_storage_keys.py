"""``PbsStorageKeys``: the master public key of a PVE PBS storage (upstream cannot set it).

With a master key, every backup's encryption key is also stored RSA-encrypted inside the
backup, so a site that lost its PVE hosts (and the key file on them) can still restore with
the offline private key. PVE never returns the key, so state keeps its hash.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from providers._lifecycle import ObjectProvider, Props
from providers._resource import ObjectResource
from tappaas.client import ProxmoxClient
from tappaas.pve.storage import StorageApi


class PbsStorageKeysProps(Props):
    identity = frozenset({"storage"})
    write_only = frozenset({"master_pubkey"})

    storage: str
    master_pubkey: SecretStr | None = None
    """PEM of the RSA public key (``proxmox-backup-client key create-master-key``)."""


class PbsStorageKeysProvider(ObjectProvider[PbsStorageKeysProps]):
    props_type = PbsStorageKeysProps

    def object_id(self, props: PbsStorageKeysProps) -> str:
        return props.storage

    def observe(
        self, client: ProxmoxClient, object_id: str, props: PbsStorageKeysProps
    ) -> PbsStorageKeysProps | None:
        return props if StorageApi(client).get(props.storage) is not None else None

    def create_object(self, client: ProxmoxClient, props: PbsStorageKeysProps) -> dict[str, Any]:
        self._apply(client, props)
        return {}

    def update_object(
        self,
        client: ProxmoxClient,
        object_id: str,
        old: PbsStorageKeysProps,
        new: PbsStorageKeysProps,
    ) -> None:
        self._apply(client, new)

    def delete_object(
        self, client: ProxmoxClient, object_id: str, props: PbsStorageKeysProps
    ) -> None:
        StorageApi(client).remove_master_pubkey(props.storage)

    def _apply(self, client: ProxmoxClient, props: PbsStorageKeysProps) -> None:
        api = StorageApi(client)
        if props.master_pubkey is None:
            api.remove_master_pubkey(props.storage)
        else:
            api.set_master_pubkey(props.storage, props.master_pubkey.get_secret_value())


class PbsStorageKeys(ObjectResource, module="pve", name="PbsStorageKeys"):
    """Sets ``master-pubkey`` on an existing PVE storage of type ``pbs``."""

    provider_type = PbsStorageKeysProvider
