"""Wire models: typed views of Proxmox API objects, shared by the PBS and PVE operations.

Field names are snake_case for Python; aliases are the API's kebab-case keys. Each object is
split into an *identity* part (what the API cannot change in place: a change means replace)
and a *settings* part (updated in place), so "replace vs update" follows from the types.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


def to_kebab(name: str) -> str:
    return name.replace("_", "-")


class WireModel(BaseModel):
    """Base of every wire model: kebab-case aliases, frozen, unknown API fields ignored."""

    model_config = ConfigDict(
        alias_generator=to_kebab, populate_by_name=True, extra="ignore", frozen=True
    )

    #: Settings the API cannot ``delete`` (e.g. a user's ``enable``): left unset, they are
    #: not managed, rather than reset.
    sticky: ClassVar[frozenset[str]] = frozenset()

    def manages(self, name: str) -> bool:
        """Whether this desired object says anything about field ``name``."""
        return not (getattr(self, name) is None and name in self.sticky)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Any:
        return cls.model_validate(data)

    def to_api(self, fields: set[str] | None = None) -> dict[str, Any]:
        """The form parameters for these fields (all by default), ``None``s left out."""
        return self.model_dump(by_alias=True, exclude_none=True, include=fields)


def settings_delta(
    current: WireModel, desired: WireModel, fields: set[str]
) -> tuple[dict[str, Any], list[str]]:
    """What to send to turn ``current`` into ``desired`` for ``fields``: values and deletes.

    A field the user left unset (``None``) but that is set on the server is deleted, so the
    server falls back to its default; that is what "unset" means in our props (except for
    ``sticky`` fields, which the API cannot delete: unset, they are left alone).
    """
    send: dict[str, Any] = {}
    delete: list[str] = []
    for name in sorted(fields):
        want = getattr(desired, name)
        have = getattr(current, name)
        if want == have or not desired.manages(name):
            continue
        if want is None:
            delete.append(to_kebab(name))
        else:
            send[name] = want
    return (desired.to_api(set(send)) if send else {}), delete
