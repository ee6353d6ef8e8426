"""Reading a site config: from a mapping (the program's ``pulumi.Config``) or a stack file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tappaas.model.cascades import derived_keys, without_echoes
from tappaas.model.checks import Declared, cross_field_issues
from tappaas.model.errors import (
    ROOT_PATH,
    ConfigError,
    ConfigIssue,
    issues_from_pydantic,
    unique_sorted,
)
from tappaas.model.site import SiteConfig
from tappaas.model.stack_file import read_stack_document

CONFIG_KEY = "tappaas:site"
"""The one structured stack-config key holding the whole site."""
SET_ASIDE_SECTIONS = (("services",), ("peer", "guests"))
"""Mapping sections whose invalid entries are set aside so the rest can still be cross-checked
(nothing refers to their attributes; references to their names use ``Declared``)."""


def load_site_config(raw: Mapping[str, Any]) -> SiteConfig:
    """Validate a ``tappaas:site`` mapping; raise ``ConfigError`` listing every problem.

    Structural problems come from pydantic; cross-field problems from ``checks``. When only
    some services (or peer guests) are invalid, those are set aside and the rest of the site
    is still cross-checked, so one run reports both kinds. Problems at keys the admin did not
    write are left out when a problem at the key they default from explains them
    (``cascades``).
    """
    if not isinstance(raw, Mapping):
        raise ConfigError([ConfigIssue(ROOT_PATH, f"expected a mapping, got {type(raw).__name__}")])
    data = dict(raw)
    declared = Declared(services=frozenset(_entries(data, ("services",))))
    issues: list[ConfigIssue] = []
    try:
        site: SiteConfig | None = SiteConfig.model_validate(data)
    except ValidationError as error:
        issues.extend(issues_from_pydantic(error))
        site = _validate_without_failed_entries(data, error)
    if site is not None:
        issues.extend(cross_field_issues(site, declared))
    if issues:
        raise ConfigError(unique_sorted(without_echoes(issues, derived_keys(data))))
    assert site is not None
    return site


def load_stack_file(path: str | Path) -> SiteConfig:
    """Read ``Pulumi.<stack>.yaml`` and validate its ``tappaas:site`` config.

    Raises ``ConfigError`` for an unreadable file (read as Pulumi reads it: UTF-8, each key
    once; see ``stack_file``), a missing key or an invalid site.
    """
    document = read_stack_document(Path(path))
    config = document.get("config") if isinstance(document, dict) else None
    site = config.get(CONFIG_KEY) if isinstance(config, dict) else None
    if not isinstance(site, dict):
        raise ConfigError(
            [ConfigIssue(CONFIG_KEY, f"{path} has no mapping under config: {CONFIG_KEY}")]
        )
    return load_site_config(site)


def _entries(data: Mapping[str, Any], section: tuple[str, ...]) -> dict[str, Any]:
    """The mapping at ``section`` (e.g. ``peer.guests``), or empty when absent or malformed."""
    node: Any = data
    for key in section:
        node = node.get(key) if isinstance(node, Mapping) else None
    return dict(node) if isinstance(node, Mapping) else {}


def _validate_without_failed_entries(
    data: dict[str, Any], error: ValidationError
) -> SiteConfig | None:
    """The site with invalid set-aside entries removed, or ``None`` if it is still invalid."""
    failed = {tuple(entry["loc"]) for entry in error.errors()}
    pruned = dict(data)
    for section in SET_ASIDE_SECTIONS:
        depth = len(section)
        bad = {loc[depth] for loc in failed if loc[:depth] == section and len(loc) > depth}
        failed = {loc for loc in failed if not (loc[:depth] == section and len(loc) > depth)}
        if bad:
            entries = {k: v for k, v in _entries(data, section).items() if k not in bad}
            pruned = _replace(pruned, section, entries)
    if failed:
        return None
    try:
        return SiteConfig.model_validate(pruned)
    except ValidationError:
        return None


def _replace(data: dict[str, Any], section: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of ``data`` with ``section`` set to ``value``."""
    head, *rest = section
    return {**data, head: _replace(dict(data[head]), tuple(rest), value) if rest else value}
