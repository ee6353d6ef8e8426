"""Upstream TAPPaaS's own files, read and typed: ``configuration.json`` and module JSONs.

Only the fields this program uses are typed here (with upstream's own limits from
``configuration-fields.json`` and ``module-fields.json``); every other field is looked up in
``fields`` and reported, never dropped silently. Keys starting with ``-`` or ``_`` are
upstream's comments (``-comment1``, ``_comment``, ``_README``) and carry no settings.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tappaas.adopt.errors import WHOLE_FILE, UpstreamError, UpstreamIssue, issues_from_validation

NAME_PATTERN = r"^[a-zA-Z][a-zA-Z0-9-]*$"
"""``vmname`` and the halves of a ``dependsOn`` entry (module-fields.json)."""
DEPENDENCY_PATTERN = r"^[a-zA-Z][a-zA-Z0-9-]*:[a-zA-Z][a-zA-Z0-9-]*$"
MIN_VMID, MAX_VMID = 100, 999_999
CONFIG_BLOCKS = "config"
"""Pattern-A nesting: per-dependency blocks that upstream flattens before use."""


def is_comment(key: str) -> bool:
    """Upstream's comment keys (``-comment1`` in configuration.json, ``_comment`` elsewhere)."""
    return key.startswith(("-", "_"))


class _Upstream(BaseModel):
    """Typed view of the fields we use; the others stay in the raw mapping for the report."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


_T = TypeVar("_T", bound=_Upstream)


class NodeEntry(_Upstream):
    """One ``tappaas-nodes`` entry."""

    hostname: Annotated[str, Field(pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")]
    ip: Annotated[str, Field(min_length=1)]


class SiteSection(_Upstream):
    """The ``tappaas`` section."""

    domain: str | None = None
    node_count: Annotated[int, Field(ge=1, le=32)] | None = Field(None, alias="nodeCount")


class Configuration(_Upstream):
    """``configuration.json``: the site and its Proxmox nodes."""

    tappaas: SiteSection
    nodes: Annotated[list[NodeEntry], Field(min_length=1)] = Field(alias="tappaas-nodes")


class Status(StrEnum):
    """Module ``status`` values that change what the import does."""

    ARCHIVED = "archived"
    """The VM was removed; config and backups kept for a restore."""
    EXTERNAL = "external"
    """A guest managed outside TAPPaaS (registered, never installed by it)."""


class Module(_Upstream):
    """A module JSON, flattened (Pattern-A ``config`` blocks merged into the top level)."""

    vmname: Annotated[str, Field(pattern=NAME_PATTERN)] | None = None
    vmid: Annotated[int, Field(ge=MIN_VMID, le=MAX_VMID)] | None = None
    vmtag: str | None = None
    description: str = ""
    status: str | None = None
    node: str | None = None
    storage: str | None = None
    ha_node: str | None = Field(None, alias="HANode")
    replication_schedule: str | None = Field(None, alias="replicationSchedule")
    depends_on: list[Annotated[str, Field(pattern=DEPENDENCY_PATTERN)]] = Field(
        [], alias="dependsOn"
    )
    integrates_with: list[Annotated[str, Field(pattern=DEPENDENCY_PATTERN)]] = Field(
        [], alias="integratesWith"
    )
    provides: list[str] = []
    pbs_storage_name: str | None = Field(None, alias="pbsStorageName")
    always_backup: list[str] = Field([], alias="alwaysBackup")
    placement_state: str | None = Field(None, alias="placementState")

    def uses(self, dependency: str) -> bool:
        """Whether ``dependsOn`` (or the newer ``integratesWith``) names ``dependency``."""
        return dependency in self.depends_on or dependency in self.integrates_with


class PullSource(_Upstream):
    """``remote-<name>.json``: another TAPPaaS PBS whose backups this site pulls and keeps."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")]
    remote_host: Annotated[str, Field(min_length=1)] = Field(alias="remoteHost")
    remote_store: str = Field("tappaas_backup", alias="remoteStore")
    remote_namespace: str = Field("", alias="remoteNamespace")
    namespace: str | None = None
    pull_schedule: str | None = Field(None, alias="pullSchedule")
    remove_vanished: bool = Field(False, alias="removeVanished")
    encryption_required: bool = Field(True, alias="encryptionRequired")
    read_auth_id: str = Field("", alias="readAuthId")
    retention: dict[str, Annotated[int, Field(ge=1)]] = {}


class UpstreamFile(BaseModel):
    """One JSON file as read: where it is (as shown to the user) and its top-level object."""

    model_config = ConfigDict(frozen=True)

    path: Path
    shown: str
    """The path relative to the folder the user named, as every message shows it."""
    data: dict[str, Any]

    def settings(self) -> dict[str, Any]:
        """The object without upstream's comment keys."""
        return {k: v for k, v in self.data.items() if not is_comment(k)}


def read_json(path: Path, shown: str) -> UpstreamFile:
    """A JSON object from ``path``; ``UpstreamError`` naming the file if it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UpstreamError([UpstreamIssue(shown, WHOLE_FILE, f"cannot read: {error}")]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UpstreamError([UpstreamIssue(shown, WHOLE_FILE, f"not JSON: {error}")]) from None
    if not isinstance(data, dict):
        raise UpstreamError(
            [UpstreamIssue(shown, WHOLE_FILE, f"expected a JSON object, got {type(data).__name__}")]
        )
    return UpstreamFile(path=path, shown=shown, data=data)


def flatten(file: UpstreamFile) -> tuple[dict[str, Any], dict[str, str]]:
    """The module's fields with its Pattern-A ``config`` blocks merged in, as upstream's
    ``copy-update-json.sh`` does, and where each merged field was written
    (``config.cluster:vm.storage``). Upstream's rules (module-fields.json ``config.rules``)
    are errors: a block for an undeclared dependency, or a field set twice."""
    settings = file.settings()
    blocks = settings.pop(CONFIG_BLOCKS, None)
    if blocks is None:
        return settings, {}
    if not isinstance(blocks, dict):
        raise UpstreamError([UpstreamIssue(file.shown, CONFIG_BLOCKS, "must be an object")])
    declared = settings.get("dependsOn", [])
    issues: list[UpstreamIssue] = []
    owner: dict[str, str] = {}
    for block, fields in blocks.items():
        where = f"{CONFIG_BLOCKS}.{block}"
        if not isinstance(fields, dict):
            issues.append(UpstreamIssue(file.shown, where, "must be an object of module fields"))
            continue
        if not isinstance(declared, list) or block not in declared:
            issues.append(
                UpstreamIssue(
                    file.shown, where, f"{block!r} is not in dependsOn (upstream refuses)"
                )
            )
        for key, value in fields.items():
            if is_comment(key):
                continue
            if key in settings:
                first = owner.get(key, "the top level")
                issues.append(
                    UpstreamIssue(file.shown, f"{where}.{key}", f"also set in {first} (ambiguous)")
                )
                continue
            settings[key] = value
            owner[key] = where
    if issues:
        raise UpstreamError(issues)
    return settings, {key: f"{where}.{key}" for key, where in owner.items()}


def typed(model: type[_T], file: UpstreamFile, values: dict[str, Any]) -> _T:
    """``values`` (from ``file``) as ``model``; ``UpstreamError`` naming each bad field."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise UpstreamError(issues_from_validation(file.shown, error)) from None
