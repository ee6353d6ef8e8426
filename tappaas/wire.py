"""Wire models: typed views of Proxmox API objects, shared by the PBS and PVE operations.

Field names are snake_case for Python; aliases are the API's kebab-case keys. Each object is
split into an *identity* part (what the API cannot change in place: a change means replace)
and a *settings* part (updated in place), so "replace vs update" follows from the types.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


def to_kebab(name: str) -> str:
    return name.replace("_", "-")


class WireModel(BaseModel):
    """Base of every wire model: kebab-case aliases, frozen, unknown API fields ignored."""

    model_config = ConfigDict(
        alias_generator=to_kebab, populate_by_name=True, extra="ignore", frozen=True
    )

    #: Settings the API's ``delete`` parameter accepts (its enum in the official schema).
    #: An unset one that is set on the server is deleted, so the server's default applies.
    deletable: ClassVar[frozenset[str]] = frozenset()
    #: Settings the API cannot delete but whose default we know: unset means this value,
    #: which is sent instead of a ``delete`` the server would refuse.
    defaults: ClassVar[Mapping[str, Any]] = {}
    #: Settings newer than the oldest release we support: the (major, minor, patch) that
    #: added each. A server older than that refuses the whole call for the unknown name.
    since: ClassVar[Mapping[str, tuple[int, int, int]]] = {}

    def effective(self, name: str) -> Any:
        """The value of ``name``, or the known default standing in for an unset one."""
        value = getattr(self, name)
        return self.defaults.get(name) if value is None else value

    def manages(self, name: str) -> bool:
        """Whether this desired object says anything about ``name``: an unset setting that can
        be neither deleted nor defaulted (e.g. a user's ``enable``) is left as it is."""
        return getattr(self, name) is not None or name in self.deletable or name in self.defaults

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
    server falls back to its default; that is what "unset" means in our props. A field the
    API cannot delete gets its known default sent instead (``defaults``), or, without one, is
    left alone (PBS refuses the whole update for one undeletable name in ``delete``).
    """
    send: dict[str, Any] = {}
    delete: list[str] = []
    for name in sorted(fields):
        want = desired.effective(name)
        if want == current.effective(name) or not desired.manages(name):
            continue
        if want is None:
            delete.append(to_kebab(name))
        else:
            send[name] = want
    values = desired.model_copy(update=send).to_api(set(send)) if send else {}
    return values, delete
