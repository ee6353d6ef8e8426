"""PBS datastore namespaces: ``a/b/c`` paths below the root ``""``, at most 7 levels deep.

Sync jobs map the source anchor's subtree onto the target anchor by prefix replacement, down to
``max-depth`` levels below the anchor (0 = the anchor only, unset = as deep as allowed).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "MAX_NAMESPACE_DEPTH",
    "ROOT_NAMESPACE",
    "check_depth_limit",
    "depth",
    "map_prefix",
    "subtree",
]

MAX_NAMESPACE_DEPTH = 7
ROOT_NAMESPACE = ""


def depth(ns: str) -> int:
    """Number of levels below the root (the root is 0)."""
    return 0 if ns == ROOT_NAMESPACE else ns.count("/") + 1


def _relative(ns: str, anchor: str) -> str | None:
    """``ns`` relative to ``anchor`` (``""`` for the anchor itself), or ``None`` if outside."""
    if anchor == ROOT_NAMESPACE:
        return ns
    if ns == anchor:
        return ROOT_NAMESPACE
    return ns[len(anchor) + 1 :] if ns.startswith(anchor + "/") else None


def map_prefix(ns: str, source_anchor: str, target_anchor: str) -> str:
    """PBS ``BackupNamespace::map_prefix``: swap the source anchor for the target anchor."""
    rest = _relative(ns, source_anchor)
    if rest is None:
        raise ValueError(f"namespace '{ns}' is not within '{source_anchor}'")
    if not rest:
        return target_anchor
    return rest if target_anchor == ROOT_NAMESPACE else f"{target_anchor}/{rest}"


def subtree(namespaces: Iterable[str], anchor: str, max_depth: int | None = None) -> list[str]:
    """The namespaces in ``anchor``'s subtree at most ``max_depth`` levels below it.

    Parents come before children (PBS syncs them shortest name first). Unset ``max_depth``
    reaches as deep as a namespace can be.
    """
    limit = MAX_NAMESPACE_DEPTH - depth(anchor) if max_depth is None else max_depth
    selected = []
    for ns in namespaces:
        rest = _relative(ns, anchor)
        if rest is not None and depth(rest) <= limit:
            selected.append(ns)
    return sorted(selected, key=lambda ns: (len(ns), ns))


def check_depth_limit(source_anchor: str, target_anchor: str, namespaces: Iterable[str]) -> None:
    """PBS ``check_namespace_depth_limit``: the mapped subtree must fit below 7 levels."""
    sub_depth = max((depth(ns) - depth(source_anchor) for ns in namespaces), default=0)
    target_depth = depth(target_anchor)
    if sub_depth + target_depth > MAX_NAMESPACE_DEPTH:
        raise ValueError(
            f"namespace depth limit exceeded: source subtree depth ({sub_depth}) + target "
            f"depth ({target_depth}) would exceed max ({MAX_NAMESPACE_DEPTH})"
        )
