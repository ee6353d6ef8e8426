"""``PbsRemote``: another PBS that this one syncs with.

The password (the far side's token secret) is write-only: PBS never returns it, so outputs
keep its SHA-256 (itself stored encrypted) to notice a changed secret, which is re-sent.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from providers._lifecycle import Props
from providers._resource import ObjectResource
from providers._section import SectionProvider, update_fresh
from tappaas.client import ProxmoxClient
from tappaas.pbs.remote import Remote, RemoteApi, RemoteIdentity
from tappaas.pbs.section import SectionConfig


class PbsRemoteProps(Props, Remote):
    identity = frozenset(RemoteIdentity.model_fields)
    write_only = frozenset({"password"})

    password: SecretStr | None = None
    """Required by PBS on creation; never read back (state holds only its hash)."""


class PbsRemoteProvider(SectionProvider[PbsRemoteProps]):
    props_type = PbsRemoteProps
    wire_type = Remote
    id_field = "name"

    def section(self, client: ProxmoxClient) -> SectionConfig[Any]:
        return RemoteApi(client).section

    def create_object(self, client: ProxmoxClient, props: PbsRemoteProps) -> dict[str, Any]:
        RemoteApi(client).create(props.wire(Remote), props.password or SecretStr(""))
        return {}

    def update_object(
        self, client: ProxmoxClient, object_id: str, old: PbsRemoteProps, new: PbsRemoteProps
    ) -> None:
        api = RemoteApi(client)
        # Only a changed secret is sent: an update may be just a move of our own endpoint,
        # which must write nothing.
        password = new.password if new.password != old.password else None

        update_fresh(
            lambda: api.get(object_id),
            lambda current: api.update(current, new.wire(Remote), password),
            new,
            object_id,
        )


class PbsRemote(ObjectResource, module="pbs", name="Remote"):
    """A remote PBS entry; ``password`` should be a secret Output or config secret."""

    provider_type = PbsRemoteProvider
