"""``PveBackupSource``: the PBS storage entry a recovery host restores from, pinned.

The upstream provider's ``storage.Pbs`` needs the PVE API certificate trusted by the
system; a rented host's certificate is our own self-signed one, known only by its
fingerprint, so this provider (which pins it, like all of ours) adds the entry instead. It
reads the peer's copy with the read-only token; the encryption key is the site's, from the
recovery stack's secrets. Both are write-only (PVE never returns them): state keeps their
hashes, and a changed secret is re-sent. Deleting it removes the entry only; the backups on
the peer are never touched.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from providers._lifecycle import ObjectProvider, Props, vanished
from providers._resource import ObjectResource
from tappaas.client import ProxmoxClient
from tappaas.pve.pbs_storage import PbsStorage, PbsStorageApi, PbsStorageIdentity


class PveBackupSourceProps(Props, PbsStorage):
    identity = frozenset(PbsStorageIdentity.model_fields)
    write_only = frozenset({"password", "encryption_key"})

    password: SecretStr | None = None
    """The reader token's secret."""
    encryption_key: SecretStr | None = None
    """The key file (JSON) the backups were encrypted with."""


class PveBackupSourceProvider(ObjectProvider[PveBackupSourceProps]):
    props_type = PveBackupSourceProps

    def object_id(self, props: PveBackupSourceProps) -> str:
        return props.storage

    def observe(
        self, client: ProxmoxClient, object_id: str, props: PveBackupSourceProps
    ) -> PveBackupSourceProps | None:
        current = PbsStorageApi(client).get(object_id)
        if current is None:
            return None
        return props.model_copy(update=dict(current))

    def create_object(self, client: ProxmoxClient, props: PveBackupSourceProps) -> dict[str, Any]:
        PbsStorageApi(client).create(props.wire(PbsStorage), props.password, props.encryption_key)
        return {}

    def update_object(
        self,
        client: ProxmoxClient,
        object_id: str,
        old: PveBackupSourceProps,
        new: PveBackupSourceProps,
    ) -> None:
        api = PbsStorageApi(client)
        current = api.get(object_id)
        if current is None:
            raise vanished(new, object_id)
        api.update(current, new.wire(PbsStorage), new.password, new.encryption_key)

    def delete_object(
        self, client: ProxmoxClient, object_id: str, props: PveBackupSourceProps
    ) -> None:
        PbsStorageApi(client).delete(object_id)


class PveBackupSource(ObjectResource, module="pve", name="BackupSource"):
    """A ``pbs`` storage entry on a PVE host; pass the secrets as secret Outputs."""

    provider_type = PveBackupSourceProvider
