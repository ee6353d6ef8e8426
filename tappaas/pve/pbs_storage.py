"""A PVE storage entry of type ``pbs``: the copy a recovery host restores from.

``POST /storage`` with ``type=pbs`` (pve-storage ``PVE/API2/Storage/Config.pm`` and
``PVE/Storage/PBSPlugin.pm``): ``server``, ``port``, ``datastore`` and ``namespace`` are
fixed once created (a change means a new entry); ``username``, ``fingerprint`` and
``content`` can change. ``password`` and ``encryption-key`` are kept apart in
``/etc/pve/priv`` and never returned (a GET shows only the key's fingerprint), so they are
sent on create and whenever they change. ``encryption-key`` takes the key file's JSON.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from tappaas.client import NotFoundError, ProxmoxClient
from tappaas.wire import WireModel, settings_delta

PBS_TYPE = "pbs"


class PbsStorageIdentity(WireModel):
    storage: str
    server: str
    port: int | None = None
    datastore: str
    namespace: str | None = None


class PbsStorageSettings(WireModel):
    username: str
    fingerprint: str | None = None
    content: str = "backup"


class PbsStorage(PbsStorageIdentity, PbsStorageSettings):
    """The whole entry (secrets aside)."""


class NotPbsStorageError(ValueError):
    """A storage with this id exists but is not of type ``pbs``."""


def _secrets(password: SecretStr | None, key: SecretStr | None) -> dict[str, str]:
    sent = {}
    if password is not None:
        sent["password"] = password.get_secret_value()
    if key is not None:
        sent["encryption-key"] = key.get_secret_value()
    return sent


class PbsStorageApi:
    """Typed operations on one kind of ``/storage`` entry."""

    def __init__(self, client: ProxmoxClient) -> None:
        self.client = client

    def get(self, storage: str) -> PbsStorage | None:
        try:
            data: dict[str, Any] = dict(self.client.get(f"/storage/{storage}") or {})
        except NotFoundError:
            return None
        if data.get("type") != PBS_TYPE:
            raise NotPbsStorageError(f"storage '{storage}' is of type {data.get('type')!r}")
        return PbsStorage.from_api(data)  # type: ignore[no-any-return]

    def create(self, entry: PbsStorage, password: SecretStr | None, key: SecretStr | None) -> None:
        self.client.post("/storage", type=PBS_TYPE, **entry.to_api(), **_secrets(password, key))

    def update(
        self,
        current: PbsStorage,
        desired: PbsStorage,
        password: SecretStr | None,
        key: SecretStr | None,
    ) -> None:
        send, delete = settings_delta(current, desired, set(PbsStorageSettings.model_fields))
        extra: dict[str, Any] = {"delete": delete} if delete else {}
        self.client.put(f"/storage/{desired.storage}", **send, **extra, **_secrets(password, key))

    def delete(self, storage: str) -> None:
        """The entry only: the backups on the PBS are not touched."""
        self.client.delete(f"/storage/{storage}")
