"""Problems at keys the admin never wrote: drop the echoes, explain the rest.

Some keys default from others (``site``, ``backup``, ``service``): a service's
``rpo_target`` from its ``importance``, the PBS ``storage_id`` and ``path`` from its
``datastore``, a failover node from ``nodes``. One bad value then also fails every key derived
from it, at paths the admin has never seen. An issue at such an unwritten key is dropped when
an issue at one of its sources explains it; otherwise it stays, saying where its value came
from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tappaas.model.errors import ConfigIssue, is_under, join_path


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def derived_keys(raw: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Each defaulted key the admin did not write → the keys its default comes from."""
    derived: dict[str, tuple[str, ...]] = {}
    for name, spec in _mapping(raw.get("services")).items():
        service, path = _mapping(spec), join_path("services", name)
        importance = f"{path}.importance"
        defaults = {
            "rpo_target": (importance,),
            "node": ("nodes",),
            "pool": ("datapools", importance),
        }
        derived.update({f"{path}.{k}": v for k, v in defaults.items() if k not in service})
        ha = _mapping(service.get("ha"))
        if "enabled" not in ha:
            derived[f"{path}.ha.enabled"] = (importance, "nodes")
        if "failover_node" not in ha:
            derived[f"{path}.ha.failover_node"] = ("nodes", f"{path}.node")
        if "replication" not in service:
            derived[f"{path}.replication"] = (f"{path}.ha",)
        if "enabled" not in _mapping(service.get("replication")):
            derived[f"{path}.replication.enabled"] = (f"{path}.ha",)
    pbs = _mapping(_mapping(raw.get("backup")).get("pbs"))
    if pbs:
        pbs_defaults = {
            "storage_id": ("backup.pbs.datastore",),
            "path": ("backup.pbs.datastore", "backup.pbs.pool"),
            "pool": ("datapools",),
        }
        derived.update({f"backup.pbs.{k}": v for k, v in pbs_defaults.items() if k not in pbs})
    for name, pool in _mapping(raw.get("datapools")).items():
        if "storage_id" not in _mapping(pool):
            path = join_path("datapools", name)
            derived[f"{path}.storage_id"] = (path,)
    if raw.get("remote") is not None and "namespace" not in _mapping(raw.get("remote")):
        derived["remote.namespace"] = ("name",)
    for name, guest in _mapping(_mapping(raw.get("peer")).get("guests")).items():
        path = join_path("peer", "guests", name)
        for key in ("namespace", "writer_token_id"):
            if key not in _mapping(guest):
                derived[f"{path}.{key}"] = (path,)
    return derived


def without_echoes(
    issues: Sequence[ConfigIssue], derived: Mapping[str, tuple[str, ...]]
) -> list[ConfigIssue]:
    """``issues`` without those at unwritten keys that an issue at their source explains;
    the unexplained ones say which key their value came from."""
    kept = []
    for issue in issues:
        sources = derived.get(issue.path)
        if sources is None:
            kept.append(issue)
            continue
        explained = any(
            other.path != issue.path and is_under(other.path, source)
            for other in issues
            for source in sources
        )
        if not explained:
            kept.append(
                ConfigIssue(
                    issue.path,
                    f"{issue.message} (not written: its default comes from "
                    f"{' and '.join(sources)}; set {issue.path} to choose another)",
                )
            )
    return kept
