"""``PvePbsStorage``: the PVE storage entry through which vzdump writes to (and restores
from) a PBS datastore, with the client-side encryption key and its master-key escrow.

Ours rather than upstream's ``storage.Pbs``: that resource cannot set a port or a master
public key, and its create panics in the proxmoxve plugin 8.2.1-8.3.0 (see
``pve_zfs_storage``). The token secret, the encryption key (the JSON key file) and the master
public key (PEM) are write-only: PVE never returns them, so state keeps their hashes. What
PVE does record — ``encryption-key: <fingerprint or 1>`` and ``master-pubkey: 1`` — is
compared with what the inputs imply, so an entry whose key or escrow was lost (replaced by
hand, restored from an old ``storage.cfg``) is repaired by the next ``up``. The key is never
``autogen``: a generated key exists only on the host, and losing the host would orphan every
backup.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr, model_validator

from providers._lifecycle import Props
from providers._resource import ObjectResource
from providers._section import SectionProvider, update_fresh
from tappaas.client import ProxmoxClient
from tappaas.pve.storage import (
    PbsStorage,
    PbsStorageApi,
    PbsStorageIdentity,
    PbsStorageSettings,
    key_marker,
    storages,
)
from tappaas.section import Current, SectionConfig

ESCROWED = "1"


class PvePbsStorageProps(Props, PbsStorage):
    identity = frozenset(PbsStorageIdentity.model_fields)
    write_only = frozenset({"password", "key", "master_key"})

    type: str = "pbs"
    password: SecretStr | None = None
    """The PBS token secret PVE authenticates with (``username`` is the token id)."""
    key: SecretStr | None = None
    """The client-side encryption key file (JSON), from the stack's secret config."""
    master_key: SecretStr | None = None
    """PEM of the RSA master public key that escrows every backup's key."""

    @model_validator(mode="before")
    @classmethod
    def _markers(cls, data: Any) -> Any:
        """The ``storage.cfg`` markers these secrets imply (kept as given on a read)."""
        if not isinstance(data, dict):
            return data
        marked = dict(data)
        key, master = marked.get("key"), marked.get("master_key")
        if key is not None and marked.get("encryption_key") is None:
            text = key.get_secret_value() if isinstance(key, SecretStr) else str(key)
            marked["encryption_key"] = key_marker(text)
        if master is not None and marked.get("master_pubkey") is None:
            marked["master_pubkey"] = ESCROWED
        return marked


class PvePbsStorageProvider(SectionProvider[PvePbsStorageProps]):
    props_type = PvePbsStorageProps
    wire_type = PbsStorage
    id_field = "storage"
    adoption_advice = (
        "Backups may be written through it. Give ours another storage ID "
        "(`pulumi config set --path tappaas:site.backup.pbs.storage_id <id>`), or remove that "
        "entry (`pvesm remove <id>`) if nothing uses it."
    )

    def section(self, client: ProxmoxClient) -> SectionConfig[Any]:
        return storages(client, PbsStorage, PbsStorageSettings)

    def create_object(self, client: ProxmoxClient, props: PvePbsStorageProps) -> dict[str, Any]:
        PbsStorageApi(client).create(
            props.wire(PbsStorage), props.password, props.key, props.master_key
        )
        return {}

    def update_object(
        self,
        client: ProxmoxClient,
        object_id: str,
        old: PvePbsStorageProps,
        new: PvePbsStorageProps,
    ) -> None:
        api = PbsStorageApi(client)

        def write(current: Current[PbsStorage]) -> None:
            remove = tuple(
                option
                for option, wanted, have in (
                    ("encryption-key", new.key, current.value.encryption_key),
                    ("master-pubkey", new.master_key, current.value.master_pubkey),
                )
                if wanted is None and have is not None
            )
            # Secrets are re-sent whenever the entry changes: PVE never shows them, and
            # sending the same value again only rewrites the same file.
            api.update(
                current,
                new.wire(PbsStorage),
                password=new.password,
                key=new.key,
                master_pubkey=new.master_key,
                remove=remove,
            )

        update_fresh(lambda: api.get(object_id), write, new, object_id)


class PvePbsStorage(ObjectResource, module="pve", name="PbsStorage"):
    """A ``pbs`` storage entry; ``password``, ``key`` and ``master_key`` should be secret."""

    provider_type = PvePbsStorageProvider
