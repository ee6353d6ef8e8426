"""PVE storage entries (``/storage``): ZFS pools for guest disks and PBS datastores for backups.

pve-storage ``API2/Storage/Config.pm``: an entry is created with its ``storage`` id and
``type`` (both fixed), plus per-type options; ``ZFSPoolPlugin`` fixes ``pool``, ``PBSPlugin``
fixes ``server`` and ``datastore`` (``port`` and ``namespace`` change in place). ``content``
and ``nodes`` come back as comma lists. A PBS entry keeps its secrets apart (the password,
the encryption key and the master public key live in ``/etc/pve/priv``): GET never returns
them, but ``storage.cfg`` records ``encryption-key: <the key's fingerprint, or 1>`` and
``master-pubkey: 1`` (``PBSPlugin.pm`` ``on_add_hook``/``on_update_hook``), which is how a
lost key or escrow shows. ``master-pubkey`` is accepted only beside an ``encryption-key``
when the entry is created.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from pydantic import BeforeValidator, SecretStr

from tappaas.client import ProxmoxClient
from tappaas.model._types import StorageId
from tappaas.section import Current, M, SectionConfig
from tappaas.wire import WireModel

PBS_DEFAULT_PORT = 8007
"""``PBSPlugin.pm``: ``port => $scfg->{port} // 8007``."""
SIZE_WITHOUT_MANIFEST = 1
"""What PVE shows as the size of a PBS snapshot still being written: PBS lists one without a
manifest with no ``size`` (proxmox-backup ``src/tools/mod.rs``
``backup_info_to_snapshot_list_item``) and PVE fills in ``$item->{size} // 1`` (pve-storage
``PBSPlugin.pm`` ``list_volumes``); a finished one counts at least its manifest."""
KEY_WITHOUT_FINGERPRINT = "1"
"""What ``storage.cfg`` records for an encryption key file without a ``fingerprint``."""


def _comma_list(value: Any) -> Any:
    """``"images,rootdir"`` (as PVE answers) or a list → a sorted tuple without duplicates."""
    if value is None:
        return None
    parts = value.replace(";", ",").split(",") if isinstance(value, str) else list(value)
    items = {str(part).strip() for part in parts if str(part).strip()}
    return tuple(sorted(items, key=lambda item: (not item.isdigit(), item.zfill(12))))


def _marker(value: Any) -> Any:
    """``1`` (an int in PVE's JSON) or a fingerprint → text."""
    return None if value is None else str(value)


CommaList = Annotated[tuple[str, ...], BeforeValidator(_comma_list)]
Marker = Annotated[str, BeforeValidator(_marker)]


class StorageIdentity(WireModel):
    storage: StorageId
    type: str


class ZfsStorageIdentity(StorageIdentity):
    pool: str


class ZfsStorageSettings(WireModel):
    #: ``delete`` takes any optional option of the entry (``pve-configid-list``).
    deletable = frozenset({"content", "nodes", "sparse", "blocksize", "disable"})

    content: CommaList | None = None
    nodes: CommaList | None = None
    sparse: bool | None = None
    blocksize: str | None = None
    disable: bool | None = None


class ZfsStorage(ZfsStorageIdentity, ZfsStorageSettings):
    """A ``zfspool`` entry: guest disks on a ZFS pool (replication needs it)."""


class PbsStorageIdentity(StorageIdentity):
    server: str
    datastore: str


class PbsStorageSettings(WireModel):
    #: ``delete`` takes any optional option of the entry (``pve-configid-list``).
    deletable = frozenset(
        {"port", "namespace", "fingerprint", "content", "nodes", "prune_backups", "disable"}
    )

    port: int | None = None
    namespace: str | None = None
    username: str
    fingerprint: str | None = None
    content: CommaList | None = None
    nodes: CommaList | None = None
    prune_backups: str | None = None
    disable: bool | None = None


class PbsStorage(PbsStorageIdentity, PbsStorageSettings):
    """A ``pbs`` entry without its secrets; ``encryption_key``/``master_pubkey`` are the
    markers ``storage.cfg`` keeps (never sent as values)."""

    encryption_key: Marker | None = None
    master_pubkey: Marker | None = None


def key_marker(key_json: str) -> str:
    """What PVE records for an encryption key file: its ``fingerprint``, else ``1``."""
    try:
        decoded = json.loads(key_json)
    except json.JSONDecodeError:
        return KEY_WITHOUT_FINGERPRINT
    fingerprint = decoded.get("fingerprint") if isinstance(decoded, dict) else None
    return str(fingerprint) if fingerprint else KEY_WITHOUT_FINGERPRINT


def storages(client: ProxmoxClient, model: type[M], settings: type[WireModel]) -> SectionConfig[M]:
    """The ``/storage`` collection for one entry type's wire model."""
    return SectionConfig(client, "/storage", model, settings, id_field="storage")


class PbsStorageApi:
    """A PBS entry and its secrets: they travel only on create and when they change."""

    def __init__(self, client: ProxmoxClient) -> None:
        self.section: SectionConfig[PbsStorage] = storages(client, PbsStorage, PbsStorageSettings)

    def get(self, storage: str) -> Current[PbsStorage] | None:
        return self.section.get(storage)

    def create(
        self,
        entry: PbsStorage,
        password: SecretStr | None,
        key: SecretStr | None,
        master_pubkey: SecretStr | None,
    ) -> None:
        self.section.create(
            entry.model_copy(update={"encryption_key": None, "master_pubkey": None}),
            **_secrets(password, key, master_pubkey),
        )

    def update(
        self,
        current: Current[PbsStorage],
        desired: PbsStorage,
        *,
        password: SecretStr | None = None,
        key: SecretStr | None = None,
        master_pubkey: SecretStr | None = None,
        remove: tuple[str, ...] = (),
    ) -> None:
        """Settings that differ, the secrets given (re-sent) and the ``remove``d ones."""
        self.section.update(
            current, desired, remove=remove, **_secrets(password, key, master_pubkey)
        )

    def delete(self, storage: str) -> None:
        self.section.delete(storage)


def _secrets(
    password: SecretStr | None, key: SecretStr | None, master_pubkey: SecretStr | None
) -> dict[str, str]:
    values: dict[str, str] = {}
    if password is not None:
        values["password"] = password.get_secret_value()
    if key is not None:
        values["encryption-key"] = key.get_secret_value()
    if master_pubkey is not None:
        pem = master_pubkey.get_secret_value()
        values["master-pubkey"] = base64.b64encode(pem.encode()).decode()
    return values


class StorageApi:
    """Reads across entries of any type (restores list a PBS storage's backups)."""

    def __init__(self, client: ProxmoxClient) -> None:
        self.client = client

    def vm_backups(self, node: str, storage: str, vmid: int) -> list[dict[str, Any]]:
        """Finished backups of VM ``vmid`` on a (PBS) storage as ``node`` sees them, oldest
        first. PVE lists by backup id alone (``PBSPlugin.pm`` asks PBS for ``backup-id``), so a
        container with the same id shows up too; it and unfinished snapshots are left out."""
        items = self.client.get(
            f"/nodes/{node}/storage/{storage}/content", content="backup", vmid=vmid
        )
        prefix = f"{storage}:backup/vm/{vmid}/"
        finished = [
            item
            for item in items or []
            if str(item.get("volid", "")).startswith(prefix)
            and int(item.get("size") or 0) > SIZE_WITHOUT_MANIFEST
        ]
        return sorted(finished, key=lambda item: int(item.get("ctime", 0)))
