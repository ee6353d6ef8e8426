"""PBS remotes (``/config/remote``): another PBS this one pulls from or pushes to.

The password (a token secret) is write-only: PBS never returns it, so callers keep a hash to
notice changes. A remote cannot be deleted while a sync job still references it.
"""

from __future__ import annotations

from pydantic import SecretStr

from tappaas.client import ProxmoxClient
from tappaas.model._types import PbsId
from tappaas.pbs.section import Current, SectionConfig
from tappaas.wire import WireModel


class RemoteIdentity(WireModel):
    name: PbsId


class RemoteSettings(WireModel):
    # proxmox-backup src/api2/config/remote.rs ``DeletableProperty``.
    deletable = frozenset({"comment", "fingerprint", "port"})

    host: str
    port: int | None = None
    auth_id: str
    fingerprint: str | None = None
    comment: str | None = None


class Remote(RemoteIdentity, RemoteSettings):
    """A whole remote entry, without its password."""


class RemoteApi:
    """Typed operations on PBS remotes; the password travels only on create and change."""

    def __init__(self, client: ProxmoxClient) -> None:
        self.section = SectionConfig(client, "remote", Remote, RemoteSettings, id_field="name")

    def get(self, name: str) -> Current[Remote] | None:
        return self.section.get(name)

    def create(self, remote: Remote, password: SecretStr) -> None:
        self.section.create(remote, password=password.get_secret_value())

    def update(
        self, current: Current[Remote], desired: Remote, password: SecretStr | None = None
    ) -> bool:
        extra = {"password": password.get_secret_value()} if password is not None else {}
        return self.section.update(current, desired, **extra)

    def delete(self, name: str) -> None:
        self.section.delete(name)
