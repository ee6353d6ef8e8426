"""A section-config collection of either product: typed get/list/create/update/delete.

PBS datastores, remotes and jobs (``/config/<kind>``) and PVE storage entries, replication
and backup jobs (``/storage``, ``/cluster/replication``, ``/cluster/backup``) all live in
section-config files. Reads return the object with the file's ``digest`` (PBS puts it beside
``data``, PVE inside it); updates send it back, so a concurrent change fails with "detected
modified configuration" instead of being overwritten silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from tappaas.client import NotFoundError, ProxmoxClient
from tappaas.wire import WireModel, settings_delta, to_kebab

M = TypeVar("M", bound=WireModel)


@dataclass(frozen=True)
class Current(Generic[M]):
    """An object as the server has it now, and the digest of the file it lives in."""

    value: M
    digest: str | None


class SectionConfig(Generic[M]):
    """Operations on ``<base>/{id}`` for one wire model.

    ``settings`` is the part of the model that can change in place; ``id_field`` names the
    identifier; ``list_params`` are sent with every list (PBS hides push sync jobs otherwise).
    """

    def __init__(
        self,
        client: ProxmoxClient,
        base: str,
        model: type[M],
        settings: type[WireModel],
        *,
        id_field: str = "id",
        list_params: Mapping[str, Any] | None = None,
    ) -> None:
        self.client = client
        self.base = base
        self.model = model
        self.settings = set(settings.model_fields)
        self.id_field = id_field
        self.list_params = dict(list_params or {})

    def get(self, object_id: str) -> Current[M] | None:
        try:
            envelope = self.client.get_with_digest(f"{self.base}/{object_id}")
        except NotFoundError:
            return None
        data = dict(envelope.data or {})
        digest = envelope.digest or data.get("digest")
        return Current(self.model.from_api(data), digest if isinstance(digest, str) else None)

    def list(self) -> list[M]:
        items = self.client.get(self.base, **self.list_params) or []
        return [self.model.from_api(item) for item in items]

    def create(self, obj: M, **extra: Any) -> Any:
        params = obj.to_api()
        self._require(obj, params)
        return self.client.post(self.base, **params, **extra)

    def update(
        self, current: Current[M], desired: M, *, remove: Sequence[str] = (), **extra: Any
    ) -> bool:
        """Send only what differs (deletes included, and the options in ``remove``) with
        ``extra``; False when nothing had to change."""
        values, delete = settings_delta(current.value, desired, self.settings)
        delete = [*delete, *remove]
        if not values and not delete and not extra:
            return False
        self._require(desired, values)
        self.client.put(
            f"{self.base}/{getattr(desired, self.id_field)}",
            **values,
            **extra,
            delete=delete or None,
            digest=current.digest,
        )
        return True

    def _require(self, obj: M, params: Mapping[str, Any]) -> None:
        """Refuse, before writing, an option (in ``params``) the server does not know yet."""
        for name, minimum in sorted(obj.since.items()):
            if to_kebab(name) in params:
                feature = f"option '{to_kebab(name)}' of {self.base}"
                self.client.require_version(feature, minimum)

    def delete(self, object_id: str, **params: Any) -> Any:
        return self.client.delete(f"{self.base}/{object_id}", **params)
