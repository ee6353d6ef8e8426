"""Create/update/delete of section-config entries with each product's digest and delete rules.

PVE (``PVE::SectionConfig``): ``delete`` is a comma list; deleting an unknown option fails
"no such option 'x'", a required one "unable to delete required option 'x'", a fixed one
"unable to delete fixed option 'x'", and setting and deleting the same one "cannot set and
delete property 'x' at the same time!"; a stale digest dies with the "detected modified
configuration" message (500). PBS: ``delete`` is an array already checked against the
schema's enum; a stale digest is a 400 with the same words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from lab.api.routes import Call
from lab.errors import pbs_bail, pve_die
from lab.schema.pve_check import split_list
from lab.state.sections import MODIFIED_MESSAGE, ConfigEntry, SectionConfig

E = TypeVar("E", bound=ConfigEntry)
UPDATE_CONTROL = frozenset({"digest", "delete"})


def pve_check_digest(config: SectionConfig[Any], digest: str | None) -> None:
    """``assert_if_modified``."""
    if not config.is_current(digest):
        raise pve_die(MODIFIED_MESSAGE)


def pbs_check_digest(config: SectionConfig[Any], digest: str | None) -> None:
    """``detect_modified_configuration_file``."""
    if not config.is_current(digest):
        raise pbs_bail(MODIFIED_MESSAGE)


def options_of(params: Mapping[str, Any], exclude: Iterable[str]) -> dict[str, Any]:
    """The parameters that become stored options."""
    skip = set(exclude) | UPDATE_CONTROL
    return {k: v for k, v in params.items() if k not in skip}


def pve_update(
    entry: ConfigEntry,
    params: Mapping[str, Any],
    *,
    exclude: Iterable[str],
    required: Iterable[str] = (),
    fixed: Iterable[str] = (),
    known: Iterable[str] | None = None,
) -> None:
    """Apply a PVE update: set options, then delete the ``delete`` list."""
    changes = options_of(params, exclude)
    for key in fixed:
        if key in changes and changes[key] != entry.options.get(key):
            raise pve_die(f"can't change fixed option '{key}'")
    entry.options.update(changes)
    known_keys = None if known is None else set(known)
    for key in split_list(str(params.get("delete", ""))):
        if known_keys is not None and key not in known_keys:
            raise pve_die(f"no such option '{key}'")
        if key in set(required):
            raise pve_die(f"unable to delete required option '{key}'")
        if key in set(fixed):
            raise pve_die(f"unable to delete fixed option '{key}'")
        if key in changes:
            raise pve_die(f"cannot set and delete property '{key}' at the same time!")
        entry.options.pop(key, None)


def pbs_update(entry: ConfigEntry, params: Mapping[str, Any], *, exclude: Iterable[str]) -> None:
    """Apply a PBS update: deletions first, then the given values (as the API code does)."""
    for key in params.get("delete") or []:
        entry.options.pop(str(key), None)
    entry.options.update(options_of(params, exclude))


def listing(config: SectionConfig[E], *, with_digest: bool, id_key: str) -> list[dict[str, Any]]:
    """Each entry as ``{id_key: id, **options}`` (PVE also repeats the digest per entry)."""
    digest = config.digest() if with_digest else None
    out = []
    for entry in config:
        item = {id_key: entry.id, **entry.options}
        if digest is not None:
            item["digest"] = digest
        out.append(item)
    return out


def pbs_named_listing(
    call: Call[Any], config: SectionConfig[E], acl_root: str, *privileges: str
) -> list[dict[str, Any]]:
    """A PBS config list keyed by ``name``: the digest beside ``data``, and only the entries
    on whose ACL path ``<acl_root>/<name>`` the caller holds one of ``privileges``."""
    call.attributes["digest"] = config.digest()
    return [
        item
        for item in listing(config, with_digest=False, id_key="name")
        if call.has_any(f"{acl_root}/{item['name']}", *privileges)
    ]
