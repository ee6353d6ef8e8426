"""Providers for objects in a PBS section config (datastores, remotes, jobs): written once."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from providers._lifecycle import ObjectProvider, P, vanished
from tappaas.client import ProxmoxClient
from tappaas.section import SectionConfig
from tappaas.wire import WireModel


class SectionProvider(ObjectProvider[P]):
    """get/create/update/delete through one ``SectionConfig`` and one wire model."""

    wire_type: ClassVar[type[WireModel]]
    id_field: ClassVar[str] = "id"

    @abstractmethod
    def section(self, client: ProxmoxClient) -> SectionConfig[Any]:
        """The collection this resource's objects live in."""

    def object_id(self, props: P) -> str:
        return str(getattr(props, self.id_field))

    def observe(self, client: ProxmoxClient, object_id: str, props: P) -> P | None:
        current = self.section(client).get(object_id)
        return None if current is None else props.model_copy(update=dict(current.value))

    def create_object(self, client: ProxmoxClient, props: P) -> dict[str, Any]:
        self.section(client).create(props.wire(self.wire_type))
        return {}

    def update_object(self, client: ProxmoxClient, object_id: str, old: P, new: P) -> None:
        section = self.section(client)
        current = section.get(object_id)
        if current is None:
            raise vanished(new, object_id)
        section.update(current, new.wire(self.wire_type))

    def delete_object(self, client: ProxmoxClient, object_id: str, props: P) -> None:
        self.section(client).delete(object_id)
