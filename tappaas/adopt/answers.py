"""Answers to an import's decisions: a partial site config laid over the imported one.

An answers file is YAML shaped like ``tappaas:site`` itself, holding only what the user
decided (fingerprints, disks, the peer); mappings merge key by key, anything else replaces,
and ``null`` removes a key (``services: {logging: null}`` leaves a module out). So an import
can be repeated after upstream's files change without losing the answers.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from tappaas.adopt.errors import WHOLE_FILE, UpstreamError, UpstreamIssue
from tappaas.adopt.result import Conversion, is_placeholder
from tappaas.model import ConfigError
from tappaas.model.stack_file import read_stack_document


def overlay(base: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``answers`` laid over it (a new mapping; neither input changes)."""
    merged = copy.deepcopy(dict(base))
    for key, value in answers.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = overlay(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def value_at(site: Mapping[str, Any], path: str) -> Any:
    """The value at dotted ``path``, or None when any part is missing."""
    node: Any = site
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def answered(conversion: Conversion, answers: Mapping[str, Any], source: str) -> Conversion:
    """The conversion with ``answers`` applied: decided paths leave the decision list, and
    their provenance names ``source`` (the answers file)."""
    site = overlay(conversion.site, answers)
    _cluster_fingerprint_from_its_node(site)
    _remote_named_explicitly(site, answers)
    provenance = dict(conversion.provenance)
    for path in _leaf_paths(answers):
        provenance[path] = f"{source}: {path}"
    pending = tuple(d for d in conversion.decisions if is_placeholder(value_at(site, d.path)))
    return replace(conversion, site=site, decisions=pending, provenance=provenance)


def _cluster_fingerprint_from_its_node(site: dict[str, Any]) -> None:
    """The cluster API is a node's API: its fingerprint is that node's, once answered."""
    api = value_at(site, "cluster.api")
    if not isinstance(api, dict) or not is_placeholder(api.get("fingerprint")):
        return
    for node in (value_at(site, "nodes") or {}).values():
        if isinstance(node, Mapping) and node.get("address") == api.get("address"):
            fingerprint = node.get("fingerprint")
            if fingerprint is not None and not is_placeholder(fingerprint):
                api["fingerprint"] = fingerprint


def _remote_named_explicitly(site: dict[str, Any], answers: Mapping[str, Any]) -> None:
    """A peer named by address (not by stack) answers the ``remote.peer_stack`` question."""
    remote, given = site.get("remote"), answers.get("remote")
    named_by_address = isinstance(given, Mapping) and "address" in given
    if named_by_address and isinstance(remote, dict) and is_placeholder(remote.get("peer_stack")):
        del remote["peer_stack"]


def _leaf_paths(answers: Mapping[str, Any], prefix: str = "") -> list[str]:
    paths = []
    for key, value in answers.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            paths += _leaf_paths(value, f"{path}.")
        else:
            paths.append(path)
    return paths


def read_answers(path: Path) -> dict[str, Any]:
    """An answers file (YAML mapping); ``UpstreamError`` naming it if it is not one."""
    try:
        data = read_stack_document(path)
    except ConfigError as error:
        raise UpstreamError(
            [UpstreamIssue(str(path), WHOLE_FILE, f"cannot read: {error}")]
        ) from None
    if not isinstance(data, dict):
        raise UpstreamError(
            [UpstreamIssue(str(path), WHOLE_FILE, "expected a mapping shaped like tappaas:site")]
        )
    return data
