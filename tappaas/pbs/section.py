"""A PBS section-config collection (``/config/<kind>``), whose jobs can also be run now."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tappaas.client import ProxmoxClient
from tappaas.section import Current, M
from tappaas.section import SectionConfig as _SectionConfig
from tappaas.wire import WireModel

__all__ = ["Current", "SectionConfig"]


class SectionConfig(_SectionConfig[M]):
    """``/config/<kind>/{id}``; sync, prune and verify jobs start at ``/admin/<kind>/{id}/run``."""

    def __init__(
        self,
        client: ProxmoxClient,
        kind: str,
        model: type[M],
        settings: type[WireModel],
        *,
        id_field: str = "id",
        list_params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(
            client,
            f"/config/{kind}",
            model,
            settings,
            id_field=id_field,
            list_params=list_params,
        )
        self.kind = kind

    def run(self, object_id: str) -> str:
        """Start a job now (sync, prune, verify); returns the task's UPID."""
        return str(self.client.post(f"/admin/{self.kind}/{object_id}/run"))
