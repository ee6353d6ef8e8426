"""``PbsStorageKeys``: the master public key of a PVE PBS storage (upstream cannot set it).

With a master key, every backup's encryption key is also stored RSA-encrypted inside the
backup, so a site that lost its PVE hosts (and the key file on them) can still restore with
the offline private key. PVE never returns the key, so state keeps its hash; it does report
``master-pubkey: 1`` on the entry (pve-storage ``PBSPlugin.pm``), which we observe: a storage
entry replaced (the upstream provider replaces it when its server, datastore or user
changes, and PVE's delete drops the key file) or edited behind our back loses the escrow,
and the next ``up`` puts the key back.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr, model_validator

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
    escrowed: bool = False
    """Whether the entry holds a master key (PVE's ``master-pubkey: 1``); derived, not set."""

    @model_validator(mode="before")
    @classmethod
    def _escrowed_when_a_key_is_given(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("escrowed") is None:
            return {**data, "escrowed": data.get("master_pubkey") is not None}
        return data


class PbsStorageKeysProvider(ObjectProvider[PbsStorageKeysProps]):
    props_type = PbsStorageKeysProps

    def object_id(self, props: PbsStorageKeysProps) -> str:
        return props.storage

    def observe(
        self, client: ProxmoxClient, object_id: str, props: PbsStorageKeysProps
    ) -> PbsStorageKeysProps | None:
        entry = StorageApi(client).get(props.storage)
        if entry is None:
            return None
        return props.model_copy(update={"escrowed": bool(entry.get("master-pubkey"))})

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
        """Write only a changed key or a lost escrow: an update may be a move of the endpoint."""
        entry = StorageApi(client).get(new.storage) or {}
        if old.master_pubkey != new.master_pubkey or bool(entry.get("master-pubkey")) != (
            new.master_pubkey is not None
        ):
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
